/**
 * This file defines the compose action card: inserting a shared label's addresses into the draft
 * being written (To, Cc or Bcc), all at once or a chosen few.
 */
import {
  buildChooseContactsCard,
  buildComposeCard,
  COMPOSE_FORM,
  DRAFT_FIELDS,
  type DraftField,
} from '../cards/compose-card';
import { buildMessageCard } from '../cards/message-card';
import { MSG } from '../messages';
import type { SharingContext } from '../sharing/sharing-context';
import {
  EMAIL,
  formValue,
  formValues,
  notify,
  pushCard,
  requireParameter,
  UserFacingError,
} from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent, Card } from './action-kit';
import { shareFor, visibleShares } from './share-kit';
import { emailOf, groupMembers, nameOf, readOwnGroups, readPeople } from './people-data';

/** At most this many addresses go into a draft at once. */
export const MAX_DRAFT_ADDRESSES = 500;

/** At most this many contacts are offered for choosing (a selection input holds 100 items). */
export const MAX_CHOICES = 100;

/** The compose card: the user's shared labels that they hold a group of. */
export function renderComposeCard({ sharing: context }: ActionContext): Card {
  const { shares, notice } = visibleShares(context);
  if (notice) return buildMessageCard(MSG.compose.title, notice);
  const groups = readOwnGroups(context);
  return buildComposeCard(
    shares.flatMap((share) => {
      const group = groups.groupOf(share, context.addon.user);
      return group
        ? [{ shareId: share.id, name: share.labelName, contacts: group.memberCount ?? 0 }]
        : [];
    }),
  );
}

/** The label's contacts with an e-mail address, from the user's own group of it. */
function labelAddresses(context: SharingContext, shareId: string, action: string) {
  const share = shareFor(context, shareId, action, 'read');
  const group = readOwnGroups(context).groupOf(share, context.addon.user);
  if (!group?.resourceName) throw new UserFacingError(MSG.sync.never);
  const people = readPeople(
    context,
    groupMembers(context, group.resourceName),
    'names,emailAddresses',
  );
  const contacts = people
    .map((person) => ({ name: nameOf(person), email: emailOf(person).toLowerCase() }))
    .filter((contact) => EMAIL.test(contact.email))
    .sort((a, b) => (a.name || a.email).localeCompare(b.name || b.email));
  return { share, contacts };
}

function draftField(event: AddonEvent): DraftField {
  const field = formValue(event, COMPOSE_FORM.field) || 'to';
  if (!(DRAFT_FIELDS as readonly string[]).includes(field))
    throw new UserFacingError(MSG.staleButton);
  return field as DraftField;
}

function draftUpdate(field: DraftField, emails: string[]): ActionResponse {
  const builder = CardService.newUpdateDraftActionResponseBuilder();
  if (field === 'to')
    builder.setUpdateDraftToRecipientsAction(
      CardService.newUpdateDraftToRecipientsAction().addUpdateToRecipients(emails),
    );
  else if (field === 'cc')
    builder.setUpdateDraftCcRecipientsAction(
      CardService.newUpdateDraftCcRecipientsAction().addUpdateCcRecipients(emails),
    );
  else
    builder.setUpdateDraftBccRecipientsAction(
      CardService.newUpdateDraftBccRecipientsAction().addUpdateBccRecipients(emails),
    );
  return builder.build() as unknown as ActionResponse;
}

/** The addresses of the label chosen in the compose card; a user with no label has none to choose. */
function chosenLabelAddresses(event: AddonEvent, context: SharingContext, action: string) {
  const shareId = formValue(event, COMPOSE_FORM.label);
  if (shareId === '') throw new UserFacingError(MSG.compose.noLabels);
  return labelAddresses(context, shareId, action);
}

function insertLabel(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const { share, contacts } = chosenLabelAddresses(event, context, 'insertLabel');
  if (contacts.length === 0) return notify(MSG.compose.noAddresses(share.labelName));
  return draftUpdate(
    draftField(event),
    contacts.slice(0, MAX_DRAFT_ADDRESSES).map((contact) => contact.email),
  );
}

function chooseContacts(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const { share, contacts } = chosenLabelAddresses(event, context, 'chooseContacts');
  if (contacts.length === 0) return notify(MSG.compose.noAddresses(share.labelName));
  return pushCard(
    buildChooseContactsCard(
      share.id,
      share.labelName,
      contacts.slice(0, MAX_CHOICES),
      contacts.length > MAX_CHOICES,
    ),
  );
}

function insertChosen(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const { contacts } = labelAddresses(context, requireParameter(event, 'shareId'), 'insertChosen');
  const allowed = new Set(contacts.map((contact) => contact.email));
  const chosen = formValues(event, COMPOSE_FORM.chosen).filter((email) =>
    allowed.has(email.toLowerCase()),
  );
  if (chosen.length === 0) throw new UserFacingError(MSG.compose.noneChosen);
  return draftUpdate(draftField(event), chosen);
}

/** The compose actions by name. */
export const composeActions = {
  insertLabel,
  chooseContacts,
  insertChosen,
} satisfies ActionTable;
