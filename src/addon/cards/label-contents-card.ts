/**
 * This file defines the cards that put contacts into a label and take them out: the card of one
 * of the user's own labels that is not shared, choosing existing contacts to add (search, tick
 * several), pasting many addresses or CSV text at once (with what was not taken), and choosing
 * contacts to remove.
 */
import { MSG } from '../messages';
import {
  contactsSection,
  contentsButtons,
  undoSection,
  type ContactRow,
  type ContactsPage,
  type LabelRef,
  type UndoOffer,
} from './label-card';
import {
  actionButton,
  buttons,
  cardHeader,
  checkboxes,
  paragraph,
  section,
  textField,
} from './widgets';

/** Form field names of the contents cards. */
export const CONTENTS_FORM = {
  query: 'contactQuery',
  chosen: 'chosenContacts',
  pasted: 'pastedContacts',
  remove: 'removeContacts',
} as const;

/** What the card of an unshared label of the user's shows. */
export interface OwnLabelView {
  resourceName: string;
  name: string;
  contacts: ContactsPage;
  undo?: UndoOffer | null;
}

/** Builds the card of one of the user's own labels that is not shared. */
export function buildOwnLabelCard(view: OwnLabelView): GoogleAppsScript.Card_Service.Card {
  const ref = { labelResourceName: view.resourceName };
  const card = CardService.newCardBuilder()
    .setName('label')
    .setHeader(cardHeader(view.name, MSG.contents.subtitle(view.contacts.total)));
  if (view.undo) card.addSection(undoSection(view.undo));
  const contacts = contactsSection(ref, view.contacts);
  contacts.addWidget(contentsButtons(ref));
  card.addSection(contacts);
  card.addSection(
    section(
      null,
      buttons(
        actionButton(MSG.contents.share, 'showShareForm', { labelResourceName: view.resourceName }),
      ),
    ),
  );
  return card.build();
}

/** What the card for choosing existing contacts shows. */
export interface FindContactsView {
  ref: LabelRef;
  labelName: string;
  query: string;
  /** The user's contacts outside the label that match. */
  found: ContactRow[];
  /** True when more matched than are shown. */
  more: boolean;
}

/** Checkboxes of contacts, each by name and detail, valued by resource name. */
function contactCheckboxes(name: string, title: string, rows: ContactRow[]) {
  return checkboxes(
    name,
    title,
    rows.map((contact) => [
      contact.resourceName,
      contact.detail ? `${contact.name} · ${contact.detail}` : contact.name,
    ]),
  );
}

/** Builds the card that searches the user's contacts and adds the ticked ones to the label. */
export function buildFindContactsCard(view: FindContactsView): GoogleAppsScript.Card_Service.Card {
  const search = section(
    null,
    textField(CONTENTS_FORM.query, MSG.contents.findHint, '', view.query),
    buttons(actionButton(MSG.contents.findButton, 'findContactsToAdd', view.ref)),
  );
  const results = section(MSG.contents.choose);
  if (view.found.length === 0) results.addWidget(paragraph(MSG.contents.noneFound(view.query)));
  else {
    results.addWidget(contactCheckboxes(CONTENTS_FORM.chosen, MSG.contents.choose, view.found));
    if (view.more) results.addWidget(paragraph(MSG.contents.moreFound(view.found.length)));
    results.addWidget(
      buttons(actionButton(MSG.contents.addChosen, 'addChosenContacts', view.ref, true)),
    );
  }
  return CardService.newCardBuilder()
    .setName('findContacts')
    .setHeader(cardHeader(MSG.contents.findTitle(view.labelName)))
    .addSection(search)
    .addSection(results)
    .build();
}

/** What the paste card shows. */
export interface PasteView {
  ref: LabelRef;
  labelName: string;
  /** The text in the box (after an attempt: the lines that were not taken). */
  text: string;
  /** Why each line was not taken, in words. */
  problems: string[];
}

/** Builds the card where many addresses or CSV text are pasted at once. */
export function buildPasteCard(view: PasteView): GoogleAppsScript.Card_Service.Card {
  const card = CardService.newCardBuilder()
    .setName('pasteContacts')
    .setHeader(cardHeader(MSG.contents.pasteTitle(view.labelName)));
  if (view.problems.length > 0)
    card.addSection(
      section(
        MSG.contents.notTakenTitle,
        paragraph(MSG.contents.notTaken(view.problems.length)),
        ...view.problems.map((problem) => paragraph(problem)),
      ),
    );
  card.addSection(
    section(
      null,
      paragraph(MSG.contents.pasteHint),
      textField(CONTENTS_FORM.pasted, MSG.contents.pasteField, '', view.text).setMultiline(true),
      buttons(actionButton(MSG.contents.pasteButton, 'addPastedContacts', view.ref, true)),
    ),
  );
  return card.build();
}

/** What the card for choosing contacts to remove shows. */
export interface RemoveContactsView {
  ref: LabelRef;
  labelName: string;
  rows: ContactRow[];
  /** How many other people hold copies of the label (0 when it is not shared). */
  people: number;
}

/** Builds the card that removes the ticked contacts from the label, saying what follows. */
export function buildRemoveContactsCard(
  view: RemoveContactsView,
): GoogleAppsScript.Card_Service.Card {
  const body = section(null, paragraph(MSG.contents.removeWhat(view.people)));
  if (view.rows.length === 0) body.addWidget(paragraph(MSG.label.noContacts));
  else {
    body.addWidget(contactCheckboxes(CONTENTS_FORM.remove, MSG.label.contacts, view.rows));
    body.addWidget(
      buttons(actionButton(MSG.contents.removeChosen, 'removeChosenContacts', view.ref)),
    );
  }
  return CardService.newCardBuilder()
    .setName('removeContacts')
    .setHeader(cardHeader(MSG.contents.removeTitle(view.labelName)))
    .addSection(body)
    .build();
}
