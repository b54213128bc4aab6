/**
 * This file defines the backend's HTTP plumbing: route definitions with their zod schemas, strict
 * decoding of path parameters and queries, body reading with a size limit and strict JSON content
 * type, the in-memory rate limiter (a pre-filter of the shared one), security headers, and the
 * mapping of every failure to `{ "error": { code, message } }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Caller } from './auth';
import { HttpError, badRequest } from './errors';
import { textProblem } from './text';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What a handler gets: the caller (typed non-null on routes declared with `auth: true`, null on
 * public routes), the parsed body, query and params.
 */
export interface RequestContext<Body, Query, Who extends Caller | null = Caller | null> {
  caller: Who;
  body: Body;
  query: Query;
  params: Record<string, string>;
  /** The client address, for the audit trail's "from where". */
  origin: string;
  /** Length of the request body in bytes. */
  bodyBytes: number;
  /** The request's trace (X-Cloud-Trace-Context), passed on to the calls it makes to Google. */
  trace?: string;
  /** Time spent waiting for Google within the request (ms), for the request's log line. */
  timing?: { upstreamMs: number };
}

/** A handler's answer: JSON, or with `file` a download (the body is then ignored). */
export interface Reply {
  status?: number;
  body: unknown;
  file?: { contentType: string; filename: string; text: string };
}

/** One endpoint: method, path template (`/v1/shares/{id}`), schemas and handler. */
export interface Route {
  method: Method;
  path: string;
  summary: string;
  auth: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The largest body this route takes, when it differs from the configured one. */
  maxBodyBytes?: number;
  /**
   * The path parameters' schema, beyond the checks every parameter gets (decodePathParameters):
   * e.g. `{ domain: domainSchema }`.
   */
  params?: z.ZodType;
  handle(context: RequestContext<unknown, unknown>): Promise<Reply>;
}

/** A route as declared: `auth: true` gives its handler a typed, non-null caller. */
interface RouteDefinition<B extends z.ZodType, Q extends z.ZodType, Who extends Caller | null> {
  method: Method;
  path: string;
  summary: string;
  body?: B;
  query?: Q;
  maxBodyBytes?: number;
  params?: z.ZodType;
  handle(context: RequestContext<z.output<B>, z.output<Q>, Who>): Promise<Reply>;
}

/**
 * Declares a route with typed body and query. With `auth: true` the router authenticates the
 * caller first and the handler receives them as `context.caller`, never null.
 */
export function route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined>(
  definition: RouteDefinition<B, Q, Caller> & { auth: true },
): Route;
export function route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined>(
  definition: RouteDefinition<B, Q, null> & { auth: false },
): Route;
export function route(
  definition: RouteDefinition<z.ZodType, z.ZodType, Caller | null> & { auth: boolean },
): Route {
  if (!definition.auth) return definition as Route;
  const handle = definition.handle.bind(definition);
  return {
    ...definition,
    handle: async (context) => {
      if (!context.caller) throw new Error('route declared auth but has no caller');
      return handle(context);
    },
  } as Route;
}

/** Finds the route of a method and path; `allowed` lists the methods of a known path. */
export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route?: Route; params: Record<string, string>; allowed: Method[] } {
  const allowed: Method[] = [];
  for (const candidate of routes) {
    const params = matchPath(candidate.path, path);
    if (!params) continue;
    if (candidate.method === method) return { route: candidate, params, allowed };
    allowed.push(candidate.method);
  }
  return { params: {}, allowed };
}

function matchPath(template: string, path: string): Record<string, string> | null {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const part = want[i] ?? '';
    const value = got[i] ?? '';
    if (part.startsWith('{')) {
      if (value === '') return null;
      params[part.slice(1, -1)] = value;
    } else if (part !== value) return null;
  }
  return params;
}

/** Longest path parameter accepted, in UTF-16 code units (an e-mail address fits). */
export const MAX_PATH_PARAMETER = 320;

/**
 * Decodes a percent-encoded URL component strictly: a malformed escape or bytes that are not
 * UTF-8 are a 400, never a guess; the decoded text must be storable (no NUL, no lone surrogate).
 */
export function decodeComponent(raw: string, where: string, plusIsSpace = false): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    throw badRequest(`${where}: malformed percent-encoding or bytes that are not UTF-8`);
  }
  const problem = textProblem(decoded);
  if (problem) throw badRequest(`${where}: ${problem}`);
  return decoded;
}

/** Decodes and checks a matched route's path parameters like any other input. */
export function decodePathParameters(raw: Record<string, string>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value.length > MAX_PATH_PARAMETER * 3)
      throw badRequest(`path.${name}: at most ${MAX_PATH_PARAMETER} characters`);
    const decoded = decodeComponent(value, `path.${name}`);
    if (decoded.length > MAX_PATH_PARAMETER)
      throw badRequest(`path.${name}: at most ${MAX_PATH_PARAMETER} characters`);
    params[name] = decoded;
  }
  return params;
}

/**
 * Reads the request body up to `limit` bytes; a declared length over the limit is refused before
 * anything is read, and reading stops as soon as the limit is passed.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `the request body exceeds ${limit} bytes`);
}

/**
 * Checks the headers of a JSON body before it is read: `Content-Type: application/json`, in
 * UTF-8 when a charset is named, and no `Content-Encoding` but identity (nothing is decompressed).
 */
export function checkJsonHeaders(
  contentType: string | undefined,
  contentEncoding: string | undefined,
): void {
  const [mediaType, ...parameters] = (contentType ?? '')
    .split(';')
    .map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json')
    throw new HttpError(
      415,
      'unsupported_media_type',
      'the body must be sent as Content-Type: application/json',
    );
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  if (charset && charset !== 'charset=utf-8' && charset !== 'charset="utf-8"')
    throw new HttpError(415, 'unsupported_media_type', 'the body must be encoded in UTF-8');
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity')
    throw new HttpError(
      415,
      'unsupported_encoding',
      'the body must not be compressed (no Content-Encoding)',
    );
}

/** Parses a JSON body (UTF-8, checked by checkJsonHeaders first). */
export function parseJsonBody(contentType: string | undefined, raw: Buffer): unknown {
  checkJsonHeaders(contentType, undefined);
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let decoded: string;
  try {
    decoded = text.decode(raw);
  } catch {
    throw badRequest('the body is not valid UTF-8', 'invalid_json');
  }
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    throw badRequest('the body is not valid JSON', 'invalid_json');
  }
}

/**
 * Turns a raw query string into an object, decoding strictly (decodeComponent): a malformed
 * escape, NUL or a lone surrogate is a 400, and so is a repeated parameter. Keys such as
 * `__proto__` become ordinary own properties, which the strict schemas then refuse.
 */
export function parseQuery(search: string): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  const raw = search.startsWith('?') ? search.slice(1) : search;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeComponent(equals < 0 ? pair : pair.slice(0, equals), 'query', true);
    const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1), `query.${key}`, true);
    if (seen.has(key)) throw badRequest(`query parameter "${key}" is repeated`);
    seen.add(key);
    entries.push([key, value]);
  }
  return Object.fromEntries(entries);
}

/** Validates with a zod schema; the error names the first few problems and where they are. */
export function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`);
  throw badRequest(problems.join('; '));
}

/** A token bucket per caller: `perMinute` requests a minute, bursts up to the same number. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** True when the caller's bucket holds a request (nothing is taken). */
  available(key: string): boolean {
    const bucket = this.buckets.get(key);
    if (!bucket) return true;
    return bucket.tokens + (this.now() - bucket.at) * (this.perMinute / 60_000) >= 1;
  }

  /** Takes one request from the caller's bucket; throws a 429 HttpError with Retry-After when empty. */
  take(key: string): void {
    const now = this.now();
    const rate = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const seconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
      throw new HttpError(429, 'rate_limited', `too many requests; retry in ${seconds} s`, {
        'retry-after': String(seconds),
      });
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 50_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets)
      if (bucket.tokens + (now - bucket.at) * (this.perMinute / 60_000) >= this.perMinute)
        this.buckets.delete(key);
  }
}

export const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Writes a file to download (Content-Disposition: attachment) with the security headers. */
export function sendFile(
  response: ServerResponse,
  file: { contentType: string; filename: string; text: string },
): void {
  const safeName = file.filename.replace(/[^A-Za-z0-9._-]/g, '_');
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': file.contentType,
    'content-disposition': `attachment; filename="${safeName}"`,
    'content-length': Buffer.byteLength(file.text),
  });
  response.end(file.text);
}

/** Writes a JSON answer with the security headers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}
