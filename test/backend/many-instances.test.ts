/**
 * This file runs three backend instances, each in its own Node process (fixtures/
 * backend-process.ts, configured from the environment as the deployed function is), on one
 * PostgreSQL schema and one Workspace emulator. Many clients append audit events while a share's
 * owner calls the share gateway, retrying on another instance when one fails; one caller
 * floods; the instance that raised an alert is killed with SIGKILL mid-stream while the webhook
 * is down. Afterwards: every acknowledged event is stored exactly once, the chains verify, the
 * flood got no more than one rate limit's worth across the three instances, and the alert's
 * notification, left pending by the dead instance, is delivered by a survivor's /v1/scan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import { createWorkspaceEmulator, type WorkspaceEmulator } from '../../src/emulator/api';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/api/server';
import { AUDIENCE, POSTGRES_URL, dropSchema, freshSchema, writeCerts } from './harness';
import { DELEGATED_SCOPES } from './emulated';
import { labelWith, peopleAs } from '../fixtures/emulator-people';
import { MANAGER, SCHEDULER } from '../fixtures/staff';

const root = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'backend-process.ts');
const SERVICE_ACCOUNT = 'shared-contacts-broker@many-instances.iam.gserviceaccount.com';
const RATE_LIMIT = 60;
const TOKEN_VOLUME = 8;
/** The share's recipients: one gateway call into each account reaches TOKEN_VOLUME accounts. */
const RECIPIENTS = Array.from({ length: TOKEN_VOLUME }, (_, i) => `recipient${i}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Instance {
  child: ChildProcess;
  url: string;
  /** Its notifier's id, as written in alert_outbox.claimed_by. */
  instanceId: string;
  /** Its start-up signing key, which the emulator publishes for the broker's account. */
  key: { keyId: string; publicKeyPem: string };
  alive: boolean;
  log: string[];
}

async function spawnInstance(env: NodeJS.ProcessEnv): Promise<Instance> {
  // Node itself runs the instance (tsx as a loader, not its wrapper process), so that a signal
  // reaches the server and SIGKILL leaves nothing running.
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const ready = await new Promise<{
    url: string;
    keyId: string;
    publicKeyPem: string;
    instanceId: string;
  }>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) =>
      reject(new Error(`instance exited with ${code}: ${log.join('')}`)),
    );
  });
  return {
    child,
    url: ready.url,
    instanceId: ready.instanceId,
    key: { keyId: ready.keyId, publicKeyPem: ready.publicKeyPem },
    alive: true,
    log,
  };
}

/** A Chat-like webhook whose status the test sets. */
async function startReceiver(): Promise<{
  url: string;
  status: number;
  received: string[];
  server: Server;
}> {
  const state = { status: 503, received: [] as string[] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (state.status === 200) state.received.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(state.status).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    server,
  });
}

describe('three backend instances on one PostgreSQL schema', () => {
  const schema = freshSchema();
  let emulator: WorkspaceEmulator;
  let emulatorServer: EmulatorServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let instances: Instance[] = [];
  let db: Client;

  beforeAll(async () => {
    emulator = createWorkspaceEmulator({ startTime: Date.now() });
    emulator.addCustomer('acme.example');
    emulator.addCustomer('globex.example');
    for (const name of ['alice', 'bob', 'mallory', ...RECIPIENTS])
      emulator.addUser(`${name}@acme.example`);
    emulatorServer = await startEmulatorServer(emulator);
    receiver = await startReceiver();
    const base = emulatorServer.baseUrl;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      AUTH_AUDIENCES: AUDIENCE,
      AUTH_CERTS_FILE: writeCerts(emulator.idTokens.certs()),
      STAFF_SECURITY_MANAGERS: MANAGER,
      SCHEDULER_INVOKERS: SCHEDULER,
      SERVICE_ACCOUNT_EMAIL: SERVICE_ACCOUNT,
      GOOGLE_TOKEN_URL: `${base}/token`,
      IAM_CREDENTIALS_URL: base,
      ADMIN_DIRECTORY_URL: base,
      PEOPLE_API_URL: base,
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_RETRY_BASE_MS: '100',
      ALERT_LEASE_SECONDS: '2',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      RULE_TOKEN_VOLUME: String(TOKEN_VOLUME),
    };
    // Started together: the migrations run once, under the advisory lock.
    instances = await Promise.all([spawnInstance(env), spawnInstance(env), spawnInstance(env)]);
    for (const instance of instances) {
      const { key } = instance;
      const clientId = emulator.registerServiceAccountKey(
        SERVICE_ACCOUNT,
        key.publicKeyPem,
        key.keyId,
      );
      emulator.grantDomainWideDelegation('acme.example', clientId, DELEGATED_SCOPES);
    }
    db = new Client({ connectionString: POSTGRES_URL, options: `-c search_path="${schema}"` });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      instances
        .filter((instance) => instance.alive)
        .map(
          (instance) =>
            new Promise<void>((resolve) => {
              instance.child.once('exit', () => resolve());
              instance.child.kill('SIGTERM');
            }),
        ),
    );
    await db?.end();
    await dropSchema(schema);
    await emulatorServer?.close();
    await new Promise<void>((resolve) => {
      receiver?.server.closeAllConnections();
      receiver?.server.close(() => resolve());
    });
  });

  const token = (email: string, hostedDomain: string | undefined = email.split('@')[1]) =>
    emulator.idTokens.mint({
      email,
      audience: AUDIENCE,
      ...(hostedDomain ? { hostedDomain } : {}),
    });

  let turn = 0;
  const pick = (): Instance => {
    const alive = instances.filter((instance) => instance.alive);
    turn += 1;
    return alive[turn % alive.length] as Instance;
  };

  /** One request to one instance; a dead instance answers status 0. */
  const send = async (
    instance: Instance,
    method: string,
    urlPath: string,
    bearer: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read freely
  ): Promise<{ status: number; body: any }> => {
    try {
      const response = await fetch(`${instance.url}${urlPath}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      return { status: 0, body: undefined };
    }
  };

  it("stores every acknowledged event once, holds the rate limit globally and delivers the dead instance's alert", async () => {
    const acknowledged = new Set<string>();
    const occurredAt = new Date().toISOString();

    /** A client that sends its batches in turn, retrying each on another instance until acknowledged. */
    const writer = async (email: string, batches: number) => {
      const bearer = token(email);
      for (let b = 0; b < batches; b += 1) {
        const events = Array.from({ length: 10 }, (_, k) => ({
          id: `${email}-${b}-${k}`,
          type: 'contact.updated',
          target: 'bob@acme.example',
          outcome: 'success',
          occurredAt,
        }));
        for (let attempt = 0; ; attempt += 1) {
          if (attempt > 50) throw new Error(`batch ${b} of ${email} never acknowledged`);
          const answer = await send(pick(), 'POST', '/v1/events', bearer, { events });
          if (answer.status === 200) {
            for (const event of events) acknowledged.add(`${email.split('@')[1]}/${event.id}`);
            break;
          }
          if (answer.status !== 0 && answer.status < 500)
            throw new Error(`batch refused: ${answer.status} ${JSON.stringify(answer.body)}`);
          await sleep(50);
        }
      }
    };

    const writers = Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        writer(`writer${i}@${i % 3 === 0 ? 'globex' : 'acme'}.example`, 12),
      ),
    );

    // Alice shares a label with her recipients, then reaches each one's account through one
    // instance's share gateway until the reached-accounts rule fires.
    const [raiser] = instances.slice(1, 2) as [Instance];
    const alice = token('alice@acme.example');
    const share = await send(raiser, 'POST', '/v1/shares', alice, {
      labelResourceName: labelWith(peopleAs(emulator), 'alice@acme.example', 'Team', []),
      labelName: 'Team',
      grants: RECIPIENTS.map((name) => ({
        target: { kind: 'user', email: `${name}@acme.example` },
        level: 'view',
      })),
    });
    expect(share.status).toBe(201);
    for (const name of RECIPIENTS) {
      const reached = await send(
        raiser,
        'POST',
        `/v1/shares/${share.body.id}/gateway/list-groups`,
        alice,
        { account: `${name}@acme.example` },
      );
      expect(reached.status).toBe(200);
    }
    // The webhook is down: the raising instance has claimed the notification and failed.
    let pending: { alert_id: string; claimed_by: string } | undefined;
    for (let i = 0; i < 200 && !pending; i += 1) {
      const rows = await db.query(
        'SELECT alert_id, claimed_by FROM alert_outbox WHERE attempts >= 1 AND delivered_at IS NULL',
      );
      pending = rows.rows[0];
      if (!pending) await sleep(25);
    }
    expect(pending?.claimed_by).toBe(raiser.instanceId);

    // Mid-stream: the raising instance dies with its retries, while clients keep writing.
    const died = new Promise<NodeJS.Signals | null>((resolve) =>
      raiser.child.once('exit', (_code, signal) => resolve(signal)),
    );
    raiser.child.kill('SIGKILL');
    raiser.alive = false;
    expect(await died).toBe('SIGKILL');

    // One caller floods the two survivors.
    const mallory = token('mallory@acme.example');
    const started = performance.now();
    const statuses: number[] = [];
    for (let round = 0; round < 15; round += 1)
      statuses.push(
        ...(await Promise.all(
          Array.from(
            { length: 10 },
            async () => (await send(pick(), 'GET', '/v1/shares', mallory)).status,
          ),
        )),
      );
    const elapsedSeconds = (performance.now() - started) / 1000;

    await writers;

    // The webhook comes back; a survivor's scan (Cloud Scheduler) delivers what the dead left.
    receiver.status = 200;
    const scheduler = token(SCHEDULER, undefined);
    for (let i = 0; i < 60; i += 1) {
      if (receiver.received.some((text) => text.includes(pending?.alert_id ?? '?'))) break;
      await send(pick(), 'POST', '/v1/scan', scheduler, {});
      await sleep(250);
    }
    expect(
      receiver.received.filter((text) => text.includes(pending?.alert_id ?? '?')).length,
    ).toBeGreaterThanOrEqual(1);
    // Delivered by a survivor: the dead instance's claim was taken over.
    const outbox = await db.query(
      'SELECT claimed_by, delivered_at FROM alert_outbox WHERE alert_id = $1',
      [pending?.alert_id],
    );
    expect(outbox.rows[0]?.delivered_at).toEqual(expect.any(String));
    expect(instances.filter((i) => i.alive).map((i) => i.instanceId)).toContain(
      outbox.rows[0]?.claimed_by,
    );
    const alerts = await db.query("SELECT actor FROM alerts WHERE rule = 'token_volume'");
    expect(alerts.rows).toEqual([{ actor: 'alice@acme.example' }]);

    // Every acknowledged event is stored, once.
    const stored = await db.query(
      "SELECT tenant || '/' || event_id AS key FROM audit_events WHERE type = 'contact.updated'",
    );
    const keys = stored.rows.map((row: { key: string }) => row.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual([...acknowledged].sort());
    expect(acknowledged.size).toBe(12 * 12 * 10);

    // The chains verify.
    const manager = token(MANAGER, 'vendor.example');
    for (const tenant of ['acme.example', 'globex.example']) {
      const verified = await send(pick(), 'GET', `/v1/audit/verify?tenant=${tenant}`, manager);
      expect(verified.body).toMatchObject({ tenant, ok: true });
    }

    // The flood got one rate limit's worth in all, not one per instance.
    const granted = statuses.filter((status) => status === 200).length;
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(granted).toBeLessThanOrEqual(RATE_LIMIT + Math.ceil(elapsedSeconds * (RATE_LIMIT / 60)));
    expect(granted).toBeGreaterThan(0);
  }, 240_000);
});
