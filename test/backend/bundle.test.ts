/**
 * This file tests the built Cloud Function: `scripts/build-backend.js` writes build/backend/, whose
 * package.json names only runtime dependencies, and `npx functions-framework --source=build/backend
 * --target=sharedContacts` starts it (PGlite in memory) and answers /healthz and authenticated
 * requests, with bad JSON still answered as a 4xx.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { IdTokenIssuer } from '../../src/emulator/api/id-token-issuer';
import { AUDIENCE, auditEvent, requestJson, writeCerts } from './harness';

const root = path.join(__dirname, '..', '..');
const out = path.join(root, 'build', 'backend');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`functions-framework exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the built function', () => {
  const issuer = new IdTokenIssuer();
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    execFileSync('node', [path.join(root, 'scripts', 'build-backend.js')], {
      cwd: root,
      stdio: 'pipe',
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      AUTH_AUDIENCES: AUDIENCE,
      AUTH_CERTS_FILE: writeCerts(issuer.certs()),
    };
    child = spawn(
      'npx',
      ['functions-framework', '--source=build/backend', '--target=sharedContacts'],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForHealth(url, child);
  }, 120_000);

  afterAll(() => {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  });

  it('ships a bundle, its migrations and a package.json of runtime dependencies only', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')) as {
      main: string;
      dependencies: Record<string, string>;
      devDependencies?: unknown;
    };
    expect(manifest.main).toBe('index.js');
    expect(Object.keys(manifest.dependencies).sort()).toEqual(
      [
        '@electric-sql/pglite',
        '@google-cloud/functions-framework',
        'google-auth-library',
        'pg',
      ].sort(),
    );
    expect(manifest.devDependencies).toBeUndefined();
    expect(fs.readdirSync(path.join(out, 'migrations'))).toContain('001_init.sql');
    const bundle = fs.readFileSync(path.join(out, 'index.js'), 'utf8');
    expect(bundle).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----|"private_key"\s*:/);
  });

  it('answers /healthz and an authenticated ingest through functions-framework', async () => {
    expect((await requestJson(url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const token = issuer.mint({
      email: 'alice@acme.example',
      audience: AUDIENCE,
      hostedDomain: 'acme.example',
    });
    const response = await requestJson(url, 'POST', '/v1/events', {
      token,
      body: { events: [auditEvent()] },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ accepted: 1 });
    expect((await requestJson(url, 'POST', '/v1/events', { body: { events: [] } })).status).toBe(
      401,
    );
  });

  it('answers malformed JSON with a 4xx even though functions-framework parses bodies first', async () => {
    const token = issuer.mint({
      email: 'alice@acme.example',
      audience: AUDIENCE,
      hostedDomain: 'acme.example',
    });
    const response = await requestJson(url, 'POST', '/v1/events', {
      token,
      rawBody: '{"events": [',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.text).not.toMatch(/\n\s+at /);
  });
});
