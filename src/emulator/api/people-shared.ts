/**
 * This file holds what every People API v1 resource module of the emulator shares: the limits and
 * settings, the scopes, the page and sync tokens, the route builder and the common errors.
 */
import type { WorkspaceStore, AddressBook, ContactRecord } from './workspace-store';
import { GoogleApiError, insufficientScopes, invalidArgument, notFound } from './google-errors';
import { contactNumber } from './people-person';
import {
  decodeToken,
  encodeToken,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import type { VirtualClock } from './contract';

export const HOST = 'people.googleapis.com';
export const CONTACTS = ['https://www.googleapis.com/auth/contacts'];
export const CONTACTS_READ = [...CONTACTS, 'https://www.googleapis.com/auth/contacts.readonly'];
export const DIRECTORY_READ = ['https://www.googleapis.com/auth/directory.readonly'];
export const PROFILE_READ = [
  ...CONTACTS_READ,
  ...DIRECTORY_READ,
  'https://www.googleapis.com/auth/userinfo.profile',
  'https://www.googleapis.com/auth/userinfo.email',
  'profile',
  'email',
];
const SYNC_TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;

/**
 * Limits of people.v1 (FACTS.md, People API v1). searchContacts caps a larger pageSize at 30
 * ("Values greater than 30 will be capped to 30", people.searchContacts reference).
 */
export const PEOPLE_LIMITS = {
  batchCreate: 200,
  batchUpdate: 200,
  batchDelete: 500,
  batchGet: 200,
  groupBatchGet: 200,
  membersModify: 1000,
  connectionsPageSize: 1000,
  connectionsDefaultPageSize: 100,
  groupsPageSize: 1000,
  groupsDefaultPageSize: 30,
  searchPageSize: 30,
  searchDefaultPageSize: 10,
  directoryPageSize: 1000,
  directorySearchPageSize: 500,
  contactsPerAccount: 25_000,
};

/** Settings of the People emulation that tests may change. */
export interface PeopleSettings {
  /**
   * How long a write takes to appear in incremental sync results, at least (FACTS.md: sync is not
   * read-after-write; "Writes may have a propagation delay of several minutes for sync requests",
   * people.connections.list reference).
   */
  syncVisibilityDelayMs: number;
  /**
   * A further delay drawn at random for each write, between 0 and this: writes then reach sync
   * results in another order than they were made (the reference promises no order).
   */
  syncVisibilityJitterMs: number;
  /** Live contacts an account may hold (FACTS.md: 25,000 per account, unconfirmed). */
  maxContactsPerAccount: number;
  /**
   * How long the searchContacts cache serves what it held: a warm-up refreshes it only when it is
   * at least this old ("Before searching, clients should send a warmup request with an empty
   * query to update the cache", people.searchContacts reference; its freshness is unpublished).
   */
  searchCacheStalenessMs: number;
  /**
   * External Directory Sharing of each customer (support.google.com/a/answer/6343701, FACTS.md):
   * `shared` (the default), `none` (directory calls answer no domain data) or `forbidden`
   * (they answer 403). Which of the two a restricted domain gets is unconfirmed: both are modelled.
   */
  directorySharing: Map<string, 'shared' | 'none' | 'forbidden'>;
}

/** What the People resource modules work on: the store, the clock and the settings. */
export interface PeopleDeps {
  store: WorkspaceStore;
  clock: VirtualClock;
  settings: PeopleSettings;
}

/** The page token of an offset listing. */
export interface ListPageToken {
  o: number;
  h: string;
  b: number;
  /** The virtual time of the listing's first page (the sync token's watermark). */
  w?: number;
}

/**
 * A sync token. A contact's latest write is delivered by a token when it had propagated by the
 * token's watermark `t` and was made by its sequence `s`. `f` is when the full sync that started
 * the chain ran: "Sync tokens expire 7 days after the full sync" (people.connections.list
 * reference), however many incremental syncs ran since.
 */
export interface SyncToken {
  k: 'people' | 'groups' | 'directory';
  u: string;
  s: number;
  t: number;
  f?: number;
  h: string;
}

/** Builds one People API route; a route is a mutation when its quota includes writes. */
export function peopleRoute(
  method: string,
  pattern: RegExp,
  operation: string,
  rpc: string,
  scopes: string[],
  quota: Route['quota'],
  run: (context: RouteContext) => RouteResult,
): Route {
  return {
    method,
    host: HOST,
    pattern,
    operation,
    rpc: `google.people.v1.${rpc}`,
    scopes,
    quota,
    mutation: typeof quota !== 'function' && [quota].flat().includes('write'),
    run,
  };
}

/** The caller's address book, or 403 when the caller has none. */
export function bookOf(store: WorkspaceStore, context: RouteContext): AddressBook {
  const book = store.book(context.caller.email);
  if (!book)
    throw new GoogleApiError(403, 'The caller does not have permission', 'PERMISSION_DENIED');
  return book;
}

/** The live contact a resource name names: 400 for a malformed name, 404 for an unknown one. */
export function findContact(book: AddressBook, resourceName: string): ContactRecord {
  const n = contactNumber(resourceName);
  if (n === undefined) {
    if (/^people\/[^/]+$/.test(resourceName)) throw notFound();
    throw invalidArgument(
      `Resource name "${resourceName}" is not a valid resource name of a contact.`,
    );
  }
  const record = book.contacts.get(n);
  if (!record || record.deleted) throw notFound();
  return record;
}

/** The resource name of a contact. */
export function contactResourceNameOf(record: ContactRecord): string {
  return `people/c${1e15 + record.n}`;
}

/**
 * Reads a sync token of one kind for the caller; 400 when it is not one. Its age is checked
 * apart (`fullSyncOf`), after any check of the parameters it is bound to.
 */
export function readSyncToken(
  text: string,
  kind: SyncToken['k'],
  context: RouteContext,
): SyncToken {
  const token = decodeToken<SyncToken>(text);
  if (!token || token.k !== kind || token.u !== context.caller.email)
    throw invalidArgument('Sync token is invalid.');
  return token;
}

/** When the full sync behind a token ran; 400 EXPIRED_SYNC_TOKEN once that is 7 days ago. */
export function fullSyncOf(token: SyncToken, now: number): number {
  const fullSyncAt = token.f ?? token.t;
  if (now - fullSyncAt > SYNC_TOKEN_LIFETIME_MS) throw expiredSyncToken();
  return fullSyncAt;
}

/** The offset a listing's page token carries (0 without one); 400 when it is not this listing's. */
export function listPageOffset(url: URL, pageHash: string): number {
  const pageTokenText = url.searchParams.get('pageToken');
  if (!pageTokenText) return 0;
  const page = decodeToken<ListPageToken>(pageTokenText);
  if (!page || page.h !== pageHash)
    throw invalidArgument('Page token is invalid or does not match the request parameters.');
  return page.o;
}

/** The page token of a listing's next page, from `offset`. */
export function nextListPageToken(offset: number, pageHash: string): string {
  return encodeToken({ o: offset, h: pageHash, b: 0 } satisfies ListPageToken);
}

/** The sync token that ends a groups or directory listing: changes after `seq` come next. */
export function nextSyncToken(
  kind: 'groups' | 'directory',
  context: RouteContext,
  seq: number,
  fullSyncAt: number,
): string {
  return encodeToken({
    k: kind,
    u: context.caller.email,
    s: seq,
    t: context.now,
    f: fullSyncAt,
    h: '',
  } satisfies SyncToken);
}

/** The `resourceNames` of a batch get: at least one and at most `limit`. */
export function resourceNamesParam(url: URL, limit: number): string[] {
  const names = url.searchParams.getAll('resourceNames');
  if (names.length === 0)
    throw invalidArgument('resourceNames must contain at least one resource name.');
  if (names.length > limit)
    throw invalidArgument(
      `resourceNames may contain at most ${limit} resource names; got ${names.length}.`,
    );
  return names;
}

/** Reads a field mask given in a JSON body as a comma-separated string. */
export function maskList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string')
    throw invalidArgument('A field mask must be a string of comma-separated paths.');
  return value
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
}

/** Reads an optional list of resource names from a JSON body. */
export function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw invalidArgument(`${name} must be a list of resource names.`);
  return value as string[];
}

/** The google.rpc.Code of an error's canonical status, for per-item statuses. */
export function rpcCode(error: GoogleApiError): number {
  return error.toStatus().code;
}

/** Whether the caller's token holds one of the scopes. */
export function hasScope(context: RouteContext, scopes: string[]): boolean {
  return scopes.some((scope) => context.caller.scopes.has(scope));
}

/** 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT for a People RPC. */
export function scopeError(rpc: string): GoogleApiError {
  const error = insufficientScopes(HOST, `google.people.v1.PeopleService.${rpc}`);
  // Without the legacy errors[] entry and the WWW-Authenticate header of a refused token.
  return new GoogleApiError(error.code, error.message, error.status, error.info);
}

/**
 * 400 FAILED_PRECONDITION with ErrorInfo EXPIRED_SYNC_TOKEN: "A request with an expired sync
 * token will get an error with an google.rpc.ErrorInfo with reason EXPIRED_SYNC_TOKEN"
 * (people.connections.list reference).
 */
function expiredSyncToken(): GoogleApiError {
  return new GoogleApiError(
    400,
    'Sync token is expired. Clear local cache and retry call without the sync token.',
    'FAILED_PRECONDITION',
    { reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' },
  );
}
