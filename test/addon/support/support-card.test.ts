/**
 * This file tests the support card in the Apps Script runtime (the built bundle, as Apps Script
 * runs it) against the backend on PGlite and the Workspace API emulator: the plain notice and the
 * refusals non-agents get, enrolment with its QR image and secret, codes, sessions browsing a
 * user's labels, contacts and sync state, a repair, and the scenario of issue 7 — three users of
 * one domain opened within ten minutes, the third access blocked by an alert that the agent
 * justifies in the card and a security manager resolves, access resuming, the tenant's admin
 * seeing all of it — then approval and disabled policies.
 */
import { URI } from 'otpauth';
import { encodeLink, SYNCED_FIELDS } from '../../../src/core/contact-model';
import { totpCodeAt } from '../../../src/backend/support/totp';
import {
  ADMIN,
  AGENT,
  MANAGER,
  actionsOf,
  startSupportStack,
  textsOf,
  type SupportStack,
} from './support-stack';

const NOT_FOR_YOU = 'This page is for Shared Contacts support staff.';

describe('the support card in the Apps Script runtime', () => {
  let stack: SupportStack;
  let secret: Uint8Array;
  let shareId: string;

  beforeAll(async () => {
    stack = await startSupportStack();
    const policy = await stack.api(ADMIN, 'PUT', '/v1/tenants/acme.example/policy', {
      externalSharing: false,
      allowedExternalDomains: [],
      whoMayShare: 'everyone',
      maxLevel: 'manage',
      supportAccess: 'allowed',
    });
    expect(policy.status).toBe(200);
    // alice's label "Customers", shared with bob; bob's copy has two linked contacts, one of
    // which has dropped out of the copy group.
    const label = stack.people('alice@acme.example', 'POST', 'contactGroups', {
      contactGroup: { name: 'Customers' },
    });
    const share = await stack.api('alice@acme.example', 'POST', '/v1/shares', {
      labelResourceName: label.resourceName,
      labelName: 'Customers',
      grants: [{ target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' }],
    });
    expect(share.status).toBe(201);
    shareId = share.body.id;
    const copy = stack.people('bob@acme.example', 'POST', 'contactGroups', {
      contactGroup: {
        name: 'Customers',
        clientData: [{ key: `sharedContacts:${shareId}`, value: `v1|alice@acme.example|x` }],
      },
      readGroupFields: 'name,clientData',
    });
    const linked = ['Ann Example', 'Ben Example'].map((name, index) =>
      stack.people('bob@acme.example', 'POST', 'people:createContact', {
        names: [{ givenName: name }],
        emailAddresses: [{ value: `${name.split(' ')[0]?.toLowerCase()}@customer.example` }],
        clientData: [
          encodeLink({
            shareId,
            sourceOwner: 'alice@acme.example',
            sourceResourceName: `people/c${index}`,
            merged: false,
            base: SYNCED_FIELDS.map(() => '0'),
          }),
        ],
      }),
    );
    stack.people('bob@acme.example', 'POST', `${copy.resourceName}/members:modify`, {
      resourceNamesToAdd: [linked[0].resourceName],
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  const deniedReasons = async (tenant: string) =>
    (
      await stack.api(MANAGER, 'GET', `/v1/events?tenant=${tenant}&type=support.denied`)
    ).body.events.map((event: { detail: { reason: string } }) => event.detail.reason);

  it('shows non-staff a plain notice and refuses their crafted support actions', async () => {
    const card = await stack.openSupport('bob@acme.example');
    expect(textsOf(card)).toContain(NOT_FOR_YOU);
    expect(actionsOf(card, 'supportEnrol')).toEqual([]);
    const crafted = await stack.act(
      'bob@acme.example',
      { action: 'supportOpenSession' },
      {
        tenant: ['acme.example'],
        targetUser: ['alice@acme.example'],
        ticket: ['T-1'],
        justification: ['curious'],
      },
    );
    expect(crafted.notification).toBe('only Shared Contacts support agents may do this');
    const enrol = await stack.act('bob@acme.example', { action: 'supportEnrol' });
    expect(enrol.notification).toBe('only Shared Contacts support agents may do this');
    const session = await stack.act('bob@acme.example', {
      action: 'supportSession',
      sessionId: 'guessed',
    });
    expect(session.card).toBeUndefined();
    expect(await deniedReasons('acme.example')).toContain('not_support_agent');
  });

  it('enrols the agent with a QR image, the grouped secret and the URI, then takes codes', async () => {
    const home = await stack.openSupport(AGENT);
    expect(actionsOf(home, 'supportEnrol')).toHaveLength(1);
    const enrolled = await stack.act(AGENT, { action: 'supportEnrol' });
    const texts = textsOf(enrolled.card);
    expect(texts.some((text) => text.startsWith('data:image/png;base64,'))).toBe(true);
    expect(texts.some((text) => /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/.test(text))).toBe(true);
    // The card shows the URI as simple HTML: & is escaped.
    const uri = texts.find((text) => text.startsWith('otpauth://totp/')) as string;
    secret = new Uint8Array(URI.parse(uri.replace(/&amp;/g, '&')).secret.bytes);
    const malformed = await stack.act(AGENT, { action: 'supportVerify' }, { code: ['12345'] });
    expect(malformed.notification).toMatch(/6-digit code/);
    const wrong = await stack.act(
      AGENT,
      { action: 'supportVerify' },
      { code: [totpCodeAt(secret, Date.now() + 300_000)] },
    );
    expect(wrong.notification).toMatch(/not valid/);
    const ok = await stack.act(
      AGENT,
      { action: 'supportVerify' },
      { code: [totpCodeAt(secret, Date.now())] },
    );
    expect(ok.notification).toBe('Enrolment confirmed. You may open sessions for 30 minutes.');
    expect(actionsOf(ok.card, 'supportOpenSession')).toHaveLength(1);
  });

  const open = (user: string, extra: Record<string, string[]> = {}) =>
    stack.act(
      AGENT,
      { action: 'supportOpenSession' },
      {
        tenant: ['acme.example'],
        targetUser: [user],
        ticket: ['T-42'],
        justification: ['Customer reports missing contacts'],
        ...extra,
      },
    );

  it('browses labels, contacts and sync state read-only, and re-syncs a label in a repair session', async () => {
    const mismatch = await open('zed@globex.example');
    expect(mismatch.notification).toBe('zed@globex.example is not a user of acme.example');
    const alice = await open('alice@acme.example');
    expect(textsOf(alice.card)).toEqual(
      expect.arrayContaining(['Customers', 'Master label, 0 contacts']),
    );
    const bob = await open('bob@acme.example', {
      repairJustification: ['Copies dropped out of the label'],
    });
    expect(textsOf(bob.card)).toContain('Copy out of step: 2 linked, 1 in label');
    const [contacts] = actionsOf(bob.card, 'supportLabel');
    const listed = await stack.act(AGENT, contacts as Record<string, string>);
    // The label's contacts in bob's account: those in his copy and those linked to the share.
    expect(textsOf(listed.card)).toEqual(
      expect.arrayContaining(['Customers: 2 contacts (read-only)', 'Ann Example', 'Ben Example']),
    );
    const [repair] = actionsOf(bob.card, 'supportRepair');
    expect(repair).toMatchObject({ shareId });
    const repaired = await stack.act(AGENT, repair as Record<string, string>);
    expect(repaired.notification).toBe('Re-synced: 1 contacts re-linked.');
    expect(textsOf(repaired.card)).toContain('Copy in step: 2 contacts');
    // alice's session is read-only: no repair button, and a crafted repair is refused.
    expect(actionsOf(alice.card, 'supportRepair')).toEqual([]);
    const [aliceSession] = actionsOf(alice.card, 'supportCloseSession');
    const crafted = await stack.act(AGENT, {
      action: 'supportRepair',
      sessionId: aliceSession?.sessionId as string,
      shareId,
    });
    expect(crafted.notification).toMatch(/read-only/);
  });

  it('blocks the third user of a domain within ten minutes until the alert is justified and resolved', async () => {
    const third = await open('carol@acme.example');
    expect(third.notification).toBe(
      'Session opened, but an alert now blocks your access: justify it below.',
    );
    const [justify] = actionsOf(third.card, 'supportJustify');
    expect(justify).toBeDefined();
    const sessions = actionsOf(third.card, 'supportSession');
    const carol = sessions[0] as Record<string, string>;
    const blocked = await stack.act(AGENT, carol);
    expect(blocked.notification).toBe(
      'an unresolved alert blocks your support access; justify it first',
    );
    expect(blocked.card).toBeUndefined();
    const alertId = (justify as Record<string, string>).alertId as string;
    const justified = await stack.act(AGENT, justify as Record<string, string>, {
      [`justification_${alertId}`]: ['Three tickets from the same customer, T-42 covers all'],
    });
    expect(justified.notification).toBe('Justification sent: a security manager will review it.');
    expect((await stack.act(AGENT, carol)).notification).toMatch(/unresolved alert/);
    const resolved = await stack.api(MANAGER, 'POST', `/v1/alerts/${alertId}/resolve`, {
      resolution: 'Checked with the customer',
    });
    expect(resolved.body.status).toBe('resolved');
    const resumed = await stack.act(AGENT, carol);
    expect(resumed.notification).toBeUndefined();
    expect(textsOf(resumed.card)).toContain('This user takes part in no shared label.');
    // The reviewed accesses do not raise the alert again.
    const stillOpen = await stack.api(MANAGER, 'GET', `/v1/alerts?actor=${AGENT}&status=open`);
    expect(stillOpen.body.alerts).toEqual([]);
    const denied = await stack.api(
      MANAGER,
      'GET',
      '/v1/events?tenant=vendor.example&type=support.denied',
    );
    expect(
      denied.body.events.map((event: { detail: { reason: string } }) => event.detail.reason),
    ).toContain('blocked_by_alert');
    // The tenant's admin sees the sessions, accesses, tickets and justifications.
    const adminHome = await stack.openSupport(ADMIN);
    expect(textsOf(adminHome)).toContain('Access transparency');
    const view = await stack.act(ADMIN, { action: 'supportTransparency' });
    const texts = textsOf(view.card);
    for (const user of ['alice', 'bob', 'carol'])
      expect(texts).toContain(`${AGENT} → ${user}@acme.example`);
    expect(texts).toContain('Ticket T-42: Customer reports missing contacts');
    const alerts = await stack.api(ADMIN, 'GET', '/v1/alerts');
    expect(alerts.body.alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'support_distinct_users',
          actor: AGENT,
          status: 'resolved',
          justification: 'Three tickets from the same customer, T-42 covers all',
        }),
      ]),
    );
  });

  it('waits for an admin when the tenant requires approval, and refuses when it disabled support', async () => {
    await stack.api(ADMIN, 'PUT', '/v1/tenants/acme.example/policy', {
      externalSharing: false,
      allowedExternalDomains: [],
      whoMayShare: 'everyone',
      maxLevel: 'manage',
      supportAccess: 'approval_required',
    });
    const requested = await open('dave@acme.example');
    expect(requested.notification).toBe(
      'Session requested: an admin of acme.example must approve it.',
    );
    const adminHome = await stack.openSupport(ADMIN);
    const [approve] = actionsOf(adminHome, 'supportApprove');
    expect(approve).toBeDefined();
    const byAgent = await stack.act(AGENT, approve as Record<string, string>);
    expect(byAgent.notification).toBe('only an admin of acme.example may approve this session');
    const approved = await stack.act(ADMIN, approve as Record<string, string>);
    expect(approved.notification).toBe('Session approved.');
    const dave = await stack.act(AGENT, {
      action: 'supportSession',
      sessionId: (approve as Record<string, string>).sessionId as string,
    });
    expect(textsOf(dave.card)).toContain('dave@acme.example · acme.example');
    await stack.api(ADMIN, 'PUT', '/v1/tenants/acme.example/policy', {
      externalSharing: false,
      allowedExternalDomains: [],
      whoMayShare: 'everyone',
      maxLevel: 'manage',
      supportAccess: 'disabled',
    });
    const disabled = await open('alice@acme.example');
    expect(disabled.notification).toBe('acme.example has disabled support access');
    const closed = await stack.act(AGENT, {
      action: 'supportSession',
      sessionId: (approve as Record<string, string>).sessionId as string,
    });
    expect(closed.notification).toBe('acme.example has disabled support access');
    // An agent's refusals are kept in the vendor's own chain, which its security managers review
    // (never in a customer's chain named by the agent).
    expect(await deniedReasons('vendor.example')).toEqual(
      expect.arrayContaining(['support_disabled', 'not_admin', 'tenant_mismatch']),
    );
    expect(await deniedReasons('acme.example')).not.toContain('tenant_mismatch');
  });
});
