/**
 * This file replays, one test each, the attacks that a review found working against the add-on and
 * its backend (issues 12 and 13), on the real bundle in the Apps Script runtime, the backend on
 * PGlite and the Workspace API emulator. Each must now be refused with a clear 4xx error (or a
 * notification in the card), change nothing, and leave an audit event; where the add-on exposes
 * the path, the attack is also tried as a crafted card action.
 */
import { URI } from 'otpauth';
import { totpCodeAt } from '../../src/backend/support/totp';
import { encodeLink, SYNCED_FIELDS } from '../../src/core/contact-model';
import type { Person } from '../../src/google/people-client';
import {
  actionsOf,
  AGENT,
  startSupportStack,
  type SupportStack,
} from '../addon/support/support-stack';
import { makeLabel, startE2eStack, type E2eStack } from '../e2e/stack';
import { DATABASES } from '../backend/harness';
import { DELEGATED_SCOPES } from '../backend/emulated';
import {
  MANAGER,
  startSupportHarness,
  type SupportHarness,
} from '../backend/support/support-harness';
import { ADMIN, ALICE, BOB, CAROL, DAVE, ERIN } from '../fixtures/acme-users';
import { OPEN_POLICY, putOpenPolicy } from '../fixtures/policy';
import { firstShareId, shareLabel } from '../fixtures/share-steps';

/** A user's gateway call to another account of a share, answered by the backend. */
type Gateway = (
  user: string,
  shareId: string,
  operation: 'list-contacts' | 'list-groups' | 'write',
  body: Record<string, unknown>,
) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw JSON

describe('attacks on the share gateway, through the backend and crafted card actions', () => {
  let stack: E2eStack;
  let gateway: Gateway;
  let shareId: string;
  let privateContact: Person;

  const namesIn = (user: string) =>
    stack.contactsOf(user).map((person) => person.names?.[0]?.givenName ?? '');
  const events = async (type: string) =>
    (await stack.api(ADMIN, 'GET', `/v1/events?type=${type}&pageSize=500`)).body.events as {
      actor: string;
      target?: string;
      shareId?: string;
      detail: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    stack = await startE2eStack();
    gateway = (user, id, operation, body) =>
      stack.api(user, 'POST', `/v1/shares/${id}/gateway/${operation}`, body);
    expect((await putOpenPolicy(stack)).status).toBe(200);
    const label = makeLabel(stack, ALICE, 'Customers', 3, 'cu');
    privateContact = stack.people(ALICE, (client) =>
      client.createContact({
        names: [{ givenName: 'Private' }],
        emailAddresses: [{ value: 'lawyer@private.example' }],
      }),
    );
    const created = await shareLabel(stack, ALICE, label, BOB, 'view');
    expect(created.run.error).toBeUndefined();
    shareId = await firstShareId(stack, ALICE);
  });
  afterAll(async () => {
    await stack.close();
  });

  it("a view participant gets no token, reads only the owner's label and writes nothing there", async () => {
    const token = await stack.api(BOB, 'POST', '/v1/delegated-tokens', {
      targetUser: ALICE,
      scopes: ['https://www.googleapis.com/auth/contacts'],
      purpose: { kind: 'sync', shareId },
    });
    expect([token.status, token.body.error.code]).toEqual([410, 'tokens_not_issued']);
    const listed = await gateway(BOB, shareId, 'list-contacts', { account: ALICE });
    expect(listed.status).toBe(200);
    expect(listed.body.contacts).toHaveLength(3);
    expect(JSON.stringify(listed.body)).not.toContain('lawyer@private.example');
    const create = await gateway(BOB, shareId, 'write', {
      account: ALICE,
      write: {
        kind: 'createContacts',
        contacts: [
          {
            fields: { names: [{ givenName: 'Planted' }] },
            memberships: ['contactGroups/myContacts'],
            clientData: [],
          },
        ],
      },
    });
    expect([create.status, create.body.error.code]).toEqual([403, 'insufficient_level']);
    const remove = await gateway(BOB, shareId, 'write', {
      account: ALICE,
      write: { kind: 'deleteContacts', resourceNames: [privateContact.resourceName] },
    });
    expect([remove.status, remove.body.error.code]).toEqual([403, 'insufficient_level']);
    expect(namesIn(ALICE)).toContain('Private');
    expect(namesIn(ALICE)).not.toContain('Planted');
    // Bob's own sync, through the bundle, only reads the owner's label.
    const before = (await events('gateway.call')).length;
    expect((await stack.trigger(BOB)).error).toBeUndefined();
    const calls = (await events('gateway.call')).slice(before).filter((e) => e.actor === BOB);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((e) => e.target === ALICE && e.detail.operation === 'list-contacts')).toBe(
      true,
    );
    const denied = (await events('gateway.denied')).filter((e) => e.actor === BOB);
    expect(denied.map((e) => e.detail.reason)).toEqual([
      'insufficient_level',
      'insufficient_level',
    ]);
    expect((await events('delegated_token.denied')).some((e) => e.actor === BOB)).toBe(true);
  });

  it("someone who shares a label of their own with a colleague reaches only that label's copies", async () => {
    const erins = stack.people(ERIN, (client) =>
      client.createContact({
        names: [{ givenName: 'Erins own' }],
        emailAddresses: [{ value: 'doctor@private.example' }],
      }),
    );
    const label = makeLabel(stack, DAVE, 'Bait', 1, 'ba');
    const shared = await shareLabel(stack, DAVE, label, ERIN, 'view');
    expect(shared.run.error).toBeUndefined();
    const bait = (await firstShareId(stack, DAVE)) as string;
    const domain = await stack.act(
      DAVE,
      { action: 'addMembers', shareId: bait },
      { targetKind: ['domain'], recipients: ['acme.example'], level: ['view'] },
    );
    expect(domain.run.error).toBeUndefined();
    const listed = await gateway(DAVE, bait, 'list-contacts', { account: ERIN });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain('doctor@private.example');
    expect(listed.body.omitted).toBeGreaterThanOrEqual(1);
    const overwrite = await gateway(DAVE, bait, 'write', {
      account: ERIN,
      write: {
        kind: 'updateContacts',
        updates: [
          {
            resourceName: erins.resourceName,
            etag: erins.etag,
            fields: { names: [{ givenName: 'Hijacked' }] },
            mask: ['names'],
          },
        ],
      },
    });
    expect([overwrite.status, overwrite.body.error.code]).toEqual([400, 'outside_footprint']);
    const remove = await gateway(DAVE, bait, 'write', {
      account: ERIN,
      write: { kind: 'deleteContacts', resourceNames: [erins.resourceName] },
    });
    expect([remove.status, remove.body.error.code]).toEqual([400, 'outside_footprint']);
    expect(namesIn(ERIN)).toContain('Erins own');
    expect(namesIn(ERIN)).not.toContain('Hijacked');
    const denied = (await events('gateway.denied')).filter((e) => e.actor === DAVE);
    expect(denied.map((e) => [e.target, e.detail.reason])).toEqual([
      [ERIN, 'outside_footprint'],
      [ERIN, 'outside_footprint'],
    ]);
  });

  it('never takes a system group for a label: not at creation, not in a transfer', async () => {
    const created = await stack.api(CAROL, 'POST', '/v1/shares', {
      labelResourceName: 'contactGroups/myContacts',
      labelName: 'Everything',
      grants: [{ target: { kind: 'user', email: DAVE }, level: 'manage' }],
    });
    expect(created.status).toBe(400);
    const patched = await stack.api(ALICE, 'PATCH', `/v1/shares/${shareId}`, {
      owner: BOB,
      labelResourceName: 'contactGroups/myContacts',
    });
    expect(patched.status).toBe(400);
    expect(
      (await stack.api(ALICE, 'POST', `/v1/shares/${shareId}/transfer`, { to: BOB })).status,
    ).toBe(200);
    const accepted = await stack.api(BOB, 'POST', `/v1/shares/${shareId}/transfer/accept`, {
      labelResourceName: 'contactGroups/myContacts',
    });
    expect(accepted.status).toBe(400);
    const crafted = await stack.act(CAROL, { action: 'acceptOwnership', shareId });
    expect(crafted.notification).toBe(
      'This label is not shared with you, or its sharing has ended. Reopen Shared Contacts to see your labels.',
    );
    expect((await stack.api(ALICE, 'GET', `/v1/shares/${shareId}`)).body.owner).toBe(ALICE);
    expect((await stack.api(ALICE, 'DELETE', `/v1/shares/${shareId}/transfer`)).status).toBe(200);
  });

  it('never hands out a hidden field, to anyone but the owner', async () => {
    const label = makeLabel(stack, ALICE, 'Hidden phones', 2, 'hp');
    const created = await stack.api(ALICE, 'POST', '/v1/shares', {
      labelResourceName: label,
      labelName: 'Hidden phones',
      grants: [{ target: { kind: 'user', email: CAROL }, level: 'manage' }],
      hiddenFields: ['phoneNumbers'],
    });
    const listed = await gateway(CAROL, created.body.id, 'list-contacts', { account: ALICE });
    expect(listed.status).toBe(200);
    expect(listed.body.contacts).toHaveLength(2);
    for (const contact of listed.body.contacts) expect(contact.fields.phoneNumbers).toBeUndefined();
    expect((await stack.trigger(CAROL)).error).toBeUndefined();
    const copies = stack
      .contactsOf(CAROL)
      .filter((person) => (person.emailAddresses?.[0]?.value ?? '').startsWith('hp'));
    expect(copies).toHaveLength(2);
    for (const copy of copies) expect(copy.phoneNumbers).toBeUndefined();
  });
});

describe('attacks on support access, through the backend and crafted card actions', () => {
  let stack: SupportStack;
  let sessionId: string;
  let foreignShare: string;

  beforeAll(async () => {
    stack = await startSupportStack();
    await putOpenPolicy(stack);
    // A share bob takes part in, and one he does not (carol's label with dave).
    const mine = stack.people(ALICE, 'POST', 'contactGroups', { contactGroup: { name: 'Ours' } });
    const ours = await stack.api(ALICE, 'POST', '/v1/shares', {
      labelResourceName: mine.resourceName,
      labelName: 'Ours',
      grants: [{ target: { kind: 'user', email: BOB }, level: 'view' }],
    });
    expect(ours.status).toBe(201);
    stack.people(BOB, 'POST', 'people:createContact', {
      names: [{ givenName: 'Bobs private' }],
      clientData: [
        encodeLink({
          shareId: 'another-share',
          sourceOwner: CAROL,
          sourceResourceName: 'people/x',
          merged: false,
          base: SYNCED_FIELDS.map(() => ''),
        }),
      ],
    });
    const theirs = stack.people(CAROL, 'POST', 'contactGroups', {
      contactGroup: { name: 'Theirs' },
    });
    const foreign = await stack.api(CAROL, 'POST', '/v1/shares', {
      labelResourceName: theirs.resourceName,
      labelName: 'Theirs',
      grants: [{ target: { kind: 'user', email: DAVE }, level: 'view' }],
    });
    foreignShare = foreign.body.id;
    const enrolled = await stack.act(AGENT, { action: 'supportEnrol' });
    const uri = JSON.stringify(enrolled.card).match(/otpauth:\/\/totp\/[^"]+/)?.[0] ?? '';
    const secret = new Uint8Array(URI.parse(uri.replace(/&amp;/g, '&')).secret.bytes);
    const verified = await stack.act(
      AGENT,
      { action: 'supportVerify' },
      { code: [totpCodeAt(secret, Date.now())] },
    );
    expect(verified.notification).toMatch(/^Enrolment confirmed/);
    const opened = await stack.act(
      AGENT,
      { action: 'supportOpenSession' },
      {
        tenant: ['acme.example'],
        targetUser: [BOB],
        ticket: ['T-9'],
        justification: ['Label missing'],
      },
    );
    const [close] = actionsOf(opened.card, 'supportCloseSession');
    sessionId = close?.sessionId ?? '';
    expect(sessionId).not.toBe('');
  });
  afterAll(async () => {
    await stack.close();
  });

  it('a crafted label view names no group: only the session user’s own shares, audited', async () => {
    const crafted = await stack.act(AGENT, {
      action: 'supportLabel',
      sessionId,
      shareId: foreignShare,
      group: 'contactGroups/myContacts',
    });
    expect(crafted.card).toBeUndefined();
    expect(crafted.notification).toBe(`${BOB} takes no part in a share ${foreignShare}`);
    const direct = await stack.api(
      AGENT,
      'GET',
      `/v1/support/sessions/${sessionId}/shares/${foreignShare}/contacts`,
    );
    expect([direct.status, direct.body.error.code]).toEqual([404, 'not_found']);
    // The agent's refusals are the vendor's record: none is written into the customer's chain.
    const denied = await stack.api(
      'security@vendor.example',
      'GET',
      '/v1/events?tenant=vendor.example&type=support.denied',
    );
    expect(
      denied.body.events.filter(
        (event: { detail: { action: string } }) => event.detail.action === 'use_share',
      ),
    ).toHaveLength(2);
    const inCustomer = await stack.api(
      'security@vendor.example',
      'GET',
      '/v1/events?tenant=acme.example&type=support.denied',
    );
    expect(inCustomer.body.events).toEqual([]);
    const labels = await stack.api(AGENT, 'GET', `/v1/support/sessions/${sessionId}/labels`);
    expect(JSON.stringify(labels.body)).not.toContain('Bobs private');
    expect(JSON.stringify(labels.body)).not.toMatch(/accessToken|ya29\./);
  });

  it('support gets no token and writes nothing outside a repair session', async () => {
    const token = await stack.api(AGENT, 'POST', '/v1/delegated-tokens', {
      targetUser: BOB,
      scopes: ['https://www.googleapis.com/auth/contacts.readonly'],
      purpose: { kind: 'support', sessionId },
    });
    expect(token.status).toBe(410);
    const shares = await stack.api(AGENT, 'GET', `/v1/support/sessions/${sessionId}/shares`);
    const [share] = shares.body.shares as { id: string }[];
    const repair = await stack.act(AGENT, {
      action: 'supportRepair',
      sessionId,
      shareId: share?.id ?? '',
    });
    expect(repair.notification).toMatch(/read-only/);
  });
});

/**
 * The attacks of issue 13 on the tenant model, through the backend on PGlite and PostgreSQL: the
 * tenant is the Workspace customer with all of its domains, sharing stays inside it, and nothing
 * one customer (or someone outside every customer) does is written into another's chain.
 */
describe.each(DATABASES)('attacks across customers on %s', (kind) => {
  let h: SupportHarness;
  const VICTIM_ADMIN = 'admin@victim.example';
  const VICTIM_SUB = 'alice@victim-sub.example';
  const OUTSIDER = 'eve@gmail.example';
  const events = async (tenant: string, type?: string) =>
    (
      await h.request(
        'GET',
        `/v1/events?tenant=${tenant}&pageSize=500${type ? `&type=${type}` : ''}`,
        { token: h.token(MANAGER) },
      )
    ).body.events as {
      type: string;
      actor: string;
      target?: string;
      detail: Record<string, unknown>;
    }[];
  const policy = (who: string, domain: string, changes: Record<string, unknown>) =>
    h.request('PUT', `/v1/tenants/${domain}/policy`, {
      token: h.token(who),
      body: { ...OPEN_POLICY, ...changes },
    });
  const share = (owner: string, grants: unknown[]) =>
    h.request('POST', '/v1/shares', {
      token: h.token(owner),
      body: { labelResourceName: 'contactGroups/l1', labelName: 'Customers', grants },
    });

  beforeAll(async () => {
    h = await startSupportHarness(kind, { refusalsPerMinute: 8 });
    h.emulator.addCustomer('victim.example', ['victim-sub.example']);
    h.emulator.grantDomainWideDelegation('victim.example', h.clientId, DELEGATED_SCOPES);
    h.emulator.addUser(VICTIM_ADMIN, { isAdmin: true });
    h.emulator.addUser(VICTIM_SUB);
    h.emulator.addUser('x@victim.example');
    h.emulator.addGroup('board@victim.example', 'Board');
    h.emulator.addGroupMember('board@victim.example', 'x@victim.example');
    h.emulator.setGroupMembershipVisibility('board@victim.example', 'ALL_MEMBERS_CAN_VIEW');
    h.emulator.addGroup('secret@acme.example', 'Secret');
    h.emulator.addGroupMember('secret@acme.example', 'dave@acme.example');
    h.emulator.addGroupMember('secret@acme.example', 'erin@acme.example');
    h.emulator.setGroupMembershipVisibility('secret@acme.example', 'ALL_MEMBERS_CAN_VIEW');
    expect((await policy(ADMIN, 'acme.example', {})).status).toBe(200);
    await h.enrolAndVerify(AGENT);
  });
  afterAll(async () => {
    await h.close();
  });

  it("holds a customer's support policy for its secondary domain, and shows its admins the session", async () => {
    // The victim's admin sets the policy naming the secondary domain: it is the customer's one.
    expect(
      (await policy(VICTIM_ADMIN, 'victim-sub.example', { supportAccess: 'disabled' })).status,
    ).toBe(200);
    const read = await h.request('GET', '/v1/tenants/victim.example/policy', {
      token: h.token(VICTIM_ADMIN),
    });
    expect(read.body.policy.supportAccess).toBe('disabled');
    expect(read.body.domains).toEqual(
      expect.arrayContaining(['victim.example', 'victim-sub.example']),
    );
    const refused = await h.openSession(AGENT, {
      tenant: 'victim-sub.example',
      targetUser: VICTIM_SUB,
      ticket: 'T-1',
      justification: 'Customer asked',
    });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'support_disabled']);
    expect(
      (await policy(VICTIM_ADMIN, 'victim.example', { supportAccess: 'approval_required' })).status,
    ).toBe(200);
    const pending = await h.openSession(AGENT, {
      tenant: 'victim-sub.example',
      targetUser: VICTIM_SUB,
      ticket: 'T-2',
      justification: 'Customer asked',
    });
    expect([pending.status, pending.body.status]).toEqual([201, 'pending']);
    const listed = await h.request(
      'GET',
      '/v1/support/sessions?tenant=victim.example&status=pending',
      {
        token: h.token(VICTIM_ADMIN),
      },
    );
    expect(listed.body.sessions.map((s: { targetUser: string }) => s.targetUser)).toContain(
      VICTIM_SUB,
    );
    // The refusal is the vendor's record; the customer's chain holds the session request.
    expect((await events('victim.example', 'support.denied')).map((e) => e.actor)).not.toContain(
      AGENT,
    );
    expect(
      (await events('vendor.example', 'support.denied')).map((e) => e.detail.reason),
    ).toContain('support_disabled');
    expect((await events('victim.example')).map((e) => e.type)).toContain(
      'support.session.requested',
    );
  });

  it('refuses grants to a user, a group or the domain of another customer, audited without their address', async () => {
    for (const grant of [
      { target: { kind: 'user', email: VICTIM_SUB }, level: 'view' },
      { target: { kind: 'group', email: 'board@victim.example' }, level: 'view' },
      { target: { kind: 'domain', domain: 'victim.example' }, level: 'view' },
    ]) {
      const answer = await share(ADMIN, [grant]);
      expect([answer.status, answer.body.error.code]).toEqual([403, 'outside_customer']);
      expect(answer.body.error.message).toMatch(/outside your organisation/);
    }
    const denied = (await events('acme.example', 'share.denied')).filter(
      (event) => event.detail.reason === 'outside_customer',
    );
    expect(denied).toHaveLength(3);
    expect(JSON.stringify(denied)).not.toMatch(/victim/);
    expect(JSON.stringify(await events('victim.example'))).not.toMatch(/acme\.example/);
  });

  it("expands no other customer's group or domain, and no group its caller may not view", async () => {
    // A share kept from before customers were known, granted to the victim's hidden group and domain.
    const legacy = 'legacy-cross-customer';
    await h.server.backend.services.db.query(
      `INSERT INTO shares (id, domain, owner, label_resource_name, label_name, grants, hidden_fields, created_at, updated_at)
       VALUES ($1, 'acme.example', 'alice@acme.example', 'contactGroups/x', 'X', $2, '[]', $3, $3)`,
      [
        legacy,
        JSON.stringify([
          { target: { kind: 'group', email: 'board@victim.example' }, level: 'view' },
          { target: { kind: 'domain', domain: 'victim.example' }, level: 'view' },
          { target: { kind: 'user', email: BOB }, level: 'manage' },
        ]),
        new Date().toISOString(),
      ],
    );
    const before = h.emulator.callCount({ user: VICTIM_ADMIN });
    const members = await h.request('GET', `/v1/shares/${legacy}/members`, {
      token: h.token(ALICE),
    });
    expect(members.status).toBe(200);
    expect(members.body).toEqual({ groups: [], domains: [] });
    expect(h.emulator.callCount({ user: VICTIM_ADMIN })).toBe(before);
    // A non-admin may not share with a group whose members they may not view...
    const hidden = await share(ALICE, [
      { target: { kind: 'group', email: 'secret@acme.example' }, level: 'view' },
    ]);
    expect([hidden.status, hidden.body.error.code]).toEqual([403, 'group_not_visible']);
    // ...and is told no one of it when an admin shared with it: counts stay hidden too.
    const byAdmin = await share(ADMIN, [
      { target: { kind: 'group', email: 'secret@acme.example' }, level: 'view' },
      { target: { kind: 'user', email: ALICE }, level: 'manage' },
    ]);
    expect(byAdmin.status).toBe(201);
    const asAlice = await h.request('GET', `/v1/shares/${byAdmin.body.id}/members`, {
      token: h.token(ALICE),
    });
    expect(asAlice.body.groups).toEqual([
      { email: 'secret@acme.example', members: [], count: null, complete: false },
    ]);
    // The gateway answers a member of it and a non-member alike: it tells alice nothing.
    const probe = async (account: string) =>
      (
        await h.request('POST', `/v1/shares/${byAdmin.body.id}/gateway/list-groups`, {
          token: h.token(ALICE),
          body: { account },
        })
      ).body.error?.code;
    expect(await probe(ERIN)).toBe('target_not_participant');
    expect(await probe(CAROL)).toBe('target_not_participant');
    // A member of the group sees the group as its members may, and only themselves in it.
    const asDave = await h.request('GET', `/v1/shares/${byAdmin.body.id}/members`, {
      token: h.token(DAVE),
    });
    expect(asDave.body.groups).toEqual([
      { email: 'secret@acme.example', members: [DAVE], count: 2, complete: false },
    ]);
  });

  it('writes refusals of callers outside every customer into their own chain, then stops auditing them', async () => {
    const outsider = () => h.token(OUTSIDER, { hostedDomain: undefined });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await h.request('GET', '/v1/support/sessions?tenant=acme.example', { token: outsider() }))
          .status,
      );
    expect(statuses.slice(0, 8).every((status) => status === 403)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429, 429, 429]);
    expect((await events('acme.example')).filter((e) => e.actor === OUTSIDER)).toEqual([]);
    expect((await events('outside.invalid')).filter((e) => e.actor === OUTSIDER)).toHaveLength(8);
  });

  it('pages access transparency through every support access, with no cap', async () => {
    const services = h.server.backend.services;
    for (let i = 0; i < 520; i++)
      await services.record(services.db, 'acme.example', AGENT, 'test', [
        { type: 'support.access.labels', target: `user${i}@acme.example`, outcome: 'success' },
      ]);
    const seen: unknown[] = [];
    let pageToken: string | undefined;
    do {
      const page = await h.request(
        'GET',
        `/v1/support/transparency?pageSize=200${pageToken ? `&pageToken=${pageToken}` : ''}`,
        { token: h.token(ADMIN) },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.accesses);
      pageToken = page.body.nextPageToken;
    } while (pageToken);
    expect(seen.length).toBeGreaterThanOrEqual(520);
    expect(new Set(seen.map((access) => JSON.stringify(access))).size).toBe(seen.length);
  });

  it("keeps an agent's wrong-tenant refusal out of both customers' chains", async () => {
    const answer = await h.openSession(AGENT, {
      tenant: 'acme.example',
      targetUser: VICTIM_SUB,
      ticket: 'T-3',
      justification: 'Customer asked',
    });
    expect([answer.status, answer.body.error.code]).toEqual([403, 'tenant_mismatch']);
    expect(JSON.stringify(await events('acme.example'))).not.toContain(VICTIM_SUB);
    const vendor = await events('vendor.example', 'support.denied');
    expect(
      vendor.some((e) => e.detail.reason === 'tenant_mismatch' && e.target === VICTIM_SUB),
    ).toBe(true);
  });

  it('needs hd for a customer, and an hd of the e-mail’s own customer', async () => {
    const created = await share(ADMIN, [
      { target: { kind: 'domain', domain: 'acme.example' }, level: 'view' },
    ]);
    expect(created.status).toBe(201);
    const noHd = h.token('frank@acme.example', { hostedDomain: undefined });
    for (const path of [`/v1/shares/${created.body.id}`, `/v1/shares/${created.body.id}/members`]) {
      const answer = await h.request('GET', path, { token: noHd });
      expect(answer.status).toBe(404);
    }
    const list = await h.request('GET', '/v1/shares', { token: noHd });
    expect([list.status, list.body.error.code]).toEqual([403, 'no_tenant']);
    // The victim's admin, with a token claiming acme's hosted domain, is nobody's admin.
    const crossed = h.token(VICTIM_ADMIN, { hostedDomain: 'acme.example' });
    const put = await h.request('PUT', '/v1/tenants/acme.example/policy', {
      token: crossed,
      body: { ...OPEN_POLICY, supportAccess: 'allowed' },
    });
    expect(put.status).toBe(403);
    const overview = await h.request('GET', '/v1/admin/overview', { token: crossed });
    expect([overview.status, overview.body.error.code]).toEqual([403, 'identity_mismatch']);
    expect((await events('acme.example', 'policy.changed')).map((e) => e.actor)).not.toContain(
      VICTIM_ADMIN,
    );
  });
});
