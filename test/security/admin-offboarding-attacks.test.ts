/**
 * This file tries the admin card's offboarding routes (issue 16) as an attacker would, on PGlite
 * and PostgreSQL with the Workspace API emulator: a non-admin, an admin of another customer and a
 * user without `hd` each try to hand labels over, read the activity, mint an audit download link,
 * open or revoke a share. Each is refused, changes nothing, and is audited in the caller's own
 * chain with no address of the customer they aimed at.
 */
import { DATABASES } from '../backend/harness';
import { DELEGATED_SCOPES } from '../backend/emulated';
import {
  ADMIN,
  MANAGER,
  startSupportHarness,
  type SupportHarness,
} from '../backend/support/support-harness';
import { ALICE, BOB } from '../fixtures/acme-users';

const RIVAL_ADMIN = 'admin@rival.example';

interface ChainEvent {
  type: string;
  actor: string;
  target?: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

describe.each(DATABASES)('attacks on the admin card’s offboarding, on %s', (kind) => {
  let h: SupportHarness;
  let shareId: string;
  const chain = async (tenant: string): Promise<ChainEvent[]> =>
    (
      await h.request('GET', `/v1/events?tenant=${tenant}&pageSize=500`, {
        token: h.token(MANAGER),
      })
    ).body.events as ChainEvent[];
  const attackers = (): [string, string, string][] => [
    ['a non-admin', h.token(ALICE), 'acme.example'],
    ['an admin of another customer', h.token(RIVAL_ADMIN), 'rival.example'],
    [
      'a user without hd',
      h.token('frank@acme.example', { hostedDomain: undefined }),
      'outside.invalid',
    ],
  ];

  beforeAll(async () => {
    h = await startSupportHarness(kind);
    h.emulator.addCustomer('rival.example');
    h.emulator.addUser(RIVAL_ADMIN, { isAdmin: true });
    h.emulator.grantDomainWideDelegation('rival.example', h.clientId, DELEGATED_SCOPES);
    const created = await h.request('POST', '/v1/shares', {
      token: h.token(ALICE),
      body: {
        labelResourceName: 'contactGroups/customers',
        labelName: 'Customers',
        grants: [{ target: { kind: 'user', email: BOB }, level: 'view' }],
      },
    });
    expect(created.status).toBe(201);
    shareId = created.body.id;
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([0, 1, 2])(
    'refuses a hand-over by attacker %#, audited in their own chain',
    async (index) => {
      const [, token, ownChain] = attackers()[index] ?? ['', '', ''];
      const answer = await h.request('POST', '/v1/admin/hand-over', {
        token,
        body: { from: ALICE, to: BOB },
      });
      expect(answer.status).toBe(403);
      expect(
        (await h.request('GET', `/v1/shares/${shareId}`, { token: h.token(ADMIN) })).body,
      ).toMatchObject({ owner: ALICE, offeredTo: null });
      const own = await chain(ownChain);
      expect(own.some((event) => event.type === 'admin.denied' && event.outcome === 'denied')).toBe(
        true,
      );
      if (ownChain !== 'acme.example') {
        expect(JSON.stringify(own)).not.toContain(ALICE);
        expect(
          (await chain('acme.example')).filter((event) => event.type === 'admin.denied'),
        ).not.toContainEqual(expect.objectContaining({ actor: RIVAL_ADMIN }));
      }
    },
  );

  it('refuses the activity and the audit download link to each attacker, audited', async () => {
    for (const [who, token, ownChain] of attackers()) {
      const before = (await chain(ownChain)).length;
      const activity = await h.request('GET', '/v1/admin/activity', { token });
      const link = await h.request('GET', '/v1/admin/audit-export', { token });
      if (who === 'an admin of another customer') {
        // Their own organisation's, never acme's.
        expect(activity.status).toBe(200);
        expect(JSON.stringify(activity.body)).not.toContain('acme.example');
        expect(link.status).toBe(200);
        const file = await h.request('GET', link.body.path);
        expect(file.text).not.toContain('acme.example');
        const retargeted = link.body.path.replace('tenant=rival.example', 'tenant=acme.example');
        expect((await h.request('GET', retargeted)).status).toBe(403);
        continue;
      }
      expect([activity.status, link.status]).toEqual([403, 403]);
      const denied = (await chain(ownChain))
        .slice(before)
        .filter((event) => event.type === 'admin.denied')
        .map((event) => event.detail.action);
      expect(denied).toEqual(['activity', 'audit_export']);
    }
  });

  it('keeps the share of one customer from an admin of another: no read, no revocation', async () => {
    const token = h.token(RIVAL_ADMIN);
    expect((await h.request('GET', `/v1/shares/${shareId}`, { token })).status).toBe(404);
    expect((await h.request('DELETE', `/v1/shares/${shareId}`, { token })).status).toBe(404);
    const listed = await h.request('GET', '/v1/shares?view=domain', { token });
    expect(listed.body.shares.map((share: { id: string }) => share.id)).not.toContain(shareId);
    expect(
      (await h.request('GET', `/v1/shares/${shareId}`, { token: h.token(ADMIN) })).status,
    ).toBe(200);
    const refusals = (await chain('rival.example')).filter(
      (event) => event.type === 'share.denied',
    );
    expect(refusals.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a hand-over to someone of another customer, audited without their address', async () => {
    const answer = await h.request('POST', '/v1/admin/hand-over', {
      token: h.token(ADMIN),
      body: { from: ALICE, to: RIVAL_ADMIN },
    });
    expect([answer.status, answer.body.error.code]).toEqual([403, 'outside_customer']);
    const denied = (await chain('acme.example')).filter(
      (event) => event.type === 'admin.denied' && event.actor === ADMIN,
    );
    expect(denied).toHaveLength(1);
    expect(JSON.stringify(denied)).not.toContain(RIVAL_ADMIN);
  });
});
