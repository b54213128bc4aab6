/**
 * Tests of the sync engine against Google where it is strict (issue 15), on the Workspace API
 * emulator: one contact Google refuses in a batch of 200 is reported and skipped while the other
 * 199 are written, and nothing is deleted for it; the weekly expiry of sync tokens on a busy
 * share falls back to one full listing per account; a burst of 429s on the first pages of full
 * syncs is waited out (or, in a card action, fails the slice without changing anything); and
 * writes reaching sync results late and out of order delete nothing.
 */
import type { HttpRequest } from '../../src/core/ports';
import { readLink } from '../../src/core/contact-model';
import type { Share } from '../../src/core/sharing-model';
import { groupOf, intercept, labelOf } from '../fixtures/core-sync-probes';
import { createSyncWorld, samplePerson } from './sync-world';

const FAR = Number.MAX_SAFE_INTEGER;
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';
const HOUR = 3600_000;

/** True for the first page of a full sync: a listing asking for a sync token without one. */
function isFullSyncFirstPage(request: HttpRequest): boolean {
  return (
    request.url.includes('/people/me/connections') &&
    /[?&]requestSyncToken=true/.test(request.url) &&
    !/[?&]syncToken=/.test(request.url) &&
    !/[?&]pageToken=/.test(request.url)
  );
}

describe('one contact Google refuses in a batch of 200', () => {
  // FACTS.md People API v1: "one invalid or stale contact fails the whole batch"; BatchUpdateContactsErrorDetails
  it('writes the 199 others when bob edits one copy between the listing and the batch update, reports it, and brings it level on the next sync (BatchUpdateContactsErrorDetails)', () => {
    const world = createSyncWorld();
    world.addMasters(Array.from({ length: 200 }, (_, index) => samplePerson(index)));
    expect(world.engine(ALICE).syncShare(world.share.id, { deadline: FAR }).status).toBe('done');
    const masters = labelOf(world, ALICE);
    const edits: Record<string, object> = {};
    for (const master of masters)
      edits[master.resourceName] = { etag: master.etag, organizations: [{ name: 'Renamed Ltd' }] };
    world.run(world.people(ALICE).batchUpdateContacts(edits as never, ['organizations']));
    world.emulator.clock.advance(10 * 60_000);

    const target = labelOf(world, BOB)[17]!;
    let edited = false;
    const release = intercept(world, (request) => {
      if (edited || !request.url.includes(':batchUpdateContacts')) return;
      if (!(request.payload ?? '').includes(target.resourceName)) return;
      edited = true;
      world.run(
        world
          .people(BOB)
          .updateContact(
            target.resourceName,
            { etag: target.etag, phoneNumbers: [{ value: '+1 777 000017' }] },
            ['phoneNumbers'],
          ),
      );
    });
    const result = world.engine(ALICE).syncShare(world.share.id, { deadline: FAR });
    release();
    expect(edited).toBe(true);
    expect(result.status).toBe('continue');
    expect(result.problems).toEqual([
      expect.stringMatching(/refused 1 contact of a write to bob@example.com's contacts.*etag/),
    ]);
    const bobs = labelOf(world, BOB);
    expect(bobs).toHaveLength(200);
    expect(bobs.filter((copy) => JSON.stringify(copy.fields).includes('Renamed Ltd'))).toHaveLength(
      199,
    );
    expect(
      labelOf(world, CAROL).filter((copy) => JSON.stringify(copy.fields).includes('Renamed Ltd')),
    ).toHaveLength(200);

    const next = world.engine(ALICE).syncShare(world.share.id, { deadline: FAR });
    expect(next).toMatchObject({ status: 'done', problems: [] });
    const master = labelOf(world, ALICE).find(
      (contact) =>
        contact.resourceName === readLink(target.clientData, world.share.id)?.sourceResourceName,
    );
    expect(JSON.stringify(master?.fields)).toContain('Renamed Ltd');
    expect(JSON.stringify(master?.fields)).toContain('000017');
    for (const user of [BOB, CAROL])
      expect(
        labelOf(world, user).every((copy) => JSON.stringify(copy.fields).includes('Renamed Ltd')),
      ).toBe(true);
  });

  // BatchCreateContactsErrorDetails: "If an index does not appear, then the creation of that contact would have been successful."
  it('creates the 199 copies an account has room for, reports the one refused, deletes nothing for it, and creates it once there is room (BatchCreateContactsErrorDetails)', () => {
    const world = createSyncWorld();
    world.addMasters(Array.from({ length: 200 }, (_, index) => samplePerson(index)));
    world.emulator.setMaxContactsPerAccount(199);
    for (let pass = 0; pass < 2; pass++) {
      const result = world.engine(ALICE).syncShare(world.share.id, { deadline: FAR });
      expect(result.status).toBe('continue');
      expect(result.problems.join(' ')).toMatch(
        /refused 1 contact of a write to bob@example.com's contacts.*maximum/,
      );
      expect(labelOf(world, BOB)).toHaveLength(199);
      expect(labelOf(world, CAROL)).toHaveLength(199);
      expect(labelOf(world, ALICE)).toHaveLength(200);
      world.emulator.clock.advance(HOUR);
    }
    world.emulator.setMaxContactsPerAccount(25_000);
    expect(world.engine(ALICE).syncShare(world.share.id, { deadline: FAR })).toMatchObject({
      status: 'done',
      problems: [],
    });
    expect(labelOf(world, BOB)).toHaveLength(200);
    expect(labelOf(world, CAROL)).toHaveLength(200);
  });
});

describe('the weekly expiry of sync tokens on a busy share', () => {
  // people.connections.list: "Sync tokens expire 7 days after the full sync"; "The first page of a full sync request has an additional quota"
  it('syncs hourly for 8 days with edits every hour, never failing, with one full sync per account at the start and one after the expiry (people.connections.list: sync tokens)', () => {
    const world = createSyncWorld(3);
    world.addMasters(Array.from({ length: 100 }, (_, index) => samplePerson(index)));
    world.emulator.configureTraffic({
      latency: { fixedMs: 300, perItemMs: 1 },
      quotas: {
        criticalReadsPerMinutePerUser: 90,
        readsPerMinutePerUser: 90,
        writesPerMinutePerUser: 90,
        fullSyncFirstPagesPerMinutePerUser: 5,
      },
    });
    const firstPages = new Map<string, number>();
    const release = intercept(world, (request) => {
      if (!isFullSyncFirstPage(request)) return;
      const token = (request.headers?.authorization ?? '').replace(/^Bearer /, '');
      const user = world.emulator.principalOf(token) ?? 'unknown';
      firstPages.set(user, (firstPages.get(user) ?? 0) + 1);
    });
    const statuses = new Map<string, number>();
    for (let hour = 0; hour <= 8 * 24; hour++) {
      if (hour > 0) {
        world.emulator.clock.advance(HOUR);
        const masters = labelOf(world, ALICE);
        const master = masters[hour % masters.length]!;
        world.run(
          world.people(ALICE).updateContact(
            master.resourceName,
            {
              etag: master.etag,
              biographies: [{ value: `hour ${hour}`, contentType: 'TEXT_PLAIN' }],
            },
            ['biographies'],
          ),
        );
      }
      const result = world
        .engine(ALICE)
        .syncShare(world.share.id, { deadline: world.emulator.clock.now() + 5 * 60_000 });
      statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
      expect({ hour, status: result.status, problems: result.problems }).toEqual({
        hour,
        status: 'done',
        problems: [],
      });
    }
    release();
    expect(statuses.get('done')).toBe(8 * 24 + 1);
    const accounts = [ALICE, BOB, CAROL, 'r0@example.com', 'r1@example.com', 'r2@example.com'];
    expect(Object.fromEntries(accounts.map((user) => [user, firstPages.get(user) ?? 0]))).toEqual(
      Object.fromEntries(accounts.map((user) => [user, 2])),
    );
    expect(world.emulator.callCount({ status: 429 })).toBe(0);
    const bios = labelOf(world, ALICE).map((master) => JSON.stringify(master.fields.biographies));
    for (const user of accounts.slice(1))
      expect(
        labelOf(world, user)
          .map((copy) => JSON.stringify(copy.fields.biographies))
          .sort(),
      ).toEqual([...bios].sort());
  });
});

describe('a burst of 429s on the first pages of full syncs', () => {
  // people.connections.list: "The first page of a full sync request has an additional quota. If the quota is exceeded, a 429 error will be returned. This quota is fixed and can not be increased."
  it('fails a card action’s slices without changing anything and lets the hourly sync wait the quota out (people.connections.list: first page of a full sync)', () => {
    const world = createSyncWorld();
    world.emulator.configureTraffic({
      latency: { fixedMs: 300, perItemMs: 1 },
      quotas: { fullSyncFirstPagesPerMinutePerUser: 1 },
    });
    const shares: Share[] = [world.share];
    for (let index = 2; index <= 4; index++) {
      const label = world.run(
        world.people(ALICE).createContactGroup({ name: `Customers ${index}` }),
      );
      const share: Share = {
        ...world.share,
        id: `share-${index}`,
        labelResourceName: label.resourceName ?? '',
        labelName: `Customers ${index}`,
      };
      world.shares.shares.set(share.id, share);
      shares.push(share);
    }
    for (const share of shares)
      world.run(
        world.people(ALICE).batchCreateContacts(
          Array.from({ length: 20 }, (_, index) => ({
            ...samplePerson(index, share.id),
            memberships: [
              { contactGroupMembership: { contactGroupResourceName: share.labelResourceName } },
            ],
          })),
        ),
      );

    const engine = world.engine(ALICE);
    const card = shares.map((share) =>
      engine.syncShare(share.id, { deadline: world.emulator.clock.now() + 25_000 }),
    );
    expect(card.some((result) => result.status === 'failed')).toBe(true);
    for (const result of card.filter((item) => item.status === 'failed'))
      expect(result.problems[0]).toMatch(/RESOURCE_EXHAUSTED|quota/);
    expect(world.emulator.callCount({ status: 429 })).toBeGreaterThan(0);
    for (const share of shares) expect(labelOf(world, ALICE, share)).toHaveLength(20);

    const trigger = shares.map((share) =>
      engine.syncShare(share.id, { deadline: world.emulator.clock.now() + 5 * 60_000 }),
    );
    for (const result of trigger) expect(result.status).toMatch(/^(done|unchanged)$/);
    for (const share of shares)
      for (const user of [BOB, CAROL]) expect(labelOf(world, user, share)).toHaveLength(20);
  });
});

describe('writes reaching sync results late and out of order', () => {
  // people.connections.list: "Writes may have a propagation delay of several minutes for sync requests. Incremental syncs are not intended for read-after-write use cases."
  it('deletes nothing while edits and additions arrive minutes late and reordered, and ends level (people.connections.list: propagation delay)', () => {
    const world = createSyncWorld();
    world.share.grants[0] = { target: { kind: 'user', email: BOB }, level: 'contribute' };
    world.addMasters(Array.from({ length: 40 }, (_, index) => samplePerson(index)));
    expect(world.engine(ALICE).syncShare(world.share.id, { deadline: FAR }).status).toBe('done');
    world.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
    world.emulator.setSyncVisibilityDelay(30_000, 10 * 60_000);
    const added: string[] = [];
    for (let step = 0; step < 40; step++) {
      world.emulator.clock.advance(20_000);
      const who = [ALICE, BOB, CAROL][step % 3] as string;
      const mine = labelOf(world, who);
      const target = mine[(step * 7) % mine.length]!;
      world.run(
        world
          .people(who)
          .updateContact(
            target.resourceName,
            { etag: target.etag, organizations: [{ name: `Step ${step}` }] },
            ['organizations'],
          ),
      );
      if (who === BOB && step % 2 === 0) {
        const person = samplePerson(1000 + step, 'b');
        added.push(`b${1000 + step}@client.test`);
        world.run(
          world.people(BOB).createContact({
            ...person,
            memberships: [
              { contactGroupMembership: { contactGroupResourceName: groupOf(world, BOB) ?? '' } },
            ],
          }),
        );
      }
      const syncer = [ALICE, BOB][step % 2] as string;
      const result = world
        .engine(syncer)
        .syncShare(world.share.id, { deadline: world.emulator.clock.now() + 25_000 });
      expect(result.deleted).toBe(0);
      expect(result.status).not.toBe('paused');
    }
    world.emulator.clock.advance(15 * 60_000);
    for (const user of [ALICE, BOB, CAROL, ALICE]) {
      const result = world.engine(user).syncShare(world.share.id, { deadline: FAR });
      expect(result.status).toMatch(/^(done|unchanged)$/);
      expect(result.deleted).toBe(0);
    }
    const label = labelOf(world, ALICE);
    expect(label).toHaveLength(40 + added.length);
    const emails = label.map((master) =>
      String((master.fields.emailAddresses?.[0] as { value?: string })?.value),
    );
    for (const email of added) expect(emails).toContain(email);
    for (const user of [BOB, CAROL]) {
      const copies = labelOf(world, user);
      expect(copies).toHaveLength(label.length);
      expect(copies.map((copy) => JSON.stringify(copy.fields.organizations)).sort()).toEqual(
        label.map((master) => JSON.stringify(master.fields.organizations)).sort(),
      );
    }
  });
});
