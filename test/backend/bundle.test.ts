/**
 * This file tests the built Cloud Function: `scripts/build-backend.js` writes build/backend/, whose
 * package.json names only runtime dependencies, and `npx functions-framework --source=build/backend
 * --target=sharedContacts` starts it (PGlite in memory) and answers /healthz and authenticated
 * requests; every hostile request that the framework's own body parsers, router or Express's
 * final handler used to answer with an HTML stack trace (hostile.ts) gets the backend's JSON 4xx,
 * also in production mode, which refuses settings only fit for local runs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IdTokenIssuer } from '../../src/emulator/api/id-token-issuer';
import {
  AUDIENCE,
  POSTGRES_URL,
  auditEvent,
  dropSchema,
  freshSchema,
  requestJson,
  writeCerts,
} from './harness';
import { errorProblems, hostileCases, rawRequest } from './hostile';
import { startUndelegatedGoogle, type UndelegatedGoogle } from '../fixtures/undelegated-google';
import { freePort } from '../fixtures/free-port';

const root = path.join(__dirname, '..', '..');
const out = path.join(root, 'build', 'backend');

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
  let google: UndelegatedGoogle;

  beforeAll(async () => {
    google = await startUndelegatedGoogle(['acme.example']);
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
      ...google.env,
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

  afterAll(async () => {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await google.close();
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

  it.each(hostileCases('TOKEN').map((c) => [c.name, c] as const))(
    "answers %s through functions-framework with the backend's JSON 4xx",
    async (_name, template) => {
      const token = issuer.mint({
        email: 'alice@acme.example',
        audience: AUDIENCE,
        hostedDomain: 'acme.example',
      });
      const headers = Object.fromEntries(
        Object.entries(template.request.headers ?? {}).map(([name, value]) => [
          name,
          value.replace('TOKEN', token),
        ]),
      );
      const response = await rawRequest(url, { ...template.request, headers });
      expect(errorProblems(response)).toEqual([]);
      expect(response.status).toBe(template.status);
      if (template.code) expect(response.body.error.code).toBe(template.code);
    },
  );

  it('answers the paths functions-framework keeps for itself, and requests without a token, with JSON', async () => {
    for (const path of ['/favicon.ico', '/robots.txt'])
      expect(errorProblems(await rawRequest(url, { method: 'GET', path }))).toEqual([]);
    const unauthenticated = await rawRequest(url, {
      method: 'POST',
      path: '/v1/events',
      headers: { 'content-type': 'application/json' },
      body: '{"events": [',
    });
    expect(unauthenticated.status).toBe(401);
    expect(errorProblems(unauthenticated)).toEqual([]);
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

/** Starts the built function with functions-framework in its own process group. */
async function startFunction(
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  let output = '';
  const child = spawn(
    'npx',
    ['functions-framework', '--source=build/backend', '--target=sharedContacts'],
    {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}

describe('the built function in production mode (NODE_ENV=production)', () => {
  const schema = freshSchema();
  const running: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await dropSchema(schema);
  });

  it('answers every hostile request with JSON, without stack or path, as Express runs in production', async () => {
    const fn = await startFunction({
      NODE_ENV: 'production',
      AUTH_AUDIENCES: AUDIENCE,
      DATABASE_URL: POSTGRES_URL,
      DATABASE_SCHEMA: schema,
      SIGNER: 'iam',
      ANCHOR_BUCKET: 'shared-contacts-audit-anchors',
    });
    running.push(fn.child);
    await waitForHealth(fn.url, fn.child);
    // Google's certificates cannot be fetched here: a malformed bearer is refused before that.
    for (const hostile of hostileCases('not a token!')) {
      const response = await rawRequest(fn.url, hostile.request);
      expect({ name: hostile.name, problems: errorProblems(response) }).toEqual({
        name: hostile.name,
        problems: [],
      });
    }
    expect(fn.output()).not.toMatch(/Serving function/);
  });

  it('refuses to start with settings only fit for local runs, answering 503 JSON with the reason logged', async () => {
    const fn = await startFunction({ NODE_ENV: 'production', AUTH_AUDIENCES: AUDIENCE });
    running.push(fn.child);
    let response: Awaited<ReturnType<typeof rawRequest>> | undefined;
    for (let i = 0; i < 100 && response === undefined; i += 1)
      response = await rawRequest(fn.url, { method: 'GET', path: '/healthz' }).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return undefined;
      });
    expect(response?.status).toBe(503);
    expect(response?.body).toEqual({
      error: { code: 'unavailable', message: expect.stringMatching(/misconfigured/) },
    });
    expect(fn.output()).toMatch(
      /NODE_ENV=production refuses this configuration: DATABASE_URL is required/,
    );
    expect(fn.output()).toMatch(/ANCHOR_BUCKET is required/);
  });
});
