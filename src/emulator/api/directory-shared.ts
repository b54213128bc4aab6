/**
 * This file holds what the Admin SDK Directory API methods of the emulator share: the limits, the
 * legacy-style error bodies, and the paging of listings with their expiring page tokens.
 */
import { GoogleApiError } from './google-errors';
import {
  decodeToken,
  encodeToken,
  hashOf,
  type RouteContext,
  type RouteResult,
} from './route-context';

/** Page tokens of users.list last 3 days (FACTS.md, Admin SDK Directory API v1). */
const PAGE_TOKEN_LIFETIME_MS = 3 * 24 * 3600 * 1000;

/** Limits of the Directory API (FACTS.md: users.list maxResults 500, groups/members 200). */
export const DIRECTORY_LIMITS = {
  usersMaxResults: 500,
  usersDefault: 100,
  groupsMaxResults: 200,
  membersMaxResults: 200,
};

interface DirectoryPageToken {
  o: number;
  h: string;
  t: number;
}

/** A 400 in the Admin SDK's style. */
export function badRequest(message: string, reason = 'invalid'): GoogleApiError {
  return new GoogleApiError(400, message, 'INVALID_ARGUMENT', undefined, {
    message,
    domain: 'global',
    reason,
  });
}

/** A 404 in the Admin SDK's style. */
export function directoryNotFound(what: string): GoogleApiError {
  return new GoogleApiError(404, `${what} not found`, 'NOT_FOUND', undefined, {
    message: `${what} not found`,
    domain: 'global',
    reason: 'notFound',
  });
}

/** Where the page of `pageToken` starts: a 400 for a token of another listing or an expired one. */
function pageOffset(context: RouteContext, bind: string): number {
  const text = context.url.searchParams.get('pageToken');
  if (!text) return 0;
  const token = decodeToken<DirectoryPageToken>(text);
  if (!token || token.h !== hashOf(bind)) throw badRequest('Invalid Input: pageToken', 'invalid');
  if (context.now - token.t > PAGE_TOKEN_LIFETIME_MS)
    throw badRequest('Invalid Input: pageToken has expired', 'invalid');
  return token.o;
}

/**
 * One page of a listing: its kind and etag, the page's items under `key`, and the token of the
 * next page. An empty page has no items key at all (Google leaves empty repeated fields out of
 * JSON; callers must read `users ?? []`, `groups ?? []` and `members ?? []`).
 */
export function listPage<T>(
  context: RouteContext,
  bind: string,
  all: T[],
  size: number,
  kind: string,
  key: string,
  render: (item: T) => object,
): RouteResult {
  const offset = pageOffset(context, bind);
  const slice = all.slice(offset, offset + size);
  const body: Record<string, unknown> = {
    kind,
    etag: `"${hashOf(bind)}"`,
    ...(slice.length > 0 ? { [key]: slice.map(render) } : {}),
  };
  if (offset + size < all.length)
    body.nextPageToken = encodeToken({
      o: offset + size,
      h: hashOf(bind),
      t: context.now,
    } satisfies DirectoryPageToken);
  return { body, items: slice.length };
}

/** The `maxResults` parameter: `fallback` when absent, a 400 outside [1, max]. */
export function maxResults(context: RouteContext, fallback: number, max: number): number {
  const raw = context.url.searchParams.get('maxResults');
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw badRequest(
      `Invalid value '${raw}'. Values must be within the range: [1, ${max}]`,
      'invalid',
    );
  return value;
}
