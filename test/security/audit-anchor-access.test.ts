/**
 * This file tests who may use the audit-anchor endpoints added by issue 14 (POST
 * /v1/audit/anchors, GET /v1/audit/anchors/latest), on PGlite and PostgreSQL: the lowest-level
 * participant of a share, a user of another customer, an account without `hd` and a support
 * agent outside any session are refused; each refusal is audited in the caller's own tenant chain
 * (none for an account without `hd`, which has none) and never in a chain the caller names; the
 * anchored verification itself stays with the tenant's admins and the vendor's security managers.
 */
import { DATABASES } from '../backend/harness';
import { startEmulatedHarness, type EmulatedHarness } from '../backend/emulated';
import { AGENT, MANAGER } from '../fixtures/staff';

describe.each(DATABASES)('audit-anchor endpoints refuse outsiders on %s', (kind) => {
  let h: EmulatedHarness;
  beforeAll(async () => {
    h = await startEmulatedHarness(kind, {}, {}, undefined, { anchoring: true });
    const share = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: 'contactGroups/a',
        labelName: 'A',
        grants: [{ target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' }],
      },
    });
    expect(share.status).toBe(201);
    const published = await h.request('POST', '/v1/audit/anchors', {
      token: h.token(MANAGER, { hostedDomain: 'vendor.example' }),
      body: {},
    });
    expect(published.status).toBe(201);
  });
  afterAll(async () => {
    await h.close();
  });

  const denials = async (tenant: string) =>
    (
      await h.server.backend.services.audit.query({
        tenant,
        type: 'audit.anchor_denied',
        limit: 100,
      })
    ).events;

  it.each([
    ['the lowest-level participant of a share', 'bob@acme.example', 'acme.example'],
    ['a user of another customer', 'zed@globex.example', 'globex.example'],
    ['a support agent outside any session', AGENT, 'vendor.example'],
  ])(
    'refuses %s publishing or reading anchors, audited in their own chain',
    async (_who, email, home) => {
      const token = h.token(email);
      const before = (await denials(home)).length;
      const publish = await h.request('POST', '/v1/audit/anchors', { token, body: {} });
      expect(publish.status).toBe(403);
      const read = await h.request('GET', '/v1/audit/anchors/latest?tenant=acme.example', {
        token,
      });
      expect(read.status).toBe(403);
      expect(read.body).toEqual({
        error: { code: expect.any(String), message: expect.any(String) },
      });
      const events = await denials(home);
      expect(events.length).toBe(before + 2);
      expect(events.slice(-2)).toEqual([
        expect.objectContaining({
          actor: email,
          outcome: 'denied',
          detail: { operation: 'publish', reason: 'forbidden' },
        }),
        expect.objectContaining({
          actor: email,
          outcome: 'denied',
          detail: expect.objectContaining({ operation: 'read' }),
        }),
      ]);
      if (home !== 'acme.example')
        expect((await denials('acme.example')).map((event) => event.actor)).not.toContain(email);
    },
  );

  it('refuses an account without hd, writing into no chain', async () => {
    const token = h.token('someone@gmail.example', { hostedDomain: undefined });
    expect((await h.request('POST', '/v1/audit/anchors', { token, body: {} })).status).toBe(403);
    const read = await h.request('GET', '/v1/audit/anchors/latest', { token });
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('no_tenant');
    const chains = await h.server.backend.services.db.query<{ tenant: string }>(
      "SELECT tenant FROM audit_heads WHERE tenant = 'gmail.example'",
    );
    expect(chains).toEqual([]);
  });

  it("gives the anchored verification to the tenant's admins and security managers only", async () => {
    const admin = await h.request('GET', '/v1/audit/anchors/latest', {
      token: h.token('admin@acme.example'),
    });
    expect(admin.body).toMatchObject({ tenant: 'acme.example', status: 'verified' });
    const verify = await h.request('GET', '/v1/audit/verify', {
      token: h.token('admin@acme.example'),
    });
    expect(verify.body).toMatchObject({ ok: true, anchor: { status: 'verified' } });
    for (const email of ['bob@acme.example', 'zed@globex.example', AGENT])
      expect(
        (await h.request('GET', '/v1/audit/verify?tenant=acme.example', { token: h.token(email) }))
          .status,
      ).toBe(403);
  });
});
