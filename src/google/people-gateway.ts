/**
 * This file defines the ContactsGateway of the sync engine: each account reached through the
 * People API with a token, or through the backend's share gateway; listings with sync tokens,
 * group look-ups and batched writes, each account's calls in order and the accounts side by side
 * through the transport's fetchAll rounds.
 */
import {
  normalizeFields,
  SYNCED_FIELDS,
  type ClientDataEntry,
  type ContactSnapshot,
  type FieldValues,
} from '../core/contact-model';
import type { MatchDescriptor } from '../core/footprint';
import {
  DEADLINE_REACHED,
  type AccountRef,
  type AccountWrite,
  type ContactsGateway,
  type GroupsOutcome,
  type GroupSnapshot,
  type ListingOutcome,
  type ListingPage,
  type ListingRequest,
  type RefusedWrite,
  type WriteOutcome,
} from '../core/sync-ports';
import { createContactsIsolating, updateContactsIsolating } from './batch-isolation';
import { GoogleApiError } from './google-error';
import { PEOPLE_LIMITS, PeopleClient, type ContactGroup, type Person } from './people-client';
import type { ApiCall, GoogleTransport, Settled } from './transport';

/** The person fields a listing reads: the synced ones plus what links and memberships need. */
export const LISTING_PERSON_FIELDS = [
  ...SYNCED_FIELDS,
  'memberships',
  'clientData',
  'metadata',
].join(',');

/** Listings stop after this many pages; the listing guard then refuses them as incomplete. */
const MAX_PAGES = 100;

/** Attempts at a free name for a copy group: "Customers", "Customers (2)", … */
const MAX_NAME_ATTEMPTS = 10;

/** Reduces a People API person to the engine's snapshot. */
export function toSnapshot(person: Person): ContactSnapshot {
  const sources = person.metadata?.sources ?? [];
  const updateTime = Math.max(
    0,
    ...sources.map((source) => Date.parse(source.updateTime ?? '') || 0),
  );
  return {
    resourceName: person.resourceName ?? '',
    etag: person.etag ?? '',
    updateTime,
    fields: normalizeFields(person as Record<string, unknown>),
    memberships: (person.memberships ?? [])
      .map((membership) => membership.contactGroupMembership?.contactGroupResourceName ?? '')
      .filter((name) => name !== ''),
    clientData: (person.clientData ?? []).map((entry) => ({
      key: entry.key ?? '',
      value: entry.value ?? '',
    })),
    deleted: person.metadata?.deleted === true,
    previousResourceNames: person.metadata?.previousResourceNames ?? [],
  };
}

export function toPerson(
  fields: FieldValues,
  extra: { clientData?: ClientDataEntry[]; memberships?: string[]; etag?: string },
): Person {
  const person: Record<string, unknown> = {};
  for (const field of SYNCED_FIELDS) if (fields[field] !== undefined) person[field] = fields[field];
  if (extra.etag !== undefined) person.etag = extra.etag;
  if (extra.clientData) person.clientData = extra.clientData;
  if (extra.memberships)
    person.memberships = extra.memberships.map((contactGroupResourceName) => ({
      contactGroupMembership: { contactGroupResourceName },
    }));
  return person as Person;
}

export function toGroup(group: ContactGroup): GroupSnapshot {
  return {
    resourceName: group.resourceName ?? '',
    name: group.name ?? '',
    clientData: (group.clientData ?? []).map((entry) => ({
      key: entry.key ?? '',
      value: entry.value ?? '',
    })),
  };
}

function failureOf(settled: Settled<unknown>): {
  ok: false;
  failure: ReturnType<GoogleApiError['toFailure']>;
} {
  if (settled.ok) throw new Error('Not a failure.');
  return { ok: false, failure: settled.error.toFailure() };
}

/** What a write did: the resource names it made or touched, and the contacts Google refused. */
export interface WriteDone {
  resourceNames: string[];
  refused: RefusedWrite[];
}

/** The calls that reach one account: one listing, its groups, one write. */
export interface AccountCalls {
  /**
   * Every page of a listing (all contacts, or the changes since `syncToken`); null when the
   * deadline passed before its end. A full listing asks for a sync token only when
   * `requestSyncToken` (default true). `match` only counts through the share gateway.
   */
  listing(
    syncToken: string | null,
    deadline: number,
    match?: MatchDescriptor[],
    requestSyncToken?: boolean,
  ): ApiCall<ListingPage[] | null>;
  groups(): ApiCall<GroupSnapshot[]>;
  write(write: AccountWrite): ApiCall<WriteDone>;
}

/**
 * Lists every page of a listing, asking for the next while the deadline allows; null when it
 * passed before the last page. `page` makes one request.
 */
export function* allPages(
  now: () => number,
  deadline: number,
  page: (pageToken: string | undefined) => ApiCall<ListingPage>,
): ApiCall<ListingPage[] | null> {
  const pages: ListingPage[] = [];
  let pageToken: string | undefined;
  do {
    if (pages.length > 0 && now() >= deadline) return null;
    const next = yield* page(pageToken);
    pages.push(next);
    pageToken = next.nextPageToken ?? undefined;
  } while (pageToken && pages.length < MAX_PAGES);
  return pages;
}

/**
 * One page of `people.connections.list` as the engine's ListingPage. A full listing asks for a
 * sync token only when `requestSyncToken`: the first page of a full sync has a quota of its own.
 */
export function* connectionsPage(
  client: PeopleClient,
  syncToken: string | null,
  pageToken: string | undefined,
  requestSyncToken = true,
): ApiCall<ListingPage> {
  const response = yield* client.listConnections({
    personFields: LISTING_PERSON_FIELDS,
    pageSize: PEOPLE_LIMITS.connectionsPage,
    pageToken,
    ...(syncToken === null
      ? requestSyncToken
        ? { requestSyncToken: true }
        : {}
      : { syncToken, requestSyncToken: true }),
  });
  return {
    contacts: (response.connections ?? []).map(toSnapshot),
    nextPageToken: response.nextPageToken ?? null,
    nextSyncToken: response.nextSyncToken ?? null,
    totalPeople: syncToken === null ? (response.totalPeople ?? response.totalItems ?? null) : null,
    omitted: 0,
  };
}

/**
 * The user's own contact groups as a sync listed them in this execution (with their member
 * counts), until it writes to their account: the homepage shows them without listing them again.
 */
export class OwnGroupsSeen {
  private groups: ContactGroup[] | null = null;

  remember(groups: ContactGroup[]): void {
    this.groups = groups;
  }

  forget(): void {
    this.groups = null;
  }

  /** The groups seen, once; null when none were, or a write came since. */
  take(): ContactGroup[] | null {
    const groups = this.groups;
    this.groups = null;
    return groups;
  }
}

/** The fields of the own account's groups a sync lists: what the homepage shows too. */
const OWN_GROUP_FIELDS = 'name,clientData,groupType,memberCount';

/** The People API with one account's own token. */
export class PeopleAccountCalls implements AccountCalls {
  private readonly client: PeopleClient;

  constructor(
    token: string,
    private readonly now: () => number,
    private readonly seen?: OwnGroupsSeen,
  ) {
    this.client = new PeopleClient(token);
  }

  listing(
    syncToken: string | null,
    deadline: number,
    _match?: MatchDescriptor[],
    requestSyncToken = true,
  ): ApiCall<ListingPage[] | null> {
    return allPages(this.now, deadline, (pageToken) =>
      connectionsPage(this.client, syncToken, pageToken, requestSyncToken),
    );
  }

  *groups(): ApiCall<GroupSnapshot[]> {
    const groups = yield* this.client.listAllContactGroups(OWN_GROUP_FIELDS);
    this.seen?.remember(groups);
    return groups.map(toGroup);
  }

  *write(write: AccountWrite): ApiCall<WriteDone> {
    this.seen?.forget();
    try {
      return yield* performWrite(this.client, write);
    } finally {
      this.seen?.forget();
    }
  }
}

/**
 * A ContactsGateway that reaches each account as its reference says: the People API directly with
 * a token, or the backend's share gateway (`gatewayCalls`, DESIGN.md §6). Each account's calls run
 * in order; the accounts side by side through the transport's fetchAll rounds.
 */
export class RoutedContactsGateway implements ContactsGateway {
  constructor(
    private readonly transport: GoogleTransport,
    private readonly gatewayCalls: (shareId: string, account: string) => AccountCalls,
    /** Keeps the groups of the account reached directly (the user's own) as listed. */
    private readonly ownGroupsSeen?: OwnGroupsSeen,
  ) {}

  private callsFor(ref: AccountRef): AccountCalls {
    return ref.access.kind === 'direct'
      ? new PeopleAccountCalls(ref.access.token, () => this.transport.now(), this.ownGroupsSeen)
      : this.gatewayCalls(ref.access.shareId, ref.account);
  }

  listContacts(requests: ListingRequest[], deadline = this.transport.deadline): ListingOutcome[] {
    const calls = requests.map((request) =>
      this.callsFor(request).listing(
        request.syncToken,
        deadline,
        request.match,
        request.requestSyncToken ?? true,
      ),
    );
    return this.transport.runAll(calls, deadline).map((settled): ListingOutcome => {
      if (!settled.ok) return failureOf(settled);
      if (settled.value === null)
        return {
          ok: false,
          failure: {
            httpStatus: 0,
            status: 'DEADLINE_EXCEEDED',
            reason: DEADLINE_REACHED,
            message: 'The listing stopped between pages: the time of this run was up.',
          },
        };
      return { ok: true, pages: settled.value };
    });
  }

  listGroups(requests: AccountRef[]): GroupsOutcome[] {
    return this.transport
      .runAll(requests.map((request) => this.callsFor(request).groups()))
      .map((settled) => (settled.ok ? { ok: true, groups: settled.value } : failureOf(settled)));
  }

  write(requests: (AccountRef & { write: AccountWrite })[]): WriteOutcome[] {
    return this.transport
      .runAll(requests.map((request) => this.callsFor(request).write(request.write)))
      .map((settled): WriteOutcome => {
        if (!settled.ok) return failureOf(settled);
        const { resourceNames, refused } = settled.value;
        return refused.length > 0
          ? { ok: true, resourceNames, refused }
          : { ok: true, resourceNames };
      });
  }
}

/**
 * Performs one write of the engine in an account through the People API. Batch writes are all or
 * nothing: the contacts Google refuses are set aside and reported, the others written
 * (batch-isolation.ts).
 */
export function* performWrite(client: PeopleClient, write: AccountWrite): ApiCall<WriteDone> {
  const done = (resourceNames: string[], refused: RefusedWrite[] = []): WriteDone => ({
    resourceNames,
    refused,
  });
  switch (write.kind) {
    case 'createGroup':
      return done([yield* createCopyGroup(client, write.name, write.clientData)]);
    case 'deleteGroup':
      yield* client.deleteContactGroup(write.resourceName, false);
      return done([]);
    case 'createContacts': {
      const { created, refused } = yield* createContactsIsolating(
        client,
        write.contacts.map((contact) =>
          toPerson(contact.fields, {
            clientData: contact.clientData,
            memberships: contact.memberships,
          }),
        ),
      );
      return done(
        created.map((person) => person?.resourceName ?? ''),
        refused,
      );
    }
    case 'updateContacts': {
      const byMask = new Map<string, Record<string, Person>>();
      for (const update of write.updates) {
        const mask = [
          ...update.mask,
          ...(update.clientData ? ['clientData'] : []),
          ...(update.memberships ? ['memberships'] : []),
        ].join(',');
        if (mask === '') continue;
        const group = byMask.get(mask) ?? {};
        group[update.resourceName] = toPerson(update.fields, {
          etag: update.etag,
          clientData: update.clientData,
          memberships: update.memberships,
        });
        byMask.set(mask, group);
      }
      const refused: RefusedWrite[] = [];
      for (const [mask, contacts] of byMask)
        for (const refusal of (yield* updateContactsIsolating(client, contacts, mask.split(',')))
          .refused)
          refused.push({
            ...refusal,
            index: write.updates.findIndex(
              (update) => update.resourceName === refusal.resourceName,
            ),
          });
      const left = new Set(refused.map((refusal) => refusal.resourceName));
      return done(
        write.updates.map((update) => update.resourceName).filter((name) => !left.has(name)),
        refused,
      );
    }
    case 'deleteContacts':
      if (write.resourceNames.length > 0) yield* client.batchDeleteContacts(write.resourceNames);
      return done([]);
  }
}

/**
 * Creates a copy group, taking "Name (2)" and so on when the name is taken; finds its own group
 * again after a lost answer.
 */
export function* createCopyGroup(
  client: PeopleClient,
  name: string,
  clientData: ClientDataEntry[],
): ApiCall<string> {
  const key = clientData[0]?.key;
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const candidate = attempt === 1 ? name : `${name} (${attempt})`;
    try {
      const group = yield* client.createContactGroup({ name: candidate, clientData });
      return group.resourceName ?? '';
    } catch (error) {
      if (!(error instanceof GoogleApiError) || error.httpStatus !== 409) throw error;
      const groups = yield* client.listAllContactGroups('name,clientData');
      const ours = groups.find(
        (group) => key !== undefined && group.clientData?.some((entry) => entry.key === key),
      );
      if (ours?.resourceName) return ours.resourceName;
    }
  }
  throw new GoogleApiError(
    409,
    'ALREADY_EXISTS',
    'duplicate',
    `No free name for the label "${name}".`,
    'people.contactGroups.create',
  );
}
