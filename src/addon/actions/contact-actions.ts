/**
 * This file defines the card actions about single contacts: the contact card (every synced field,
 * the shared labels it is in, editing within the user's level), adding a contact to a label from
 * the label card or from an open message's headers, and the Gmail contextual card.
 */
import { carriesLink } from '../../core/contact-model';
import { levelAllows, mayPerform, type Level } from '../../core/sharing-model';
import { GoogleApiError } from '../../google/google-error';
import type { Person } from '../../google/people-client';
import { describeAudience } from '../cards/audience';
import { buildContactCard, CONTACT_FORM, type ContactShare } from '../cards/contact-card';
import { LABEL_FORM, personText } from '../cards/label-card';
import {
  buildMessageContextCard,
  MESSAGE_FORM,
  type MessagePerson,
} from '../cards/message-context-card';
import { readMessageHeaders, type MessageHeaders } from '../gas/script-services';
import { MSG } from '../messages';
import type { VisibleShare } from '../sharing/share-registry';
import type { SharingContext } from '../sharing/sharing-context';
import {
  EMAIL,
  formValue,
  pushCard,
  requireParameter,
  updateCard,
  UserFacingError,
} from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent, Card } from './action-kit';
import { shareFor, visibleShares } from './share-kit';
import { actionDeadline, labelCardFor, syncNotice } from './share-outcomes';
import { directoryNames } from './directory-names';
import {
  CONTACT_FIELDS,
  emailOf,
  groupMembers,
  nameOf,
  readOwnGroups,
  readPeople,
  searchContacts,
  type OwnGroups,
} from './people-data';

const RESOURCE = /^people\/[A-Za-z0-9_-]+$/;

function valuesOf(field: string, values: unknown[]): string[] {
  return values
    .map((value) => {
      const item = value as Record<string, unknown>;
      switch (field) {
        case 'names':
          return String(
            item.displayName ?? [item.givenName, item.familyName].filter(Boolean).join(' '),
          );
        case 'addresses':
          return String(
            item.formattedValue ??
              [item.streetAddress, item.city, item.country].filter(Boolean).join(', '),
          );
        case 'organizations':
          return [item.name, item.title].filter(Boolean).join(' · ');
        case 'birthdays':
        case 'events': {
          const date = item.date as { year?: number; month?: number; day?: number } | undefined;
          return date
            ? [date.year, date.month, date.day].filter(Boolean).join('-')
            : String(item.text ?? '');
        }
        case 'userDefined':
          return `${String(item.key ?? '')}: ${String(item.value ?? '')}`;
        case 'relations':
          return String(item.person ?? '');
        default:
          return String(item.value ?? item.url ?? '');
      }
    })
    .filter((text) => text.trim() !== '');
}

/** The type of a field's value as Google shows it ("mobile", "work"), or ''. */
function typeOf(item: unknown): string {
  const value = item as { formattedType?: unknown; type?: unknown };
  const type = value.formattedType ?? value.type;
  return typeof type === 'string' ? type : '';
}

/** The shares whose group (master or copy) in this account holds the person. */
function sharesOfPerson(
  context: SharingContext,
  groups: OwnGroups,
  shares: VisibleShare[],
  person: Person,
): (VisibleShare & { myLevel: Level })[] {
  const memberships = new Set(
    (person.memberships ?? []).map(
      (membership) => membership.contactGroupMembership?.contactGroupResourceName ?? '',
    ),
  );
  return shares.filter((share): share is VisibleShare & { myLevel: Level } => {
    if (share.myLevel === null) return false;
    const group = groups.groupOf(share, context.addon.user);
    return (
      (typeof group?.resourceName === 'string' && memberships.has(group.resourceName)) ||
      carriesLink(person.clientData, share.id)
    );
  });
}

function readContact(context: SharingContext, resourceName: string): Person {
  if (!RESOURCE.test(resourceName)) throw new UserFacingError(MSG.contact.gone);
  const [person] = readPeople(context, [resourceName], CONTACT_FIELDS);
  if (!person || person.metadata?.deleted) throw new UserFacingError(MSG.contact.gone);
  return person;
}

function contactCard(context: SharingContext, person: Person) {
  const shares = [...context.registry.mine(), ...context.registry.sharedWithMe()];
  const inShares = sharesOfPerson(context, readOwnGroups(context), shares, person);
  const mayEdit = inShares.some((share) => mayPerform(share.myLevel, 'editContact'));
  const name = person.names?.[0];
  const hiddenEverywhere = (field: string) =>
    inShares.length > 0 &&
    inShares.every(
      (share) => share.myLevel !== 'owner' && (share.hiddenFields as string[]).includes(field),
    );
  const fields = Object.entries(MSG.people.cardFields)
    .filter(([field]) => !hiddenEverywhere(field))
    .flatMap(([field, label]) =>
      (((person as Record<string, unknown>)[field] as unknown[] | undefined) ?? []).flatMap(
        (item) =>
          valuesOf(field, [item]).map((text) => ({
            label: MSG.people.typed(label, typeOf(item)),
            values: [text],
          })),
      ),
    );
  let names: Record<string, string> = {};
  try {
    names = directoryNames(
      context,
      inShares.map((share) => share.owner),
      true,
    );
  } catch (error) {
    console.warn('names could not be read from the directory', error);
  }
  const sharesShown: ContactShare[] = inShares.map((share) => ({
    shareId: share.id,
    name: share.labelName,
    owner: personText(share.owner, names),
    myLevel: share.myLevel,
    audience: describeAudience(share.grants.map((grant) => grant.target)),
  }));
  return buildContactCard({
    resourceName: person.resourceName ?? '',
    name: nameOf(person) || emailOf(person),
    fields,
    shares: sharesShown,
    form: mayEdit
      ? {
          givenName: name?.givenName ?? '',
          familyName: name?.familyName ?? '',
          email: emailOf(person),
          phone: person.phoneNumbers?.[0]?.value ?? '',
          organization: person.organizations?.[0]?.name ?? '',
          notes: person.biographies?.[0]?.value ?? '',
        }
      : null,
  });
}

function openContact(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  return pushCard(
    contactCard(context, readContact(context, requireParameter(event, 'resourceName'))),
  );
}

/** Replaces the first value of a list field, keeping the others. */
function withFirst<T extends object>(
  list: T[] | undefined,
  value: string,
  make: (value: string) => T,
): T[] {
  const rest = (list ?? []).slice(1);
  return value === '' ? rest : [{ ...(list?.[0] ?? {}), ...make(value) }, ...rest];
}

function saveContact(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const person = readContact(context, requireParameter(event, 'resourceName'));
  const shares = [...context.registry.mine(), ...context.registry.sharedWithMe()];
  const inShares = sharesOfPerson(context, readOwnGroups(context), shares, person);
  const editable = inShares.filter((share) => mayPerform(share.myLevel, 'editContact'));
  if (editable.length === 0) throw new UserFacingError(MSG.contact.viewOnly);
  const email = formValue(event, CONTACT_FORM.email);
  if (email !== '' && !EMAIL.test(email))
    throw new UserFacingError(MSG.contact.emailInvalid(email));
  const givenName = formValue(event, CONTACT_FORM.givenName);
  const familyName = formValue(event, CONTACT_FORM.familyName);
  if (givenName === '' && familyName === '' && email === '')
    throw new UserFacingError(MSG.contact.nameRequired);
  const update: Person = {
    etag: person.etag,
    names: [{ givenName, familyName }],
    emailAddresses: withFirst(person.emailAddresses, email, (value) => ({ value })),
    phoneNumbers: withFirst(person.phoneNumbers, formValue(event, CONTACT_FORM.phone), (value) => ({
      value,
    })),
    organizations: withFirst(
      person.organizations,
      formValue(event, CONTACT_FORM.organization),
      (name) => ({ name }),
    ),
    biographies: withFirst(person.biographies, formValue(event, CONTACT_FORM.notes), (value) => ({
      value,
      contentType: 'TEXT_PLAIN',
    })),
  };
  try {
    context.transport.run(
      context
        .ownPeople()
        .updateContact(person.resourceName ?? '', update, [
          'names',
          'emailAddresses',
          'phoneNumbers',
          'organizations',
          'biographies',
        ]),
    );
  } catch (error) {
    if (
      error instanceof GoogleApiError &&
      error.httpStatus === 400 &&
      error.status === 'FAILED_PRECONDITION'
    )
      throw new UserFacingError(MSG.contact.stale);
    throw error;
  }
  const deadline = actionDeadline(context);
  const notices = editable.map((share) =>
    syncNotice(context.sync.syncShare(share.id, deadline, false, true)),
  );
  const saved = readContact(context, person.resourceName ?? '');
  return updateCard(
    contactCard(context, saved),
    MSG.contact.saved(nameOf(saved) || email, notices[0] ?? ''),
  );
}

/** Groups of at most this many contacts are read in full when a search finds nobody. */
export const MEMBER_CHECK_LIMIT = 1_000;

/**
 * The user's contact with an e-mail address, as it is now. searchContacts serves a cache of
 * unpublished freshness (people.searchContacts: "clients should send a warmup request with an
 * empty query to update the cache"): a contact it finds is read again, and when it finds none,
 * the group's own members are looked through (up to MEMBER_CHECK_LIMIT), so that a contact made
 * minutes ago is not added twice.
 */
function findByEmail(context: SharingContext, group: string, email: string): Person | null {
  const wanted = email.toLowerCase();
  const hasEmail = (candidate: Person) =>
    (candidate.emailAddresses ?? []).some(
      (address) => (address.value ?? '').toLowerCase() === wanted,
    );
  const fields = 'names,emailAddresses,memberships,metadata';
  const [found = []] = searchContacts(context, [email], fields);
  const hit = found.find(hasEmail);
  if (hit?.resourceName) {
    const [now] = readPeople(context, [hit.resourceName], fields);
    if (now && hasEmail(now)) return now;
  }
  const members = groupMembers(context, group);
  if (members.length > MEMBER_CHECK_LIMIT) return null;
  return readPeople(context, members, fields).find(hasEmail) ?? null;
}

/**
 * Puts a person into the user's group of a share (master or copy): an existing contact with that
 * e-mail joins the group, otherwise a new contact is created in it; then the share syncs.
 */
function addToShare(
  context: SharingContext,
  shareId: string,
  action: string,
  person: { givenName: string; familyName: string; email: string; phone: string },
): { label: string; notice: string; already: boolean; resourceName: string } {
  const share = shareFor(context, shareId, action, 'addContact');
  const group = readOwnGroups(context).groupOf(share, context.addon.user);
  if (!group?.resourceName) throw new UserFacingError(MSG.sync.never);
  const people = context.ownPeople();
  const existing = person.email ? findByEmail(context, group.resourceName, person.email) : null;
  if (existing?.resourceName && nameOf(existing) === '' && (person.givenName || person.familyName))
    // A contact known by its address only takes the name the message gives it.
    context.transport.run(
      people.updateContact(
        existing.resourceName,
        {
          etag: existing.etag,
          names: [{ givenName: person.givenName, familyName: person.familyName }],
        },
        ['names'],
      ),
    );
  if (existing?.resourceName) {
    const inGroup = (existing.memberships ?? []).some(
      (membership) =>
        membership.contactGroupMembership?.contactGroupResourceName === group.resourceName,
    );
    if (inGroup)
      return {
        label: share.labelName,
        notice: '',
        already: true,
        resourceName: existing.resourceName,
      };
    context.transport.run(people.modifyMembers(group.resourceName, [existing.resourceName], []));
  }
  const resourceName =
    existing?.resourceName ??
    context.transport.run(
      people.createContact({
        names: [{ givenName: person.givenName, familyName: person.familyName }],
        ...(person.email ? { emailAddresses: [{ value: person.email }] } : {}),
        ...(person.phone ? { phoneNumbers: [{ value: person.phone }] } : {}),
        memberships: [{ contactGroupMembership: { contactGroupResourceName: group.resourceName } }],
      }),
    ).resourceName ??
    '';
  const outcome = context.sync.syncShare(share.id, actionDeadline(context), false, true);
  return { label: share.labelName, notice: syncNotice(outcome), already: false, resourceName };
}

function addContact(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const shareId = requireParameter(event, 'shareId');
  const person = {
    givenName: formValue(event, LABEL_FORM.givenName),
    familyName: formValue(event, LABEL_FORM.familyName),
    email: formValue(event, LABEL_FORM.email).toLowerCase(),
    phone: formValue(event, LABEL_FORM.phone),
  };
  if (person.email !== '' && !EMAIL.test(person.email))
    throw new UserFacingError(MSG.contact.emailInvalid(person.email));
  if (person.givenName === '' && person.familyName === '' && person.email === '')
    throw new UserFacingError(MSG.contact.nameRequired);
  const name = [person.givenName, person.familyName].filter(Boolean).join(' ') || person.email;
  const added = addToShare(context, shareId, 'addContact', person);
  const share = shareFor(context, shareId, 'addContact', 'read');
  return updateCard(
    labelCardFor(context, share),
    added.already
      ? MSG.contact.alreadyIn(name, added.label)
      : MSG.contact.added(name, added.label, added.notice),
  );
}

/** One address of a header: "Ann Lee <ann@x.example>" or "ann@x.example". */
export function parseAddresses(header: string): { name: string; email: string }[] {
  const found: { name: string; email: string }[] = [];
  for (const part of header.match(/(?:"[^"]*"|[^,])+/g) ?? []) {
    const text = part.trim();
    if (text === '') continue;
    const angle = /^(.*)<([^<>]+)>\s*$/.exec(text);
    const email = (angle ? (angle[2] as string) : text).trim().toLowerCase();
    const name = angle ? (angle[1] as string).trim().replace(/^"|"$/g, '') : '';
    if (EMAIL.test(email)) found.push({ name, email });
  }
  return found;
}

function splitName(name: string): { givenName: string; familyName: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) return { givenName: name.trim(), familyName: '' };
  return { givenName: parts.slice(0, -1).join(' '), familyName: parts[parts.length - 1] as string };
}

function readOpenMessage(event: AddonEvent): MessageHeaders {
  const gmail = (event as { gmail?: { messageId?: string; accessToken?: string } }).gmail;
  if (!gmail?.messageId || !gmail.accessToken) throw new UserFacingError(MSG.message.unreadable);
  return readMessageHeaders(gmail.messageId, gmail.accessToken);
}

/**
 * The contextual card of the open message. `added` is a person just put into a label: the search
 * cache may not know them yet (people.searchContacts), so the card shows them in it regardless.
 */
export function renderMessageCard(
  event: AddonEvent,
  { sharing: context }: ActionContext,
  added?: { email: string; resourceName: string; label: string },
): Card {
  const headers = readOpenMessage(event);
  const me = context.addon.user.toLowerCase();
  const seen = new Set<string>([me]);
  const listed: { name: string; email: string; role: MessagePerson['role'] }[] = [];
  for (const [role, header] of [
    ['from', headers.from],
    ['to', headers.to],
    ['cc', headers.cc],
  ] as const)
    for (const address of parseAddresses(header))
      if (!seen.has(address.email)) {
        seen.add(address.email);
        listed.push({ ...address, role });
      }
  const people = listed.slice(0, 20);
  const { shares, notice } = visibleShares(context);
  const groups = readOwnGroups(context);
  const results = searchContacts(
    context,
    people.map((person) => person.email),
    'names,emailAddresses,memberships,clientData',
  );
  const rows: MessagePerson[] = people.map((person, index) => {
    const match = (results[index] ?? []).find((candidate) =>
      (candidate.emailAddresses ?? []).some(
        (address) => (address.value ?? '').toLowerCase() === person.email,
      ),
    );
    const labels = match
      ? sharesOfPerson(context, groups, shares, match).map((share) => share.labelName)
      : [];
    const justAdded = added?.email === person.email ? added : undefined;
    if (justAdded && !labels.includes(justAdded.label)) labels.push(justAdded.label);
    return {
      name: person.name || (match ? nameOf(match) : ''),
      email: person.email,
      role: person.role,
      resourceName: match?.resourceName ?? justAdded?.resourceName ?? null,
      labels,
    };
  });
  return buildMessageContextCard({
    ...(notice ? { notice } : {}),
    people: rows,
    targets: shares
      .filter((share) => share.myLevel !== null && levelAllows(share.myLevel, 'contribute'))
      .filter((share) => groups.groupOf(share, context.addon.user) !== null)
      .map((share) => ({ shareId: share.id, name: share.labelName })),
  });
}

function addPersonToLabel(event: AddonEvent, execution: ActionContext): ActionResponse {
  const context = execution.sharing;
  const shareId = formValue(event, MESSAGE_FORM.label);
  if (shareId === '') throw new UserFacingError(MSG.message.noLabels);
  const email = requireParameter(event, 'email').toLowerCase();
  if (!EMAIL.test(email)) throw new UserFacingError(MSG.contact.emailInvalid(email));
  // The sender's display name; without one, their name in the directory (for colleagues).
  const name =
    (event.commonEventObject.parameters?.name ?? '').slice(0, 200) ||
    (directoryNames(context, [email], true)[email] ?? '');
  const added = addToShare(context, shareId, 'addPersonToLabel', {
    ...splitName(name),
    email,
    phone: '',
  });
  const who = name || email;
  return updateCard(
    renderMessageCard(event, execution, {
      email,
      resourceName: added.resourceName,
      label: added.label,
    }),
    added.already
      ? MSG.contact.alreadyIn(who, added.label)
      : MSG.contact.added(who, added.label, added.notice),
  );
}

/** The contact actions by name. */
export const contactActions = {
  openContact,
  saveContact,
  addContact,
  addPersonToLabel,
} satisfies ActionTable;
