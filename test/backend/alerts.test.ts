/**
 * This file tests the anomaly rules and alerts on PGlite and PostgreSQL: distinct users opened
 * within the window (and not outside it), support access without a session, failed second-factor
 * bursts, mass revocation, the scheduled scan, the open → justified → resolved lifecycle, the
 * block on support tokens, and the Chat webhook notification retried without blocking ingest.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATABASES, auditEvent } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';

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

describe.each(DATABASES)('anomaly rules and alerts on %s', (kind) => {
  let h: EmulatedHarness;
  let webhook: Webhook;
  const clock = { now: Date.now() };
  beforeAll(async () => {
    webhook = await startWebhook();
    h = await startEmulatedHarness(
      kind,
      {
        alertWebhookUrl: webhook.url,
        rules: {
          distinctUsers: 3,
          distinctUsersWindowSeconds: 600,
          otpFailures: 5,
          otpFailuresWindowSeconds: 600,
          massRevocations: 3,
          massRevocationsWindowSeconds: 600,
          tokenVolume: 1000,
          tokenVolumeWindowSeconds: 600,
        },
      },
      { clock: () => clock.now },
    );
  });
  afterAll(async () => {
    webhook.release();
    await h.close();
    await webhook.close();
  });

  const manager = () => h.token('security@vendor.example', { hostedDomain: 'vendor.example' });
  const open = (actor: string, target: string) =>
    h.request('POST', '/v1/events', {
      token: h.token(actor),
      body: {
        events: [
          auditEvent({ type: 'support.access.open_user', target, detail: { ticket: 'T-1' } }),
        ],
      },
    });
  const alertsOf = async (actor: string) =>
    (await h.request('GET', `/v1/alerts?actor=${actor}`, { token: manager() })).body.alerts as {
      id: string;
      rule: string;
      status: string;
      tenant: string;
    }[];

  it('raises an alert when one actor opens 3 distinct users of a domain within 10 minutes', async () => {
    const actor = 'agent@vendor.example';
    await open(actor, 'u1@acme.example');
    await open(actor, 'u2@acme.example');
    await open(actor, 'u2@acme.example');
    expect((await alertsOf(actor)).map((a) => a.rule)).not.toContain('support_distinct_users');
    clock.now += 5 * 60_000;
    const third = await open(actor, 'u3@acme.example');
    expect(third.status).toBe(200);
    const alerts = await alertsOf(actor);
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'support_distinct_users',
          status: 'open',
          tenant: 'acme.example',
        }),
        expect.objectContaining({ rule: 'support_without_session', status: 'open' }),
      ]),
    );
    const raised = await h.request('GET', '/v1/events?tenant=acme.example&type=alert.raised', {
      token: manager(),
    });
    expect(raised.body.events.map((e: { target: string }) => e.target)).toContain(actor);
  });

  it('does not count users opened outside the window', async () => {
    const actor = 'slow@vendor.example';
    for (const user of ['a', 'b', 'c']) {
      await open(actor, `${user}@acme.example`);
      clock.now += 6 * 60_000;
    }
    expect((await alertsOf(actor)).map((a) => a.rule)).not.toContain('support_distinct_users');
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

  it('moves an alert open → justified → resolved, blocking support tokens until resolved', async () => {
    const actor = 'agent2@vendor.example';
    const agentToken = () => h.token(actor);
    await open(actor, 'x@globex.example');
    const [alert] = await alertsOf(actor);
    expect(alert?.status).toBe('open');
    const path = `/v1/alerts/${alert?.id}`;
    const supportToken = () =>
      h.request('POST', '/v1/delegated-tokens', {
        token: agentToken(),
        body: {
          targetUser: 'x@globex.example',
          scopes: ['https://www.googleapis.com/auth/contacts.readonly'],
          purpose: { kind: 'support', sessionId: 's-1' },
        },
      });
    expect((await supportToken()).body.error.code).toBe('blocked_by_alert');
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
      token: agentToken(),
      body: { justification: 'Ticket T-9: customer asked us to check their label' },
    });
    expect(justified.body).toMatchObject({
      status: 'justified',
      justification: 'Ticket T-9: customer asked us to check their label',
    });
    expect(
      (
        await h.request('POST', `${path}/justify`, {
          token: agentToken(),
          body: { justification: 'again' },
        })
      ).status,
    ).toBe(409);
    expect((await supportToken()).body.error.code).toBe('blocked_by_alert');
    expect(
      (
        await h.request('POST', `${path}/resolve`, {
          token: agentToken(),
          body: { resolution: 'mine' },
        })
      ).status,
    ).toBe(403);
    const resolved = await h.request('POST', `${path}/resolve`, {
      token: manager(),
      body: { resolution: 'Checked with the customer' },
    });
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      resolvedBy: 'security@vendor.example',
    });
    expect((await supportToken()).body.error.code).toBe('no_support_session');
    const trail = await h.request('GET', '/v1/events?tenant=globex.example', { token: manager() });
    expect(trail.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining([
        'alert.raised',
        'alert.justified',
        'alert.resolved',
        'delegated_token.denied',
      ]),
    );
  });

  it('shows an actor their own alerts only', async () => {
    const own = await h.request('GET', '/v1/alerts', { token: h.token('agent@vendor.example') });
    expect(own.status).toBe(200);
    expect(own.body.alerts.length).toBeGreaterThan(0);
    expect(
      own.body.alerts.every((a: { actor: string }) => a.actor === 'agent@vendor.example'),
    ).toBe(true);
    expect(
      (await h.request('GET', '/v1/alerts', { token: h.token('nobody@acme.example') })).body.alerts,
    ).toEqual([]);
  });

  it('raises an alert on a burst of failed second-factor checks, and the scan re-raises it', async () => {
    const actor = 'otp@vendor.example';
    const failures = Array.from({ length: 5 }, () =>
      auditEvent({ type: 'support.otp.verify', outcome: 'failure', target: actor }),
    );
    expect(
      (await h.request('POST', '/v1/events', { token: h.token(actor), body: { events: failures } }))
        .body.alertsRaised,
    ).toBe(1);
    const [alert] = await alertsOf(actor);
    await h.request('POST', `/v1/alerts/${alert?.id}/justify`, {
      token: h.token(actor),
      body: { justification: 'typo' },
    });
    await h.request('POST', `/v1/alerts/${alert?.id}/resolve`, {
      token: manager(),
      body: { resolution: 'fine' },
    });
    expect((await h.request('POST', '/v1/scan', { token: h.token(actor), body: {} })).status).toBe(
      403,
    );
    const scheduler = h.issuer.mint({
      email: 'scheduler@vendor-project.iam.gserviceaccount.com',
      audience: h.config.authAudiences[0] ?? '',
    });
    const scan = await h.request('POST', '/v1/scan', { token: scheduler, body: {} });
    expect(scan.status).toBe(200);
    expect(scan.body.alertsRaised).toBeGreaterThanOrEqual(1);
    expect(
      (await alertsOf(actor)).filter((a) => a.rule === 'otp_failures' && a.status === 'open'),
    ).toHaveLength(1);
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
});
