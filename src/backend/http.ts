/**
 * This file defines the backend's HTTP plumbing: route definitions with their zod schemas, body
 * reading with a size limit and strict JSON content type, the per-caller rate limiter, security
 * headers, and the mapping of every failure to `{ "error": { code, message } }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Caller } from './auth';
import { HttpError, badRequest } from './errors';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler gets: the caller (null on public routes), the parsed body, query and params. */
export interface RequestContext<Body, Query> {
  caller: Caller | null;
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

/** A handler's answer. */
export interface Reply {
  status?: number;
  body: unknown;
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
  handle(context: RequestContext<unknown, unknown>): Promise<Reply>;
}

/** Declares a route with typed body and query. */
export function route<
  B extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
>(definition: {
  method: Method;
  path: string;
  summary: string;
  auth: boolean;
  body?: B;
  query?: Q;
  maxBodyBytes?: number;
  handle(context: RequestContext<z.output<B>, z.output<Q>>): Promise<Reply>;
}): Route {
  return definition as unknown as Route;
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
      try {
        params[part.slice(1, -1)] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part !== value) return null;
  }
  return params;
}

/** Reads the request body (or the body functions-framework already read) up to `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const already = (request as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(already)) {
    if (already.length > limit) throw tooLarge(limit);
    return already;
  }
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

/** Parses a JSON body sent as `application/json` (UTF-8). */
export function parseJsonBody(contentType: string | undefined, raw: Buffer): unknown {
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
  if (charset && charset !== 'charset=utf-8')
    throw new HttpError(415, 'unsupported_media_type', 'the body must be encoded in UTF-8');
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

/** Turns a query string into an object; a repeated parameter is an error. */
export function parseQuery(search: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of search) {
    if (Object.prototype.hasOwnProperty.call(query, key))
      throw badRequest(`query parameter "${key}" is repeated`);
    query[key] = value;
  }
  return query;
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
