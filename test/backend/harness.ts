/**
 * This file defines the backend test harness: a backend served over real HTTP on PGlite or on
 * the PostgreSQL server (a fresh schema per harness), ID tokens minted by the emulator's issuer
 * and trusted through a certificates file, and a small JSON client.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AGENT, AGENT2, MANAGER, SCHEDULER } from '../fixtures/staff';
import { IdTokenIssuer, type IdTokenRequest } from '../../src/emulator/api/id-token-issuer';
import { startBackendServer, type BackendOptions, type BackendServer } from '../../src/backend/app';
import { defaultConfig, type BackendConfig } from '../../src/backend/platform/config';
import { memoryLogger } from '../../src/backend/platform/logger';

export const POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const AUDIENCE = 'test-client.apps.googleusercontent.com';
export type DatabaseKind = 'pglite' | 'postgres';
/** Every suite runs once per database. */
export const DATABASES: DatabaseKind[] = ['pglite', 'postgres'];

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Harness {
  url: string;
  kind: DatabaseKind;
  schema: string;
  issuer: IdTokenIssuer;
  server: BackendServer;
  logger: ReturnType<typeof memoryLogger>;
  config: BackendConfig;
  /** An ID token for a user of a domain (hd = the address's domain unless given). */
  token(email: string, claims?: Partial<IdTokenRequest>): string;
  request(method: string, urlPath: string, options?: RequestOptions): Promise<JsonResponse>;
  close(): Promise<void>;
}

/** A fresh schema name for one harness on the PostgreSQL server. */
export function freshSchema(): string {
  return `t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops a schema on the PostgreSQL server. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Writes an issuer's certs where AUTH_CERTS_FILE can point; returns the file path. */
export function writeCerts(certs: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backend-certs-'));
  const file = path.join(dir, 'certs.json');
  fs.writeFileSync(file, JSON.stringify(certs));
  return file;
}

/** Sends a request and parses the JSON answer. */
export async function requestJson(
  baseUrl: string,
  method: string,
  urlPath: string,
  options: RequestOptions = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${baseUrl}${urlPath}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Starts a backend on the given database with test configuration. */
export async function startHarness(
  kind: DatabaseKind,
  overrides: Partial<BackendConfig> = {},
  options: Omit<BackendOptions, 'config'> = {},
  /** More ID-token keys to trust (key id → PEM), for tokens the issuer cannot mint. */
  extraCerts: Record<string, string> = {},
): Promise<Harness> {
  const issuer = new IdTokenIssuer();
  const schema = kind === 'postgres' ? freshSchema() : 'public';
  const logger = memoryLogger();
  const config = defaultConfig({
    databaseUrl: kind === 'postgres' ? POSTGRES_URL : undefined,
    databaseSchema: schema,
    authAudiences: [AUDIENCE],
    authCertsFile: writeCerts({ ...issuer.certs(), ...extraCerts }),
    securityManagers: [MANAGER],
    supportAgents: [AGENT, AGENT2],
    schedulerInvokers: [SCHEDULER],
    rateLimitPerMinute: 100_000,
    ...overrides,
  });
  const server = await startBackendServer({ logger, ...options, config });
  return {
    url: server.url,
    kind,
    schema,
    issuer,
    server,
    logger,
    config,
    token(email, claims = {}) {
      const domain = email.slice(email.lastIndexOf('@') + 1);
      return issuer.mint({ email, audience: AUDIENCE, hostedDomain: domain, ...claims });
    },
    request(method, urlPath, requestOptions) {
      return requestJson(server.url, method, urlPath, requestOptions);
    },
    async close() {
      await server.close();
      if (kind === 'postgres') await dropSchema(schema);
    },
  };
}

let counter = 0;
/** A new audit event with a unique id. */
export function auditEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    id: `evt-${process.pid}-${Date.now()}-${counter}`,
    type: 'contact.updated',
    target: 'bob@acme.example',
    outcome: 'success',
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}
