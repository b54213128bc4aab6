/**
 * This file defines the card actions that put contacts into a label and take them out, in the
 * user's own account with their own token: opening any of their labels (shared or not), adding
 * existing contacts (search, tick several), adding many at once from pasted addresses or CSV
 * text, and removing contacts (with Undo where it can be honoured). When the label is shared, the
 * user's group of it (master or copy) changes and the share syncs inside the action, so that the
 * other accounts follow through the share gateway.
 */
import { carriesAnyShareEntry } from '../../core/contact-model';
import { parsePastedContacts, type PastedRejection } from '../../core/pasted-contacts';
import { PEOPLE_LIMITS, type ContactGroup, type Person } from '../../google/people-client';
import {
  buildFindContactsCard,
  buildOwnLabelCard,
  buildPasteCard,
  buildRemoveContactsCard,
  CONTENTS_FORM,
} from '../cards/label-contents-card';
import { LABEL_FORM, type ContactRow, type LabelRef, type UndoOffer } from '../cards/label-card';
import { MSG } from '../messages';
import type { VisibleShare } from '../sharing/share-registry';
import type { SharingContext } from '../sharing/sharing-context';
import {
  formValue,
  formValues,
  notify,
  pushCard,
  requireParameter,
  updateCard,
  UserFacingError,
} from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent } from './action-kit';
import { refuse, shareFor } from './share-kit';
import { actionDeadline, labelCardFor, syncNotice } from './share-outcomes';
import {
  emailOf,
  groupMembers,
  nameOf,
  readContactsPage,
  readOwnGroups,
  searchContacts,
} from './people-data';

type Shared = VisibleShare & { myLevel: NonNullable<VisibleShare['myLevel']> };

/** At most this many contacts are offered for ticking (a selection input shows 100 items well). */
export const MAX_OFFERED = 100;
/** Without a search, at most this many pages of 1,000 contacts are looked through. */
const MAX_LISTED_PAGES = 5;
/** At most this many pasted addresses are taken in one action. */
export const MAX_PASTED = 1_000;
/** Contacts created per batchCreateContacts call (People API: ≤ 200). */
const CREATE_BATCH = 200;

const RESOURCE = /^people\/[A-Za-z0-9_-]+$/;

/** The label an action works on: the user's group of it, and its share when it is shared. */
interface Label {
  ref: LabelRef;
  name: string;
  group: string;
  share: Shared | null;
}

function isCopy(group: ContactGroup): boolean {
  return carriesAnyShareEntry(group.clientData);
}

/**
 * Resolves the label an action names (`shareId`, or `labelResourceName` for one of the user's
 * own labels) and checks that the caller may do `what` on it. An own label that turns out to be
 * shared is treated as its share, so that its change reaches everyone.
 */
function labelFor(
  context: SharingContext,
  event: AddonEvent,
  action: string,
  what: 'read' | 'addContact' | 'removeContact',
): Label {
  const parameters = event.commonEventObject.parameters ?? {};
  const groups = readOwnGroups(context);
  const asShare = (shareId: string): Label => {
    const share = shareFor(context, shareId, action, what);
    const group = groups.groupOf(share, context.addon.user);
    if (!group?.resourceName) throw new UserFacingError(MSG.sync.never);
    return { ref: { shareId: share.id }, name: share.labelName, group: group.resourceName, share };
  };
  if (parameters.shareId) return asShare(parameters.shareId);
  const resourceName = requireParameter(event, 'labelResourceName');
  const group = groups.groups.find(
    (candidate) =>
      candidate.resourceName === resourceName && candidate.groupType === 'USER_CONTACT_GROUP',
  );
  // A crafted action may name any group: refusals are audited like a share's (share-kit.ts).
  if (!group) refuse(context, action, null, 'not_own_label', MSG.contents.notOwnLabel);
  if (isCopy(group)) refuse(context, action, null, 'copy_label', MSG.contents.copyLabel);
  const shared = context.registry.mine().find((share) => share.labelResourceName === resourceName);
  if (shared) return asShare(shared.id);
  return {
    ref: { labelResourceName: resourceName },
    name: group.name ?? '',
    group: resourceName,
    share: null,
  };
}

/** The card of a label after a change: the label card of its share, or of the own label. */
function labelCard(
  context: SharingContext,
  label: Label,
  undo: UndoOffer | null = null,
): GoogleAppsScript.Card_Service.Card {
  if (label.share) return labelCardFor(context, label.share, 1, '', undo);
  return buildOwnLabelCard({
    resourceName: label.group,
    name: label.name,
    contacts: readContactsPage(context, label.group, 1, ''),
    undo,
  });
}

/** Syncs the label's share after its contents changed; the notice to show ('' when not shared). */
function syncAfterChange(context: SharingContext, label: Label): string {
  if (!label.share) return '';
  // The change was just made: sync listings may not show it yet, so every account is listed.
  return syncNotice(context.sync.syncShare(label.share.id, actionDeadline(context), false, true));
}

/** Adds and removes members of the user's group, at most 1,000 a call (contactGroups.members.modify). */
function modifyGroup(
  context: SharingContext,
  group: string,
  add: string[],
  remove: string[],
): void {
  const people = context.ownPeople();
  for (let at = 0; at < add.length; at += PEOPLE_LIMITS.membersModify)
    context.transport.run(
      people.modifyMembers(group, add.slice(at, at + PEOPLE_LIMITS.membersModify), []),
    );
  for (let at = 0; at < remove.length; at += PEOPLE_LIMITS.membersModify)
    context.transport.run(
      people.modifyMembers(group, [], remove.slice(at, at + PEOPLE_LIMITS.membersModify)),
    );
}

function openOwnLabel(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const label = labelFor(context, event, 'openOwnLabel', 'read');
  const parameters = event.commonEventObject.parameters ?? {};
  const page = Math.max(1, Math.min(10_000, Number.parseInt(parameters.page ?? '1', 10) || 1));
  const search = (formValue(event, LABEL_FORM.query) || (parameters.query ?? '')).slice(0, 100);
  const card = label.share
    ? labelCardFor(context, label.share, page, search)
    : buildOwnLabelCard({
        resourceName: label.group,
        name: label.name,
        contacts: readContactsPage(context, label.group, page, search),
      });
  return parameters.replace === '1' ||
    LABEL_FORM.query in (event.commonEventObject.formInputs ?? {})
    ? updateCard(card)
    : pushCard(card);
}

function toRow(person: Person): ContactRow {
  const email = emailOf(person);
  return {
    resourceName: person.resourceName ?? '',
    name: nameOf(person) || email || MSG.contact.unnamed,
    detail: [email, person.phoneNumbers?.[0]?.value ?? '']
      .filter((value) => value !== '' && value !== nameOf(person))
      .join(' · '),
  };
}

/**
 * The card that offers the user's contacts outside the label: those matching the search
 * (searchContacts), or without a search the first of their contacts by first name.
 */
function findContactsToAdd(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const label = labelFor(context, event, 'findContactsToAdd', 'addContact');
  const query = formValue(event, CONTENTS_FORM.query).slice(0, 100);
  const members = new Set(groupMembers(context, label.group));
  const fields = 'names,emailAddresses,phoneNumbers';
  const isOutside = (person: Person) =>
    typeof person.resourceName === 'string' && !members.has(person.resourceName);
  let outside: Person[];
  if (query !== '') outside = (searchContacts(context, [query], fields)[0] ?? []).filter(isOutside);
  else {
    // Pages of the user's contacts by first name until enough are outside the label.
    outside = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = context.transport.run(
        context.ownPeople().listConnections({
          personFields: fields,
          pageSize: 1_000,
          sortOrder: 'FIRST_NAME_ASCENDING',
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      outside.push(...(page.connections ?? []).filter(isOutside));
      pageToken = page.nextPageToken ?? undefined;
      pages++;
    } while (pageToken && outside.length <= MAX_OFFERED && pages < MAX_LISTED_PAGES);
  }
  const card = buildFindContactsCard({
    ref: label.ref,
    labelName: label.name,
    query,
    found: outside.slice(0, MAX_OFFERED).map(toRow),
    more: outside.length > MAX_OFFERED,
  });
  return CONTENTS_FORM.query in (event.commonEventObject.formInputs ?? {})
    ? updateCard(card)
    : pushCard(card);
}

/**
 * Adds the ticked contacts to the label (or, as the Undo of a removal, those named in the
 * `restore` parameter), then syncs its share.
 */
function addChosenContacts(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const label = labelFor(context, event, 'addChosenContacts', 'addContact');
  const restore = event.commonEventObject.parameters?.restore;
  const chosen = [
    ...new Set(
      (restore === undefined ? formValues(event, CONTENTS_FORM.chosen) : restore.split(',')).filter(
        (name) => RESOURCE.test(name),
      ),
    ),
  ];
  if (chosen.length === 0) return notify(MSG.contents.noneChosen);
  if (chosen.length > MAX_PASTED) throw new UserFacingError(MSG.contents.tooManyChosen(MAX_PASTED));
  modifyGroup(context, label.group, chosen, []);
  const text = MSG.contents.added(chosen.length, label.name, syncAfterChange(context, label));
  const card = labelCard(context, label);
  if (restore !== undefined) return updateCard(card, text);
  return CardService.newActionResponseBuilder()
    .setNavigation(CardService.newNavigation().popCard().updateCard(card))
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

function showPasteContacts(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const label = labelFor(context, event, 'showPasteContacts', 'addContact');
  return pushCard(
    buildPasteCard({ ref: label.ref, labelName: label.name, text: '', problems: [] }),
  );
}

/** Every contact of the user with an e-mail address, by lower-case address (pages of 1,000). */
function contactsByEmail(context: SharingContext): Map<string, Person> {
  const people = context.ownPeople();
  const found = new Map<string, Person>();
  let pageToken: string | undefined;
  do {
    const page = context.transport.run(
      people.listConnections({
        personFields: 'emailAddresses,memberships',
        pageSize: 1_000,
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    for (const person of page.connections ?? [])
      for (const address of person.emailAddresses ?? []) {
        const email = (address.value ?? '').toLowerCase();
        if (email && !found.has(email)) found.set(email, person);
      }
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return found;
}

function problemText(rejection: PastedRejection): string {
  return rejection.reason === 'notAddress'
    ? MSG.contents.notAddress(rejection.line, rejection.text)
    : MSG.contents.noAddress(rejection.line, rejection.text);
}

/**
 * Adds the pasted addresses or CSV rows to the label: contacts the user has already join it, the
 * others are created in it; then its share syncs. Lines that cannot be read are given back in
 * the box, each with its reason, and nothing else is lost.
 */
function addPastedContacts(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const label = labelFor(context, event, 'addPastedContacts', 'addContact');
  const text = (
    event.commonEventObject.formInputs?.[CONTENTS_FORM.pasted]?.stringInputs?.value ?? []
  )
    .join('\n')
    .trim();
  if (text === '') return notify(MSG.contents.pasteEmpty);
  const pasted = parsePastedContacts(text);
  if (pasted.contacts.length > MAX_PASTED)
    return notify(MSG.contents.pasteTooMany(MAX_PASTED, pasted.contacts.length));
  const problems = pasted.rejected.map(problemText);
  if (pasted.contacts.length === 0)
    return updateCard(buildPasteCard({ ref: label.ref, labelName: label.name, text, problems }));

  const known = contactsByEmail(context);
  const join: string[] = [];
  const create: Person[] = [];
  let already = 0;
  for (const contact of pasted.contacts) {
    const existing = known.get(contact.email);
    if (existing?.resourceName) {
      const inGroup = (existing.memberships ?? []).some(
        (membership) => membership.contactGroupMembership?.contactGroupResourceName === label.group,
      );
      if (inGroup) already++;
      else join.push(existing.resourceName);
      continue;
    }
    create.push({
      names: [{ givenName: contact.givenName, familyName: contact.familyName }],
      emailAddresses: [{ value: contact.email }],
      ...(contact.phone ? { phoneNumbers: [{ value: contact.phone }] } : {}),
      ...(contact.organization ? { organizations: [{ name: contact.organization }] } : {}),
      memberships: [{ contactGroupMembership: { contactGroupResourceName: label.group } }],
    });
  }
  modifyGroup(context, label.group, [...new Set(join)], []);
  const people = context.ownPeople();
  for (let at = 0; at < create.length; at += CREATE_BATCH)
    context.transport.run(people.batchCreateContacts(create.slice(at, at + CREATE_BATCH)));
  const notice = syncAfterChange(context, label);
  const done = MSG.contents.pasted(create.length, new Set(join).size, already, label.name, notice);
  if (pasted.rejected.length > 0) {
    const lines = pasted.rejected.map((rejection) => rejection.text);
    const kept = pasted.header ? [pasted.header, ...lines] : lines;
    return updateCard(
      buildPasteCard({ ref: label.ref, labelName: label.name, text: kept.join('\n'), problems }),
      `${done} ${MSG.contents.notTaken(problems.length)}`,
    );
  }
  return CardService.newActionResponseBuilder()
    .setNavigation(CardService.newNavigation().popCard().updateCard(labelCard(context, label)))
    .setNotification(CardService.newNotification().setText(done))
    .build();
}

/** The accounts other than the user's that hold copies of the label (0 when it is not shared). */
function otherPeople(context: SharingContext, share: Shared | null): number {
  if (!share) return 0;
  const me = context.addon.user.toLowerCase();
  try {
    return context.registry
      .reachedAccounts(share.id)
      .filter((account) => account.toLowerCase() !== me).length;
  } catch {
    // Only the owner and managers may read the accounts a share reached: count its people.
    const people = new Set(
      [
        share.owner,
        ...share.grants.flatMap((grant) =>
          grant.target.kind === 'user' ? [grant.target.email] : [],
        ),
      ].map((email) => email.toLowerCase()),
    );
    people.delete(me);
    return people.size;
  }
}

/** The card that lists the label's contacts (the page the user is on) to tick for removal. */
function chooseContactsToRemove(
  event: AddonEvent,
  { sharing: context }: ActionContext,
): ActionResponse {
  const label = labelFor(context, event, 'chooseContactsToRemove', 'removeContact');
  const search = formValue(event, LABEL_FORM.query).slice(0, 100);
  const page = readContactsPage(context, label.group, 1, search);
  return pushCard(
    buildRemoveContactsCard({
      ref: label.ref,
      labelName: label.name,
      rows: page.rows,
      people: otherPeople(context, label.share),
    }),
  );
}

/**
 * Removes the ticked contacts from the label (they stay in the user's contacts), then syncs its
 * share. Undo adds them back when that restores what was: for the label's owner and unshared
 * labels. A recipient's removal takes the contacts out of the owner's label; adding them back
 * from the copy would make new contacts in the owner's account, so the owner is asked instead.
 */
function removeChosenContacts(
  event: AddonEvent,
  { sharing: context }: ActionContext,
): ActionResponse {
  const label = labelFor(context, event, 'removeChosenContacts', 'removeContact');
  const members = new Set(groupMembers(context, label.group));
  const chosen = [...new Set(formValues(event, CONTENTS_FORM.remove))].filter((name) =>
    members.has(name),
  );
  if (chosen.length === 0) return notify(MSG.contents.noneChosen);
  modifyGroup(context, label.group, [], chosen);
  const notice = syncAfterChange(context, label);
  const undoable = !label.share || label.share.myLevel === 'owner';
  const undo: UndoOffer | null = undoable
    ? {
        text: MSG.contents.undoRemoveHint(chosen.length),
        action: 'addChosenContacts',
        parameters: { ...label.ref, restore: chosen.join(',') },
      }
    : null;
  const text = MSG.contents.removed(chosen.length, label.name, notice);
  return CardService.newActionResponseBuilder()
    .setNavigation(
      CardService.newNavigation()
        .popCard()
        .updateCard(labelCard(context, label, undo)),
    )
    .setNotification(
      CardService.newNotification().setText(
        undoable ? text : `${text} ${MSG.contents.noUndoRemove}`,
      ),
    )
    .build();
}

/** The label contents' card actions by name. */
export const labelContentsActions = {
  openOwnLabel,
  findContactsToAdd,
  addChosenContacts,
  showPasteContacts,
  addPastedContacts,
  chooseContactsToRemove,
  removeChosenContacts,
} satisfies ActionTable;
