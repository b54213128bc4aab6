/**
 * This file tests restricted support access through the backend's HTTP API, on PGlite and on the
 * PostgreSQL server, wired to the Workspace API emulator: enrolment, codes (drift, replay, expiry,
 * malformed, throttling and lock-out across ID tokens, backup codes), a security manager's reset,
 * sessions (second factor first, tenant scoping, read-only versus repair, expiry, early close,
 * policy length), approval and disabled policies, alerts, refusals of non-agents, and access
 * transparency. Every refusal must be audited and none may yield a token.
 */
import { encodeGroupLink, encodeLink, SYNCED_FIELDS } from '../../../src/core/contact-model';
import { contactsOf, labelWith, peopleAs } from '../../fixtures/emulator-people';
import { DATABASES } from '../harness';
import {
  ADMIN,
  AGENT,
  AGENT2,
  MANAGER,
  startSupportHarness,
  type SupportHarness,
} from './support-harness';

const session = (targetUser: string, extra: Record<string, unknown> = {}) => ({
  tenant: 'acme.example',
  targetUser,
  ticket: 'T-100',
  justification: 'Customer reports a label that stopped syncing',
  ...extra,
});

describe.each(DATABASES)('support access API on %s', (kind) => {
  let h: SupportHarness;
  let agentSecret: Uint8Array;
  let backupCodes: string[];

  beforeAll(async () => {
    h = await startSupportHarness(kind);
    await h.setPolicy('acme.example', {});
  });
  afterAll(async () => {
    await h.close();
  });

  /** Justifies and resolves every unresolved alert of an agent, as agent and security manager. */
  const clearAlerts = async (agent: string) => {
    const list = await h.request('GET', `/v1/alerts?actor=${agent}`, { token: h.token(MANAGER) });
    for (const alert of list.body.alerts as { id: string; status: string }[]) {
      if (alert.status === 'open')
        await h.request('POST', `/v1/alerts/${alert.id}/justify`, {
          token: h.token(agent),
          body: { justification: 'Test: expected' },
        });
      if (alert.status !== 'resolved')
        await h.request('POST', `/v1/alerts/${alert.id}/resolve`, {
          token: h.token(MANAGER),
          body: { resolution: 'Test: reviewed' },
        });
    }
  };

  /**
   * A label of alice's shared with bob, whose copy group holds one of his two copies (the other
   * dropped out of it), and a private contact of his.
   */
  const sharedWithBob = async () => {
    const people = peopleAs(h.emulator);
    const label = labelWith(people, 'alice@acme.example', 'Team', [
      { names: [{ givenName: 'Ann' }] },
      { names: [{ givenName: 'Ben' }] },
    ]);
    const created = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: label,
        labelName: 'Team',
        grants: [{ target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' }],
      },
    });
    const shareId = created.body.id as string;
    const group = people('bob@acme.example', (client) =>
      client.createContactGroup({
        name: 'Team',
        clientData: [
          encodeGroupLink({ shareId, sourceOwner: 'alice@acme.example', labelResourceName: label }),
        ],
      }),
    );
    const copyGroup = group.resourceName ?? '';
    const link = (source: string) =>
      encodeLink({
        shareId,
        sourceOwner: 'alice@acme.example',
        sourceResourceName: source,
        merged: false,
        base: SYNCED_FIELDS.map(() => ''),
      });
    people('bob@acme.example', (client) =>
      client.createContact({
        names: [{ givenName: 'Ann' }],
        clientData: [link('people/a')],
        memberships: [{ contactGroupMembership: { contactGroupResourceName: copyGroup } }],
      }),
    );
    const outside = people('bob@acme.example', (client) =>
      client.createContact({ names: [{ givenName: 'Ben' }], clientData: [link('people/b')] }),
    ).resourceName;
    people('bob@acme.example', (client) =>
      client.createContact({ names: [{ givenName: 'Private' }] }),
    );
    return { shareId, copyGroup, outside };
  };

  const deniedReasons = async (tenant: string) =>
    (await h.eventTypes(tenant))
      .filter((event) => event.type === 'support.denied')
      .map((event) => event.detail.reason);

  it('tells callers their roles; non-agents get none of the support actions', async () => {
    const me = await h.request('GET', '/v1/support/me', { token: h.token('bob@acme.example') });
    expect(me.body).toEqual({
      email: 'bob@acme.example',
      tenant: 'acme.example',
      agent: false,
      securityManager: false,
      admin: false,
    });
    const admin = await h.request('GET', '/v1/support/me', { token: h.token(ADMIN) });
    expect(admin.body.admin).toBe(true);
    const crafted = [
      ['POST', '/v1/support/enrolment', {}],
      ['POST', '/v1/support/verify', { code: '123456' }],
      ['POST', '/v1/support/sessions', session('alice@acme.example')],
    ] as const;
    for (const [method, path, body] of crafted) {
      const answer = await h.request(method, path, { token: h.token('bob@acme.example'), body });
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('not_support_agent');
    }
    const read = await h.supportRead('bob@acme.example', 'any');
    expect(read.body.error.code).toBe('not_support_agent');
    expect(read.text).not.toMatch(/accessToken/);
    const reset = await h.request('POST', `/v1/support/factors/${AGENT}/reset`, {
      token: h.token(AGENT),
      body: { reason: 'me' },
    });
    expect(reset.body.error.code).toBe('not_security_manager');
    expect(await deniedReasons('acme.example')).toEqual(
      expect.arrayContaining(['not_support_agent']),
    );
  });

  it('enrols an agent once: URI, grouped secret, QR image and ten backup codes', async () => {
    const first = await h.enrol(AGENT);
    expect(first.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.+\?.*secret=[A-Z2-7]{32}/);
    expect(first.body.secretGroups).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(first.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(first.backupCodes).toHaveLength(10);
    // A pending enrolment may be replaced: only the newest secret counts.
    const second = await h.enrol(AGENT);
    expect(await h.verify(AGENT, h.code(first.secret))).toMatchObject({ status: 403 });
    h.now += 30_000;
    const ok = await h.verify(AGENT, h.code(second.secret));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ method: 'totp', confirmedEnrolment: true });
    agentSecret = second.secret;
    backupCodes = second.backupCodes;
    const again = await h.request('POST', '/v1/support/enrolment', {
      token: h.token(AGENT),
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_enrolled');
    const me = await h.request('GET', '/v1/support/me', { token: h.token(AGENT) });
    expect(me.body.factor).toEqual({ state: 'confirmed', backupCodesLeft: 10, lockedOut: false });
    expect(me.body.verifiedUntil).toEqual(expect.any(String));
    const types = (await h.eventTypes('vendor.example')).map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'support.enrolment.started',
        'support.enrolment.confirmed',
        'support.otp.verify',
      ]),
    );
  });

  it('accepts one step of drift, refuses replayed, expired, too-early and malformed codes', async () => {
    h.now += 90_000;
    expect((await h.verify(AGENT, h.code(agentSecret, -30))).status).toBe(200);
    const replay = await h.verify(AGENT, h.code(agentSecret, -30));
    expect(replay.body.error.code).toBe('otp_wrong');
    h.now += 60_000;
    expect((await h.verify(AGENT, h.code(agentSecret, -90))).body.error.code).toBe('otp_wrong');
    expect((await h.verify(AGENT, h.code(agentSecret, 60))).body.error.code).toBe('otp_wrong');
    h.now += 10_000;
    expect((await h.verify(AGENT, h.code(agentSecret, 30))).status).toBe(200);
    h.now += 60_000;
    for (const malformed of ['12a456', '1234567', '', ' 1 2 3 4 5 6', '１２３４５６']) {
      h.now += 60_000;
      const answer = await h.verify(AGENT, malformed);
      expect([answer.status, answer.body.error.code]).toEqual([403, 'otp_malformed']);
    }
    // Three failures are free; after more, the next attempt must wait.
    const throttled = await h.verify(AGENT, h.code(agentSecret));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toEqual(expect.stringMatching(/^\d+$/));
    h.now += 5 * 60_000;
    expect((await h.verify(AGENT, h.code(agentSecret))).status).toBe(200);
    const reasons = (await h.eventTypes('vendor.example'))
      .filter((event) => event.type === 'support.otp.verify' && event.outcome !== 'success')
      .map((event) => event.detail.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['replayed', 'wrong', 'malformed', 'throttled']),
    );
  });

  it('uses each backup code once, and flags its use with an alert', async () => {
    h.now += 60_000;
    const used = await h.verify(AGENT, backupCodes[3] as string);
    expect(used.body).toMatchObject({ method: 'backup-code', backupCodesLeft: 9 });
    h.now += 60_000;
    expect((await h.verify(AGENT, backupCodes[3] as string)).body.error.code).toBe('otp_reused');
    const alerts = await h.request('GET', `/v1/alerts?actor=${AGENT}`, { token: h.token(MANAGER) });
    const flagged = alerts.body.alerts.find(
      (alert: { rule: string }) => alert.rule === 'backup_code_used',
    );
    expect(flagged).toMatchObject({ status: 'open', actor: AGENT });
    const types = (await h.eventTypes('vendor.example')).map((event) => event.type);
    expect(types).toContain('support.otp.backup_code_used');
    // The alert blocks support access until justified and resolved.
    const blocked = await h.openSession(AGENT, session('alice@acme.example'));
    expect(blocked.body.error.code).toBe('blocked_by_alert');
    // An agent's refusals are the vendor's record, never written into the customer's chain.
    expect(await deniedReasons('vendor.example')).toContain('blocked_by_alert');
    expect(await deniedReasons('acme.example')).not.toContain('blocked_by_alert');
    await clearAlerts(AGENT);
    h.now += 60_000;
    expect((await h.verify(AGENT, h.code(agentSecret))).status).toBe(200);
  });

  it('opens a read-only session only after the second factor, for the named tenant and user', async () => {
    await clearAlerts(AGENT);
    await h.enrol(AGENT2);
    const refused = await h.openSession(AGENT2, session('alice@acme.example'));
    expect(refused.body.error.code).toBe('second_factor_required');
    h.provision('yan@initech.example');
    const mismatch = await h.openSession(
      AGENT,
      session('yan@initech.example', { tenant: 'acme.example' }),
    );
    expect([mismatch.status, mismatch.body.error.code]).toEqual([403, 'tenant_mismatch']);
    // Google does not answer for a user of a customer that granted no delegation.
    const unknown = await h.openSession(
      AGENT,
      session('zed@globex.example', { tenant: 'globex.example' }),
    );
    expect([unknown.status, unknown.body.error.code]).toEqual([403, 'tenant_unknown']);
    const opened = await h.openSession(AGENT, session('alice@acme.example', { minutes: 30 }));
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      status: 'open',
      repair: false,
      minutes: 30,
      ticket: 'T-100',
      blockedByAlert: false,
    });
    const id = opened.body.id as string;
    const read = await h.supportRead(AGENT, id);
    expect(read.body).toEqual({ user: 'alice@acme.example', labels: [] });
    expect(read.text).not.toMatch(/accessToken/);
    // The session names its user: no other label or user can be named through it.
    const otherLabel = await h.request(
      'GET',
      `/v1/support/sessions/${id}/shares/s-other/contacts`,
      {
        token: h.token(AGENT),
      },
    );
    expect([otherLabel.status, otherLabel.body.error.code]).toEqual([404, 'not_found']);
    const otherAgent = await h.supportRead(AGENT2, id);
    expect(otherAgent.body.error.code).toBe('no_support_session');
    const repair = await h.request('POST', `/v1/support/sessions/${id}/repairs`, {
      token: h.token(AGENT),
      body: { shareId: 's' },
    });
    expect(repair.body.error.code).toBe('support_read_only');
    const shares = await h.request('GET', `/v1/support/sessions/${id}/shares`, {
      token: h.token(AGENT),
    });
    expect(shares.body).toEqual({ user: 'alice@acme.example', shares: [] });
    // Expiry: past its 30 minutes the session gives nothing.
    h.now += 31 * 60_000;
    const expired = await h.supportRead(AGENT, id);
    expect(expired.body.error.code).toBe('no_support_session');
    const state = await h.request('GET', `/v1/support/sessions/${id}`, { token: h.token(AGENT) });
    expect(state.body.status).toBe('expired');
    const afterExpiry = await h.request('GET', `/v1/support/sessions/${id}/shares`, {
      token: h.token(AGENT),
    });
    expect(afterExpiry.body.error.code).toBe('no_support_session');
    expect(await deniedReasons('vendor.example')).toEqual(
      expect.arrayContaining([
        'tenant_mismatch',
        'tenant_unknown',
        'support_read_only',
        'no_support_session',
        'not_found',
      ]),
    );
    // Neither customer's chain holds the agent's refusals, nor the other's user.
    for (const tenant of ['acme.example', 'initech.example']) {
      const chain = await h.eventTypes(tenant);
      expect(
        chain.filter((event) => event.actor === AGENT && event.type === 'support.denied'),
      ).toEqual([]);
    }
  });

  it('repairs only in a session with a justified repair scope, within the label; closes early', async () => {
    h.now += 60_000;
    expect((await h.verify(AGENT, h.code(agentSecret))).status).toBe(200);
    const { shareId, copyGroup, outside } = await sharedWithBob();
    const opened = await h.openSession(
      AGENT,
      session('bob@acme.example', { repairJustification: 'Re-link the copies of label Team' }),
    );
    expect(opened.body).toMatchObject({ status: 'open', repair: true, minutes: 60 });
    const id = opened.body.id as string;
    const labels = await h.supportRead(AGENT, id);
    expect(labels.body.labels).toEqual([
      expect.objectContaining({ shareId, found: true, memberCount: 1, linkedContacts: 2 }),
    ]);
    const contacts = await h.request(
      'GET',
      `/v1/support/sessions/${id}/shares/${shareId}/contacts`,
      {
        token: h.token(AGENT),
      },
    );
    expect(contacts.body.total).toBe(2);
    expect(contacts.text).not.toContain('Private');
    const repair = await h.request('POST', `/v1/support/sessions/${id}/repairs`, {
      token: h.token(AGENT),
      body: { shareId },
    });
    expect([repair.status, repair.body]).toEqual([201, { relinked: 1 }]);
    const bobs = contactsOf(peopleAs(h.emulator), 'bob@acme.example');
    const inGroup = bobs.filter((person) =>
      (person.memberships ?? []).some(
        (membership) => membership.contactGroupMembership?.contactGroupResourceName === copyGroup,
      ),
    );
    expect(inGroup).toHaveLength(2);
    expect(inGroup.map((person) => person.resourceName)).toContain(outside);
    const untouched = bobs.find((person) => person.names?.[0]?.givenName === 'Private');
    expect(untouched?.memberships).toHaveLength(1);
    const closed = await h.request('POST', `/v1/support/sessions/${id}/close`, {
      token: h.token(AGENT),
      body: {},
    });
    expect(closed.body).toMatchObject({ status: 'closed', closedBy: AGENT });
    expect((await h.supportRead(AGENT, id)).body.error.code).toBe('no_support_session');
  });

  it('keeps sessions pending until an admin of the tenant approves or refuses them', async () => {
    await h.setPolicy('acme.example', {
      supportAccess: 'approval_required',
      supportSessionMaxMinutes: 15,
    });
    const pending = await h.openSession(AGENT, session('carol@acme.example'));
    expect(pending.body).toMatchObject({ status: 'pending', minutes: 15 });
    const id = pending.body.id as string;
    expect((await h.supportRead(AGENT, id)).body.error.code).toBe('no_support_session');
    const list = await h.request('GET', '/v1/support/sessions?tenant=acme.example&status=pending', {
      token: h.token(ADMIN),
    });
    expect(list.body.sessions.map((s: { id: string }) => s.id)).toEqual([id]);
    for (const who of [AGENT, 'bob@acme.example', 'zed@globex.example']) {
      const answer = await h.request('POST', `/v1/support/sessions/${id}/approve`, {
        token: h.token(who),
        body: {},
      });
      expect(answer.body.error.code).toBe('not_admin');
    }
    const approved = await h.request('POST', `/v1/support/sessions/${id}/approve`, {
      token: h.token(ADMIN),
      body: {},
    });
    expect(approved.body).toMatchObject({ status: 'open', decidedBy: ADMIN, minutes: 15 });
    expect((await h.supportRead(AGENT, id)).status).toBe(200);
    const twice = await h.request('POST', `/v1/support/sessions/${id}/refuse`, {
      token: h.token(ADMIN),
      body: { reason: 'late' },
    });
    expect(twice.body.error.code).toBe('session_state');
    const other = await h.openSession(AGENT, session('dave@acme.example'));
    const refused = await h.request('POST', `/v1/support/sessions/${other.body.id}/refuse`, {
      token: h.token(ADMIN),
      body: { reason: 'Not during the audit' },
    });
    expect(refused.body).toMatchObject({
      status: 'refused',
      decisionReason: 'Not during the audit',
    });
    expect((await h.supportRead(AGENT, other.body.id)).body.error.code).toBe('no_support_session');
    // Disabling support access ends the approved session's reads at once.
    await h.setPolicy('acme.example', { supportAccess: 'disabled' });
    expect((await h.supportRead(AGENT, id)).body.error.code).toBe('support_disabled');
    const disabled = await h.openSession(AGENT, session('carol@acme.example'));
    expect([disabled.status, disabled.body.error.code]).toEqual([403, 'support_disabled']);
    await h.setPolicy('acme.example', {});
  });

  it("shows a tenant's admins every session and delegated access, with ticket and justification", async () => {
    const refused = await h.request('GET', '/v1/support/transparency', {
      token: h.token('bob@acme.example'),
    });
    expect(refused.body.error.code).toBe('not_admin');
    const view = await h.request('GET', '/v1/support/transparency', { token: h.token(ADMIN) });
    expect(view.status).toBe(200);
    expect(view.body.tenant).toBe('acme.example');
    const users = view.body.sessions.map((s: { targetUser: string }) => s.targetUser);
    expect(users).toEqual(
      expect.arrayContaining(['alice@acme.example', 'bob@acme.example', 'carol@acme.example']),
    );
    const issued = view.body.accesses.filter(
      (a: { type: string }) => a.type === 'support.access.labels',
    );
    expect(issued.length).toBeGreaterThanOrEqual(3);
    for (const access of issued)
      expect(access).toMatchObject({
        ticket: 'T-100',
        justification: 'Customer reports a label that stopped syncing',
      });
    const other = await h.request('GET', '/v1/support/transparency?tenant=acme.example', {
      token: h.token('zed@globex.example'),
    });
    expect(other.body.error.code).toBe('not_admin');
  });

  it('throttles and locks out brute force across ID tokens; a security manager resets it', async () => {
    h.now += 60_000;
    let answer = await h.verify(AGENT, '000000');
    let tries = 1;
    while (answer.body.error?.code !== 'otp_locked' && tries < 40) {
      if (answer.status === 429) h.now += (Number(answer.headers.get('retry-after')) + 1) * 1000;
      answer = await h.verify(AGENT, tries % 2 ? '111111' : '000000');
      tries += 1;
    }
    expect(answer.body.error.code).toBe('otp_locked');
    // A fresh ID token (another sign-in) and a correct code change nothing.
    h.now += 3_600_000;
    const locked = await h.request('POST', '/v1/support/verify', {
      token: h.token(AGENT),
      body: { code: h.code(agentSecret) },
    });
    expect(locked.body.error.code).toBe('otp_locked');
    const alerts = await h.request('GET', `/v1/alerts?actor=${AGENT}&status=open`, {
      token: h.token(MANAGER),
    });
    expect(alerts.body.alerts.map((a: { rule: string }) => a.rule)).toEqual(
      expect.arrayContaining(['otp_lockout', 'otp_failures']),
    );
    const self = await h.request('POST', `/v1/support/factors/${MANAGER}/reset`, {
      token: h.token(MANAGER),
      body: { reason: 'mine' },
    });
    expect(self.body.error.code).toBe('self_reset');
    const reset = await h.request('POST', `/v1/support/factors/${AGENT}/reset`, {
      token: h.token(MANAGER),
      body: { reason: 'Locked out after a phone change' },
    });
    expect(reset.body).toEqual({ agent: AGENT, reset: true });
    const me = await h.request('GET', '/v1/support/me', { token: h.token(AGENT) });
    expect(me.body.factor.state).toBe('none');
    expect(me.body.verifiedUntil).toBeNull();
    expect((await h.verify(AGENT, h.code(agentSecret))).body.error.code).toBe('not_enrolled');
    const resetEvent = (await h.eventTypes('vendor.example')).find(
      (event) => event.type === 'support.factor.reset',
    );
    expect(resetEvent).toMatchObject({ actor: MANAGER, outcome: 'success' });
  });
});
