/**
 * End to end through the real bundle in the Apps Script runtime, with the API emulator and the
 * backend on PGlite: alice shares "Customers" with bob (manage) and carol (view) and offers it to
 * bob, who accepts in his own sidebar; bob's copy becomes the label, alice's next sync turns her
 * contacts into copies at "manage", carol's copy follows bob's masters, bob's edit reaches alice
 * and carol, and nothing is duplicated or lost. Offers by a non-owner, to a non-member or to
 * another domain's user, and an acceptance by someone it was not offered to, are refused with a
 * notification and audited.
 */
import { linkKey } from '../../src/core/contact-model';
import type { Person } from '../../src/google/people-client';
import { makeLabel, startE2eStack, type E2eStack } from './stack';
import { ADMIN, ALICE, BOB, CAROL, DAVE } from '../fixtures/acme-users';
import { contactsInGroup } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';
import { addMembers, firstShareId, shareLabel } from '../fixtures/share-steps';

const SIZE = 12;

describe('transferring ownership of a shared label end to end', () => {
  let stack: E2eStack;
  let labelResourceName: string;
  let shareId: string;

  /** The user's contacts in the group that is the share's label (owner) or its copy. */
  const labelOf = (user: string, label: string | null): Person[] => {
    const group =
      label ??
      stack
        .people(user, (client) => client.listAllContactGroups('name,clientData'))
        .find((found) => found.clientData?.some((entry) => entry.key === linkKey(shareId)))
        ?.resourceName;
    return contactsInGroup(stack.contactsOf(user), group);
  };
  const emails = (people: Person[]) =>
    people.map((person) => person.emailAddresses?.[0]?.value ?? '').sort();
  const linkOf = (person: Person) =>
    person.clientData?.find((entry) => entry.key === linkKey(shareId))?.value?.split('|') ?? [];

  beforeAll(async () => {
    stack = await startE2eStack();
    expect((await putOpenPolicy(stack)).status).toBe(200);
    labelResourceName = makeLabel(stack, ALICE, 'Customers', SIZE, 't');
    const shared = await shareLabel(stack, ALICE, labelResourceName, BOB, 'manage');
    expect(shared.run.error).toBeUndefined();
    shareId = await firstShareId(stack, ALICE);
    const added = await addMembers(stack, ALICE, shareId, 'user', CAROL, 'view');
    expect(added.run.error).toBeUndefined();
    expect(labelOf(BOB, null)).toHaveLength(SIZE);
    expect(labelOf(CAROL, null)).toHaveLength(SIZE);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('offers "Make owner" to the owner on a person member, not to others', async () => {
    const asOwner = await stack.act(ALICE, {
      action: 'openMember',
      shareId,
      targetKind: 'user',
      address: BOB,
    });
    expect(JSON.stringify(asOwner.card)).toContain('Make owner');
    const asManager = await stack.act(BOB, {
      action: 'openMember',
      shareId,
      targetKind: 'user',
      address: CAROL,
    });
    expect(asManager.run.error).toBeUndefined();
    expect(JSON.stringify(asManager.card)).not.toContain('Make owner');
  });

  it('refuses a non-owner, a non-member and another domain’s user, and audits each', async () => {
    const byCarol = await stack.act(CAROL, {
      action: 'offerOwnership',
      shareId,
      address: CAROL,
    });
    expect(byCarol.notification).toBe(
      'You may not do that on “Customers”: your level is “View”. Ask its owner for a higher level.',
    );
    const toDave = await stack.act(ALICE, { action: 'offerOwnership', shareId, address: DAVE });
    expect(toDave.notification).toContain(`${DAVE} is not`);
    const outside = await stack.act(ALICE, {
      action: 'offerOwnership',
      shareId,
      address: 'zed@globex.example',
    });
    expect(outside.notification).toBe(
      'Ownership can pass only to someone in acme.example; zed@globex.example is outside it.',
    );
    const denied = await stack.api(ADMIN, 'GET', '/v1/events?type=sharing.action_denied');
    const reasons = (
      denied.body.events as { shareId?: string; detail?: { action?: string; reason?: string } }[]
    )
      .filter((event) => event.shareId === shareId && event.detail?.action === 'offerOwnership')
      .map((event) => event.detail?.reason)
      .sort();
    expect(reasons).toEqual([
      'insufficient_level',
      'transfer_not_participant',
      'transfer_other_domain',
    ]);
    // Nobody accepts what was not offered to them, and the backend refuses too.
    const unoffered = await stack.act(CAROL, { action: 'acceptOwnership', shareId });
    expect(unoffered.notification).toBe(
      'This label was not offered to you, or the offer was withdrawn.',
    );
    const direct = await stack.api(CAROL, 'POST', `/v1/shares/${shareId}/transfer/accept`, {
      labelResourceName: 'contactGroups/x',
    });
    expect(direct.status).toBe(403);
    const crafted = await stack.api(CAROL, 'POST', `/v1/shares/${shareId}/transfer`, { to: CAROL });
    expect(crafted.status).toBe(403);
    expect((await stack.api(ALICE, 'GET', `/v1/shares/${shareId}`)).body.owner).toBe(ALICE);
  });

  it('hands the label to bob: his copy is the label, alice and carol hold copies of it', async () => {
    const before = emails(labelOf(ALICE, labelResourceName));
    const offered = await stack.act(ALICE, { action: 'offerOwnership', shareId, address: BOB });
    expect(offered.run.error).toBeUndefined();
    expect(offered.notification).toBe(
      `You offered “Customers” to ${BOB}. It becomes theirs when they accept it in their sidebar; you keep “Manage”.`,
    );
    expect(JSON.stringify(offered.card)).toContain(`Offered to ${BOB}`);
    const asBob = await stack.act(BOB, { action: 'openLabel', shareId });
    expect(JSON.stringify(asBob.card)).toContain('Accept ownership');
    const accepted = await stack.act(BOB, { action: 'acceptOwnership', shareId });
    expect(accepted.run.error).toBeUndefined();
    expect(accepted.notification).toBe(
      '“Customers” is now yours: everyone’s copies follow your label. Its former owner keeps “Manage”.',
    );
    // Alice's next sync turns her former masters into copies of bob's.
    const aliceSync = await stack.act(ALICE, { action: 'syncNow' });
    expect(aliceSync.run.error).toBeUndefined();
    const share = (await stack.api(BOB, 'GET', `/v1/shares/${shareId}`)).body;
    expect(share).toMatchObject({ formerOwner: null, formerLabel: null });
    expect(share).toMatchObject({ owner: BOB, myLevel: 'owner' });
    expect((await stack.api(ALICE, 'GET', `/v1/shares/${shareId}`)).body.myLevel).toBe('manage');
    const transfers = await stack.api(ADMIN, 'GET', '/v1/events?type=share.ownership_transferred');
    expect(
      transfers.body.events.some(
        (event: { shareId: string; target?: string }) =>
          event.shareId === shareId && event.target === BOB,
      ),
    ).toBe(true);

    const carolSync = await stack.act(CAROL, { action: 'syncNow' });
    expect(carolSync.run.error).toBeUndefined();

    const masters = labelOf(BOB, share.labelResourceName);
    expect(emails(masters)).toEqual(before);
    const masterNames = new Set(masters.map((person) => person.resourceName));
    for (const user of [ALICE, CAROL]) {
      const copies = labelOf(user, null);
      expect(emails(copies)).toEqual(before);
      for (const copy of copies) {
        const [, owner, source] = linkOf(copy);
        expect(owner).toBe(BOB);
        expect(masterNames.has(source)).toBe(true);
      }
    }
    for (const user of [ALICE, BOB, CAROL]) expect(stack.contactsOf(user)).toHaveLength(SIZE);
    expect(
      stack
        .people(ALICE, (client) => client.listAllContactGroups('name'))
        .some((group) => group.resourceName === labelResourceName),
    ).toBe(false);
  });

  it("bob's edit, now the owner's, reaches alice and carol; nothing is duplicated", async () => {
    const share = (await stack.api(BOB, 'GET', `/v1/shares/${shareId}`)).body;
    const master = labelOf(BOB, share.labelResourceName).find(
      (person) => person.emailAddresses?.[0]?.value === 't3@customers.example',
    ) as Person;
    stack.people(BOB, (client) =>
      client.updateContact(
        master.resourceName ?? '',
        { etag: master.etag, phoneNumbers: [{ value: '+1 555 0303' }] },
        ['phoneNumbers'],
      ),
    );
    const synced = await stack.act(BOB, { action: 'syncNow' });
    expect(synced.run.error).toBeUndefined();
    for (const user of [ALICE, CAROL]) {
      const copy = labelOf(user, null).find(
        (person) => person.emailAddresses?.[0]?.value === 't3@customers.example',
      );
      expect(copy?.phoneNumbers?.[0]?.value).toBe('+1 555 0303');
      expect(stack.contactsOf(user)).toHaveLength(SIZE);
    }
    const home = await stack.home(ALICE);
    expect(JSON.stringify(home.card)).toContain(`From bob (${BOB})`);
  });
});
