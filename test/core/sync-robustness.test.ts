/**
 * Robustness tests of the sync engine on the Workspace API emulator: merges never cross shares,
 * listings stop at the deadline between pages, two participants' syncs of one share interleaved
 * converge, and a user's own copies of a share they left are removed.
 */
import { readLink } from '../../src/core/contact-model';
import type { Share } from '../../src/core/sharing-model';
import { intercept, labelOf } from '../fixtures/core-sync-probes';
import { createSyncWorld, samplePerson } from './sync-world';

const FAR = Number.MAX_SAFE_INTEGER;
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';
const DAN = 'dan@example.com';

describe('merges never cross shares', () => {
  it('gives bob a new copy for a contact of another share whose phone number collides', () => {
    const world = createSyncWorld();
    const [ann] = world.addMasters([samplePerson(1)]);
    expect(world.engine(ALICE).syncShare(world.share.id, { deadline: FAR }).status).toBe('done');
    const [bobCopy] = labelOf(world, BOB);
    expect(readLink(bobCopy!.clientData, world.share.id)?.sourceResourceName).toBe(ann);

    // dan shares "Suppliers" with bob: one contact with no e-mail and the same number, written
    // the way people type it at home.
    const dans = world.people(DAN);
    const suppliers = world.run(dans.createContactGroup({ name: 'Suppliers' }));
    world.run(
      dans.createContact({
        names: [{ givenName: 'Sam', familyName: 'Supplier' }],
        phoneNumbers: [{ value: '(555) 100-001 ext. 9' }],
        memberships: [
          { contactGroupMembership: { contactGroupResourceName: suppliers.resourceName ?? '' } },
        ],
      }),
    );
    const second: Share = {
      ...world.share,
      id: 'share-2',
      owner: DAN,
      labelResourceName: suppliers.resourceName ?? '',
      labelName: 'Suppliers',
      grants: [{ target: { kind: 'user', email: BOB }, level: 'edit' }],
    };
    world.shares.shares.set(second.id, second);
    const result = world.engine(DAN).syncShare(second.id, { deadline: FAR });
    expect(result.status).toBe('done');
    expect(result.merged).toBe(0);

    const copies = world.contactsOf(BOB);
    expect(copies).toHaveLength(2);
    const annCopy = copies.find((contact) => contact.resourceName === bobCopy!.resourceName)!;
    expect(annCopy.fields).toEqual(bobCopy!.fields);
    expect(readLink(annCopy.clientData, second.id)).toBeNull();
    expect(labelOf(world, BOB, second).map((contact) => contact.fields.names)).toEqual([
      [expect.objectContaining({ givenName: 'Sam' })],
    ]);

    // Neither share's next sync changes the other's contacts.
    world.emulator.clock.advance(10 * 60_000);
    expect(world.engine(ALICE).syncShare(world.share.id, { deadline: FAR }).status).toMatch(
      /^(done|unchanged)$/,
    );
    const master = world.contactsOf(ALICE).find((contact) => contact.resourceName === ann);
    expect(master?.fields.names).toEqual([
      expect.objectContaining({ givenName: 'Clientc1', familyName: 'Test' }),
    ]);
  });
});

describe('listings and the deadline', () => {
  it('starts no page after the deadline, changes nothing, and resumes the pass later', () => {
    const world = createSyncWorld();
    world.addMasters(Array.from({ length: 2500 }, (_, index) => samplePerson(index)));
    world.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
    const deadline = world.emulator.clock.now() + 2_000;
    const late: string[] = [];
    const restore = intercept(world, (request) => {
      if (request.url.includes('people/me/connections') && world.emulator.clock.now() >= deadline)
        late.push(request.url);
    });
    const result = world.engine(ALICE).syncShare(world.share.id, { deadline });
    restore();
    expect(late).toEqual([]);
    expect(result).toEqual(expect.objectContaining({ status: 'continue', outOfTime: true }));
    expect(result.problems).toEqual([]);
    expect(world.contactsOf(BOB)).toHaveLength(0);
    expect(world.copyGroupOf(BOB)).toBeNull();

    // A slice whose remaining time cannot hold the listings does not start them.
    const listings = () =>
      world.emulator.callCount({ operation: 'people.people.connections.list' });
    const before = listings();
    const short = world
      .engine(ALICE)
      .syncShare(world.share.id, { deadline: world.emulator.clock.now() + 1_000 });
    expect(short.status).toBe('continue');
    expect(listings()).toBe(before);

    let last = world.engine(ALICE).syncShare(world.share.id, { deadline: FAR });
    for (let slice = 0; last.status === 'continue' && slice < 5; slice++)
      last = world.engine(ALICE).syncShare(world.share.id, { deadline: FAR });
    expect(last.status).toBe('done');
    expect(labelOf(world, BOB)).toHaveLength(2500);
  });
});

describe('two participants syncing one share at once', () => {
  it('converges with no duplicate when bob’s sync runs inside alice’s, between her listings and her writes', () => {
    const world = createSyncWorld();
    world.share.grants = [
      { target: { kind: 'user', email: BOB }, level: 'contribute' },
      { target: { kind: 'group', email: 'sales@example.com' }, level: 'edit' },
    ];
    world.addMasters(Array.from({ length: 5 }, (_, index) => samplePerson(index)));
    expect(world.engine(ALICE).syncShare(world.share.id, { deadline: FAR }).status).toBe('done');

    // Bob adds a contact to his copy of the label and edits one; carol edits another.
    const bobGroup = world.copyGroupOf(BOB) as string;
    world.run(
      world.people(BOB).createContact({
        ...samplePerson(77, 'new'),
        memberships: [{ contactGroupMembership: { contactGroupResourceName: bobGroup } }],
      }),
    );
    const [bobFirst] = labelOf(world, BOB);
    world.run(
      world
        .people(BOB)
        .updateContact(
          bobFirst!.resourceName,
          { etag: bobFirst!.etag, organizations: [{ name: 'Bob Corp' }] },
          ['organizations'],
        ),
    );
    world.emulator.clock.advance(60_000);

    let nested = false;
    const restore = intercept(world, (request) => {
      if (nested || request.method !== 'post' || !request.url.includes(':batch')) return;
      nested = true;
      const inner = world.engine(BOB).syncShare(world.share.id, { deadline: FAR });
      expect(inner.status).toBe('done');
    });
    world.engine(ALICE).syncShare(world.share.id, { deadline: FAR });
    restore();
    expect(nested).toBe(true);

    for (let round = 0; round < 2; round++) {
      world.emulator.clock.advance(10 * 60_000);
      for (const user of [ALICE, BOB, CAROL])
        expect(world.engine(user).syncShare(world.share.id, { deadline: FAR }).status).toMatch(
          /^(done|unchanged)$/,
        );
    }
    const emailsOf = (user: string) =>
      labelOf(world, user)
        .map((contact) => String((contact.fields.emailAddresses?.[0] as { value?: string }).value))
        .sort();
    const expected = [...Array.from({ length: 5 }, (_, index) => `c${index}@client.test`)];
    expected.push('new77@client.test');
    expected.sort();
    for (const user of [ALICE, BOB, CAROL])
      expect({ user, emails: emailsOf(user) }).toEqual({ user, emails: expected });
    const masters = labelOf(world, ALICE);
    expect(JSON.stringify(masters.map((contact) => contact.fields))).toContain('Bob Corp');
    for (const user of [BOB, CAROL]) {
      const sources = world
        .contactsOf(user)
        .map((contact) => readLink(contact.clientData, world.share.id)?.sourceResourceName)
        .filter((name) => name !== undefined);
      expect(new Set(sources).size).toBe(sources.length);
    }
  });
});

describe('copies of a share the user left', () => {
  it('are removed from the user’s own account, merged contacts unlinked and kept', () => {
    const world = createSyncWorld();
    world.addMasters(Array.from({ length: 4 }, (_, index) => samplePerson(index)));
    const own = world.run(
      world.people(CAROL).createContact({ ...samplePerson(2), names: [{ givenName: 'Mine' }] }),
    );
    expect(world.engine(ALICE).syncShare(world.share.id, { deadline: FAR }).status).toBe('done');
    expect(labelOf(world, CAROL)).toHaveLength(4);

    // The share ended without alice's sync reaching carol; carol's own execution cleans up.
    world.shares.shares.delete(world.share.id);
    const result = world.engine(CAROL).removeOwnCopies(world.share.id, { deadline: FAR });
    expect(result).toEqual(expect.objectContaining({ status: 'done', deleted: 3 }));
    expect(world.copyGroupOf(CAROL)).toBeNull();
    const left = world.contactsOf(CAROL);
    expect(left.map((contact) => contact.resourceName)).toEqual([own.resourceName]);
    expect(readLink(left[0]!.clientData, world.share.id)).toBeNull();
    expect(labelOf(world, BOB)).toHaveLength(4);
    expect(world.engine(CAROL).removeOwnCopies(world.share.id, { deadline: FAR }).status).toBe(
      'done',
    );
    expect(world.contactsOf(CAROL)).toHaveLength(1);
  });
});
