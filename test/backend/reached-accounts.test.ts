/**
 * This file tests GET /v1/shares/{id}/reached-accounts against the Workspace API emulator on both
 * databases: the accounts a share reached (the share gateway wrote there, participants' own syncs,
 * group members), still answered once the grants are emptied and for a while after revocation;
 * the refusals (non-participant, view/edit/contribute, another tenant), all audited; and the
 * gateway's rule that only the owner and manage participants reach a former participant.
 */
import { REACHED_ACCOUNTS_AFTER_REVOCATION_MS } from '../../src/backend/shares/reached-accounts-routes';
import { DATABASES, auditEvent } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';
import { ADMIN, ALICE, BOB, CAROL, DAVE, ERIN, ZED } from '../fixtures/acme-users';
import { OPEN_POLICY } from '../fixtures/policy';

const FRANK = 'frank@acme.example';
const GINA = 'gina@acme.example';

describe.each(DATABASES)('reached accounts of a share on %s', (kind) => {
  let h: EmulatedHarness;
  let shareId: string;
  const clock = { now: Date.now() };

  beforeAll(async () => {
    h = await startEmulatedHarness(kind, {}, { clock: () => clock.now });
    for (const name of ['frank', 'gina']) h.emulator.addUser(`${name}@acme.example`);
    await h.request('PUT', '/v1/tenants/acme.example/policy', {
      token: h.token(ADMIN),
      body: OPEN_POLICY,
    });
    const created = await h.request('POST', '/v1/shares', {
      token: h.token(ALICE),
      body: {
        labelResourceName: 'contactGroups/customers',
        labelName: 'Customers',
        grants: [
          { target: { kind: 'user', email: BOB }, level: 'manage' },
          { target: { kind: 'user', email: DAVE }, level: 'view' },
          { target: { kind: 'user', email: ERIN }, level: 'contribute' },
          { target: { kind: 'user', email: GINA }, level: 'edit' },
          { target: { kind: 'group', email: 'team@acme.example' }, level: 'edit' },
        ],
      },
    });
    expect(created.status).toBe(201);
    shareId = created.body.id;
  });
  afterAll(async () => {
    await h.close();
  });

  const reached = (user: string) =>
    h.request('GET', `/v1/shares/${shareId}/reached-accounts`, { token: h.token(user) });
  /** The caller's sync reads the account's share groups through the gateway. */
  const reach = (caller: string, account: string) =>
    h.request('POST', `/v1/shares/${shareId}/gateway/list-groups`, {
      token: h.token(caller),
      body: { account },
    });
  /** The caller's sync makes the account's copy group through the gateway: the share reached it. */
  const copyInto = (caller: string, account: string) =>
    h.request('POST', `/v1/shares/${shareId}/gateway/write`, {
      token: h.token(caller),
      body: {
        account,
        write: {
          kind: 'createGroup',
          name: 'Customers',
          clientData: [
            { key: `sharedContacts:${shareId}`, value: `v1|${ALICE}|contactGroups/customers` },
          ],
        },
      },
    });
  const events = async (type: string) =>
    (
      await h.request('GET', `/v1/events?type=${type}&pageSize=500`, {
        token: h.token(ADMIN),
      })
    ).body.events as {
      actor: string;
      target?: string;
      shareId?: string;
      outcome: string;
      detail: Record<string, unknown>;
    }[];
  const syncedItself = async (user: string) => {
    const posted = await h.request('POST', '/v1/events', {
      token: h.token(user),
      body: { events: [auditEvent({ type: 'sync.done', shareId, target: ALICE })] },
    });
    expect(posted.status).toBe(200);
  };

  it('unites the accounts the gateway wrote to, own syncs and group members, without the owner', async () => {
    // Bob's sync reached Gina; Erin synced her own account; the owner synced too.
    expect((await copyInto(BOB, GINA)).status).toBe(200);
    await syncedItself(ERIN);
    await syncedItself(ALICE);
    const answer = await reached(ALICE);
    expect(answer.status).toBe(200);
    // carol is the team group's member; bob and dave (user grants) were never reached.
    expect(answer.body).toEqual({ accounts: [CAROL, ERIN, GINA] });
    expect((await reached(BOB)).body).toEqual(answer.body);
    expect((await reached(ADMIN)).body).toEqual(answer.body);
    const listed = await events('share.reached_accounts_listed');
    expect(listed.map((event) => [event.actor, event.shareId, event.outcome])).toEqual([
      [ALICE, shareId, 'success'],
      [BOB, shareId, 'success'],
      [ADMIN, shareId, 'success'],
    ]);
    expect(listed[0]?.detail).toEqual({ accounts: 3, revoked: false });
  });

  it('refuses view, edit and contribute participants, outsiders and other tenants, audited', async () => {
    for (const user of [DAVE, GINA, ERIN, CAROL]) {
      const answer = await reached(user);
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('insufficient_level');
    }
    for (const user of [FRANK, ZED]) {
      const answer = await reached(user);
      expect(answer.status).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain(CAROL);
    }
    const denied = (await events('share.denied')).filter(
      (event) => event.detail.operation === 'reached_accounts',
    );
    expect(denied.map((event) => [event.actor, event.detail.reason])).toEqual([
      [DAVE, 'insufficient_level'],
      [GINA, 'insufficient_level'],
      [ERIN, 'insufficient_level'],
      [CAROL, 'insufficient_level'],
      [FRANK, 'not_found'],
    ]);
    // Zed's refusal went to globex's chain, which acme's admin does not see.
    expect(denied.some((event) => event.actor === ZED)).toBe(false);
  });

  it('lets only the owner or a manage participant reach a former participant', async () => {
    const patched = await h.request('PATCH', `/v1/shares/${shareId}`, {
      token: h.token(ALICE),
      body: {
        grants: [
          { target: { kind: 'user', email: BOB }, level: 'manage' },
          { target: { kind: 'user', email: DAVE }, level: 'view' },
          { target: { kind: 'user', email: ERIN }, level: 'contribute' },
        ],
      },
    });
    expect(patched.status).toBe(200);
    // Gina left: the share wrote to her account before; Erin keeps her level.
    for (const user of [DAVE, ERIN]) {
      const refused = await reach(user, GINA);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('insufficient_level');
    }
    expect((await reach(ALICE, GINA)).status).toBe(200);
    expect((await reach(BOB, GINA)).status).toBe(200);
    // Someone the share never reached stays out of everyone's reach.
    expect((await reach(ALICE, FRANK)).body.error.code).toBe('target_not_participant');
    const denied = (await events('gateway.denied')).filter((event) => event.target === GINA);
    expect(denied.map((event) => [event.actor, event.outcome, event.detail.reason])).toEqual([
      [DAVE, 'denied', 'insufficient_level'],
      [ERIN, 'denied', 'insufficient_level'],
    ]);
    const calls = (await events('gateway.call')).filter((event) => event.target === GINA);
    expect(calls.map((event) => [event.actor, event.detail.role])).toEqual([
      [BOB, 'copy'],
      [ALICE, 'former'],
      [BOB, 'former'],
    ]);
  });

  it('still answers once the grants are emptied and for a while after revocation', async () => {
    const emptied = await h.request('PATCH', `/v1/shares/${shareId}`, {
      token: h.token(ALICE),
      body: { grants: [] },
    });
    expect(emptied.status).toBe(200);
    expect((await reached(ALICE)).body).toEqual({ accounts: [ERIN, GINA] });
    // Erin synced her own account only: the owner may reach her to clean it.
    expect((await reach(ALICE, ERIN)).status).toBe(200);
    const revoked = await h.request('DELETE', `/v1/shares/${shareId}`, { token: h.token(ALICE) });
    expect(revoked.status).toBe(200);
    clock.now += REACHED_ACCOUNTS_AFTER_REVOCATION_MS - 60_000;
    const after = await reached(ALICE);
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ accounts: [ERIN, GINA] });
    expect((await reached(BOB)).status).toBe(404);
    clock.now += 120_000;
    expect((await reached(ALICE)).status).toBe(404);
    clock.now -= REACHED_ACCOUNTS_AFTER_REVOCATION_MS + 60_000;
    const listed = await events('share.reached_accounts_listed');
    expect(listed.at(-1)?.detail).toEqual({ accounts: 2, revoked: true });
  });
});
