/**
 * This file tests the admin card's backend on PGlite and PostgreSQL: the onboarding checks open
 * for an admin whose organisation has not granted delegation (and say which grant is missing)
 * without showing anything of the organisation; support access needs approval until an admin
 * chooses; the audit trail downloads through a short-lived signed link; a person's labels are
 * handed over to a colleague; recent activity names labels and filters by person and kind.
 */
import { DATABASES } from './harness';
import { DELEGATED_SCOPES, startEmulatedHarness } from './emulated';
import { ADMIN, startSupportHarness, type SupportHarness } from './support/support-harness';
import { ALICE, BOB, CAROL } from '../fixtures/acme-users';
import { OPEN_POLICY } from '../fixtures/policy';

const USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';

describe.each(DATABASES)('the admin card’s backend, on %s', (kind) => {
  let h: SupportHarness;
  const get = (who: string, path: string) => h.request('GET', path, { token: h.token(who) });
  const share = (owner: string, name: string, grants: unknown[]) =>
    h.request('POST', '/v1/shares', {
      token: h.token(owner),
      body: { labelResourceName: `contactGroups/${name.toLowerCase()}`, labelName: name, grants },
    });
  const user = (email: string, level = 'view') => ({ target: { kind: 'user', email }, level });

  beforeAll(async () => {
    h = await startSupportHarness(kind);
    // A customer in the middle of onboarding: no delegation at all.
    h.emulator.addCustomer('onboard.example');
    h.emulator.addUser('boss@onboard.example', { isAdmin: true });
    h.emulator.addUser('staff@onboard.example');
    // A customer that granted every scope but the directory's users.
    h.emulator.addCustomer('partial.example');
    h.emulator.addUser('boss@partial.example', { isAdmin: true });
    h.emulator.grantDomainWideDelegation(
      'partial.example',
      h.clientId,
      DELEGATED_SCOPES.filter((scope) => scope !== USER_SCOPE),
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('the onboarding card opens for an admin whose domain has not granted delegation and says exactly which grant is missing', async () => {
    const none = await get('boss@onboard.example', '/v1/admin/overview');
    expect(none.status).toBe(200);
    expect(none.body.adminVerified).toBe(false);
    expect(none.body.domain).toBe('onboard.example');
    expect(none.body.delegation.map((entry: { granted: boolean }) => entry.granted)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    // Only the onboarding checks: nothing of the organisation's data or policy.
    expect(Object.keys(none.body).sort()).toEqual([
      'adminVerified',
      'delegation',
      'domain',
      'serviceAccount',
    ]);

    const partial = await get('boss@partial.example', '/v1/admin/overview');
    expect(partial.status).toBe(200);
    expect(partial.body.adminVerified).toBe(false);
    const missing = partial.body.delegation.filter((entry: { granted: boolean }) => !entry.granted);
    expect(missing.map((entry: { scope: string }) => entry.scope)).toEqual([USER_SCOPE]);
    expect(missing[0].cause).toBe('not_granted');
  });

  it('never takes an unverifiable caller for an admin: the admin routes stay closed', async () => {
    for (const who of ['boss@onboard.example', 'staff@onboard.example']) {
      expect((await get(who, '/v1/admin/overview')).body.adminVerified).toBe(false);
      for (const path of ['/v1/shares?view=domain', '/v1/admin/audit-export', '/v1/admin/activity'])
        expect((await get(who, path)).status).toBe(403);
      const put = await h.request('PUT', '/v1/tenants/onboard.example/policy', {
        token: h.token(who),
        body: OPEN_POLICY,
      });
      expect(put.status).toBe(403);
    }
  });

  it('still turns away a verified non-admin of a delegated organisation', async () => {
    const answer = await get(ALICE, '/v1/admin/overview');
    expect([answer.status, answer.body.error.code]).toEqual([403, 'not_admin']);
  });

  it('defaults support access to approval until an admin chooses, and says whether one has', async () => {
    const before = await get(ADMIN, '/v1/admin/overview');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      adminVerified: true,
      policyChosen: false,
      policy: { supportAccess: 'approval_required' },
      domains: ['acme.example'],
      directoryAdmins: { usable: 1, known: 1 },
    });
    await h.setPolicy('acme.example', { supportAccess: 'disabled' });
    const after = await get(ADMIN, '/v1/admin/overview');
    expect(after.body).toMatchObject({ policyChosen: true, policy: { supportAccess: 'disabled' } });
  });

  it('downloads the audit trail as a CSV file through a short-lived signed link, audited', async () => {
    const link = await get(ADMIN, '/v1/admin/audit-export');
    expect(link.status).toBe(200);
    expect(link.body.path).toMatch(/^\/v1\/admin\/audit-export\/download\?/);
    expect(Date.parse(link.body.expiresAt) - h.now).toBe(300_000);
    const file = await h.request('GET', link.body.path);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(file.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-acme\.example-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(file.text.split('\r\n')[0]).toBe(
      'seq,received_at,occurred_at,type,actor,target,share_id,outcome,origin,detail',
    );
    expect(file.text).toContain('policy.changed');
    const exported = (await h.eventTypes('acme.example')).filter(
      (event) => event.type === 'admin.audit_exported',
    );
    expect(exported.map((event) => event.actor)).toEqual([ADMIN]);

    const tampered = link.body.path.replace('tenant=acme.example', 'tenant=globex.example');
    expect((await h.request('GET', tampered)).status).toBe(403);
    const forged = link.body.path.replace(/signature=[^&]+/, `signature=${'A'.repeat(43)}`);
    expect((await h.request('GET', forged)).status).toBe(403);
    h.now += 301_000;
    const late = await h.request('GET', link.body.path);
    expect([late.status, late.body.error.code]).toEqual([410, 'link_expired']);
  });

  it('hands every label of a person who leaves over to a colleague, audited per label', async () => {
    const customers = await share(ALICE, 'Customers', [user(BOB)]);
    const suppliers = await share(ALICE, 'Suppliers', [user(CAROL, 'edit')]);
    const bobs = await share(BOB, 'Press', [user(ALICE)]);
    expect([customers.status, suppliers.status, bobs.status]).toEqual([201, 201, 201]);
    const handed = await h.request('POST', '/v1/admin/hand-over', {
      token: h.token(ADMIN),
      body: { from: ALICE, to: CAROL },
    });
    expect(handed.status).toBe(200);
    expect(handed.body.offered).toBe(2);
    expect([...handed.body.shareIds].sort()).toEqual([customers.body.id, suppliers.body.id].sort());
    for (const id of [customers.body.id, suppliers.body.id]) {
      const read = await get(ADMIN, `/v1/shares/${id}`);
      expect(read.body.offeredTo).toBe(CAROL);
      expect(read.body.grants).toContainEqual({
        target: { kind: 'user', email: CAROL },
        level: expect.any(String),
      });
    }
    expect((await get(ADMIN, `/v1/shares/${bobs.body.id}`)).body.offeredTo ?? null).toBeNull();
    const types = (await h.eventTypes('acme.example')).map((event) => event.type);
    expect(types.filter((type) => type === 'share.ownership_offered')).toHaveLength(2);
    expect(types).toContain('admin.shares_handed_over');

    const accepted = await h.request('POST', `/v1/shares/${customers.body.id}/transfer/accept`, {
      token: h.token(CAROL),
      body: { labelResourceName: 'contactGroups/none' },
    });
    // Carol's sidebar names one of her own labels; the offer is hers to take.
    expect(accepted.body.error?.code).toBe('not_your_label');

    const outside = await h.request('POST', '/v1/admin/hand-over', {
      token: h.token(ADMIN),
      body: { from: ALICE, to: 'zed@globex.example' },
    });
    expect([outside.status, outside.body.error.code]).toEqual([403, 'outside_customer']);
  });

  it('lists recent activity with the labels’ names, by person and kind', async () => {
    const all = await get(ADMIN, '/v1/admin/activity?pageSize=100');
    expect(all.status).toBe(200);
    const created = all.body.events.find(
      (event: { type: string; labelName: string }) =>
        event.type === 'share.created' && event.labelName === 'Customers',
    );
    expect(created).toMatchObject({
      actor: ALICE,
      detail: { audience: `user:${BOB}=view` },
    });
    const times = all.body.events.map((event: { receivedAt: string }) => event.receivedAt);
    expect([...times].sort().reverse()).toEqual(times);

    const bobOnly = await get(ADMIN, `/v1/admin/activity?person=${BOB}&kind=sharing`);
    expect(bobOnly.body.events.length).toBeGreaterThan(0);
    for (const event of bobOnly.body.events) {
      expect(event.type).toMatch(/^share\./);
      expect([event.actor, event.target]).toContain(BOB);
    }
    const policy = await get(ADMIN, '/v1/admin/activity?kind=policy');
    expect(policy.body.events.map((event: { type: string }) => event.type)).toContain(
      'policy.changed',
    );
  });
});

describe('the admin card when the backend’s clock and Google’s disagree', () => {
  it('opens the onboarding checks instead of turning the admin away', async () => {
    const skewed = await startEmulatedHarness(
      'pglite',
      {},
      { clock: () => Date.now() + 3_600_000 },
    );
    try {
      const answer = await skewed.request('GET', '/v1/admin/overview', {
        token: skewed.token(ADMIN),
      });
      expect(answer.status).toBe(200);
      expect(answer.body.adminVerified).toBe(false);
      expect(answer.body.delegation[0].reason).toMatch(/iat and exp/);
      expect(answer.body.delegation[0].cause).toBe('clock');
    } finally {
      await skewed.close();
    }
  });
});
