/**
 * This file reads what the cards show from the user's own Google Contacts, with their own token:
 * their contact groups (which hold both their masters and their copies of shared labels), a page
 * of a label's contacts, one contact's synced fields, and contacts found by e-mail or by text.
 */
import { carriesAnyShareEntry, carriesLink, SYNCED_FIELDS } from '../../core/contact-model';
import type { Share } from '../../core/sharing-model';
import type { ContactGroup, Person } from '../../google/people-client';
import { json, query, type ApiCall } from '../../google/transport';
import { PEOPLE_API } from '../../google/people-client';
import type { ContactRow, ContactsPage } from '../cards/label-card';
import { CONTACTS_PER_PAGE } from '../cards/label-card';
import type { OwnLabel } from '../cards/homepage-card';
import { oauthToken } from '../gas/script-services';
import type { SharingContext } from '../sharing/sharing-context';

const GROUP_FIELDS = 'name,groupType,memberCount,clientData';
/** Fields of a contact row. */
export const ROW_FIELDS = 'names,emailAddresses,phoneNumbers,organizations';
/** Fields of the contact card: every synced field and the memberships. */
export const CONTACT_FIELDS = [...SYNCED_FIELDS, 'memberships', 'clientData', 'metadata'].join(',');

/** The user's groups, read once: their shareable labels and their group for each share. */
export interface OwnGroups {
  groups: ContactGroup[];
  /** The group holding a share in this account: the master (owner) or the copy (recipient). */
  groupOf(
    share: Pick<Share, 'id' | 'labelResourceName' | 'owner'>,
    user: string,
  ): ContactGroup | null;
  /** The user labels that are not copies and not shared yet. */
  shareable(alreadyShared: ReadonlySet<string>): OwnLabel[];
}

/**
 * Reads the user's contact groups (one People API call for up to 1,000 groups), or takes them as
 * `listed` (a sync of this execution listed them, and nothing was written since).
 */
export function readOwnGroups(
  context: SharingContext,
  listed: ContactGroup[] | null = null,
): OwnGroups {
  const groups =
    listed ?? context.transport.run(context.ownPeople().listAllContactGroups(GROUP_FIELDS));
  const isCopy = (group: ContactGroup) => carriesAnyShareEntry(group.clientData);
  return {
    groups,
    groupOf(share, user) {
      if (share.owner.toLowerCase() === user.toLowerCase())
        return groups.find((group) => group.resourceName === share.labelResourceName) ?? null;
      return groups.find((group) => carriesLink(group.clientData, share.id)) ?? null;
    },
    shareable(alreadyShared) {
      return groups
        .filter(
          (group) =>
            group.groupType === 'USER_CONTACT_GROUP' &&
            !isCopy(group) &&
            !alreadyShared.has(group.resourceName ?? ''),
        )
        .map((group) => ({
          resourceName: group.resourceName ?? '',
          name: group.name ?? '',
          memberCount: group.memberCount ?? 0,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}

/** A person's display name. */
export function nameOf(person: Person): string {
  const name = person.names?.[0];
  return (
    name?.displayName ??
    [name?.givenName, name?.familyName].filter(Boolean).join(' ') ??
    ''
  ).trim();
}

/** A person's first e-mail address ('' when none). */
export function emailOf(person: Person): string {
  return (person.emailAddresses?.[0]?.value ?? '').trim();
}

function toRow(person: Person): ContactRow {
  const detail = [emailOf(person), person.phoneNumbers?.[0]?.value, person.organizations?.[0]?.name]
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .join(' · ');
  return {
    resourceName: person.resourceName ?? '',
    name: nameOf(person) || emailOf(person),
    detail,
  };
}

/** The member resource names of a group (all of them: a label holds at most 25,000). */
export function groupMembers(context: SharingContext, resourceName: string): string[] {
  const group = context.transport.run(
    context.ownPeople().getContactGroup(resourceName, 'name,memberCount', 25_000),
  );
  return group.memberResourceNames ?? [];
}

/** Reads people by resource name (≤ 200 a call, in parallel when more). */
export function readPeople(
  context: SharingContext,
  resourceNames: string[],
  fields: string,
): Person[] {
  if (resourceNames.length === 0) return [];
  return context.transport.run(context.ownPeople().getBatchGet(resourceNames, fields));
}

/**
 * One page of a group's contacts, sorted by name. With a query, the group's contacts whose
 * name, e-mail or phone contains it (read in full, then filtered: a label's contacts are at most
 * a few thousand rows of four fields).
 */
export function readContactsPage(
  context: SharingContext,
  groupResourceName: string,
  page: number,
  search: string,
): ContactsPage {
  const members = groupMembers(context, groupResourceName);
  const needle = search.trim().toLowerCase();
  if (needle === '') {
    const pages = Math.max(1, Math.ceil(members.length / CONTACTS_PER_PAGE));
    const at = Math.min(Math.max(1, page), pages);
    const slice = members.slice((at - 1) * CONTACTS_PER_PAGE, at * CONTACTS_PER_PAGE);
    const rows = readPeople(context, slice, ROW_FIELDS)
      .map(toRow)
      .sort((a, b) => a.name.localeCompare(b.name));
    return { rows, page: at, total: members.length, query: '' };
  }
  const matches = readPeople(context, members, ROW_FIELDS)
    .map(toRow)
    .filter(
      (candidate) =>
        candidate.name.toLowerCase().includes(needle) ||
        candidate.detail.toLowerCase().includes(needle),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const pages = Math.max(1, Math.ceil(matches.length / CONTACTS_PER_PAGE));
  const at = Math.min(Math.max(1, page), pages);
  return {
    rows: matches.slice((at - 1) * CONTACTS_PER_PAGE, at * CONTACTS_PER_PAGE),
    page: at,
    total: matches.length,
    query: search.trim(),
  };
}

function* searchOnce(token: string, text: string, readMask: string): ApiCall<Person[]> {
  const response = json<{ results?: { person?: Person }[] }>(
    yield {
      operation: 'people.people.searchContacts',
      method: 'get',
      url: `${PEOPLE_API}people:searchContacts${query({ query: text, readMask, pageSize: 30 })}`,
      headers: { authorization: `Bearer ${token}` },
      idempotent: true,
    },
  );
  return (response.results ?? []).map((result) => result.person ?? {});
}

/**
 * Searches the user's contacts for each text (one warm-up, then the searches in parallel), as
 * searchContacts asks: results per text, in the order given.
 */
export function searchContacts(
  context: SharingContext,
  texts: string[],
  readMask: string,
): Person[][] {
  if (texts.length === 0) return [];
  const token = oauthToken();
  context.transport.run(searchOnce(token, '', readMask));
  return context.transport
    .runAll(texts.map((text) => searchOnce(token, text, readMask)))
    .map((settled) => {
      if (!settled.ok) throw settled.error;
      return settled.value;
    });
}
