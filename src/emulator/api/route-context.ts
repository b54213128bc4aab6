/**
 * This file defines what every emulated API method receives (the parsed request and the caller)
 * and the helpers that read parameters and bodies the way Google's front end does: unknown query
 * parameters and unknown JSON fields are rejected, malformed JSON is a 400.
 */
import type { AccessGrant } from './oauth';
import { invalidArgument } from './google-errors';

/** The parsed request handed to a method implementation. */
export interface RouteContext {
  method: string;
  url: URL;
  /** Path segments captured by the route pattern, URL-decoded. */
  params: string[];
  body: string | undefined;
  caller: AccessGrant;
  now: number;
}

/** A response body already serialised to JSON text (the fast path of big listings). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** The result of a method: JSON body, optional status (200) and the item count for latency. */
export interface RouteResult {
  status?: number;
  body: unknown;
  items?: number;
}

/** Query parameters every Google API accepts. */
const SYSTEM_PARAMETERS = new Set([
  'fields',
  'alt',
  'prettyPrint',
  'key',
  'access_token',
  'quotaUser',
  '$.xgafv',
  'callback',
  'upload_protocol',
  'uploadType',
]);

/** Rejects query parameters the method does not define, as Google does. */
export function checkQuery(url: URL, allowed: string[]): void {
  for (const name of url.searchParams.keys()) {
    if (!allowed.includes(name) && !SYSTEM_PARAMETERS.has(name))
      throw invalidArgument(
        `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`,
      );
  }
}

/** Parses the JSON body; an empty body is an empty object. */
export function jsonBody(context: RouteContext): Record<string, unknown> {
  const text = context.body ?? '';
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidArgument(
      `Invalid JSON payload received. ${error instanceof Error ? error.message : 'Unexpected token.'}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument('Invalid JSON payload received. Expected an object.');
  return value as Record<string, unknown>;
}

/** Rejects JSON fields the message does not define. */
export function checkFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      throw invalidArgument(
        `Invalid JSON payload received. Unknown name "${key}"${where ? ` at '${where}'` : ''}: Cannot find field.`,
      );
}

/**
 * The JSON body of a request that takes no query parameters, with Google's errors for a query
 * parameter, a body that is not a JSON object, or a field outside `allowed`.
 */
export function checkedBody(
  context: RouteContext,
  allowed: readonly string[],
): Record<string, unknown> {
  checkQuery(context.url, []);
  const body = jsonBody(context);
  checkFields(body, allowed, '');
  return body;
}

/**
 * Reads an integer query parameter within bounds, with Google's error for a bad value. For page
 * sizes (min 1), 0 means the default, as people.v1 documents ("Defaults to 100 if not set or set to 0").
 */
export function intParam(
  url: URL,
  name: string,
  fallback: number,
  min: number,
  max: number,
  label = name,
): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw invalidArgument(`Invalid value at '${name}' (TYPE_INT32), "${raw}"`);
  if (value === 0 && min === 1) return fallback;
  if (value < min || value > max)
    throw invalidArgument(`${label} must be between ${min} and ${max}, inclusive; got ${value}.`);
  return value;
}

/** Reads a boolean query parameter. */
export function boolParam(url: URL, name: string): boolean {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw invalidArgument(`Invalid value at '${name}' (TYPE_BOOL), "${raw}"`);
}

/** Splits a field mask ("names,emailAddresses") that may be repeated or comma separated. */
export function maskParam(url: URL, name: string): string[] {
  return url.searchParams
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

/** Encodes an opaque token (page or sync token). */
export function encodeToken(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a token made by encodeToken, or undefined when it is not one. */
export function decodeToken<T>(token: string): T | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** A short stable hash of a string, for binding page tokens to their request. */
export function hashOf(text: string): string {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0).toString(36);
}

/** Which per-user quota bucket a call counts against (traffic-model.ts TrafficSettings.quotas). */
export type QuotaKind =
  'criticalRead' | 'read' | 'write' | 'fullSyncFirstPage' | 'directory' | 'none';

/** One emulated API method: where it lives, what it needs, and its implementation. */
export interface Route {
  method: string;
  /** The Google host that serves it (any host on loopback). */
  host: string;
  pattern: RegExp;
  /** Discovery-style id, e.g. `people.people.connections.list`; used by counters and faults. */
  operation: string;
  /** The RPC name Google reports in scope errors. */
  rpc: string;
  /** Any one of these scopes suffices; `null` for endpoints without a bearer token. */
  scopes: string[] | null;
  /**
   * The quota buckets a call counts against (updateContact counts as a critical read too,
   * FACTS.md), or a function of the request when that depends on its parameters.
   */
  quota: QuotaKind | QuotaKind[] | ((url: URL) => QuotaKind[]);
  /** Whether this is a mutation (for the same-user concurrency model). */
  mutation: boolean;
  run(context: RouteContext): RouteResult;
}
