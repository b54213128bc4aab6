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

const ALICE = 'alice@acme.example';
const BOB = 'bob@acme.example';
const CAROL = 'carol@acme.example';
const DAVE = 'dave@acme.example';
const ERIN = 'erin@acme.example';
const ADMIN = 'admin@acme.example';
const POLICY = {
  externalSharing: false,
  allowedExternalDomains: [],
  whoMayShare: 'everyone',
  maxLevel: 'manage',
  supportAccess: 'allowed',
};

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
    expect((await stack.api(ADMIN, 'PUT', '/v1/tenants/acme.example/policy', POLICY)).status).toBe(
      200,
    );
    const label = makeLabel(stack, ALICE, 'Customers', 3, 'cu');
    privateContact = stack.people(ALICE, (client) =>
      client.createContact({
        names: [{ givenName: 'Private' }],
        emailAddresses: [{ value: 'lawyer@private.example' }],
      }),
    );
    const created = await stack.act(
      ALICE,
      { action: 'createShare', labelResourceName: label },
      { targetKind: ['user'], recipients: [BOB], level: ['view'] },
    );
    expect(created.run.error).toBeUndefined();
    shareId = (await stack.api(ALICE, 'GET', '/v1/shares?view=mine')).body.shares[0].id;
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
    const shared = await stack.act(
      DAVE,
      { action: 'createShare', labelResourceName: label },
      { targetKind: ['user'], recipients: [ERIN], level: ['view'] },
    );
    expect(shared.run.error).toBeUndefined();
    const bait = (await stack.api(DAVE, 'GET', '/v1/shares?view=mine')).body.shares[0].id as string;
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
    await stack.api(ADMIN, 'PUT', '/v1/tenants/acme.example/policy', POLICY);
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
    const denied = await stack.api(
      'security@vendor.example',
      'GET',
      '/v1/events?tenant=acme.example&type=support.denied',
    );
    expect(
      denied.body.events.filter(
        (event: { detail: { action: string } }) => event.detail.action === 'use_share',
      ),
    ).toHaveLength(2);
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
