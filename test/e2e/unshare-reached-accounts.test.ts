/**
 * Ending a share end to end through the real bundle, the Apps Script runtime, the API emulator
 * and the backend on PGlite: when the owner stops sharing, every account the share reached is
 * cleaned at once, also a group member whose copies came only through another participant's sync
 * and a participant who only synced their own account, without these users opening Shared
 * Contacts: copies deleted, a merged contact of their own unlinked and kept, the copy label gone.
 */
import { makeLabel, startE2eStack, type E2eStack } from './stack';
import { ADMIN, ALICE, BOB, CAROL, DAVE, ERIN, SALES } from '../fixtures/acme-users';
import { contactsInLabel } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';

describe('stopping sharing cleans every account the share reached', () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
    expect((await putOpenPolicy(stack)).status).toBe(200);
  });
  afterAll(() => stack.close());

  const copiesIn = (user: string, name: string) => contactsInLabel(stack, user, name);

  it('cleans a group member reached only by another participant’s sync, without them opening the add-on', async () => {
    const labelResourceName = makeLabel(stack, ALICE, 'Suppliers', 10, 's');
    // Bob manages the label: the group's members are expanded for him, so his sync may bring the
    // label's copies to a new member (below manage, only the owner's and members' own syncs do).
    const created = await stack.api(ALICE, 'POST', '/v1/shares', {
      labelResourceName,
      labelName: 'Suppliers',
      grants: [
        { target: { kind: 'user', email: BOB }, level: 'manage' },
        { target: { kind: 'group', email: SALES }, level: 'view' },
      ],
    });
    expect(created.status).toBe(201);
    const shareId = created.body.id as string;
    expect((await stack.trigger(ALICE)).error).toBeUndefined();
    expect(copiesIn(CAROL, 'Suppliers')).toHaveLength(10);

    // Erin joins the sales group and already knows one supplier; only bob's sync reaches her.
    const own = stack.people(ERIN, (client) =>
      client.createContact({
        names: [{ givenName: 'My supplier' }],
        emailAddresses: [{ value: 's4@customers.example' }],
      }),
    );
    stack.emulator.addGroupMember(SALES, ERIN);
    expect((await stack.trigger(BOB)).error).toBeUndefined();
    expect(copiesIn(ERIN, 'Suppliers')).toHaveLength(10);
    expect(JSON.stringify(stack.contactsOf(ERIN))).toContain(shareId);

    // Dave is added later and syncs his own account himself.
    const current = await stack.api(ALICE, 'GET', `/v1/shares/${shareId}`);
    const patched = await stack.api(ALICE, 'PATCH', `/v1/shares/${shareId}`, {
      grants: [...current.body.grants, { target: { kind: 'user', email: DAVE }, level: 'view' }],
    });
    expect(patched.status).toBe(200);
    expect((await stack.trigger(DAVE)).error).toBeUndefined();
    expect(copiesIn(DAVE, 'Suppliers')).toHaveLength(10);

    const stopped = await stack.act(ALICE, { action: 'stopSharing', shareId });
    expect(stopped.run.error).toBeUndefined();
    expect(stopped.notification).toBe('Stopped sharing “Suppliers”; the copies are gone.');

    for (const user of [BOB, CAROL, DAVE, ERIN]) {
      expect(stack.groupsOf(user).has('Suppliers')).toBe(false);
      expect(JSON.stringify(stack.contactsOf(user))).not.toContain(shareId);
    }
    expect(stack.contactsOf(BOB)).toHaveLength(0);
    expect(stack.contactsOf(DAVE)).toHaveLength(0);
    const kept = stack.contactsOf(ERIN);
    expect(kept.map((person) => person.resourceName)).toEqual([own.resourceName]);
    expect(kept[0]?.emailAddresses?.[0]?.value).toBe('s4@customers.example');
    // The owner's label and contacts stay.
    expect(copiesIn(ALICE, 'Suppliers')).toHaveLength(10);

    // The owner read the reached accounts and cleaned them through the share gateway.
    const listed = await stack.api(
      ADMIN,
      'GET',
      '/v1/events?type=share.reached_accounts_listed&pageSize=500',
    );
    expect(
      listed.body.events.map((event: { actor: string; shareId: string }) => [
        event.actor,
        event.shareId,
      ]),
    ).toEqual([[ALICE, shareId]]);
    const revoked = await stack.api(ALICE, 'GET', `/v1/shares/${shareId}`);
    expect(revoked.status).toBe(404);
  });

  it('leaves a departed participant to the owner: an edit participant’s sync no longer reaches them', async () => {
    const labelResourceName = makeLabel(stack, ALICE, 'Partners', 5, 'p');
    const created = await stack.api(ALICE, 'POST', '/v1/shares', {
      labelResourceName,
      labelName: 'Partners',
      grants: [
        { target: { kind: 'user', email: BOB }, level: 'edit' },
        { target: { kind: 'user', email: DAVE }, level: 'view' },
      ],
    });
    expect(created.status).toBe(201);
    const shareId = created.body.id as string;
    expect((await stack.trigger(ALICE)).error).toBeUndefined();
    expect((await stack.trigger(BOB)).error).toBeUndefined();
    expect(copiesIn(DAVE, 'Partners')).toHaveLength(5);

    const patched = await stack.api(ALICE, 'PATCH', `/v1/shares/${shareId}`, {
      grants: [{ target: { kind: 'user', email: BOB }, level: 'edit' }],
    });
    expect(patched.status).toBe(200);
    const deniedForDave = async () =>
      (
        await stack.api(ADMIN, 'GET', '/v1/events?type=gateway.denied&pageSize=500')
      ).body.events.filter(
        (event: { target: string; shareId: string }) =>
          event.target === DAVE && event.shareId === shareId,
      );
    // Bob may not reach dave any more, and his sync does not try: nothing is refused.
    expect((await stack.trigger(BOB)).error).toBeUndefined();
    expect(await deniedForDave()).toEqual([]);
    expect(copiesIn(DAVE, 'Partners')).toHaveLength(5);
    const refused = await stack.api(BOB, 'POST', `/v1/shares/${shareId}/gateway/list-groups`, {
      account: DAVE,
    });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'insufficient_level']);
    expect(await deniedForDave()).toHaveLength(1);

    // The owner's sync removes what the share brought to dave.
    expect((await stack.trigger(ALICE)).error).toBeUndefined();
    expect(stack.groupsOf(DAVE).has('Partners')).toBe(false);
    expect(JSON.stringify(stack.contactsOf(DAVE))).not.toContain(shareId);
  });
});
