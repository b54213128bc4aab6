/**
 * Robustness of sharing end to end through the real bundle, the Apps Script runtime, the API
 * emulator and the backend on PGlite: a sync never runs while another execution of the same user
 * holds their lock, and copies that reached an account only through another participant's sync
 * leave it once the share has ended, when its user next opens Shared Contacts.
 */
import { makeLabel, startE2eStack, type E2eStack } from './stack';
import { ALICE, BOB, CAROL, DAVE, SALES } from '../fixtures/acme-users';
import { contactsInLabel } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';

describe('sharing robustness end to end', () => {
  let stack: E2eStack;
  const listings = () => stack.emulator.callCount({ operation: 'people.people.connections.list' });

  beforeAll(async () => {
    stack = await startE2eStack();
    expect((await putOpenPolicy(stack)).status).toBe(200);
  });
  afterAll(() => stack.close());

  async function share(owner: string, name: string, prefix: string, grants: unknown[]) {
    const labelResourceName = makeLabel(stack, owner, name, 10, prefix);
    const created = await stack.api(owner, 'POST', '/v1/shares', {
      labelResourceName,
      labelName: name,
      grants,
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  const copiesIn = (user: string, name: string) => contactsInLabel(stack, user, name);

  it('skips the sync while another execution of the user holds their lock', async () => {
    await share(ALICE, 'Partners', 'p', [{ target: { kind: 'user', email: BOB }, level: 'edit' }]);
    const held = await stack.runtime.state.locks.acquire(`user:${ALICE}`, 'other-execution', 0);
    expect(held).toBe(true);
    let before = listings();
    const busy = await stack.trigger(ALICE);
    expect(busy.error).toBeUndefined();
    expect(listings() - before).toBe(0);
    expect(copiesIn(BOB, 'Partners')).toHaveLength(0);
    // Bob's executions have a lock of their own.
    expect((await stack.home(BOB)).run.error).toBeUndefined();

    stack.runtime.state.locks.release(`user:${ALICE}`, 'other-execution');
    before = listings();
    const free = await stack.trigger(ALICE);
    expect(free.error).toBeUndefined();
    expect(listings() - before).toBeGreaterThan(0);
    expect(copiesIn(BOB, 'Partners')).toHaveLength(10);
  });

  it('removes copies that only another participant’s sync brought, once the share ended', async () => {
    // Bob manages the label: the group's members are expanded for him, so his sync may bring the
    // label's copies to a new member.
    const shareId = await share(ALICE, 'Vendors', 'v', [
      { target: { kind: 'user', email: BOB }, level: 'manage' },
      { target: { kind: 'group', email: SALES }, level: 'view' },
    ]);
    expect((await stack.trigger(ALICE)).error).toBeUndefined();
    expect(copiesIn(CAROL, 'Vendors')).toHaveLength(10);

    // Dave joins the sales group and already knows one vendor; bob's sync brings him the label.
    const own = stack.people(DAVE, (client) =>
      client.createContact({
        names: [{ givenName: 'My vendor' }],
        emailAddresses: [{ value: 'v3@customers.example' }],
      }),
    );
    stack.emulator.addGroupMember(SALES, DAVE);
    expect((await stack.trigger(BOB)).error).toBeUndefined();
    expect(copiesIn(DAVE, 'Vendors')).toHaveLength(10);

    const stopped = await stack.act(ALICE, { action: 'stopSharing', shareId });
    expect(stopped.run.error).toBeUndefined();
    expect(copiesIn(BOB, 'Vendors')).toHaveLength(0);
    expect(copiesIn(CAROL, 'Vendors')).toHaveLength(0);

    const home = await stack.home(DAVE);
    expect(home.run.error).toBeUndefined();
    expect(stack.groupsOf(DAVE).has('Vendors')).toBe(false);
    const left = stack.contactsOf(DAVE);
    expect(left.map((person) => person.resourceName)).toEqual([own.resourceName]);
    expect(JSON.stringify(left[0]?.clientData ?? [])).not.toContain(shareId);
    expect(left[0]?.emailAddresses?.[0]?.value).toBe('v3@customers.example');
  });
});
