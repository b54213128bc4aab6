/**
 * This file tests the anomaly rules and alerts on PGlite and PostgreSQL, driven through the paths
 * that really write the events (support sessions, second-factor checks, share revocations; the
 * backend's own recorder where no endpoint can produce the event): distinct users opened within
 * the window (and not outside it), support access without an open session, failed second-factor
 * bursts, mass revocation, the scheduled scan, the open → justified → resolved lifecycle, the
 * block on support access, and the Chat webhook notification retried without blocking ingest.
 * Clients cannot drive the rules with forged events: /v1/events refuses backend-only types.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATABASES, auditEvent } from './harness';
import {
  AGENT,
  AGENT2,
  MANAGER,
  startSupportHarness,
  type SupportHarness,
} from './support/support-harness';

interface Webhook {
  url: string;
  received: string[];
  attempts: number;
  release(): void;
  close(): Promise<void>;
}

/** A Chat-like webhook that fails its first two attempts and holds the third until released. */
async function startWebhook(): Promise<Webhook> {
  const state = { received: [] as string[], attempts: 0 };
  const held: ServerResponse[] = [];
  let released = false;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.attempts += 1;
      if (state.attempts <= 2) {
        response.writeHead(503).end();
        return;
      }
      state.received.push(Buffer.concat(chunks).toString('utf8'));
      if (released) response.writeHead(200).end('{}');
      else held.push(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/spaces/test/messages`,
    get received() {
      return state.received;
    },
    get attempts() {
      return state.attempts;
    },
    release() {
      released = true;
      for (const response of held.splice(0)) response.writeHead(200).end('{}');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SLOW = 'slow@vendor.example';
const LATE = 'late@vendor.example';
const OTP_AGENT = 'otp@vendor.example';

describe.each(DATABASES)('anomaly rules and alerts on %s', (kind) => {
  let h: SupportHarness;
  let webhook: Webhook;
  beforeAll(async () => {
    webhook = await startWebhook();
    h = await startSupportHarness(kind, {
      alertWebhookUrl: webhook.url,
      supportAgents: [AGENT, AGENT2, SLOW, LATE, OTP_AGENT],
      rules: {
        distinctUsers: 3,
        distinctUsersWindowSeconds: 600,
        otpFailures: 5,
        otpFailuresWindowSeconds: 600,
        massRevocations: 3,
        massRevocationsWindowSeconds: 600,
        tokenVolume: 4,
        tokenVolumeWindowSeconds: 600,
      },
    });
    // Support access needs approval until an admin chooses; these sessions open at once.
    await h.setPolicy('acme.example', { supportAccess: 'allowed' });
  });
  afterAll(async () => {
    webhook.release();
    await h.close();
    await webhook.close();
  });

  const manager = () => h.token(MANAGER);
  /** Opens a support session for a user, as the agent does in the support card. */
  const open = async (agent: string, targetUser: string) => {
    h.provision(targetUser);
    const response = await h.openSession(agent, {
      tenant: targetUser.slice(targetUser.indexOf('@') + 1),
      targetUser,
      ticket: 'T-1',
      justification: 'The customer asked us to look at a label',
    });
    expect(response.status).toBe(201);
    return response.body as { id: string; blockedByAlert: boolean };
  };
  const alertsOf = async (actor: string) =>
    (await h.request('GET', `/v1/alerts?actor=${actor}`, { token: manager() })).body.alerts as {
      id: string;
      rule: string;
      status: string;
      tenant: string;
    }[];

  it('raises an alert when one agent opens sessions for 3 distinct users of a domain within 10 minutes', async () => {
    await h.enrolAndVerify(AGENT);
    expect((await open(AGENT, 'u1@acme.example')).blockedByAlert).toBe(false);
    await open(AGENT, 'u2@acme.example');
    await open(AGENT, 'u2@acme.example');
    expect(await alertsOf(AGENT)).toEqual([]);
    h.now += 5 * 60_000;
    const third = await open(AGENT, 'u3@acme.example');
    expect(third.blockedByAlert).toBe(true);
    // Every access was inside an open session: only the distinct-users rule fires.
    expect(await alertsOf(AGENT)).toEqual([
      expect.objectContaining({
        rule: 'support_distinct_users',
        status: 'open',
        tenant: 'acme.example',
      }),
    ]);
    expect((await h.supportRead(AGENT, third.id)).body.error.code).toBe('blocked_by_alert');
    const raised = await h.request('GET', '/v1/events?tenant=acme.example&type=alert.raised', {
      token: manager(),
    });
    expect(raised.body.events.map((e: { target: string }) => e.target)).toContain(AGENT);
  });

  it('does not count users opened outside the window', async () => {
    await h.enrolAndVerify(SLOW);
    for (const user of ['a', 'b', 'c']) {
      expect((await open(SLOW, `${user}@acme.example`)).blockedByAlert).toBe(false);
      h.now += 6 * 60_000;
    }
    expect(await alertsOf(SLOW)).toEqual([]);
  });

  it('raises an alert for a support access recorded outside an open session', async () => {
    await h.enrolAndVerify(LATE);
    const session = await open(LATE, 'dave@acme.example');
    const close = await h.request('POST', `/v1/support/sessions/${session.id}/close`, {
      token: h.token(LATE),
      body: {},
    });
    expect(close.body.status).toBe('closed');
    expect(await alertsOf(LATE)).toEqual([]);
    // No endpoint records an access once its session has ended, so the access is recorded as the
    // support endpoints record accesses: through the backend's recorder, then the rules.
    const services = h.server.backend.services;
    const stored = await services.record(services.db, 'acme.example', LATE, 'test', [
      {
        type: 'support.access.shares',
        target: 'dave@acme.example',
        outcome: 'success',
        detail: { sessionId: session.id, shares: 0 },
      },
    ]);
    expect((await services.afterEvents(stored)).map((alert) => alert.rule)).toEqual([
      'support_without_session',
    ]);
    expect(await alertsOf(LATE)).toEqual([
      expect.objectContaining({
        rule: 'support_without_session',
        status: 'open',
        tenant: 'acme.example',
      }),
    ]);
  });

  it('notifies the webhook with retries, without holding up ingest', async () => {
    expect(webhook.attempts).toBeGreaterThanOrEqual(1);
    webhook.release();
    await h.server.backend.services.notifier.drain();
    expect(webhook.attempts).toBeGreaterThanOrEqual(3);
    const message = JSON.parse(webhook.received[0] ?? '{}') as { text: string };
    expect(message.text).toMatch(/security alert \(support_/);
    expect(message.text).not.toContain('T-1');
  });

  it('moves an alert open → justified → resolved, blocking support access until resolved', async () => {
    await h.enrolAndVerify(AGENT2);
    const first = await open(AGENT2, 'alice@acme.example');
    await open(AGENT2, 'bob@acme.example');
    expect((await open(AGENT2, 'carol@acme.example')).blockedByAlert).toBe(true);
    const [alert, ...others] = await alertsOf(AGENT2);
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ rule: 'support_distinct_users', status: 'open' });
    const path = `/v1/alerts/${alert?.id}`;
    const supportRead = () => h.supportRead(AGENT2, first.id);
    expect((await supportRead()).body.error.code).toBe('blocked_by_alert');
    expect(
      (await h.request('POST', `${path}/resolve`, { token: manager(), body: { resolution: 'ok' } }))
        .status,
    ).toBe(409);
    expect(
      (
        await h.request('POST', `${path}/justify`, {
          token: h.token('bob@acme.example'),
          body: { justification: 'x' },
        })
      ).status,
    ).toBe(404);
    const justified = await h.request('POST', `${path}/justify`, {
      token: h.token(AGENT2),
      body: { justification: 'Ticket T-9: customer asked us to check their label' },
    });
    expect(justified.body).toMatchObject({
      status: 'justified',
      justification: 'Ticket T-9: customer asked us to check their label',
    });
    expect(
      (
        await h.request('POST', `${path}/justify`, {
          token: h.token(AGENT2),
          body: { justification: 'again' },
        })
      ).status,
    ).toBe(409);
    expect((await supportRead()).body.error.code).toBe('blocked_by_alert');
    expect(
      (
        await h.request('POST', `${path}/resolve`, {
          token: h.token(AGENT2),
          body: { resolution: 'mine' },
        })
      ).status,
    ).toBe(403);
    const resolved = await h.request('POST', `${path}/resolve`, {
      token: manager(),
      body: { resolution: 'Checked with the customer' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: MANAGER });
    const resumed = await supportRead();
    expect(resumed.status).toBe(200);
    expect(resumed.body.user).toBe('alice@acme.example');
    expect(await alertsOf(AGENT2)).toEqual([expect.objectContaining({ status: 'resolved' })]);
    const trail = await h.request('GET', '/v1/events?tenant=acme.example&pageSize=500', {
      token: manager(),
    });
    expect(trail.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining([
        'alert.raised',
        'alert.justified',
        'alert.resolved',
        'support.access.labels',
      ]),
    );
    // The blocked agent's refused access is the vendor's record, not written into acme's chain.
    const vendor = await h.request('GET', '/v1/events?tenant=vendor.example&pageSize=500', {
      token: manager(),
    });
    expect(
      vendor.body.events.filter(
        (e: { type: string; actor: string }) => e.type === 'support.denied' && e.actor === AGENT2,
      ).length,
    ).toBeGreaterThan(0);
  });

  it('shows an actor their own alerts only', async () => {
    const own = await h.request('GET', '/v1/alerts', { token: h.token(AGENT) });
    expect(own.status).toBe(200);
    expect(own.body.alerts.length).toBeGreaterThan(0);
    expect(own.body.alerts.every((a: { actor: string }) => a.actor === AGENT)).toBe(true);
    expect(
      (await h.request('GET', '/v1/alerts', { token: h.token('nobody@acme.example') })).body.alerts,
    ).toEqual([]);
  });

  it('raises an alert on a burst of failed second-factor checks, and the scan re-raises it', async () => {
    const { secret } = await h.enrolAndVerify(OTP_AGENT);
    h.now += 60_000;
    const otpAlerts = async () =>
      (await alertsOf(OTP_AGENT)).filter((a) => a.rule === 'otp_failures' && a.status === 'open');
    let failures = 0;
    while (failures < 5) {
      const valid = [-30, 0, 30].map((offset) => h.code(secret, offset));
      let wrong = 0;
      while (valid.includes(String(wrong).padStart(6, '0'))) wrong += 1;
      const answer = await h.verify(OTP_AGENT, String(wrong).padStart(6, '0'));
      if (answer.status === 429) {
        h.now += (Number(answer.headers.get('retry-after')) + 1) * 1000;
        continue;
      }
      expect(answer.body.error.code).toBe('otp_wrong');
      failures += 1;
      expect(await otpAlerts()).toHaveLength(failures < 5 ? 0 : 1);
    }
    const [alert] = await otpAlerts();
    await h.request('POST', `/v1/alerts/${alert?.id}/justify`, {
      token: h.token(OTP_AGENT),
      body: { justification: 'typo' },
    });
    await h.request('POST', `/v1/alerts/${alert?.id}/resolve`, {
      token: manager(),
      body: { resolution: 'fine' },
    });
    expect(await otpAlerts()).toEqual([]);
    expect(
      (await h.request('POST', '/v1/scan', { token: h.token(OTP_AGENT), body: {} })).status,
    ).toBe(403);
    const scheduler = h.issuer.mint({
      email: 'scheduler@vendor-project.iam.gserviceaccount.com',
      audience: h.config.authAudiences[0] ?? '',
    });
    const scan = await h.request('POST', '/v1/scan', { token: scheduler, body: {} });
    expect(scan.status).toBe(200);
    expect(scan.body.alertsRaised).toBeGreaterThanOrEqual(1);
    expect(await otpAlerts()).toHaveLength(1);
  });

  it('raises an alert on mass revocation', async () => {
    const owner = 'purger@acme.example';
    for (let i = 0; i < 3; i += 1) {
      const share = await h.request('POST', '/v1/shares', {
        token: h.token(owner),
        body: { labelResourceName: `contactGroups/p${i}`, labelName: `P${i}`, grants: [] },
      });
      expect(
        (await h.request('DELETE', `/v1/shares/${share.body.id}`, { token: h.token(owner) }))
          .status,
      ).toBe(200);
    }
    expect((await alertsOf(owner)).map((a) => a.rule)).toEqual(['mass_revocation']);
  });

  it('raises an alert when one actor reaches unusually many accounts through the gateway', async () => {
    const owner = 'alice@acme.example';
    const recipients = ['bob', 'carol', 'dave', 'erin'].map((name) => `${name}@acme.example`);
    const share = await h.request('POST', '/v1/shares', {
      token: h.token(owner),
      body: {
        labelResourceName: 'contactGroups/heavy',
        labelName: 'Heavy',
        grants: recipients.map((email) => ({ target: { kind: 'user', email }, level: 'view' })),
      },
    });
    const reach = (account: string) =>
      h.request('POST', `/v1/shares/${share.body.id}/gateway/list-groups`, {
        token: h.token(owner),
        body: { account },
      });
    // Other events of the same actor, refused calls and calls to an account reached already do
    // not count.
    await h.request('POST', '/v1/events', {
      token: h.token(owner),
      body: { events: Array.from({ length: 50 }, () => auditEvent({ type: 'contact.updated' })) },
    });
    for (let i = 0; i < 3; i += 1)
      expect((await reach('zed@globex.example')).body.error.code).toBe('target_not_participant');
    for (const [index, account] of recipients.entries()) {
      expect((await reach(account)).status).toBe(200);
      expect((await reach(account)).status).toBe(200);
      expect((await alertsOf(owner)).map((a) => a.rule)).toEqual(
        index < recipients.length - 1 ? [] : ['token_volume'],
      );
    }
    h.now += 11 * 60_000;
    expect((await reach('bob@acme.example')).status).toBe(200);
    expect(await alertsOf(owner)).toHaveLength(1);
  });

  it('cannot be driven by clients sending backend-only events to /v1/events', async () => {
    const forger = 'forger@acme.example';
    const forged = [
      ...['u7', 'u8', 'u9'].map((user) =>
        auditEvent({ type: 'support.access.session_opened', target: `${user}@acme.example` }),
      ),
      ...Array.from({ length: 5 }, () =>
        auditEvent({ type: 'support.otp.verify', outcome: 'failure', target: forger }),
      ),
      ...Array.from({ length: 3 }, () => auditEvent({ type: 'share.revoked', shareId: 's' })),
    ];
    for (const event of forged) {
      const answer = await h.request('POST', '/v1/events', {
        token: h.token(forger),
        body: { events: [auditEvent(), event] },
      });
      expect([answer.status, answer.body.error.code]).toEqual([400, 'reserved_event_type']);
    }
    const stored = await h.request('GET', `/v1/events?tenant=acme.example&actor=${forger}`, {
      token: manager(),
    });
    expect(stored.body.events).toEqual([]);
    expect(await alertsOf(forger)).toEqual([]);
  });
});
