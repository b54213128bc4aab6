/**
 * This file tests what the backend gives the add-on's sync besides the plain registry: the
 * expansion of a share's group and domain grants (non-admin users may not list group members
 * themselves), the share gateway's reach into former participants' accounts so that their copies
 * can be removed, and the audit of refused share requests. It runs on PGlite against the Workspace API emulator.
 */
import { startEmulatedHarness, type EmulatedHarness } from '../backend/emulated';
import { OPEN_POLICY } from '../fixtures/policy';

describe('the registry as the sync needs it', () => {
  let h: EmulatedHarness;
  let shareId: string;
  const as = (email: string) => ({ token: h.token(email) });
  const reach = (caller: string, account: string) =>
    h.request('POST', `/v1/shares/${shareId}/gateway/list-groups`, {
      ...as(caller),
      body: { account },
    });
  const copyInto = (caller: string, account: string) =>
    h.request('POST', `/v1/shares/${shareId}/gateway/write`, {
      ...as(caller),
      body: {
        account,
        write: {
          kind: 'createGroup',
          name: 'Customers',
          clientData: [
            {
              key: `sharedContacts:${shareId}`,
              value: 'v1|alice@acme.example|contactGroups/customers',
            },
          ],
        },
      },
    });
  const events = async (type: string) =>
    (await h.request('GET', `/v1/events?type=${type}&pageSize=500`, as('admin@acme.example'))).body
      .events as {
      actor: string;
      target?: string;
      shareId?: string;
      outcome: string;
      detail: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    h = await startEmulatedHarness('pglite');
    h.emulator.addGroup('sales@acme.example', 'Sales');
    h.emulator.addGroupMember('sales@acme.example', 'carol@acme.example');
    h.emulator.addGroupMember('sales@acme.example', 'team@acme.example');
    h.emulator.addGroupMember('team@acme.example', 'dave@acme.example');
    expect(
      (
        await h.request('PUT', '/v1/tenants/acme.example/policy', {
          ...as('admin@acme.example'),
          body: OPEN_POLICY,
        })
      ).status,
    ).toBe(200);
    const created = await h.request('POST', '/v1/shares', {
      ...as('alice@acme.example'),
      body: {
        labelResourceName: 'contactGroups/customers',
        labelName: 'Customers',
        grants: [
          { target: { kind: 'user', email: 'bob@acme.example' }, level: 'edit' },
          { target: { kind: 'group', email: 'sales@acme.example' }, level: 'view' },
          { target: { kind: 'domain', domain: 'acme.example' }, level: 'view' },
        ],
      },
    });
    shareId = created.body.id;
  });
  afterAll(() => h.close());

  it('expands groups (nested included) and domains for the owner, and counts them for others', async () => {
    const response = await h.request(
      'GET',
      `/v1/shares/${shareId}/members`,
      as('alice@acme.example'),
    );
    expect(response.status).toBe(200);
    expect(response.body.groups).toEqual([
      {
        email: 'sales@acme.example',
        members: expect.arrayContaining(['carol@acme.example', 'dave@acme.example']),
        count: 2,
        complete: true,
      },
    ]);
    expect(response.body.groups[0].members).toHaveLength(2);
    const everyone = ['admin', 'alice', 'bob', 'carol', 'dave', 'erin'].map(
      (name) => `${name}@acme.example`,
    );
    expect([...response.body.domains[0].users].sort()).toEqual(everyone);
    // An editor writes to every copy, so the lists are expanded for bob too (he may view the sales
    // group's members: anyone in the domain may).
    const asBob = await h.request('GET', `/v1/shares/${shareId}/members`, as('bob@acme.example'));
    expect(asBob.body.groups).toEqual([
      {
        email: 'sales@acme.example',
        members: ['carol@acme.example', 'dave@acme.example'],
        count: 2,
        complete: true,
      },
    ]);
    expect(asBob.body.domains[0]).toMatchObject({ count: everyone.length, complete: true });
    // A view participant writes to no one else: counts, and only themselves among the members.
    const asCarol = await h.request(
      'GET',
      `/v1/shares/${shareId}/members`,
      as('carol@acme.example'),
    );
    expect(asCarol.body.groups[0]).toMatchObject({
      members: ['carol@acme.example'],
      count: 2,
      complete: false,
    });
    expect(asCarol.body.domains).toEqual([
      {
        domain: 'acme.example',
        users: ['carol@acme.example'],
        count: everyone.length,
        complete: false,
      },
    ]);
  });

  it('refuses the expansion to outsiders, and audits the refusal', async () => {
    const response = await h.request(
      'GET',
      `/v1/shares/${shareId}/members`,
      as('zed@globex.example'),
    );
    expect(response.status).toBe(404);
    const globex = await h.request('GET', '/v1/events?type=share.denied', {
      token: h.token('zed@globex.example'),
    });
    // zed is no admin of globex: the event exists in globex's chain but only admins read it.
    expect(globex.status).toBe(403);
  });

  it('reaches a former participant only when the share reached them before', async () => {
    expect((await copyInto('alice@acme.example', 'bob@acme.example')).status).toBe(200);
    const patched = await h.request('PATCH', `/v1/shares/${shareId}`, {
      ...as('alice@acme.example'),
      body: { grants: [{ target: { kind: 'group', email: 'sales@acme.example' }, level: 'view' }] },
    });
    expect(patched.status).toBe(200);
    const cleanup = await reach('alice@acme.example', 'bob@acme.example');
    expect(cleanup.status).toBe(200);
    const never = await reach('alice@acme.example', 'admin@acme.example');
    expect(never.status).toBe(403);
    expect(never.body.error.code).toBe('target_not_participant');
    const calls = await events('gateway.call');
    expect(
      calls
        .filter((event) => event.target === 'bob@acme.example')
        .map((event) => event.detail.role),
    ).toEqual(['copy', 'former']);
    // The former participant himself may no longer act on the share.
    expect((await reach('bob@acme.example', 'alice@acme.example')).status).toBe(404);
  });

  it("audits refused changes of a share: above one's level, not taking part, another domain", async () => {
    const raise = await h.request('PATCH', `/v1/shares/${shareId}`, {
      ...as('carol@acme.example'),
      body: {
        grants: [{ target: { kind: 'user', email: 'carol@acme.example' }, level: 'manage' }],
      },
    });
    expect(raise.status).toBe(403);
    const outsider = await h.request('DELETE', `/v1/shares/${shareId}`, as('bob@acme.example'));
    expect(outsider.status).toBe(404);
    const denied = await events('share.denied');
    expect(denied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'carol@acme.example',
          shareId,
          outcome: 'denied',
          detail: { reason: 'insufficient_level' },
        }),
        expect.objectContaining({
          actor: 'bob@acme.example',
          shareId,
          outcome: 'denied',
          detail: { reason: 'not_found' },
        }),
      ]),
    );
    const verify = await h.request('GET', '/v1/audit/verify', as('admin@acme.example'));
    expect(verify.body).toMatchObject({ ok: true });
  });
});
