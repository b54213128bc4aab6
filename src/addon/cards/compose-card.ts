/**
 * This file defines the compose action's cards: choose a shared label and where its addresses
 * go (To, Cc, Bcc), or choose some of its contacts first.
 */
import { MSG, count } from '../messages';
import {
  actionButton,
  buttons,
  cardHeader,
  checkboxes,
  dropdown,
  paragraph,
  section,
} from './widgets';

/** Form field names of the compose cards. */
export const COMPOSE_FORM = {
  label: 'composeLabel',
  field: 'composeField',
  chosen: 'chosen',
} as const;

/** Draft fields the addresses may go to. */
export const DRAFT_FIELDS = ['to', 'cc', 'bcc'] as const;
export type DraftField = (typeof DRAFT_FIELDS)[number];

function fieldChoice(selected: DraftField = 'to') {
  const input = CardService.newSelectionInput()
    .setType(CardService.SelectionInputType.RADIO_BUTTON)
    .setFieldName(COMPOSE_FORM.field)
    .setTitle(MSG.compose.field);
  for (const field of DRAFT_FIELDS) input.addItem(MSG.compose[field], field, field === selected);
  return input;
}

/** Builds the compose card: a label, a draft field, insert or choose contacts. */
export function buildComposeCard(
  labels: { shareId: string; name: string; contacts: number | null }[],
): GoogleAppsScript.Card_Service.Card {
  const card = CardService.newCardBuilder()
    .setName('compose')
    .setHeader(cardHeader(MSG.compose.title));
  if (labels.length === 0)
    return card.addSection(section(null, paragraph(MSG.compose.noLabels))).build();
  return card
    .addSection(
      section(
        null,
        dropdown(
          COMPOSE_FORM.label,
          MSG.compose.label,
          labels.map((label) => [
            label.shareId,
            label.contacts === null
              ? label.name
              : `${label.name} (${count(label.contacts, 'contact')})`,
          ]),
        ),
        fieldChoice(),
        buttons(
          actionButton(MSG.compose.insert, 'insertLabel', {}, true),
          actionButton(MSG.compose.choose, 'chooseContacts'),
        ),
      ),
    )
    .build();
}

/** Builds the card choosing some contacts of a label. */
export function buildChooseContactsCard(
  shareId: string,
  labelName: string,
  contacts: { email: string; name: string }[],
  more: boolean,
): GoogleAppsScript.Card_Service.Card {
  const list = checkboxes(
    COMPOSE_FORM.chosen,
    MSG.compose.pick,
    contacts.map((contact) => [
      contact.email,
      contact.name ? `${contact.name} <${contact.email}>` : contact.email,
    ]),
  );
  const built = section(null, list, fieldChoice());
  if (more) built.addWidget(paragraph(MSG.compose.moreThanShown(contacts.length)));
  built.addWidget(
    buttons(actionButton(MSG.compose.insertChosen, 'insertChosen', { shareId }, true)),
  );
  return CardService.newCardBuilder()
    .setName('chooseContacts')
    .setHeader(cardHeader(labelName))
    .addSection(built)
    .build();
}
