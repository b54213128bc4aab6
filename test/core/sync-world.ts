/**
 * This file builds a small Workspace in the API emulator for sync tests: users, a sales group, a
 * master label in alice's account, and a SyncEngine per acting user wired to the emulator through
 * the real People/Directory clients.
 */
import {
  ClockSleeper,
  ManualClock,
  MemoryAuditSink,
  MemoryKeyValueStore,
  MemoryShareDirectory,
} from '../../src/core/memory-adapters';
import type { HttpClient } from '../../src/core/ports';
import type { Share } from '../../src/core/sharing-model';
import { SyncEngine } from '../../src/core/sync-engine';
import { DirectoryGroupResolver } from '../../src/google/directory-client';
import { PeopleClient, type Person } from '../../src/google/people-client';
import {
  LISTING_PERSON_FIELDS,
  RoutedContactsGateway,
  toSnapshot,
} from '../../src/google/people-gateway';
import { GoogleTransport } from '../../src/google/transport';
import {
  createWorkspaceEmulator,
  EmulatorHttpClient,
  type WorkspaceEmulator,
} from '../../src/emulator/api';
import { InProcessGateway } from '../fixtures/in-process-gateway';

export const CONTACTS = ['https://www.googleapis.com/auth/contacts'];
const DIRECTORY = [
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
];

export interface SyncWorld {
  emulator: WorkspaceEmulator;
  http: EmulatorHttpClient;
  /** The HttpClient the engines use; tests may wrap it to tamper with answers. */
  client: { current: HttpClient };
  /** People API requests the engines and helpers sent through the transport, retries included. */
  counts: { people: number };
  transport: GoogleTransport;
  shares: MemoryShareDirectory;
  audit: MemoryAuditSink;
  share: Share;
  engine(actor: string): SyncEngine;
  /** The share gateway every other account is reached through (as in production). */
  gateway: InProcessGateway;
  people(user: string): PeopleClient;
  run<T>(
    call: Generator<
      import('../../src/google/transport').ApiRequest,
      T,
      import('../../src/core/ports').HttpResponse
    >,
  ): T;
  /** Live contacts of a user, as snapshots. */
  contactsOf(user: string): ReturnType<typeof toSnapshot>[];
  /** The resource name of the user's group carrying the share's link, if any. */
  copyGroupOf(user: string): string | null;
  /** Adds contacts to alice's label; returns their resource names. */
  addMasters(people: Person[]): string[];
}

/**
 * Creates the world: alice owns the empty label "Customers", shared with bob (edit), the sales
 * group (view: carol) and `recipients` more users r0, r1, … (edit).
 */
export function createSyncWorld(recipients = 0, random: () => number = () => 0.5): SyncWorld {
  const emulator = createWorkspaceEmulator();
  emulator.addCustomer('example.com');
  for (const user of ['alice', 'bob', 'carol', 'dan', 'erin'])
    emulator.addUser(`${user}@example.com`);
  emulator.addUser('admin@example.com', { isAdmin: true });
  emulator.addGroup('sales@example.com', 'Sales');
  emulator.addGroupMember('sales@example.com', 'carol@example.com');
  const extra = Array.from({ length: recipients }, (_, index) => `r${index}@example.com`);
  for (const user of extra) emulator.addUser(user);
  const http = new EmulatorHttpClient(emulator, { clock: emulator.clock });
  const client = { current: http as HttpClient };
  const counts = { people: 0 };
  const count = (url: string) => {
    if (url.startsWith('https://people.googleapis.com/')) counts.people++;
  };
  const proxy: HttpClient = {
    fetch: (request) => {
      count(request.url);
      return client.current.fetch(request);
    },
    fetchAll: (requests) => {
      requests.forEach((request) => count(request.url));
      return client.current.fetchAll(requests);
    },
  };
  const transport = new GoogleTransport({
    http: proxy,
    clock: emulator.clock,
    sleeper: new ClockSleeper(emulator.clock),
    random,
  });
  const run = <T>(
    call: Generator<
      import('../../src/google/transport').ApiRequest,
      T,
      import('../../src/core/ports').HttpResponse
    >,
  ): T => transport.run(call);
  const people = (user: string) => new PeopleClient(emulator.mintAccessToken(user, CONTACTS));
  const label = run(people('alice@example.com').createContactGroup({ name: 'Customers' }));
  const share: Share = {
    id: 'share-1',
    domain: 'example.com',
    owner: 'alice@example.com',
    labelResourceName: label.resourceName ?? '',
    labelName: 'Customers',
    grants: [
      { target: { kind: 'user', email: 'bob@example.com' }, level: 'edit' },
      { target: { kind: 'group', email: 'sales@example.com' }, level: 'view' },
      ...extra.map((email) => ({
        target: { kind: 'user' as const, email },
        level: 'edit' as const,
      })),
    ],
    hiddenFields: [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
  const shares = new MemoryShareDirectory();
  shares.shares.set(share.id, share);
  const audit = new MemoryAuditSink();
  const directory = new DirectoryGroupResolver(transport, () =>
    emulator.mintAccessToken('admin@example.com', DIRECTORY),
  );
  // The backend reads group memberships on its own (and keeps them a while): not the engine's
  // calls, and not on the engine's clock.
  const backendClock = new ManualClock();
  const backendDirectory = new DirectoryGroupResolver(
    new GoogleTransport({
      http: new EmulatorHttpClient(emulator, { clock: backendClock }),
      clock: backendClock,
      sleeper: new ClockSleeper(backendClock),
      random,
    }),
    () => emulator.mintAccessToken('admin@example.com', DIRECTORY),
  );
  const gateway = new InProcessGateway(emulator, shares, backendDirectory, () =>
    emulator.clock.now(),
  );
  const stores = new Map<string, MemoryKeyValueStore>();
  let ids = 0;
  const world: SyncWorld = {
    emulator,
    http,
    client,
    counts,
    transport,
    shares,
    audit,
    share,
    gateway,
    people,
    run,
    engine(actor) {
      const store = stores.get(actor) ?? new MemoryKeyValueStore();
      stores.set(actor, store);
      return new SyncEngine({
        actor,
        contacts: new RoutedContactsGateway(transport, gateway.callsFor(actor)),
        shares,
        directory,
        ownToken: () => emulator.mintAccessToken(actor, CONTACTS),
        store,
        audit,
        clock: emulator.clock,
        newId: () => `event-${++ids}`,
      });
    },
    contactsOf(user) {
      const client = people(user);
      const result: ReturnType<typeof toSnapshot>[] = [];
      let pageToken: string | undefined;
      do {
        const page = run(
          client.listConnections({
            personFields: LISTING_PERSON_FIELDS,
            pageSize: 1000,
            pageToken,
          }),
        );
        result.push(...(page.connections ?? []).map(toSnapshot));
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      return result;
    },
    copyGroupOf(user) {
      const groups = run(people(user).listAllContactGroups('name,clientData'));
      const ours = groups.find((group) =>
        group.clientData?.some((entry) => entry.key === `sharedContacts:${share.id}`),
      );
      return ours?.resourceName ?? null;
    },
    addMasters(list) {
      const client = people('alice@example.com');
      const names: string[] = [];
      for (let index = 0; index < list.length; index += 200) {
        const batch = list.slice(index, index + 200).map((person) => ({
          ...person,
          memberships: [
            { contactGroupMembership: { contactGroupResourceName: share.labelResourceName } },
          ],
        }));
        names.push(
          ...run(client.batchCreateContacts(batch)).map((person) => person.resourceName ?? ''),
        );
      }
      return names;
    },
  };
  return world;
}

/** A person with a name, an e-mail and a phone derived from `index`. */
export function samplePerson(index: number, tag = 'c'): Person {
  return {
    names: [{ givenName: `Client${tag}${index}`, familyName: 'Test' }],
    emailAddresses: [{ value: `${tag}${index}@client.test` }],
    phoneNumbers: [{ value: `+1 555 ${String(100000 + index)}` }],
  };
}
