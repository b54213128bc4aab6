/**
 * This file tests durability end to end: a client that retries each batch until acknowledged
 * sends audit events to the built function (functions-framework, its own process) backed by a
 * private PostgreSQL server; mid-stream the function is killed with SIGKILL and restarted, and
 * PostgreSQL is restarted. Afterwards every event is stored exactly once and the chain is intact.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { IdTokenIssuer } from '../../src/emulator/api/id-token-issuer';
import { AUDIENCE, auditEvent, requestJson, writeCerts } from './harness';
import { startUndelegatedGoogle, type UndelegatedGoogle } from '../fixtures/undelegated-google';
import { freePort } from '../fixtures/free-port';

const root = path.join(__dirname, '..', '..');
const PG_BIN = '/usr/lib/postgresql/15/bin';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A private PostgreSQL server in a temporary folder, run as the postgres user. */
class PrivatePostgres {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backend-durability-pg-'));
  constructor(readonly port: number) {
    fs.chownSync(
      this.dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString()),
      Number(execFileSync('id', ['-g', 'postgres']).toString()),
    );
  }

  private asPostgres(args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe' });
  }

  /** Restarts the server without blocking, so that requests stay in flight meanwhile. */
  async restart(): Promise<void> {
    await promisify(execFile)('runuser', ['-u', 'postgres', '--', ...this.pgCtlArgs('restart')]);
  }

  init(): void {
    this.asPostgres([
      `${PG_BIN}/initdb`,
      '-D',
      `${this.dir}/data`,
      '-A',
      'trust',
      '-U',
      'postgres',
    ]);
  }

  pgCtl(action: 'start' | 'stop'): void {
    this.asPostgres(this.pgCtlArgs(action));
  }

  private pgCtlArgs(action: string): string[] {
    return [
      `${PG_BIN}/pg_ctl`,
      '-D',
      `${this.dir}/data`,
      '-l',
      `${this.dir}/log`,
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
      '-m',
      'fast',
      '-w',
      action,
    ];
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('durability under process kills and a database restart', () => {
  const issuer = new IdTokenIssuer();
  const certsFile = writeCerts(issuer.certs());
  let pg: PrivatePostgres;
  let functionPort: number;
  let fn: ChildProcess | undefined;
  let google: UndelegatedGoogle | undefined;

  const startFunction = (): ChildProcess => {
    const child = spawn(
      'npx',
      ['functions-framework', '--source=build/backend', '--target=sharedContacts'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(functionPort),
          DATABASE_URL: pg.url,
          AUTH_AUDIENCES: AUDIENCE,
          AUTH_CERTS_FILE: certsFile,
          STAFF_SECURITY_MANAGERS: 'security@vendor.example',
          RATE_LIMIT_PER_MINUTE: '100000',
          ...google?.env,
        },
        stdio: 'ignore',
        detached: true,
      },
    );
    return child;
  };

  const killFunction = (signal: NodeJS.Signals) => {
    if (fn?.pid) {
      try {
        process.kill(-fn.pid, signal);
      } catch {
        // Already gone.
      }
    }
  };

  beforeAll(async () => {
    execFileSync('node', [path.join(root, 'scripts', 'build-backend.js')], {
      cwd: root,
      stdio: 'pipe',
    });
    pg = new PrivatePostgres(await freePort());
    pg.init();
    pg.pgCtl('start');
    functionPort = await freePort();
    google = await startUndelegatedGoogle(['durable.example', 'vendor.example']);
  }, 120_000);

  afterAll(async () => {
    killFunction('SIGKILL');
    await google?.close();
    try {
      pg.pgCtl('stop');
    } finally {
      pg.remove();
    }
  });

  it('stores every event exactly once with the chain intact', async () => {
    const url = `http://127.0.0.1:${functionPort}`;
    fn = startFunction();
    const token = issuer.mint({
      email: 'writer@durable.example',
      audience: AUDIENCE,
      hostedDomain: 'durable.example',
      lifetimeSeconds: 3600,
    });
    const batches = Array.from({ length: 40 }, () =>
      Array.from({ length: 25 }, () => auditEvent()),
    );
    let acknowledged = 0;
    let retries = 0;
    const send = async (events: Record<string, unknown>[]) => {
      for (;;) {
        try {
          const response = await requestJson(url, 'POST', '/v1/events', {
            token,
            body: { events },
          });
          if (response.status === 200) return;
          expect(response.status).toBeGreaterThanOrEqual(500);
        } catch {
          // Connection refused or reset while the function restarts.
        }
        retries += 1;
        await sleep(100);
      }
    };
    const chaos = (async () => {
      while (acknowledged < 10) await sleep(20);
      killFunction('SIGKILL');
      fn = startFunction();
      while (acknowledged < 25) await sleep(20);
      await pg.restart();
    })();
    for (const batch of batches) {
      await send(batch);
      acknowledged += 1;
    }
    await chaos;
    expect(retries).toBeGreaterThan(0);

    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ total: number; distinct_ids: number; max_seq: string }>(
        "SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct_ids, max(seq)::text AS max_seq FROM audit_events WHERE tenant = 'durable.example'",
      );
      expect(rows[0]).toEqual({ total: 1000, distinct_ids: 1000, max_seq: '1000' });
      const expected = new Set(batches.flat().map((event) => event.id));
      const stored = await client.query<{ event_id: string }>(
        "SELECT event_id FROM audit_events WHERE tenant = 'durable.example'",
      );
      expect(new Set(stored.rows.map((row) => row.event_id))).toEqual(expected);
    } finally {
      await client.end();
    }
    const manager = issuer.mint({
      email: 'security@vendor.example',
      audience: AUDIENCE,
      hostedDomain: 'vendor.example',
    });
    const verify = await requestJson(url, 'GET', '/v1/audit/verify?tenant=durable.example', {
      token: manager,
    });
    expect(verify.body).toEqual({
      tenant: 'durable.example',
      ok: true,
      checked: 1000,
      anchor: { status: 'not_configured' },
    });
  }, 180_000);
});
