/**
 * End-to-end tests of the sync engine against the Workspace API emulator through the real
 * People/Directory clients: first copy, both directions, reverts, deletions, group members,
 * unsharing, guards and slices.
 */
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/core/ports';
import { readLink } from '../../src/core/contact-model';
import { labelOf, viewerAdditionReverted, viewerSyncsFirst } from '../fixtures/core-sync-probes';
import { createSyncWorld, samplePerson, type SyncWorld } from './sync-world';

const FAR = Number.MAX_SAFE_INTEGER;

function phones(world: SyncWorld, user: string): string[] {
  return labelOf(world, user)
    .map((contact) => String((contact.fields.phoneNumbers?.[0] as { value?: string })?.value))
    .sort();
}

function shared(size = 12): { world: SyncWorld; masters: string[] } {
  const world = createSyncWorld();
  const masters = world.addMasters(Array.from({ length: size }, (_, index) => samplePerson(index)));
  const result = world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR });
  expect(result.status).toBe('done');
  return { world, masters };
}

describe('sync engine on the emulator', () => {
  it('copies the label into every recipient, linked to its source, through the share gateway', () => {
    const { world, masters } = shared();
    for (const user of ['bob@example.com', 'carol@example.com']) {
      const copies = labelOf(world, user);
      expect(copies).toHaveLength(masters.length);
      const sources = copies
        .map((copy) => readLink(copy.clientData, world.share.id)?.sourceResourceName)
        .sort();
      expect(sources).toEqual([...masters].sort());
    }
    const reached = new Set(world.gateway.log.map((entry) => `${entry.actor}>${entry.account}`));
    expect([...reached].sort()).toEqual([
      'alice@example.com>bob@example.com',
      'alice@example.com>carol@example.com',
    ]);
    expect(world.gateway.refusals).toEqual([]);
    expect(world.audit.events.at(-1)).toEqual(
      expect.objectContaining({ type: 'sync.done', shareId: 'share-1' }),
    );
    expect(JSON.stringify(world.audit.events)).not.toContain('client.test');
  });

  it('names a recipient it could not reach, and reaches them at the next pass', () => {
    const world = createSyncWorld();
    const masters = world.addMasters(Array.from({ length: 4 }, (_, index) => samplePerson(index)));
    world.gateway.undelegated.add('carol@example.com');
    const engine = world.engine('alice@example.com');
    const first = engine.syncShare(world.share.id, { deadline: FAR });
    expect(first).toMatchObject({
      status: 'done',
      problems: [],
      unreached: [{ account: 'carol@example.com', reason: 'delegation' }],
    });
    expect(labelOf(world, 'bob@example.com')).toHaveLength(masters.length);
    expect(labelOf(world, 'carol@example.com')).toHaveLength(0);
    expect(world.audit.events.at(-1)).toMatchObject({
      type: 'sync.done',
      detail: expect.objectContaining({ unreached: 1 }),
    });

    world.gateway.undelegated.clear();
    const next = engine.syncShare(world.share.id, { deadline: FAR });
    expect(next.status).toBe('done');
    expect(next.unreached).toBeUndefined();
    expect(labelOf(world, 'carol@example.com')).toHaveLength(masters.length);
  });

  it('costs one call per account when nothing changed', () => {
    const { world } = shared();
    const engine = world.engine('alice@example.com');
    engine.syncShare(world.share.id, { deadline: FAR });
    const listings = () =>
      world.emulator.callCount({ operation: 'people.people.connections.list' });
    const before = world.http.requests;
    const listed = listings();
    expect(engine.syncShare(world.share.id, { deadline: FAR }).status).toBe('unchanged');
    expect(listings() - listed).toBe(3);
    // Besides the three listings, only the sales group's members are read (Directory API).
    expect(world.http.requests - before).toBe(4);
  });

  it('sends an edit by bob to alice and carol, and reverts carol’s edit', () => {
    const { world } = shared();
    const bobCopy = labelOf(world, 'bob@example.com')[0]!;
    world.run(
      world
        .people('bob@example.com')
        .updateContact(
          bobCopy.resourceName,
          { etag: bobCopy.etag, phoneNumbers: [{ value: '+1 999 0000' }] },
          ['phoneNumbers'],
        ),
    );
    const carolCopy = labelOf(world, 'carol@example.com')[1]!;
    world.run(
      world
        .people('carol@example.com')
        .updateContact(
          carolCopy.resourceName,
          { etag: carolCopy.etag, phoneNumbers: [{ value: '+1 666 0000' }] },
          ['phoneNumbers'],
        ),
    );
    world.emulator.clock.advance(60_000);
    const result = world.engine('bob@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(result.status).toBe('done');
    expect(result.reverts).toEqual([
      expect.objectContaining({ account: 'carol@example.com', kind: 'edit' }),
    ]);
    for (const user of ['alice@example.com', 'carol@example.com']) {
      expect(phones(world, user)).toContain('+1 999 0000');
      expect(phones(world, user)).not.toContain('+1 666 0000');
    }
  });

  it('deletes everywhere a contact that alice deletes, picks up a new group member, and unshares only what it brought', () => {
    const { world, masters } = shared();
    world.run(world.people('alice@example.com').deleteContact(masters[0]!));
    world.emulator.addGroupMember('sales@example.com', 'dan@example.com');
    const own = world.run(
      world
        .people('dan@example.com')
        .createContact({ ...samplePerson(3), names: [{ givenName: 'Mine' }] }),
    );
    world.emulator.clock.advance(60_000);
    const engine = world.engine('alice@example.com');
    expect(engine.syncShare(world.share.id, { deadline: FAR }).status).toBe('done');
    expect(labelOf(world, 'bob@example.com')).toHaveLength(masters.length - 1);
    expect(labelOf(world, 'carol@example.com')).toHaveLength(masters.length - 1);
    const dan = labelOf(world, 'dan@example.com');
    expect(dan).toHaveLength(masters.length - 1);
    expect(dan.filter((contact) => contact.resourceName === own.resourceName)).toHaveLength(1);

    const ended = engine.endShare(world.share, { deadline: FAR });
    expect(ended.status).toBe('done');
    for (const user of ['bob@example.com', 'carol@example.com']) {
      expect(world.copyGroupOf(user)).toBeNull();
      expect(world.contactsOf(user)).toHaveLength(0);
    }
    const left = world.contactsOf('dan@example.com');
    expect(left.map((contact) => contact.resourceName)).toEqual([own.resourceName]);
    expect(readLink(left[0]!.clientData, world.share.id)).toBeNull();
    expect(world.contactsOf('alice@example.com')).toHaveLength(masters.length - 1);
  });

  it('deletes nothing when a listing fails half-way', () => {
    const { world, masters } = shared(30);
    const alice = world.people('alice@example.com');
    const others = Array.from({ length: 1100 }, (_, index) => samplePerson(index, 'other'));
    for (let index = 0; index < others.length; index += 200)
      world.run(alice.batchCreateContacts(others.slice(index, index + 200)));
    world.run(alice.deleteContact(masters[0]!));
    // The check's listing and the first page of the full listing pass; the second page never does.
    world.emulator.injectFault({
      operation: 'people.people.connections.list',
      user: 'alice@example.com',
      skip: 2,
      times: null,
      status: 500,
    });
    const result = world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(result.status).toBe('failed');
    expect(result.problems[0]).toMatch(/alice@example.com's contacts failed/);
    expect(labelOf(world, 'bob@example.com')).toHaveLength(30);
    expect(labelOf(world, 'carol@example.com')).toHaveLength(30);
  });

  it('deletes nothing when a listing comes back out of order or short', () => {
    const { world } = shared(30);
    world.run(world.people('alice@example.com').createContact(samplePerson(99, 'x')));
    const tamper = (response: HttpResponse, request: HttpRequest): HttpResponse => {
      if (!request.url.includes('people/me/connections') || request.url.includes('syncToken='))
        return response;
      // Every full listing comes back with its first ten people missing and the rest reversed.
      const body = JSON.parse(response.body) as { connections?: unknown[] };
      body.connections = (body.connections ?? []).slice(10).reverse();
      return { ...response, body: JSON.stringify(body) };
    };
    const inner = world.http;
    const tampering: HttpClient = {
      fetch: (request) => tamper(inner.fetch(request), request),
      fetchAll: (requests) =>
        inner.fetchAll(requests).map((response, index) => tamper(response, requests[index]!)),
    };
    world.client.current = tampering;
    const result = world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(result.status).toBe('failed');
    expect(result.problems[0]).toMatch(/refused/);
    world.client.current = inner;
    expect(labelOf(world, 'bob@example.com')).toHaveLength(30);
  });

  it('pauses a mass deletion until the owner confirms it', () => {
    const { world, masters } = shared(30);
    world.run(world.people('alice@example.com').batchDeleteContacts(masters.slice(0, 6)));
    world.emulator.clock.advance(60_000);
    const paused = world
      .engine('bob@example.com')
      .syncShare(world.share.id, { deadline: FAR, allowMassDeletion: true });
    expect(paused.status).toBe('paused');
    expect(paused.pendingDeletions).toBe(6);
    expect(labelOf(world, 'carol@example.com')).toHaveLength(30);
    const confirmed = world
      .engine('alice@example.com')
      .syncShare(world.share.id, { deadline: FAR, allowMassDeletion: true });
    expect(confirmed.status).toBe('done');
    expect(labelOf(world, 'carol@example.com')).toHaveLength(24);
  });

  it('finishes a share cut into slices without duplicating anything', () => {
    const world = createSyncWorld();
    world.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
    world.addMasters(Array.from({ length: 450 }, (_, index) => samplePerson(index)));
    const engine = world.engine('alice@example.com');
    let slices = 0;
    let status: string;
    do {
      const result = engine.syncShare(world.share.id, {
        // A slice lists the master before the recipients it copies into (their merges need its
        // people), and must still have time to write after that.
        deadline: world.emulator.clock.now() + 2500,
      });
      status = result.status;
      slices++;
    } while (status === 'continue' && slices < 50);
    expect(status).toBe('done');
    expect(slices).toBeGreaterThan(1);
    for (const user of ['bob@example.com', 'carol@example.com']) {
      const copies = labelOf(world, user);
      expect(copies).toHaveLength(450);
      expect(
        new Set(copies.map((copy) => readLink(copy.clientData, world.share.id)?.sourceResourceName))
          .size,
      ).toBe(450);
    }
  });

  it('fails without changing anything when the Directory cannot be read', () => {
    const { world } = shared();
    world.run(
      world
        .people('alice@example.com')
        .deleteContact(labelOf(world, 'alice@example.com')[0]!.resourceName),
    );
    world.emulator.injectFault({ operation: 'admin.members.list', times: null, status: 500 });
    const result = world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(result.status).toBe('failed');
    expect(result.problems[0]).toMatch(/members of the groups that "Customers" is shared with/);
    world.emulator.traffic.clearFaults();
    expect(labelOf(world, 'carol@example.com')).toHaveLength(12);
    const ended = world.engine('alice@example.com');
    world.emulator.injectFault({ operation: 'admin.members.list', times: null, status: 500 });
    expect(ended.endShare(world.share, { deadline: FAR }).status).toBe('failed');
    world.emulator.traffic.clearFaults();
    expect(labelOf(world, 'carol@example.com')).toHaveLength(12);
  });

  it('keeps a contributed contact that another participant’s sync cannot see in the owner’s changes yet', () => {
    const world = createSyncWorld();
    world.share.grants = [
      { target: { kind: 'user', email: 'bob@example.com' }, level: 'contribute' },
      { target: { kind: 'group', email: 'sales@example.com' }, level: 'manage' },
    ];
    world.emulator.setSyncVisibilityDelay(30_000);
    const [first] = world.addMasters([samplePerson(1)]);
    expect(
      world.engine('carol@example.com').syncShare(world.share.id, { deadline: FAR }).status,
    ).toBe('done');
    const master = world.contactsOf('alice@example.com')[0]!;
    world.run(
      world
        .people('alice@example.com')
        .updateContact(first!, { etag: master.etag, phoneNumbers: [{ value: '+1 555 999999' }] }, [
          'phoneNumbers',
        ]),
    );
    world.emulator.clock.advance(60_000);
    const group = world.copyGroupOf('bob@example.com')!;
    world.run(
      world.people('bob@example.com').createContact({
        ...samplePerson(2, 'added'),
        memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
      }),
    );
    expect(
      world.engine('bob@example.com').syncShare(world.share.id, { deadline: FAR }).status,
    ).toBe('done');
    // carol's sync sees alice's older edit but not yet the master that bob's sync just made.
    const result = world.engine('carol@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(result.status).toBe('done');
    expect(result.deleted).toBe(0);
    for (const user of ['alice@example.com', 'bob@example.com', 'carol@example.com'])
      expect(phones(world, user)).toEqual(['+1 555 100002', '+1 555 999999']);
  });

  it('takes in what a recipient added to a copy group that another participant’s sync made', () => {
    const world = createSyncWorld();
    world.share.grants = [
      { target: { kind: 'user', email: 'bob@example.com' }, level: 'contribute' },
    ];
    world.addMasters([samplePerson(1)]);
    expect(
      world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR }).status,
    ).toBe('done');
    const group = world.copyGroupOf('bob@example.com')!;
    world.run(
      world.people('bob@example.com').createContact({
        ...samplePerson(2, 'added'),
        memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
      }),
    );
    const result = world.engine('bob@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(result).toEqual(expect.objectContaining({ status: 'done', created: 1 }));
    expect(world.copyGroupOf('bob@example.com')).toBe(group);
    expect(phones(world, 'alice@example.com')).toEqual(['+1 555 100001', '+1 555 100002']);
    expect(labelOf(world, 'bob@example.com')).toHaveLength(2);
  });

  it('gives every copy all of the master’s contacts when a sync completes, contributions included', () => {
    const world = createSyncWorld(1);
    world.share.grants = [
      { target: { kind: 'user', email: 'bob@example.com' }, level: 'contribute' },
      { target: { kind: 'group', email: 'sales@example.com' }, level: 'view' },
      { target: { kind: 'user', email: 'r0@example.com' }, level: 'edit' },
    ];
    world.share.hiddenFields = ['phoneNumbers'];
    world.addMasters([samplePerson(1), samplePerson(2)]);
    expect(
      world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR }).status,
    ).toBe('done');
    // bob adds two people to his copy; carol already has one of them in her own contacts.
    const group = world.copyGroupOf('bob@example.com')!;
    for (const index of [3, 4])
      world.run(
        world.people('bob@example.com').createContact({
          ...samplePerson(index, 'added'),
          memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
        }),
      );
    world.run(
      world.people('carol@example.com').createContact({
        names: [{ givenName: 'Carol’s own' }],
        emailAddresses: [{ value: 'added3@client.test' }],
      }),
    );
    const result = world.engine('bob@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(result).toEqual(expect.objectContaining({ status: 'done', merged: 1, problems: [] }));

    const masters = labelOf(world, 'alice@example.com');
    expect(masters).toHaveLength(4);
    for (const user of ['bob@example.com', 'carol@example.com', 'r0@example.com']) {
      const copies = labelOf(world, user);
      expect({
        user,
        sources: copies
          .map((copy) => readLink(copy.clientData, 'share-1')?.sourceResourceName)
          .sort(),
      }).toEqual({
        user,
        sources: masters.map((master) => master.resourceName).sort(),
      });
      for (const copy of copies) {
        const master = masters.find(
          (candidate) =>
            candidate.resourceName === readLink(copy.clientData, 'share-1')?.sourceResourceName,
        )!;
        expect(copy.fields.names).toEqual(master.fields.names);
        expect(copy.fields.emailAddresses).toEqual(master.fields.emailAddresses);
      }
    }
    // The hidden phone numbers reach no one who did not write them.
    for (const user of ['carol@example.com', 'r0@example.com'])
      expect(labelOf(world, user).filter((copy) => copy.fields.phoneNumbers)).toEqual([]);
    expect(world.contactsOf('carol@example.com')).toHaveLength(4);
  });

  it('reverts, in the owner’s first pass, what a view participant added to a copy group his own sync made', () => {
    const world = createSyncWorld();
    // dan syncs first: his own sync makes his copy group, with his own token; the label is empty.
    const group = viewerSyncsFirst(world, 'dan@example.com');
    expect(labelOf(world, 'dan@example.com')).toEqual([]);
    const added = viewerAdditionReverted(world, 'dan@example.com', group);
    expect(world.copyGroupOf('dan@example.com')).toBe(group);
    expect(labelOf(world, 'dan@example.com')).toEqual([]);
    expect(labelOf(world, 'alice@example.com')).toEqual([]);
    // dan keeps his contact, outside the label.
    expect(world.contactsOf('dan@example.com').map((contact) => contact.resourceName)).toEqual([
      added.resourceName,
    ]);
  });

  it('finds a copy group the participant renamed, rather than making a second one, when only his additions are in it', () => {
    const world = createSyncWorld();
    const group = viewerSyncsFirst(world, 'dan@example.com');
    const client = world.people('dan@example.com');
    const current = world.run(client.getContactGroup(group, 'name,clientData'));
    world.run(client.updateContactGroup(group, { ...current, name: 'Clients' }));
    viewerAdditionReverted(world, 'dan@example.com', group);
    const linked = world
      .run(client.listAllContactGroups('name,clientData'))
      .filter((found) => found.clientData?.some((entry) => entry.key === 'sharedContacts:share-1'));
    expect(linked.map((found) => [found.resourceName, found.name])).toEqual([[group, 'Clients']]);
    expect(labelOf(world, 'dan@example.com')).toEqual([]);
  });

  it('leaves an edit participant’s own copy of a contact that a contributor removed, until someone may remove its master', () => {
    const world = createSyncWorld();
    world.share.grants = [
      { target: { kind: 'user', email: 'bob@example.com' }, level: 'edit' },
      { target: { kind: 'group', email: 'sales@example.com' }, level: 'contribute' },
    ];
    const [first] = world.addMasters([samplePerson(1)]);
    expect(
      world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR }).status,
    ).toBe('done');
    const copy = labelOf(world, 'carol@example.com')[0]!;
    world.run(
      world
        .people('carol@example.com')
        .modifyMembers(world.copyGroupOf('carol@example.com')!, [], [copy.resourceName]),
    );
    // bob may not take the master out of the label: his own copy stays level with it.
    const byBob = world.engine('bob@example.com').syncShare(world.share.id, { deadline: FAR });
    expect(byBob.status).toBe('done');
    expect(labelOf(world, 'alice@example.com').map((master) => master.resourceName)).toEqual([
      first,
    ]);
    expect(phones(world, 'bob@example.com')).toEqual(['+1 555 100001']);
    // The owner's pass takes carol's removal everywhere.
    world.emulator.clock.advance(60_000);
    expect(
      world.engine('alice@example.com').syncShare(world.share.id, { deadline: FAR }).status,
    ).toBe('done');
    for (const user of ['alice@example.com', 'bob@example.com', 'carol@example.com'])
      expect(phones(world, user)).toEqual([]);
  });

  it('takes a contact out of the label when a contributor removes it from the copy group', () => {
    const world = createSyncWorld();
    world.share.grants = [
      { target: { kind: 'user', email: 'bob@example.com' }, level: 'contribute' },
      { target: { kind: 'group', email: 'sales@example.com' }, level: 'view' },
    ];
    const [first] = world.addMasters([samplePerson(1), samplePerson(2)]);
    const engine = world.engine('alice@example.com');
    expect(engine.syncShare(world.share.id, { deadline: FAR }).status).toBe('done');
    const copy = labelOf(world, 'bob@example.com').find(
      (contact) => readLink(contact.clientData, world.share.id)?.sourceResourceName === first,
    )!;
    world.run(
      world
        .people('bob@example.com')
        .modifyMembers(world.copyGroupOf('bob@example.com')!, [], [copy.resourceName]),
    );
    world.emulator.clock.advance(60_000);
    expect(engine.syncShare(world.share.id, { deadline: FAR }).status).toBe('done');
    for (const user of ['alice@example.com', 'bob@example.com', 'carol@example.com'])
      expect(phones(world, user)).toEqual(['+1 555 100002']);
    const master = world.contactsOf('alice@example.com').find((c) => c.resourceName === first)!;
    expect(master.memberships).toEqual(['contactGroups/myContacts']);
  });
});
