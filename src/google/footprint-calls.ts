/**
 * This file defines what the share gateway does in another person's account, as People API calls
 * with that person's delegated token (DESIGN.md §6): listings reduced to one share's footprint,
 * the share's groups, and the sync engine's writes checked against the footprint and the caller's
 * level before anything is sent. The backend runs these calls; tests run them in process.
 */
import {
  carriesAnyShareEntry,
  carriesLink,
  copyGroupLink,
  originKey,
  readLink,
  samePerson,
  type ClientDataEntry,
  type ContactSnapshot,
} from '../core/contact-model';
import {
  footprintAllows,
  footprintView,
  inFootprint,
  isShareCopy,
  isShareEntry,
  MatchIndex,
  MY_CONTACTS,
  tombstoneView,
  type AccountRole,
  type FootprintOperation,
} from '../core/footprint';
import type {
  GatewayListContactsRequest,
  GatewayListContactsResponse,
  GatewayListGroupsResponse,
  GatewayWriteResponse,
} from '../core/gateway-contract';
import { visibleFields, type FieldValues } from '../core/contact-model';
import type { Level, Share } from '../core/sharing-model';
import type { AccountWrite, ContactUpdate, NewContact } from '../core/sync-ports';
import { PeopleClient } from './people-client';
import {
  connectionsPage,
  createCopyGroup,
  performWrite,
  toGroup,
  toSnapshot,
} from './people-gateway';
import type { ApiCall } from './transport';

/**
 * How long the gateway trusts that an account has no copy group after looking: a listing's later
 * pages do not look again (the account's own sync may make one; the next minute's calls find it).
 */
export const GROUP_RECHECK_MS = 60_000;

/** What the gateway knows when it acts in an account for a caller. */
export interface FootprintFacts {
  share: Pick<Share, 'id' | 'owner' | 'labelResourceName' | 'labelName' | 'hiddenFields'>;
  /** The account acted in, lower-case. */
  account: string;
  role: AccountRole;
  /** The caller's effective level on the share. */
  level: Level;
  /** The footprint's group: the label (master), or the copy group when known. */
  group: string | null;
  /** True when the gateway looked for the copy group lately and found none: no need to look again. */
  noGroupLately?: boolean;
  /**
   * True when the share reached the account before (the gateway wrote there, or its own sync
   * called the gateway): it may hold a copy group that its own sync made, holding none of the
   * share's contacts yet but the account's own additions.
   */
  reached?: boolean;
}

/** A request the gateway refuses: outside the footprint, or beyond the caller's level. */
export class FootprintRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FootprintRefusal';
  }
}

/**
 * A gateway call's answer, the copy group it found or made (`looked`: it looked for one), and
 * counts for the audit event.
 */
export interface FootprintOutcome<T> {
  value: T;
  group: string | null;
  looked?: boolean;
  counts: Record<string, number>;
}

/** Throws unless the caller's level allows the operation in this account. */
export function requireAllowed(facts: FootprintFacts, operation: FootprintOperation): void {
  if (!footprintAllows(facts.level, facts.role, operation))
    throw new FootprintRefusal(
      'insufficient_level',
      `your level "${facts.level}" does not allow "${operation}" in ${facts.role === 'master' ? "the owner's" : facts.role === 'copy' ? "another participant's" : "a former participant's"} contacts`,
    );
}

/**
 * The footprint's group: the label, or the account's group carrying the share's link (if any);
 * `looked` when it had to list the account's groups to know.
 */
export function* footprintGroup(
  client: PeopleClient,
  facts: FootprintFacts,
): ApiCall<{ group: string | null; looked: boolean }> {
  if (facts.role === 'master') return { group: facts.share.labelResourceName, looked: false };
  if (facts.group !== null || facts.noGroupLately === true)
    return { group: facts.group, looked: false };
  const groups = yield* client.listAllContactGroups('name,clientData');
  const found =
    groups.find((group) => carriesLink(group.clientData, facts.share.id))?.resourceName ?? null;
  return { group: found, looked: true };
}

/**
 * One page of the account's contacts, reduced to the footprint (footprint.ts, footprintView);
 * with `match` (which only `merge` allows), the account's own contacts for the master's people
 * come back too, reduced to the match. Everything else is counted in `omitted`.
 */
export function* listFootprintContacts(
  client: PeopleClient,
  facts: FootprintFacts,
  request: Omit<GatewayListContactsRequest, 'account'>,
): ApiCall<FootprintOutcome<GatewayListContactsResponse>> {
  requireAllowed(facts, 'read');
  const match = request.match ?? [];
  if (match.length > 0) requireAllowed(facts, 'merge');
  const index = match.length > 0 ? new MatchIndex(match) : null;
  // The copy group is looked for only when the share reached the account (the gateway knows it,
  // or a contact of the page carries its link): a first share costs no extra call.
  const page = yield* connectionsPage(
    client,
    request.syncToken ?? null,
    request.pageToken,
    request.requestSyncToken ?? true,
  );
  const reached =
    facts.reached === true ||
    page.contacts.some((contact) => carriesLink(contact.clientData, facts.share.id));
  const { group, looked } = yield* footprintGroup(client, {
    ...facts,
    noGroupLately: facts.noGroupLately === true || !reached,
  });
  const contacts: ContactSnapshot[] = [];
  let omitted = 0;
  let matched = 0;
  for (const contact of page.contacts) {
    if (contact.deleted) contacts.push(tombstoneView(contact));
    else if (inFootprint(contact, facts.share.id, group))
      contacts.push(footprintView(contact, facts.share, group));
    else {
      const view = index?.view(contact) ?? null;
      if (view) {
        matched++;
        contacts.push(view);
      } else omitted++;
    }
  }
  return {
    value: {
      contacts,
      nextPageToken: page.nextPageToken,
      nextSyncToken: page.nextSyncToken,
      totalPeople: page.totalPeople,
      omitted,
    },
    group,
    looked,
    counts: { returned: contacts.length - matched, matched, omitted, asked: match.length },
  };
}

/** The account's groups that belong to the share: the label (master) or its copy group(s). */
export function* listFootprintGroups(
  client: PeopleClient,
  facts: FootprintFacts,
): ApiCall<FootprintOutcome<GatewayListGroupsResponse>> {
  requireAllowed(facts, 'read');
  const groups = (yield* client.listAllContactGroups('name,clientData,groupType'))
    .map(toGroup)
    .filter((group) =>
      facts.role === 'master'
        ? group.resourceName === facts.share.labelResourceName
        : carriesLink(group.clientData, facts.share.id),
    )
    .map((group) => ({
      ...group,
      clientData: group.clientData.filter((entry) => isShareEntry(entry, facts.share.id)),
    }));
  const found =
    facts.role === 'master' ? facts.share.labelResourceName : (groups[0]?.resourceName ?? null);
  return { value: { groups }, group: found, looked: true, counts: { groups: groups.length } };
}

const READ_FIELDS = 'emailAddresses,phoneNumbers,memberships,clientData,metadata';

function sameEntries(a: readonly ClientDataEntry[], b: readonly ClientDataEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((entry, index) => entry.key === b[index]?.key && entry.value === b[index]?.value)
  );
}

function hiddenIn(facts: FootprintFacts, fields: readonly string[]): string[] {
  const visible = new Set<string>(visibleFields(facts.share.hiddenFields));
  return fields.filter((field) => !visible.has(field));
}

/** Reads the contacts a write names, as the gateway checks them (emails, phones, links, groups). */
function* currentContacts(
  client: PeopleClient,
  resourceNames: string[],
): ApiCall<Map<string, ContactSnapshot>> {
  const people = yield* client.getBatchGet(resourceNames, READ_FIELDS);
  const found = new Map<string, ContactSnapshot>();
  for (const person of people) {
    const snapshot = toSnapshot(person);
    found.set(snapshot.resourceName, snapshot);
    for (const previous of snapshot.previousResourceNames) found.set(previous, snapshot);
  }
  return found;
}

/** Checks new contacts: in the footprint's group, carrying the share's entry, no hidden field. */
function checkNewContacts(facts: FootprintFacts, group: string, contacts: NewContact[]): void {
  const share = facts.share;
  for (const contact of contacts) {
    const groups = new Set(contact.memberships);
    if (!groups.has(group) || [...groups].some((name) => name !== group && name !== MY_CONTACTS))
      throw new FootprintRefusal(
        'outside_footprint',
        `a new contact may belong to the share's group ${group} (and myContacts) only`,
      );
    const [entry, ...more] = contact.clientData;
    const ownEntry =
      facts.role === 'master'
        ? entry?.key === originKey(share.id)
        : entry !== undefined &&
          readLink([entry], share.id)?.sourceOwner.toLowerCase() === share.owner.toLowerCase();
    if (!ownEntry || more.length > 0)
      throw new FootprintRefusal(
        'outside_footprint',
        facts.role === 'master'
          ? "a new master carries the share's origin entry, and nothing else"
          : "a new copy carries the share's link to its owner, and nothing else",
      );
    const hidden = hiddenIn(facts, Object.keys(contact.fields));
    if (facts.role !== 'master' && hidden.length > 0)
      throw new FootprintRefusal(
        'hidden_field',
        `the share hides ${hidden.join(', ')}: copies never carry them`,
      );
  }
}

/**
 * Turns the engine's update into the one the gateway sends: only the share's entries of clientData
 * and membership of the footprint's group come from the caller; the contact's other entries and
 * groups are kept as they are. Throws when the update leaves the footprint or the caller's level.
 */
function footprintUpdate(
  facts: FootprintFacts,
  group: string | null,
  update: ContactUpdate,
  current: ContactSnapshot | undefined,
): { update: ContactUpdate; operation: FootprintOperation } {
  const shareId = facts.share.id;
  if (!current)
    throw new FootprintRefusal('outside_footprint', `${update.resourceName} is not in the share`);
  const hidden = hiddenIn(facts, update.mask);
  if (hidden.length > 0)
    throw new FootprintRefusal(
      'hidden_field',
      `the share hides ${hidden.join(', ')}: only the owner changes them`,
    );
  const requestedEntries = update.clientData?.filter((entry) => isShareEntry(entry, shareId));
  const hadLink = carriesLink(current.clientData, shareId);
  const wantsLink =
    requestedEntries === undefined ? hadLink : carriesLink(requestedEntries, shareId);
  const inGroup = group !== null && current.memberships.includes(group);
  const wantsGroup =
    update.memberships === undefined || group === null
      ? inGroup
      : update.memberships.includes(group);
  let operation: FootprintOperation;
  if (!inFootprint(current, shareId, group)) {
    const fields: FieldValues = update.fields;
    if (
      facts.role !== 'copy' ||
      !wantsLink ||
      carriesAnyShareEntry(current.clientData) ||
      !samePerson(fields, current.fields)
    )
      throw new FootprintRefusal(
        'outside_footprint',
        `${update.resourceName} is not in the share: only the account's own contact for the same person may be merged into it`,
      );
    operation = 'merge';
  } else
    operation = (hadLink && !wantsLink) || (inGroup && !wantsGroup) ? 'unlink' : 'updateFields';
  requireAllowed(facts, operation);
  const masked: FieldValues = {};
  for (const field of update.mask)
    if (update.fields[field] !== undefined) masked[field] = update.fields[field];
  const sent: ContactUpdate = {
    resourceName: update.resourceName,
    etag: update.etag,
    fields: masked,
    mask: update.mask,
  };
  if (requestedEntries !== undefined) {
    const kept = current.clientData.filter((entry) => !isShareEntry(entry, shareId));
    const next = [...kept, ...requestedEntries];
    if (!sameEntries(next, current.clientData)) sent.clientData = next;
  }
  if (update.memberships !== undefined && group !== null && wantsGroup !== inGroup) {
    const rest = current.memberships.filter((name) => name !== group);
    const next = wantsGroup ? [...rest, group] : rest;
    sent.memberships = next.length > 0 ? next : [MY_CONTACTS];
  }
  return { update: sent, operation };
}

/**
 * Performs one write of the sync engine in the account, within the footprint: new copies only in
 * the copy group with the share's link, new masters only in the label, updates and deletions only
 * of the footprint's contacts (a merge only of the account's contact for the same person), the
 * copy group only with the share's link. Throws FootprintRefusal before sending anything otherwise.
 */
export function* writeFootprint(
  client: PeopleClient,
  facts: FootprintFacts,
  write: AccountWrite,
): ApiCall<FootprintOutcome<GatewayWriteResponse>> {
  const share = facts.share;
  switch (write.kind) {
    case 'createGroup': {
      requireAllowed(facts, 'createGroup');
      const link = copyGroupLink(share);
      if (write.name !== share.labelName || !sameEntries(write.clientData, [link]))
        throw new FootprintRefusal(
          'outside_footprint',
          "a copy group takes the label's name and the share's link, nothing else",
        );
      const group = yield* createCopyGroup(client, share.labelName, [link]);
      return { value: { resourceNames: [group] }, group, counts: { written: 1 } };
    }
    case 'deleteGroup': {
      requireAllowed(facts, 'deleteGroup');
      const found = yield* client.getContactGroup(write.resourceName, 'clientData');
      if (!carriesLink(found.clientData, share.id))
        throw new FootprintRefusal(
          'outside_footprint',
          `${write.resourceName} is not the share's copy group`,
        );
      yield* client.deleteContactGroup(write.resourceName, false);
      return { value: { resourceNames: [] }, group: null, counts: { deleted: 1 } };
    }
    case 'createContacts': {
      requireAllowed(facts, 'createContacts');
      const { group } = yield* footprintGroup(client, { ...facts, noGroupLately: false });
      if (group === null)
        throw new FootprintRefusal(
          'no_copy_group',
          'the account has no copy group for the share yet',
        );
      checkNewContacts(facts, group, write.contacts);
      const done = yield* performWrite(client, write);
      return {
        value: { resourceNames: done.resourceNames, refused: done.refused },
        group,
        counts: {
          written: done.resourceNames.filter((name) => name !== '').length,
          refused: done.refused.length,
        },
      };
    }
    case 'updateContacts': {
      const { group } = yield* footprintGroup(client, { ...facts, noGroupLately: false });
      const current = yield* currentContacts(
        client,
        write.updates.map((update) => update.resourceName),
      );
      const checked = write.updates.map((update) =>
        footprintUpdate(facts, group, update, current.get(update.resourceName)),
      );
      const done = yield* performWrite(client, {
        kind: 'updateContacts',
        updates: checked.map((item) => item.update),
      });
      const merged = checked.filter((item) => item.operation === 'merge').length;
      return {
        value: { resourceNames: done.resourceNames, refused: done.refused },
        group,
        counts: { written: done.resourceNames.length, merged, refused: done.refused.length },
      };
    }
    case 'deleteContacts': {
      requireAllowed(facts, 'deleteContacts');
      const current = yield* currentContacts(client, write.resourceNames);
      for (const name of write.resourceNames) {
        const contact = current.get(name);
        const deletable =
          contact !== undefined &&
          (facts.role === 'master'
            ? contact.clientData.some((entry) => entry.key === originKey(share.id))
            : isShareCopy(contact, share.id));
        if (!deletable)
          throw new FootprintRefusal(
            'outside_footprint',
            facts.role === 'master'
              ? `${name} is not a duplicate master the share made`
              : `${name} is not a copy the share made (merged contacts are unlinked, never deleted)`,
          );
      }
      yield* performWrite(client, write);
      return {
        value: { resourceNames: [] },
        group: facts.group,
        counts: { deleted: write.resourceNames.length },
      };
    }
  }
}
