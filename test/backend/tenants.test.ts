/**
 * This file tests the tenant model on PGlite and PostgreSQL (DESIGN.md §6): a tenant is a
 * Workspace customer with all of its domains, learnt from the Directory API; one policy, one
 * audit trail and one support view cover every domain; the directory is read as any current
 * admin; rows kept under a domain before customers were known are carried over.
 */
import { DATABASES } from './harness';
import { DELEGATED_SCOPES } from './emulated';
import {
  ADMIN,
  AGENT,
  MANAGER,
  startSupportHarness,
  type SupportHarness,
} from './support/support-harness';
import { OPEN_POLICY } from '../fixtures/policy';

describe.each(DATABASES)('the tenant is the Workspace customer, on %s', (kind) => {
  let h: SupportHarness;
  let secret: Uint8Array;
  const TRI_ADMIN = 'admin@tri.example';
  const ANA = 'ana@tri.example';
  const EVA = 'eva@tri-eu.example';
  const UMA = 'uma@tri-us.example';
  const policy = (who: string, domain: string, changes: Record<string, unknown>) =>
    h.request('PUT', `/v1/tenants/${domain}/policy`, {
      token: h.token(who),
      body: { ...OPEN_POLICY, ...changes },
    });
  const share = (owner: string, grants: unknown[], label = 'contactGroups/l1') =>
    h.request('POST', '/v1/shares', {
      token: h.token(owner),
      body: { labelResourceName: label, labelName: 'Customers', grants },
    });
  const user = (email: string, level = 'view') => ({ target: { kind: 'user', email }, level });
  const chain = async (tenant: string) =>
    (
      await h.request('GET', `/v1/events?tenant=${tenant}&pageSize=500`, {
        token: h.token(MANAGER),
      })
    ).body.events as {
      type: string;
      actor: string;
      target?: string;
      detail: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    h = await startSupportHarness(kind);
    h.emulator.addCustomer(
      'tri.example',
      ['tri-eu.example', 'tri-us.example'],
      ['tri-alias.example'],
    );
    h.emulator.grantDomainWideDelegation('tri.example', h.clientId, DELEGATED_SCOPES);
    h.emulator.addUser(TRI_ADMIN, { isAdmin: true });
    h.emulator.addUser('admin2@tri-eu.example', { isAdmin: true });
    for (const email of [ANA, EVA, UMA]) h.emulator.addUser(email);
    h.emulator.addGroup('team@tri-us.example', 'Team');
    h.emulator.addGroupMember('team@tri-us.example', UMA);
    expect((await policy(TRI_ADMIN, 'tri.example', {})).status).toBe(200);
    secret = (await h.enrolAndVerify(AGENT)).secret;
  });
  afterAll(async () => {
    await h.close();
  });

  it('lets users of all three domains share with each other as insiders', async () => {
    const created = await share(EVA, [
      user(ANA),
      user(UMA, 'edit'),
      user('ana@tri-alias.example'),
      { target: { kind: 'group', email: 'team@tri-us.example' }, level: 'view' },
      { target: { kind: 'domain', domain: 'tri-us.example' }, level: 'view' },
    ]);
    expect(created.status).toBe(201);
    expect(created.body.domain).toBe('tri.example');
    for (const [who, level] of [
      [ANA, 'view'],
      [UMA, 'edit'],
    ] as const) {
      const read = await h.request('GET', `/v1/shares/${created.body.id}`, { token: h.token(who) });
      expect([read.status, read.body.myLevel]).toEqual([200, level]);
    }
    const listed = await h.request('GET', '/v1/shares?view=sharedWithMe', { token: h.token(UMA) });
    expect(listed.body.shares.map((s: { id: string }) => s.id)).toContain(created.body.id);
    // The owner sees who the group and the domain hold, across the customer's domains.
    const members = await h.request('GET', `/v1/shares/${created.body.id}/members`, {
      token: h.token(EVA),
    });
    expect(members.body.groups).toEqual([
      { email: 'team@tri-us.example', members: [UMA], count: 1, complete: true },
    ]);
    expect(members.body.domains).toEqual([
      { domain: 'tri-us.example', users: [UMA], count: 1, complete: true },
    ]);
  });

  it('accepts an ID token whose hd is another domain of the same customer, and no other', async () => {
    const primaryHd = h.token(EVA, { hostedDomain: 'tri.example' });
    const me = await h.request('GET', '/v1/support/me', { token: primaryHd });
    expect(me.body.tenant).toBe('tri.example');
    const foreignHd = h.token(EVA, { hostedDomain: 'acme.example' });
    const refused = await h.request('GET', '/v1/shares', { token: foreignHd });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'identity_mismatch']);
  });

  it('applies one policy, set through any of its domains, to users of every domain', async () => {
    expect((await policy(TRI_ADMIN, 'tri-us.example', { maxLevel: 'view' })).status).toBe(200);
    for (const owner of [ANA, EVA, UMA]) {
      const answer = await share(owner, [user(owner === ANA ? EVA : ANA, 'edit')]);
      expect([answer.status, answer.body.error.code]).toEqual([403, 'policy_max_level']);
    }
    const read = await h.request('GET', '/v1/tenants/tri-eu.example/policy', {
      token: h.token(UMA),
    });
    expect(read.body).toMatchObject({ domain: 'tri.example', policy: { maxLevel: 'view' } });
    expect(read.body.domains).toEqual(
      expect.arrayContaining([
        'tri.example',
        'tri-eu.example',
        'tri-us.example',
        'tri-alias.example',
      ]),
    );
    expect((await policy(TRI_ADMIN, 'tri.example', {})).status).toBe(200);
  });

  it('holds support disabled for every domain, and shows the admins sessions for users of all of them', async () => {
    const open = (targetUser: string, tenant: string) =>
      h.openSession(AGENT, { tenant, targetUser, ticket: 'T-7', justification: 'Customer asked' });
    for (const [target, named] of [
      [ANA, 'tri.example'],
      [EVA, 'tri-eu.example'],
      [UMA, 'tri.example'],
    ] as const) {
      expect((await open(target, named)).status).toBe(201);
      // Three users within ten minutes would raise the distinct-users alert (alerts.test.ts).
      h.now += 11 * 60_000;
    }
    const view = await h.request('GET', '/v1/support/transparency', { token: h.token(TRI_ADMIN) });
    expect(view.body.tenant).toBe('tri.example');
    expect(view.body.sessions.map((s: { targetUser: string }) => s.targetUser)).toEqual(
      expect.arrayContaining([ANA, EVA, UMA]),
    );
    // The agent's second factor proof lasts 30 minutes: a fresh code.
    expect((await h.verify(AGENT, h.code(secret))).status).toBe(200);
    expect((await policy(TRI_ADMIN, 'tri-eu.example', { supportAccess: 'disabled' })).status).toBe(
      200,
    );
    for (const [target, named] of [
      [ANA, 'tri.example'],
      [EVA, 'tri-eu.example'],
      [UMA, 'tri-us.example'],
    ] as const) {
      const refused = await open(target, named);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'support_disabled']);
    }
    expect((await policy(TRI_ADMIN, 'tri.example', {})).status).toBe(200);
  });

  it('reads the directory as any current admin: the one who saved the policy may leave', async () => {
    // A second admin opens the admin card once; then the first loses the role.
    const overview = await h.request('GET', '/v1/admin/overview', {
      token: h.token('admin2@tri-eu.example'),
    });
    expect(overview.status).toBe(200);
    expect(overview.body.domains).toEqual(
      expect.arrayContaining(['tri.example', 'tri-eu.example', 'tri-us.example']),
    );
    h.emulator.setAdmin(TRI_ADMIN, false);
    h.now += 10 * 60_000;
    const created = await share(
      EVA,
      [{ target: { kind: 'group', email: 'team@tri-us.example' }, level: 'view' }],
      'contactGroups/l2',
    );
    expect(created.status).toBe(201);
    const read = await h.request('GET', `/v1/shares/${created.body.id}`, { token: h.token(UMA) });
    expect([read.status, read.body.myLevel]).toEqual([200, 'view']);
    const after = await h.request('GET', '/v1/admin/overview', {
      token: h.token('admin2@tri-eu.example'),
    });
    expect(after.body.directoryAdmins).toEqual({ usable: 1, known: 2 });
    h.emulator.setAdmin(TRI_ADMIN, true);
  });

  it('carries rows kept under a domain before customers were known over to its customer', async () => {
    h.emulator.addCustomer('old.example', ['old-eu.example']);
    h.emulator.grantDomainWideDelegation('old.example', h.clientId, DELEGATED_SCOPES);
    h.emulator.addUser('admin@old.example', { isAdmin: true });
    h.emulator.addUser('olga@old-eu.example');
    h.emulator.addUser('oscar@old.example');
    const services = h.server.backend.services;
    const now = new Date(h.now).toISOString();
    // What the backend held when old-eu.example was a tenant of its own.
    await services.db.query(
      `INSERT INTO tenant_policies (domain, policy, updated_at, updated_by) VALUES ($1, $2, $3, $4)`,
      [
        'old-eu.example',
        JSON.stringify({ ...OPEN_POLICY, supportAccess: 'disabled' }),
        now,
        'admin@old.example',
      ],
    );
    await services.db.query(
      `INSERT INTO shares (id, domain, owner, label_resource_name, label_name, grants, hidden_fields, created_at, updated_at)
       VALUES ('old-share', 'old-eu.example', 'olga@old-eu.example', 'contactGroups/o', 'O', $1, '[]', $2, $2)`,
      [JSON.stringify([user('oscar@old.example')]), now],
    );
    await services.record(services.db, 'old-eu.example', 'olga@old-eu.example', 'test', [
      { type: 'share.created', shareId: 'old-share', outcome: 'success' },
    ]);
    // The customer's first domain seen is old.example; old-eu.example joins it when seen.
    expect((await policy('admin@old.example', 'old.example', {})).status).toBe(200);
    const olga = await h.request('GET', '/v1/shares?view=mine', {
      token: h.token('olga@old-eu.example'),
    });
    expect(olga.body.shares.map((s: { domain: string }) => s.domain)).toEqual(['old.example']);
    const read = await h.request('GET', '/v1/tenants/old.example/policy', {
      token: h.token('oscar@old.example'),
    });
    expect(read.body.policy.supportAccess).toBe('disabled');
    const trail = await h.request('GET', '/v1/events?pageSize=500', {
      token: h.token('admin@old.example'),
    });
    const types = trail.body.events.map((event: { type: string }) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['share.created', 'tenant.domain_joined', 'policy.changed']),
    );
    const joined = (await chain('old.example')).find(
      (event) => event.type === 'tenant.domain_joined',
    );
    expect(joined).toMatchObject({
      target: 'old-eu.example',
      detail: { shares: 1, policy: 'merged', chain: true },
    });
    const verified = await h.request('GET', '/v1/audit/verify', {
      token: h.token('admin@old.example'),
    });
    expect(verified.body).toMatchObject({ ok: true, chains: ['old.example', 'old-eu.example'] });
  });

  it("keeps the acme customer's admin out of every tri domain", async () => {
    for (const domain of ['tri.example', 'tri-eu.example', 'tri-alias.example']) {
      const answer = await policy(ADMIN, domain, { supportAccess: 'allowed' });
      expect(answer.status).toBe(403);
    }
  });
});
