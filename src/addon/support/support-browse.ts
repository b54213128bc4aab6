/**
 * This file reads a customer user's shared labels, contacts and sync state through a support
 * token (read-only), and runs the one repair a repair session allows: re-syncing a label's copy
 * group in that user's account, so that every contact linked to the share is a member again.
 */
import { linkKey, readLink } from '../../core/contact-model';
import { PeopleClient, type ContactGroup, type Person } from '../../google/people-client';
import { GoogleTransport } from '../../google/transport';
import type { AddonContext } from '../context';
import type { SupportShare } from './support-client';

/** A label's state in the session user's account. */
export interface LabelState {
  share: SupportShare;
  /** The label (owner) or its copy (recipient) in the user's account, when it exists. */
  groupResourceName: string | null;
  memberCount: number;
  /** Contacts of the user's account linked to the share (copies); 0 for the owner. */
  linkedContacts: number;
  summary: string;
}

/** A contact of a label, as the support card shows it. */
export interface ContactLine {
  name: string;
  email: string;
}

const MAX_PAGES = 20;
const PERSON_FIELDS = 'names,emailAddresses,memberships,clientData';

function transportOf(context: AddonContext): GoogleTransport {
  return new GoogleTransport({
    http: context.http,
    clock: context.clock,
    sleeper: context.sleeper,
  });
}

function allContacts(transport: GoogleTransport, people: PeopleClient): Person[] {
  const contacts: Person[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = transport.run(
      people.listConnections({ personFields: PERSON_FIELDS, pageSize: 1000, pageToken }),
    );
    contacts.push(...(page.connections ?? []));
    pageToken = page.nextPageToken ?? undefined;
    pages += 1;
  } while (pageToken && pages < MAX_PAGES);
  return contacts;
}

function groupOf(share: SupportShare, user: string, groups: ContactGroup[]): ContactGroup | null {
  if (share.owner.toLowerCase() === user.toLowerCase())
    return groups.find((group) => group.resourceName === share.labelResourceName) ?? null;
  const key = linkKey(share.id);
  return (
    groups.find((group) => (group.clientData ?? []).some((entry) => entry.key === key)) ?? null
  );
}

function isMember(person: Person, groupResourceName: string): boolean {
  return (person.memberships ?? []).some(
    (membership) =>
      membership.contactGroupMembership?.contactGroupResourceName === groupResourceName,
  );
}

/** Reads each share's label or copy group and linked contacts in the user's account. */
export function readLabelStates(
  context: AddonContext,
  token: string,
  user: string,
  shares: SupportShare[],
): LabelState[] {
  const transport = transportOf(context);
  const people = new PeopleClient(token);
  const groups = transport.run(people.listAllContactGroups('name,clientData,memberCount'));
  const contacts = shares.length > 0 ? allContacts(transport, people) : [];
  return shares.map((share) => {
    const group = groupOf(share, user, groups);
    const owner = share.owner.toLowerCase() === user.toLowerCase();
    const linked = owner
      ? 0
      : contacts.filter((person) => readLink(clientDataOf(person), share.id) !== null).length;
    const members = group?.memberCount ?? 0;
    let summary: string;
    if (!group) summary = owner ? 'Label missing from the account' : 'No copy yet: not synced';
    else if (owner) summary = `Master label, ${members} contacts`;
    else if (linked > members) summary = `Copy out of step: ${linked} linked, ${members} in label`;
    else summary = `Copy in step: ${members} contacts`;
    return {
      share,
      groupResourceName: group?.resourceName ?? null,
      memberCount: members,
      linkedContacts: linked,
      summary,
    };
  });
}

function clientDataOf(person: Person): { key: string; value: string }[] {
  return (person.clientData ?? []).map((entry) => ({
    key: entry.key ?? '',
    value: entry.value ?? '',
  }));
}

/** The contacts of a label or copy group in the user's account (at most `limit`). */
export function readLabelContacts(
  context: AddonContext,
  token: string,
  groupResourceName: string,
  limit = 50,
): { contacts: ContactLine[]; total: number } {
  const transport = transportOf(context);
  const members = allContacts(transport, new PeopleClient(token)).filter((person) =>
    isMember(person, groupResourceName),
  );
  return {
    total: members.length,
    contacts: members.slice(0, limit).map((person) => ({
      name: person.names?.[0]?.displayName ?? '(no name)',
      email: person.emailAddresses?.[0]?.value ?? '',
    })),
  };
}

/**
 * Re-syncs a recipient's copy group: adds every contact linked to the share that has dropped out
 * of the group. Returns how many were added, or null when the account has no copy group yet (the
 * next sync creates it). Nothing is removed or changed otherwise.
 */
export function resyncCopyGroup(
  context: AddonContext,
  token: string,
  user: string,
  share: SupportShare,
): number | null {
  const transport = transportOf(context);
  const people = new PeopleClient(token);
  const groups = transport.run(people.listAllContactGroups('name,clientData,memberCount'));
  const group = groupOf(share, user, groups);
  if (!group?.resourceName) return null;
  const groupName = group.resourceName;
  const missing = allContacts(transport, people)
    .filter((person) => readLink(clientDataOf(person), share.id) !== null)
    .filter((person) => !isMember(person, groupName))
    .map((person) => person.resourceName ?? '')
    .filter((name) => name !== '');
  for (let start = 0; start < missing.length; start += 1000)
    transport.run(people.modifyMembers(groupName, missing.slice(start, start + 1000), []));
  return missing.length;
}
