/**
 * This file tests the share registry and tenant policy over HTTP on PGlite and PostgreSQL, with
 * admin checks answered by the Workspace API emulator's Directory API: creating, listing, reading,
 * changing and revoking shares at each level, and policy reads, changes and enforcement.
 */
import { DATABASES } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';
import { serveForSuite } from '../fixtures/suite-server';

describe.each(DATABASES)('share registry and policy on %s', (kind) => {
  let h: EmulatedHarness;
  serveForSuite(async () => (h = await startEmulatedHarness(kind)));

  const as = (email: string) => h.token(email);
  const createShare = (owner: string, grants: unknown[], extra: Record<string, unknown> = {}) =>
    h.request('POST', '/v1/shares', {
      token: as(owner),
      body: { labelResourceName: 'contactGroups/abc123', labelName: 'Suppliers', grants, ...extra },
    });
  const user = (email: string, level: string) => ({ target: { kind: 'user', email }, level });

  it('registers a share owned by the caller in their tenant, and audits it', async () => {
    const response = await createShare('alice@acme.example', [user('Bob@Acme.example', 'edit')], {
      hiddenFields: ['phoneNumbers'],
      owner: 'mallory@acme.example',
    });
    expect(response.status).toBe(400); // unknown field "owner": the owner is never taken from the body
    const created = await createShare('alice@acme.example', [user('Bob@Acme.example', 'edit')], {
      hiddenFields: ['phoneNumbers'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      domain: 'acme.example',
      owner: 'alice@acme.example',
      grants: [user('bob@acme.example', 'edit')],
      hiddenFields: ['phoneNumbers'],
    });
    const events = await h.request('GET', `/v1/events?type=share.created`, {
      token: as('admin@acme.example'),
    });
    expect(events.status).toBe(200);
    expect(events.body.events.map((e: { shareId: string }) => e.shareId)).toContain(
      created.body.id,
    );
  });

  it('lists mine, shared with me (users, groups, domain) and the whole domain for admins', async () => {
    const mine = await createShare('dave@acme.example', [
      user('bob@acme.example', 'view'),
      { target: { kind: 'group', email: 'team@acme.example' }, level: 'contribute' },
    ]);
    const domainWide = await createShare('dave@acme.example', [
      { target: { kind: 'domain', domain: 'acme.example' }, level: 'view' },
    ]);
    const ids = (response: { body: { shares: { id: string }[] } }) =>
      response.body.shares.map((s) => s.id);
    expect(
      ids(await h.request('GET', '/v1/shares?view=mine', { token: as('dave@acme.example') })),
    ).toEqual(expect.arrayContaining([mine.body.id, domainWide.body.id]));
    const bobs = await h.request('GET', '/v1/shares?view=sharedWithMe', {
      token: as('bob@acme.example'),
    });
    expect(ids(bobs)).toEqual(expect.arrayContaining([mine.body.id, domainWide.body.id]));
    expect(bobs.body.shares.find((s: { id: string }) => s.id === mine.body.id).myLevel).toBe(
      'view',
    );
    expect(
      ids(
        await h.request('GET', '/v1/shares?view=sharedWithMe', { token: as('zed@globex.example') }),
      ),
    ).toEqual([]);
    expect(
      (await h.request('GET', '/v1/shares?view=domain', { token: as('bob@acme.example') })).status,
    ).toBe(403);
    const all = await h.request('GET', '/v1/shares?view=domain', {
      token: as('admin@acme.example'),
    });
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual(expect.arrayContaining([mine.body.id, domainWide.body.id]));
    // Both of a caller's lists in one request (the sidebar's homepage).
    const both = await h.request('GET', '/v1/shares?view=participating', {
      token: as('dave@acme.example'),
    });
    expect(both.status).toBe(200);
    expect(both.body.mine.map((s: { id: string }) => s.id)).toEqual(
      ids(await h.request('GET', '/v1/shares?view=mine', { token: as('dave@acme.example') })),
    );
    expect(both.body.sharedWithMe).toEqual([]);
    const bobsBoth = await h.request('GET', '/v1/shares?view=participating', {
      token: as('bob@acme.example'),
    });
    expect(bobsBoth.body.mine).toEqual([]);
    expect(bobsBoth.body.sharedWithMe).toEqual(bobs.body.shares);
  });

  it('lets participants read a share, and hides it from everyone else', async () => {
    const share = await createShare('alice@acme.example', [user('bob@acme.example', 'view')]);
    const path = `/v1/shares/${share.body.id}`;
    expect((await h.request('GET', path, { token: as('bob@acme.example') })).body.myLevel).toBe(
      'view',
    );
    expect((await h.request('GET', path, { token: as('carol@acme.example') })).status).toBe(404);
    expect((await h.request('GET', path, { token: as('zed@globex.example') })).status).toBe(404);
    expect((await h.request('GET', path, { token: as('admin@acme.example') })).status).toBe(200);
  });

  it('allows grant changes to managers up to their level, renames to owners only', async () => {
    const share = await createShare('alice@acme.example', [
      user('bob@acme.example', 'manage'),
      user('carol@acme.example', 'edit'),
    ]);
    const path = `/v1/shares/${share.body.id}`;
    const newGrants = [user('bob@acme.example', 'manage'), user('dave@acme.example', 'view')];
    const byEditor = await h.request('PATCH', path, {
      token: as('carol@acme.example'),
      body: { grants: newGrants },
    });
    expect(byEditor.status).toBe(403);
    const byManager = await h.request('PATCH', path, {
      token: as('bob@acme.example'),
      body: { grants: newGrants },
    });
    expect(byManager.status).toBe(200);
    expect(byManager.body.grants).toEqual(newGrants);
    const rename = await h.request('PATCH', path, {
      token: as('bob@acme.example'),
      body: { labelName: 'X' },
    });
    expect(rename.status).toBe(403);
    const byOwner = await h.request('PATCH', path, {
      token: as('alice@acme.example'),
      body: { labelName: "O'Brien; --" },
    });
    expect(byOwner.body.labelName).toBe("O'Brien; --");
    expect(
      (await h.request('PATCH', path, { token: as('alice@acme.example'), body: {} })).status,
    ).toBe(400);
  });

  it('lets only the owner or an admin revoke, after which the share is gone', async () => {
    const share = await createShare('alice@acme.example', [user('bob@acme.example', 'manage')]);
    const path = `/v1/shares/${share.body.id}`;
    expect((await h.request('DELETE', path, { token: as('bob@acme.example') })).status).toBe(403);
    expect((await h.request('DELETE', path, { token: as('alice@acme.example') })).body).toEqual({
      id: share.body.id,
      revoked: true,
    });
    expect((await h.request('GET', path, { token: as('alice@acme.example') })).status).toBe(404);
    const other = await createShare('alice@acme.example', []);
    expect(
      (
        await h.request('DELETE', `/v1/shares/${other.body.id}`, {
          token: as('admin@acme.example'),
        })
      ).status,
    ).toBe(200);
  });

  it('keeps every share inside the organisation: no user, group or domain of another customer', async () => {
    const response = await createShare('alice@acme.example', [user('zed@globex.example', 'view')]);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('outside_customer');
    expect(response.body.error.message).toContain('outside your organisation');
    const byDomain = await createShare('alice@acme.example', [
      { target: { kind: 'domain', domain: 'globex.example' }, level: 'view' },
    ]);
    expect([byDomain.status, byDomain.body.error.code]).toEqual([403, 'outside_customer']);
  });

  describe('tenant policy', () => {
    const policy = {
      externalSharing: false,
      allowedExternalDomains: [],
      whoMayShare: 'admins',
      maxLevel: 'edit',
      supportAccess: 'approval_required',
    };
    const put = (email: string, domain = 'acme.example', body: unknown = policy) =>
      h.request('PUT', `/v1/tenants/${domain}/policy`, { token: as(email), body });

    it('is read by the tenant users and changed by its admins only, with an audit event', async () => {
      expect(
        (
          await h.request('GET', '/v1/tenants/acme.example/policy', {
            token: as('bob@acme.example'),
          })
        ).body.policy,
      ).toMatchObject({ externalSharing: false });
      expect(
        (
          await h.request('GET', '/v1/tenants/acme.example/policy', {
            token: as('zed@globex.example'),
          })
        ).status,
      ).toBe(403);
      expect((await put('bob@acme.example')).status).toBe(403);
      expect((await put('zed@globex.example')).status).toBe(403);
      expect(
        (await put('admin@acme.example', 'acme.example', { ...policy, extra: true })).status,
      ).toBe(400);
      const external = await put('admin@acme.example', 'acme.example', {
        ...policy,
        externalSharing: true,
        allowedExternalDomains: ['globex.example'],
      });
      expect([external.status, external.body.error.code]).toEqual([
        400,
        'external_sharing_unavailable',
      ]);
      const changed = await put('admin@acme.example');
      expect(changed.status).toBe(200);
      expect(
        (
          await h.request('GET', '/v1/tenants/acme.example/policy', {
            token: as('bob@acme.example'),
          })
        ).body.policy,
      ).toEqual(policy);
      const events = await h.request('GET', '/v1/events?type=policy.changed', {
        token: as('admin@acme.example'),
      });
      expect(events.body.events.at(-1)).toMatchObject({
        actor: 'admin@acme.example',
        detail: { maxLevel: 'edit', whoMayShare: 'admins', externalSharing: false },
      });
    });

    it('is enforced on shares: who may share, maximum level, and never outside the organisation', async () => {
      await put('admin@acme.example');
      expect((await createShare('alice@acme.example', [])).body.error.code).toBe(
        'policy_who_may_share',
      );
      expect(
        (await createShare('admin@acme.example', [user('bob@acme.example', 'manage')])).body.error
          .code,
      ).toBe('policy_max_level');
      expect(
        (await createShare('admin@acme.example', [user('bob@acme.example', 'edit')])).status,
      ).toBe(201);
      expect(
        (await createShare('admin@acme.example', [user('zed@globex.example', 'edit')])).body.error
          .code,
      ).toBe('outside_customer');
      await put('admin@acme.example', 'acme.example', {
        externalSharing: false,
        allowedExternalDomains: [],
        whoMayShare: 'everyone',
        maxLevel: 'manage',
        supportAccess: 'allowed',
      });
    });
  });
});
