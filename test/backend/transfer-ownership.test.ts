/**
 * This file tests the transfer of a share's ownership over HTTP on PGlite and PostgreSQL: the
 * owner hands the share to a user member, who becomes the owner while the former owner keeps
 * `manage`; non-owners, non-members and other domains' users are refused, and everything is
 * audited.
 */
import { DATABASES } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';

describe.each(DATABASES)('transfer of ownership on %s', (kind) => {
  let h: EmulatedHarness;
  beforeAll(async () => {
    h = await startEmulatedHarness(kind);
    const policy = await h.request('PUT', '/v1/tenants/acme.example/policy', {
      token: h.token('admin@acme.example'),
      body: {
        externalSharing: true,
        allowedExternalDomains: ['globex.example'],
        whoMayShare: 'everyone',
        maxLevel: 'manage',
        supportAccess: 'allowed',
      },
    });
    expect(policy.status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
  });

  const user = (email: string, level: string) => ({ target: { kind: 'user', email }, level });
  const share = async (): Promise<string> => {
    const created = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: 'contactGroups/alice1',
        labelName: 'Customers',
        grants: [
          user('bob@acme.example', 'manage'),
          user('carol@acme.example', 'view'),
          user('zed@globex.example', 'view'),
          { target: { kind: 'group', email: 'team@acme.example' }, level: 'view' },
        ],
      },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const transfer = (id: string, by: string, owner: string) =>
    h.request('PATCH', `/v1/shares/${id}`, {
      token: h.token(by),
      body: { owner, labelResourceName: 'contactGroups/bob1' },
    });
  const events = async (type: string) =>
    (await h.request('GET', `/v1/events?type=${type}`, { token: h.token('admin@acme.example') }))
      .body.events as { shareId: string; target?: string; detail?: Record<string, unknown> }[];

  it('makes a user member the owner with their label; the former owner keeps manage', async () => {
    const id = await share();
    const response = await transfer(id, 'alice@acme.example', 'Bob@acme.example');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      owner: 'bob@acme.example',
      labelResourceName: 'contactGroups/bob1',
      labelName: 'Customers',
    });
    expect(response.body.grants).toEqual([
      user('alice@acme.example', 'manage'),
      user('carol@acme.example', 'view'),
      user('zed@globex.example', 'view'),
      { target: { kind: 'group', email: 'team@acme.example' }, level: 'view' },
    ]);
    const asBob = await h.request('GET', `/v1/shares/${id}`, {
      token: h.token('bob@acme.example'),
    });
    expect(asBob.body.myLevel).toBe('owner');
    const asAlice = await h.request('GET', `/v1/shares/${id}`, {
      token: h.token('alice@acme.example'),
    });
    expect(asAlice.body.myLevel).toBe('manage');
    const mine = await h.request('GET', '/v1/shares?view=mine', {
      token: h.token('bob@acme.example'),
    });
    expect(mine.body.shares.map((found: { id: string }) => found.id)).toContain(id);
    const recorded = (await events('share.ownership_transferred')).find(
      (event) => event.shareId === id,
    );
    expect(recorded).toMatchObject({
      target: 'bob@acme.example',
      detail: { formerOwner: 'alice@acme.example' },
    });
    // The former owner may no longer transfer it back: only bob may.
    const back = await transfer(id, 'alice@acme.example', 'alice@acme.example');
    expect(back.status).toBe(403);
    expect(back.body.error.code).toBe('insufficient_level');
  });

  it('refuses non-owners, non-members, group-only members and other domains, and audits it', async () => {
    const id = await share();
    const cases: [string, string, string][] = [
      ['bob@acme.example', 'bob@acme.example', 'insufficient_level'],
      ['alice@acme.example', 'dave@acme.example', 'transfer_not_participant'],
      ['alice@acme.example', 'team@acme.example', 'transfer_not_participant'],
      ['alice@acme.example', 'alice@acme.example', 'transfer_not_participant'],
      ['alice@acme.example', 'zed@globex.example', 'transfer_other_domain'],
    ];
    for (const [by, to, code] of cases) {
      const response = await transfer(id, by, to);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toEqual(expect.any(String));
    }
    const denied = (await events('share.denied')).filter((event) => event.shareId === id);
    expect(denied.map((event) => event.detail?.reason)).toEqual(
      expect.arrayContaining(cases.map(([, , code]) => code)),
    );
    const unchanged = await h.request('GET', `/v1/shares/${id}`, {
      token: h.token('alice@acme.example'),
    });
    expect(unchanged.body.owner).toBe('alice@acme.example');
    const mixed = await h.request('PATCH', `/v1/shares/${id}`, {
      token: h.token('alice@acme.example'),
      body: { owner: 'bob@acme.example', labelResourceName: 'contactGroups/b', labelName: 'X' },
    });
    expect(mixed.status).toBe(400);
  });
});
