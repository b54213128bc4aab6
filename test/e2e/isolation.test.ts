/**
 * Tenant isolation end to end, through the real bundle with the API emulator and the backend on
 * PGlite: card actions whose parameters name another domain's share, a label the caller takes no
 * part in, an action above the caller's level, or someone else's contact label are refused with
 * a notification, change nothing, and leave an audit event in the backend.
 */
import { makeLabel, startE2eStack, type E2eStack } from './stack';
import { ADMIN, ALICE, BOB, CAROL, ERIN, ZED } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';
import { firstShareId, shareLabel } from '../fixtures/share-steps';

const NOT_SHARED =
  'This label is not shared with you, or its sharing has ended. Reopen Shared Contacts to see your labels.';

interface AuditRow {
  type: string;
  actor: string;
  shareId?: string;
  outcome: string;
  detail: Record<string, unknown>;
}

describe('tenant isolation of the card actions', () => {
  let stack: E2eStack;
  let customers: string;
  let aliceLabel: string;
  let globexShare: string;
  let privateShare: string;

  const events = async (type: string, tenant = 'acme.example'): Promise<AuditRow[]> =>
    (
      await stack.api(
        ADMIN.replace('acme.example', tenant),
        'GET',
        `/v1/events?type=${type}&pageSize=500`,
      )
    ).body.events;

  beforeAll(async () => {
    stack = await startE2eStack();
    for (const domain of ['acme.example', 'globex.example']) await putOpenPolicy(stack, domain);
    aliceLabel = makeLabel(stack, ALICE, 'Customers', 10, 'c');
    const shared = await shareLabel(stack, ALICE, aliceLabel, BOB, 'edit');
    expect(shared.run.error).toBeUndefined();
    customers = await firstShareId(stack, ALICE);
    const zedLabel = makeLabel(stack, ZED, 'Globex leads', 3, 'g');
    globexShare = (
      await stack.api(ZED, 'POST', '/v1/shares', {
        labelResourceName: zedLabel,
        labelName: 'Globex leads',
        grants: [],
      })
    ).body.id;
    privateShare = (
      await stack.api(ERIN, 'POST', '/v1/shares', {
        labelResourceName: makeLabel(stack, ERIN, 'Private', 3, 'p'),
        labelName: 'Private',
        grants: [{ target: { kind: 'user', email: 'dave@acme.example' }, level: 'view' }],
      })
    ).body.id;
  });
  afterAll(() => stack.close());

  it("refuses another domain's share, and the backend audits the attempt", async () => {
    for (const action of ['openLabel', 'syncLabel', 'stopSharing']) {
      const step = await stack.act(ALICE, { action, shareId: globexShare });
      expect(step.run.error).toBeUndefined();
      expect(step.notification).toBe(NOT_SHARED);
    }
    const denied = (await events('share.denied')).filter((event) => event.shareId === globexShare);
    expect(denied).toHaveLength(3);
    expect(denied[0]).toMatchObject({
      actor: ALICE,
      outcome: 'denied',
      detail: { reason: 'not_found' },
    });
    expect((await stack.api(ZED, 'GET', `/v1/shares/${globexShare}`)).body.grants).toEqual([]);
    expect(
      stack.contactsOf(ALICE).map((person) => person.emailAddresses?.[0]?.value),
    ).not.toContain('g0@customers.example');
  });

  it('refuses a label the caller takes no part in, audited', async () => {
    const step = await stack.act(
      CAROL,
      { action: 'addMembers', shareId: privateShare },
      { targetKind: ['user'], recipients: [CAROL], level: ['manage'] },
    );
    expect(step.notification).toBe(NOT_SHARED);
    const denied = await events('share.denied');
    expect(denied).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: CAROL, shareId: privateShare })]),
    );
    const share = await stack.api(ERIN, 'GET', `/v1/shares/${privateShare}`);
    expect(share.body.grants).toEqual([
      { target: { kind: 'user', email: 'dave@acme.example' }, level: 'view' },
    ]);
  });

  it("refuses actions above the caller's level, audited", async () => {
    const share = await stack.act(
      BOB,
      { action: 'addMembers', shareId: customers },
      { targetKind: ['user'], recipients: [CAROL], level: ['manage'] },
    );
    expect(share.notification).toBe(
      'You may not do that on “Customers”: your level is “Edit contacts”. Ask its owner for a higher level.',
    );
    const stop = await stack.act(BOB, { action: 'stopSharing', shareId: customers });
    expect(stop.notification).toBe(
      'You may not do that on “Customers”: your level is “Edit contacts”. Ask its owner for a higher level.',
    );
    const remove = await stack.act(BOB, {
      action: 'removeMember',
      shareId: customers,
      targetKind: 'user',
      address: BOB,
    });
    expect(remove.notification).toBe(
      'You may not do that on “Customers”: your level is “Edit contacts”. Ask its owner for a higher level.',
    );
    const denied = (await events('sharing.action_denied')).filter((event) => event.actor === BOB);
    expect(denied.map((event) => event.detail.action).sort()).toEqual([
      'addMembers',
      'removeMember',
      'stopSharing',
    ]);
    expect(denied.every((event) => event.shareId === customers && event.outcome === 'denied')).toBe(
      true,
    );
    // Bypassing the add-on, the backend refuses and audits the same.
    const direct = await stack.api(BOB, 'PATCH', `/v1/shares/${customers}`, {
      grants: [{ target: { kind: 'user', email: CAROL }, level: 'manage' }],
    });
    expect(direct.status).toBe(403);
    expect(await events('share.denied')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: BOB,
          shareId: customers,
          detail: { reason: 'insufficient_level' },
        }),
      ]),
    );
    const registered = await stack.api(ALICE, 'GET', `/v1/shares/${customers}`);
    expect(registered.body.grants).toEqual([
      { target: { kind: 'user', email: BOB }, level: 'edit' },
    ]);
    expect(stack.contactsOf(CAROL)).toEqual([]);
  });

  it("refuses to share someone else's contact label, audited", async () => {
    const step = await shareLabel(stack, BOB, aliceLabel, CAROL, 'view');
    expect(step.notification).toBe('That label is not one of your own contact labels.');
    expect((await stack.api(BOB, 'GET', '/v1/shares?view=mine')).body.shares).toEqual([]);
    expect((await events('sharing.action_denied')).map((event) => event.detail)).toEqual(
      expect.arrayContaining([{ action: 'createShare', reason: 'not_own_label' }]),
    );
  });

  it('keeps the chains intact and apart', async () => {
    expect((await stack.api(ADMIN, 'GET', '/v1/audit/verify')).body).toMatchObject({ ok: true });
    const globex = await events('share.denied', 'globex.example');
    expect(globex).toEqual([]);
  });
});
