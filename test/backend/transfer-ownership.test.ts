/**
 * This file tests the transfer of a share's ownership over HTTP on PGlite and PostgreSQL: the
 * owner offers the share to a user member, who accepts with a label of their own and becomes the
 * owner while the former owner keeps `manage`; non-owners, non-members, other domains' users,
 * system groups and other people's labels are refused, and everything is audited.
 */
import { labelWith, peopleAs, type PeopleAs } from '../fixtures/emulator-people';
import { DATABASES } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';
import { OPEN_POLICY } from '../fixtures/policy';

describe.each(DATABASES)('transfer of ownership on %s', (kind) => {
  let h: EmulatedHarness;
  let people: PeopleAs;
  beforeAll(async () => {
    h = await startEmulatedHarness(kind);
    people = peopleAs(h.emulator);
    const policy = await h.request('PUT', '/v1/tenants/acme.example/policy', {
      token: h.token('admin@acme.example'),
      body: OPEN_POLICY,
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
          { target: { kind: 'group', email: 'team@acme.example' }, level: 'view' },
        ],
      },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const offer = (id: string, by: string, to: string) =>
    h.request('POST', `/v1/shares/${id}/transfer`, { token: h.token(by), body: { to } });
  const accept = (id: string, by: string, labelResourceName: string) =>
    h.request('POST', `/v1/shares/${id}/transfer/accept`, {
      token: h.token(by),
      body: { labelResourceName },
    });
  const events = async (type: string) =>
    (await h.request('GET', `/v1/events?type=${type}`, { token: h.token('admin@acme.example') }))
      .body.events as { shareId: string; target?: string; detail?: Record<string, unknown> }[];

  it('offers the share to a user member, who accepts with a label of their own; the former owner keeps manage', async () => {
    const id = await share();
    const bobsLabel = labelWith(people, 'bob@acme.example', 'Customers (Bob)', []);
    const offered = await offer(id, 'alice@acme.example', 'Bob@acme.example');
    expect(offered.status).toBe(200);
    expect(offered.body).toMatchObject({
      owner: 'alice@acme.example',
      offeredTo: 'bob@acme.example',
    });
    // Only bob accepts, and only with a label of his own: not a system group, not another's.
    expect((await accept(id, 'carol@acme.example', bobsLabel)).body.error.code).toBe('not_offered');
    const system = await accept(id, 'bob@acme.example', 'contactGroups/myContacts');
    expect([system.status, system.body.error.code]).toEqual([400, 'invalid_request']);
    const alicesLabel = labelWith(people, 'alice@acme.example', 'Not bob’s', []);
    const foreign = await accept(id, 'bob@acme.example', alicesLabel);
    expect([foreign.status, foreign.body.error.code]).toEqual([400, 'not_your_label']);
    const response = await accept(id, 'bob@acme.example', bobsLabel);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      owner: 'bob@acme.example',
      labelResourceName: bobsLabel,
      labelName: 'Customers',
      offeredTo: null,
      formerOwner: 'alice@acme.example',
      formerLabel: 'contactGroups/alice1',
    });
    expect(response.body.grants).toEqual([
      user('alice@acme.example', 'manage'),
      user('carol@acme.example', 'view'),
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
    const recorded = (await events('share.ownership_transferred')).find(
      (event) => event.shareId === id,
    );
    expect(recorded).toMatchObject({
      target: 'bob@acme.example',
      detail: { formerOwner: 'alice@acme.example' },
    });
    // The former owner's account reports its adoption once; no one else may.
    const byCarol = await h.request('POST', `/v1/shares/${id}/transfer/adopted`, {
      token: h.token('carol@acme.example'),
      body: {},
    });
    expect(byCarol.body.error.code).toBe('not_former_owner');
    const adopted = await h.request('POST', `/v1/shares/${id}/transfer/adopted`, {
      token: h.token('alice@acme.example'),
      body: {},
    });
    expect(adopted.body).toMatchObject({ formerOwner: null, formerLabel: null });
    // The former owner may no longer offer it: only bob may.
    const back = await offer(id, 'alice@acme.example', 'alice@acme.example');
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
      const response = await offer(id, by, to);
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
    expect(unchanged.body).toMatchObject({ owner: 'alice@acme.example', offeredTo: null });
    const patched = await h.request('PATCH', `/v1/shares/${id}`, {
      token: h.token('alice@acme.example'),
      body: { owner: 'bob@acme.example', labelResourceName: 'contactGroups/b' },
    });
    expect(patched.status).toBe(400);
  });

  it('lets the owner withdraw an offer and the member decline it, no one else', async () => {
    const id = await share();
    expect((await offer(id, 'alice@acme.example', 'bob@acme.example')).status).toBe(200);
    const end = (by: string) =>
      h.request('DELETE', `/v1/shares/${id}/transfer`, { token: h.token(by) });
    expect((await end('carol@acme.example')).status).toBe(403);
    expect((await end('bob@acme.example')).body.offeredTo).toBeNull();
    expect((await end('bob@acme.example')).body.error.code).toBe('no_offer');
    expect((await offer(id, 'alice@acme.example', 'bob@acme.example')).status).toBe(200);
    expect((await end('alice@acme.example')).body.offeredTo).toBeNull();
    const late = await accept(id, 'bob@acme.example', 'contactGroups/any');
    expect(late.body.error.code).toBe('not_offered');
  });
});
