/**
 * Engine tests of a transfer of ownership on the Workspace API emulator: the new owner's copies
 * become the masters, the former owner's masters become copies, other recipients' copies are
 * re-linked, edits flow from the new owner, and no contact is duplicated or lost.
 */
import { readLink } from '../../src/core/contact-model';
import type { Share } from '../../src/core/sharing-model';
import { createSyncWorld, samplePerson, type SyncWorld } from './sync-world';

const FAR = Number.MAX_SAFE_INTEGER;
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';

function givenNames(world: SyncWorld, user: string, group: string | null): string[] {
  return world
    .contactsOf(user)
    .filter((contact) => group !== null && contact.memberships.includes(group))
    .map((contact) => String((contact.fields.names?.[0] as { givenName?: string }).givenName))
    .sort();
}

/** Alice's label with three people (one with no e-mail or phone), synced to bob and carol. */
function sharedWorld(): { world: SyncWorld; before: Share; after: Share } {
  const world = createSyncWorld();
  const before: Share = {
    ...world.share,
    grants: world.share.grants.map((grant) =>
      grant.target.kind === 'user' ? { ...grant, level: 'manage' as const } : grant,
    ),
  };
  world.shares.shares.set(before.id, before);
  world.addMasters([samplePerson(1), samplePerson(2), { names: [{ givenName: 'Nameless' }] }]);
  expect(world.engine(ALICE).syncShare(before.id, { deadline: FAR }).status).toBe('done');
  const bobLabel = world.copyGroupOf(BOB);
  expect(bobLabel).not.toBeNull();
  const after: Share = {
    ...before,
    owner: BOB,
    labelResourceName: bobLabel ?? '',
    grants: [
      { target: { kind: 'user', email: ALICE }, level: 'manage' },
      ...before.grants.filter((grant) => grant.target.kind !== 'user'),
    ],
  };
  return { world, before, after };
}

describe('transfer of ownership', () => {
  it('makes the new owner’s label the master and re-links every copy, losing and duplicating nothing', () => {
    const { world, before, after } = sharedWorld();
    world.shares.shares.set(after.id, after);
    const adopted = world
      .engine(ALICE)
      .adoptFormerMasters(
        after,
        { formerOwner: ALICE, formerLabel: before.labelResourceName },
        { deadline: FAR },
      );
    expect(adopted.status).toBe('done');
    const aliceCopyGroup = world.copyGroupOf(ALICE);
    expect(aliceCopyGroup).not.toBeNull();
    expect(
      world
        .run(world.people(ALICE).listAllContactGroups('name'))
        .some((group) => group.resourceName === before.labelResourceName),
    ).toBe(false);

    expect(['done', 'unchanged']).toContain(
      world.engine(BOB).syncShare(after.id, { deadline: FAR }).status,
    );
    expect(['done', 'unchanged']).toContain(
      world.engine(CAROL).syncShare(after.id, { deadline: FAR }).status,
    );

    const expected = ['Clientc1', 'Clientc2', 'Nameless'];
    expect(givenNames(world, BOB, after.labelResourceName)).toEqual(expected);
    expect(givenNames(world, ALICE, aliceCopyGroup)).toEqual(expected);
    expect(givenNames(world, CAROL, world.copyGroupOf(CAROL))).toEqual(expected);
    expect(world.contactsOf(ALICE)).toHaveLength(3);
    expect(world.contactsOf(BOB)).toHaveLength(3);
    expect(world.contactsOf(CAROL)).toHaveLength(3);

    const masters = new Set(
      world
        .contactsOf(BOB)
        .filter((contact) => contact.memberships.includes(after.labelResourceName))
        .map((contact) => contact.resourceName),
    );
    for (const user of [ALICE, CAROL])
      for (const contact of world.contactsOf(user)) {
        const link = readLink(contact.clientData, after.id);
        expect(link?.sourceOwner).toBe(BOB);
        expect(masters.has(link?.sourceResourceName ?? '')).toBe(true);
      }

    // bob edits a master; the next syncs carry it to alice and carol.
    const bobs = world.people(BOB);
    const target = world
      .contactsOf(BOB)
      .find((contact) => JSON.stringify(contact.fields.names).includes('Nameless'));
    world.run(
      bobs.updateContact(
        target?.resourceName ?? '',
        { etag: target?.etag, names: [{ givenName: 'Named' }] },
        ['names'],
      ),
    );
    expect(world.engine(BOB).syncShare(after.id, { deadline: FAR }).status).toBe('done');
    const renamed = ['Clientc1', 'Clientc2', 'Named'];
    expect(givenNames(world, ALICE, aliceCopyGroup)).toEqual(renamed);
    expect(givenNames(world, CAROL, world.copyGroupOf(CAROL))).toEqual(renamed);
  });

  it('finishes the former owner’s part in their next sync when the transfer action was cut short', () => {
    const { world, before, after } = sharedWorld();
    world.shares.shares.set(after.id, after);
    const alice = world.engine(ALICE);
    const cut = alice.adoptFormerMasters(
      after,
      { formerOwner: ALICE, formerLabel: before.labelResourceName },
      { deadline: 0 },
    );
    expect(cut.status).toBe('continue');
    expect(['done', 'unchanged']).toContain(
      world.engine(ALICE).syncShare(after.id, { deadline: FAR }).status,
    );
    expect(givenNames(world, ALICE, world.copyGroupOf(ALICE))).toEqual([
      'Clientc1',
      'Clientc2',
      'Nameless',
    ]);
    expect(world.contactsOf(ALICE)).toHaveLength(3);
    expect(world.contactsOf(BOB)).toHaveLength(3);
  });
});
