/**
 * This file tests the alert outbox on PGlite and PostgreSQL: a notification is queued in the
 * transaction that raises its alert, delivered in the background and retried with back-off while
 * the webhook fails, marked delivered once accepted; a notification claimed by an instance that
 * died is taken over by /v1/scan once its lease has run out, never before; a webhook that
 * refuses the message (4xx) ends its retries with a logged error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATABASES, startHarness, type Harness } from './harness';
import { SCHEDULER } from '../fixtures/staff';

/** A webhook whose answer the test sets; it records every message and attempt. */
async function startReceiver(): Promise<{
  url: string;
  status: number;
  received: string[];
  attempts: number;
  close(): Promise<void>;
}> {
  const state = { status: 503, received: [] as string[], attempts: 0 };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.attempts += 1;
      if (state.status === 200) state.received.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(state.status).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/spaces/s/messages`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

describe.each(DATABASES)('alert outbox on %s', (kind) => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    h = await startHarness(kind, {
      alertWebhookUrl: receiver.url,
      alertDelivery: { baseDelayMs: 50, maxDelayMs: 200, leaseMs: 1500, maxAttempts: 40 },
    });
  });
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });

  const raise = (actor: string) =>
    h.server.backend.services.raise([
      { tenant: 'acme.example', actor, rule: 'token_volume', summary: 'many tokens' },
    ]);
  const row = async (alertId: string) => {
    const [found] = await h.server.backend.services.db.query<{
      attempts: number;
      delivered_at: string | null;
      failed_at: string | null;
      claimed_by: string | null;
    }>(
      'SELECT attempts, delivered_at, failed_at, claimed_by FROM alert_outbox WHERE alert_id = $1',
      [alertId],
    );
    return found;
  };
  const waitFor = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 400 && !(await check()); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 25));
  };

  it('queues the notification with its alert and retries with back-off until the webhook takes it', async () => {
    receiver.status = 503;
    const [alert] = await raise('retry@vendor.example');
    if (!alert) throw new Error('no alert raised');
    expect(await row(alert.id)).toMatchObject({ delivered_at: null });
    await waitFor(async () => receiver.attempts >= 3);
    expect((await row(alert.id))?.attempts).toBeGreaterThanOrEqual(3);
    receiver.status = 200;
    await waitFor(async () => (await row(alert.id))?.delivered_at != null);
    expect(await row(alert.id)).toMatchObject({
      delivered_at: expect.any(String),
      failed_at: null,
    });
    expect(receiver.received.some((text) => text.includes(alert.id))).toBe(true);
  });

  it('takes over a notification left by a dead instance once its lease ran out, from /v1/scan', async () => {
    receiver.status = 200;
    const { db } = h.server.backend.services;
    // A row claimed by an instance that died right after claiming: it holds the lease.
    const [alert] = await db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        `INSERT INTO alerts (id, tenant, actor, rule, status, summary, created_at)
         VALUES ('dead-instance-alert', 'acme.example', 'ghost@vendor.example', 'token_volume', 'open', 'x', $1)
         RETURNING id`,
        [new Date().toISOString()],
      );
      await tx.query(
        `INSERT INTO alert_outbox (alert_id, payload, created_at, next_attempt_ms, attempts, claimed_by, claimed_until_ms)
         VALUES ('dead-instance-alert', '{"text":"dead-instance-alert"}', $1, $2, 1, 'dead', $3)`,
        [new Date().toISOString(), Date.now(), Date.now() + 1500],
      );
      return rows;
    });
    const scan = () =>
      h.request('POST', '/v1/scan', {
        token: h.token(SCHEDULER, { hostedDomain: undefined }),
        body: {},
      });
    const early = await scan();
    expect(early.body.notifications).toMatchObject({ delivered: 0 });
    expect(await row(alert?.id ?? '')).toMatchObject({ claimed_by: 'dead', delivered_at: null });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const late = await scan();
    expect(late.body.notifications).toMatchObject({ delivered: 1 });
    expect(await row('dead-instance-alert')).toMatchObject({
      claimed_by: h.server.backend.services.notifier.instanceId,
      delivered_at: expect.any(String),
    });
    expect(receiver.received).toContain('{"text":"dead-instance-alert"}');
  });

  it('stops retrying and logs an error when the webhook refuses the message', async () => {
    receiver.status = 400;
    const [alert] = await raise('refused@vendor.example');
    if (!alert) throw new Error('no alert raised');
    await waitFor(async () => (await row(alert.id))?.failed_at != null);
    expect(await row(alert.id)).toMatchObject({ attempts: 1, failed_at: expect.any(String) });
    expect(h.logger.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: 'ERROR',
          message: 'alert notification rejected by the webhook',
          alertId: alert.id,
        }),
      ]),
    );
  });
});
