/**
 * This file defines the card of one shared label: its sync state, a page of its contacts with
 * search and paging, adding a contact, its members and their levels, sharing with more people,
 * leaving it, and for the owner renaming, hidden fields and stopping the share.
 */
import {
  HIDEABLE_FIELDS,
  mayPerform,
  type HideableField,
  type Level,
  type ShareGrant,
  type ShareTarget,
} from '../../core/sharing-model';
import { routerAction } from '../actions/action-kit';
import type { ActionName } from '../actions/action-kit';
import { LEVEL_NAMES, MSG } from '../messages';
import type { ShareSyncState } from '../sharing/sync-state';
import { describeSyncState, describeUnreached, mayActOnRecipients } from './sync-state-text';
import {
  actionButton,
  buttons,
  cardHeader,
  checkboxes,
  paragraph,
  row,
  section,
  textField,
} from './widgets';

/** The name of the label card in the card stack. */
export const LABEL_CARD_NAME = 'label';

/** Contacts per page of the label card. */
export const CONTACTS_PER_PAGE = 20;

/** Form field names of the label card. */
export const LABEL_FORM = {
  query: 'labelQuery',
  givenName: 'givenName',
  familyName: 'familyName',
  email: 'email',
  phone: 'phone',
  rename: 'labelName',
  hidden: 'hiddenFields',
} as const;

/** A contact as a row of the label card. */
export interface ContactRow {
  resourceName: string;
  name: string;
  detail: string;
}

/** One page of the label's contacts, as the user's own copy holds them. */
export interface ContactsPage {
  rows: ContactRow[];
  /** 1-based. */
  page: number;
  total: number;
  query: string;
}

/**
 * The label a card action works on: a share (the user's master or copy of it), or one of the
 * user's own labels that is not shared.
 */
export type LabelRef = { shareId: string } | { labelResourceName: string };

/** The action that opens the card of a label reference. */
export function openActionOf(ref: LabelRef): ActionName {
  return 'shareId' in ref ? 'openLabel' : 'openOwnLabel';
}

/** An Undo offered at the top of a card, right after a destructive action. */
export interface UndoOffer {
  text: string;
  action: ActionName;
  parameters: Record<string, string>;
}

/** What the label card shows. */
export interface LabelView {
  shareId: string;
  name: string;
  owner: string;
  myLevel: Level;
  grants: ShareGrant[];
  hiddenFields: HideableField[];
  state: ShareSyncState | null;
  /** Levels the user may grant; empty when they may not share. */
  grantable: Level[];
  /** Null when the user has no copy yet. */
  contacts: ContactsPage | null;
  /** True when the user holds the label through their own user grant (so they may leave it). */
  directGrant: boolean;
  /** The member the owner offered the label to, while they have not accepted. */
  offeredTo?: string | null;
  /** True when the label is offered to the user themselves. */
  offeredToMe?: boolean;
  now: number;
  /** Directory names of people by lower-case address (those known). */
  names?: Record<string, string>;
  /** Undo of the action just done, when it can be honoured. */
  undo?: UndoOffer | null;
}

/** A person's address with their name, when the directory knows it. */
export function personText(email: string, names: Record<string, string> = {}): string {
  return MSG.people.named(names[email.toLowerCase()] ?? '', email);
}

/** The address a target names: an e-mail address or a domain. */
export function targetAddress(target: ShareTarget): string {
  return target.kind === 'domain' ? target.domain : target.email;
}

/** How a target reads on a card. */
export function targetText(target: ShareTarget, names: Record<string, string> = {}): string {
  if (target.kind === 'group') return MSG.label.group(target.email);
  if (target.kind === 'domain') return MSG.label.domain(target.domain);
  return personText(target.email, names);
}

/** The buttons that put contacts into a label and take them out. */
export function contentsButtons(ref: LabelRef): GoogleAppsScript.Card_Service.ButtonSet {
  return buttons(
    actionButton(MSG.contents.addExisting, 'findContactsToAdd', ref),
    actionButton(MSG.contents.paste, 'showPasteContacts', ref),
    actionButton(MSG.contents.remove, 'chooseContactsToRemove', ref),
  );
}

/** The Undo section shown at the top of a card right after a destructive action. */
export function undoSection(undo: UndoOffer): GoogleAppsScript.Card_Service.CardSection {
  return section(
    null,
    paragraph(undo.text),
    buttons(actionButton(MSG.confirm.undo, undo.action, undo.parameters)),
  );
}

/** A page of a label's contacts with search and paging; a contact opens its card. */
export function contactsSection(ref: LabelRef, page: ContactsPage) {
  const open = openActionOf(ref);
  const built = section(MSG.label.contacts);
  built.addWidget(textField(LABEL_FORM.query, MSG.label.searchHint, '', page.query));
  built.addWidget(buttons(actionButton(MSG.home.searchButton, open, ref)));
  if (page.rows.length === 0)
    built.addWidget(paragraph(page.query ? MSG.label.noMatches(page.query) : MSG.label.noContacts));
  for (const contact of page.rows)
    built.addWidget(
      row(contact.name, {
        bottom: contact.detail,
        onClick: routerAction('openContact', { resourceName: contact.resourceName, ...ref }),
      }),
    );
  const pages = Math.max(1, Math.ceil(page.total / CONTACTS_PER_PAGE));
  if (pages > 1) {
    built.addWidget(paragraph(MSG.label.page(page.page, pages, page.total)));
    const paging = CardService.newButtonSet();
    const at = (target: number) =>
      routerAction(open, {
        ...ref,
        page: String(target),
        ...(page.query ? { query: page.query } : {}),
        replace: '1',
      });
    if (page.page > 1)
      paging.addButton(
        CardService.newTextButton()
          .setText(MSG.label.previous)
          .setOnClickAction(at(page.page - 1)),
      );
    if (page.page < pages)
      paging.addButton(
        CardService.newTextButton()
          .setText(MSG.label.next)
          .setOnClickAction(at(page.page + 1)),
      );
    built.addWidget(paging);
  }
  return built;
}

function membersSection(view: LabelView) {
  const mayManage = view.grantable.length > 0;
  const built = section(
    MSG.label.members,
    row(personText(view.owner, view.names), { bottom: MSG.label.owner }),
  );
  for (const grant of view.grants) {
    const canChange = mayManage && view.grantable.includes(grant.level);
    built.addWidget(
      row(targetText(grant.target, view.names), {
        bottom: LEVEL_NAMES[grant.level],
        ...(canChange
          ? {
              button: actionButton(MSG.label.change, 'openMember', {
                shareId: view.shareId,
                targetKind: grant.target.kind,
                address: targetAddress(grant.target),
              }),
            }
          : {}),
      }),
    );
  }
  if (view.grants.length === 0) built.addWidget(paragraph(MSG.label.notShared));
  if (mayManage)
    built.addWidget(
      buttons(actionButton(MSG.label.shareMore, 'showShareForm', { shareId: view.shareId })),
    );
  return built;
}

function ownerSection(view: LabelView) {
  const hidden = checkboxes(
    LABEL_FORM.hidden,
    MSG.label.hidden,
    HIDEABLE_FIELDS.map((field) => [field, MSG.fields[field] ?? field]),
    view.hiddenFields,
  );
  return section(
    MSG.label.ownerSection,
    textField(LABEL_FORM.rename, MSG.label.rename, '', view.name),
    buttons(actionButton(MSG.label.renameButton, 'renameLabel', { shareId: view.shareId })),
    hidden,
    paragraph(MSG.label.hiddenHint),
    buttons(actionButton(MSG.label.saveHidden, 'saveHiddenFields', { shareId: view.shareId })),
    ...(view.offeredTo
      ? [
          paragraph(MSG.transfer.pending(view.offeredTo)),
          buttons(
            actionButton(MSG.transfer.withdraw, 'endTransferOffer', { shareId: view.shareId }),
          ),
        ]
      : [paragraph(MSG.label.transferHint)]),
    paragraph(MSG.label.stopHint),
    buttons(actionButton(MSG.label.stopSharing, 'confirmStopSharing', { shareId: view.shareId })),
  );
}

/** Builds the label card. */
export function buildLabelCard(view: LabelView): GoogleAppsScript.Card_Service.Card {
  const mayAct = mayActOnRecipients(view.myLevel);
  const sync = section(
    MSG.label.syncSection,
    paragraph(
      describeSyncState(
        view.state,
        view.now,
        view.contacts?.total ?? null,
        mayAct ? 'below' : 'anonymous',
      ),
    ),
    ...(mayAct ? describeUnreached(view.state).map((line) => paragraph(line)) : []),
  );
  const syncButtons = buttons(
    actionButton(MSG.home.syncNow, 'syncLabel', { shareId: view.shareId }),
  );
  if (view.state?.phase === 'paused' && view.myLevel === 'owner')
    syncButtons.addButton(
      CardService.newTextButton()
        .setText(MSG.label.confirmDeletions)
        .setOnClickAction(routerAction('confirmSync', { shareId: view.shareId })),
    );
  sync.addWidget(syncButtons);

  const card = CardService.newCardBuilder()
    .setName(LABEL_CARD_NAME)
    .setHeader(
      cardHeader(
        view.name,
        MSG.label.subtitle(
          personText(view.owner, view.names),
          view.myLevel,
          view.contacts?.total ?? null,
        ),
      ),
    );
  if (view.undo) card.addSection(undoSection(view.undo));
  card.addSection(sync);
  if (view.offeredToMe)
    card.addSection(
      section(
        null,
        paragraph(MSG.transfer.offerToYou(view.owner)),
        buttons(
          actionButton(MSG.transfer.accept, 'acceptOwnership', { shareId: view.shareId }),
          actionButton(MSG.transfer.decline, 'endTransferOffer', { shareId: view.shareId }),
        ),
      ),
    );
  if (view.contacts) {
    const contacts = contactsSection({ shareId: view.shareId }, view.contacts);
    if (mayPerform(view.myLevel, 'addContact'))
      contacts.addWidget(contentsButtons({ shareId: view.shareId }));
    card.addSection(contacts);
  }
  if (view.contacts && mayPerform(view.myLevel, 'addContact'))
    card.addSection(
      section(
        MSG.label.addContact,
        textField(LABEL_FORM.givenName, MSG.label.givenName),
        textField(LABEL_FORM.familyName, MSG.label.familyName),
        textField(LABEL_FORM.email, MSG.label.email),
        textField(LABEL_FORM.phone, MSG.label.phone),
        buttons(actionButton(MSG.label.add, 'addContact', { shareId: view.shareId })),
      ),
    );
  card.addSection(membersSection(view));
  if (view.myLevel === 'owner') card.addSection(ownerSection(view));
  else if (view.directGrant)
    card.addSection(
      section(
        null,
        paragraph(MSG.label.leaveHint),
        buttons(actionButton(MSG.label.leave, 'confirmLeave', { shareId: view.shareId })),
      ),
    );
  return card.build();
}
