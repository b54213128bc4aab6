/**
 * This file defines people.connections.list of the emulated People API: full listings in the
 * requested sort order, incremental sync by sync token, and the quota of a full sync's first page.
 */
import type { people_v1 } from '@googleapis/people';
import { invalidArgument } from './google-errors';
import { prepareMask, renderContactJson } from './people-person';
import { readMask } from './people-written-person';
import {
  CONTACTS_READ,
  PEOPLE_LIMITS,
  bookOf,
  fullSyncOf,
  peopleRoute,
  readSyncToken,
  type ListPageToken,
  type PeopleDeps,
  type SyncToken,
} from './people-shared';
import {
  boolParam,
  checkQuery,
  decodeToken,
  encodeToken,
  hashOf,
  intParam,
  maskParam,
  JsonText,
  type QuotaKind,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import type { AddressBook, ContactRecord } from './workspace-store';

const READ_SOURCES = [
  'READ_SOURCE_TYPE_CONTACT',
  'READ_SOURCE_TYPE_PROFILE',
  'READ_SOURCE_TYPE_DOMAIN_CONTACT',
  'READ_SOURCE_TYPE_OTHER_CONTACT',
];
const SORT_ORDERS = [
  'LAST_MODIFIED_ASCENDING',
  'LAST_MODIFIED_DESCENDING',
  'FIRST_NAME_ASCENDING',
  'LAST_NAME_ASCENDING',
];

interface SyncPageToken {
  /** Cursor: the propagation time and number of the last contact returned. */
  c: [number, number];
  /** The cut of this listing: watermark time and sequence. */
  u: [number, number];
  h: string;
}

/**
 * Which quota bucket each call counts against. Google publishes the buckets' names, not which
 * methods draw on which: contact and profile reads are "critical reads", and updateContact
 * counts there too (FACTS.md People API v1: Quotas); contact groups and the directory are taken
 * for other reads; every mutation is a write. batchUpdateContacts is taken to count like
 * updateContact. All of this is an assumption.
 */
function connectionsQuota(url: URL): QuotaKind[] {
  const firstPageOfFullSync =
    url.searchParams.get('requestSyncToken') === 'true' &&
    !url.searchParams.get('syncToken') &&
    !url.searchParams.get('pageToken');
  // "The first page of a full sync request has an additional quota" (people.connections.list
  // reference): a full sync request is taken to be one asking for a sync token without giving one
  // (an assumption); a plain listing without requestSyncToken draws on the reads only.
  return firstPageOfFullSync ? ['criticalRead', 'fullSyncFirstPage'] : ['criticalRead'];
}

/** Builds the people.connections routes over a store. */
export function connectionRoutes({ store }: PeopleDeps): Route[] {
  const listConnections = (context: RouteContext): RouteResult => {
    const url = context.url;
    checkQuery(url, [
      'personFields',
      'pageSize',
      'pageToken',
      'requestSyncToken',
      'syncToken',
      'sortOrder',
      'sources',
      'requestMask.includeField',
    ]);
    if (context.params[0] !== 'people/me')
      throw invalidArgument(
        `Resource name "${context.params[0] ?? ''}" is not valid: only people/me is supported.`,
      );
    const mask = readMask(maskParam(url, 'personFields'), 'personFields');
    const pageSize = intParam(
      url,
      'pageSize',
      PEOPLE_LIMITS.connectionsDefaultPageSize,
      1,
      PEOPLE_LIMITS.connectionsPageSize,
      'pageSize',
    );
    const sortOrder = url.searchParams.get('sortOrder') ?? 'LAST_MODIFIED_ASCENDING';
    if (!SORT_ORDERS.includes(sortOrder))
      throw invalidArgument(`Invalid value at 'sort_order', "${sortOrder}"`);
    const sources = url.searchParams.getAll('sources');
    for (const source of sources)
      if (!READ_SOURCES.includes(source))
        throw invalidArgument(`Invalid value at 'sources', "${source}"`);
    const requestSyncToken = boolParam(url, 'requestSyncToken');
    const syncTokenText = url.searchParams.get('syncToken');
    const pageToken = url.searchParams.get('pageToken');
    const book = bookOf(store, context);
    const bindHash = hashOf(
      [
        context.caller.email,
        [...mask].join(','),
        sortOrder,
        sources.join(','),
        String(requestSyncToken),
        syncTokenText ?? '',
      ].join('|'),
    );
    const pageHash = hashOf(`${bindHash}|${pageSize}`);
    // "When the page_token or sync_token is specified, all other request parameters must match
    // the first call" (people.connections.list reference): a sync token is bound to the field
    // mask, sources, sort order and page size of the full sync. requestSyncToken is left out (an
    // incremental call always gets the next token): an assumption.
    const syncHash = hashOf(
      [[...mask].join(','), sources.join(','), sortOrder, pageSize].join('|'),
    );

    if (syncTokenText) {
      const token = readSyncToken(syncTokenText, 'people', context);
      if (token.h !== syncHash)
        throw invalidArgument(
          'When syncing, all other parameters provided to people.connections.list must match the first call that provided the sync token.',
        );
      const fullSyncAt = fullSyncOf(token, context.now);
      let cursor: [number, number] = [-Infinity, 0];
      let cut: [number, number] = [context.now, store.currentSeq()];
      if (pageToken) {
        const page = decodeToken<SyncPageToken>(pageToken);
        if (!page || page.h !== pageHash)
          throw invalidArgument('Page token is invalid or does not match the request parameters.');
        cursor = page.c;
        cut = page.u;
      }
      // Each contact's latest write, once it has propagated, in the order writes propagated.
      const delivered = (record: ContactRecord, at: number, seq: number): boolean =>
        record.visibleAt <= at && record.seq <= seq;
      const changed: ContactRecord[] = [];
      for (const record of book.contacts.values())
        if (
          delivered(record, cut[0], cut[1]) &&
          !delivered(record, token.t, token.s) &&
          (record.visibleAt > cursor[0] || (record.visibleAt === cursor[0] && record.n > cursor[1]))
        )
          changed.push(record);
      changed.sort((a, b) => a.visibleAt - b.visibleAt || a.n - b.n);
      const slice = changed.slice(0, pageSize);
      const prepared = prepareMask(mask);
      const connections = slice.map((record) => renderContactJson(record, prepared, true));
      const response: people_v1.Schema$ListConnectionsResponse = {};
      const last = slice[slice.length - 1];
      if (changed.length > pageSize && last)
        response.nextPageToken = encodeToken({
          c: [last.visibleAt, last.n],
          u: cut,
          h: pageHash,
        } satisfies SyncPageToken);
      else
        response.nextSyncToken = encodeToken({
          k: 'people',
          u: context.caller.email,
          t: cut[0],
          s: cut[1],
          f: fullSyncAt,
          h: syncHash,
        } satisfies SyncToken);
      return { body: withConnections(response, connections), items: connections.length };
    }

    // A full listing shows the contacts as they are (an assumption: the reference announces the
    // propagation delay for sync requests, and "Incremental syncs are not intended for
    // read-after-write"); its sync token covers only the writes that had propagated, so that the
    // others come again in the next incremental sync.
    let offset = 0;
    let base = store.currentSeq();
    let watermark = context.now;
    if (pageToken) {
      const page = decodeToken<ListPageToken>(pageToken);
      if (!page || page.h !== pageHash || !Number.isInteger(page.o))
        throw invalidArgument(
          'Page token is invalid or does not match the request parameters: when paginating, all other parameters provided to people.connections.list must match the first call that provided the page token.',
        );
      offset = page.o;
      base = page.b;
      watermark = page.w ?? context.now;
    }
    const ordered = orderedLive(book, sortOrder);
    const slice = ordered.slice(offset, offset + pageSize);
    const prepared = prepareMask(mask);
    const connections = slice.map((record) => renderContactJson(record, prepared));
    const response: people_v1.Schema$ListConnectionsResponse = {};
    response.totalPeople = book.liveCount;
    response.totalItems = book.liveCount;
    if (offset + pageSize < ordered.length)
      response.nextPageToken = encodeToken({
        o: offset + pageSize,
        h: pageHash,
        b: base,
        w: watermark,
      } satisfies ListPageToken);
    else if (requestSyncToken)
      response.nextSyncToken = encodeToken({
        k: 'people',
        u: context.caller.email,
        t: watermark,
        s: base,
        f: watermark,
        h: syncHash,
      } satisfies SyncToken);
    return { body: withConnections(response, connections), items: slice.length };
  };

  return [
    peopleRoute(
      'GET',
      /^\/v1\/(people\/[^/:]+)\/connections$/,
      'people.people.connections.list',
      'PeopleService.ListConnections',
      CONTACTS_READ,
      connectionsQuota,
      listConnections,
    ),
  ];
}

function orderedLive(book: AddressBook, sortOrder: string): ContactRecord[] {
  const cacheKey = `${sortOrder}`;
  const cached = orderCache.get(book);
  const last = lastSeqOf(book);
  if (
    cached &&
    cached.key === cacheKey &&
    cached.seq === last &&
    cached.size === book.contacts.size
  )
    return cached.records;
  let records = [...book.contacts.values()].filter((record) => !record.deleted);
  if (sortOrder === 'LAST_MODIFIED_DESCENDING') records.reverse();
  else if (sortOrder === 'FIRST_NAME_ASCENDING' || sortOrder === 'LAST_NAME_ASCENDING') {
    const keyOf = (record: ContactRecord): string => {
      const name = (JSON.parse(record.data) as { names?: Record<string, string>[] }).names?.[0];
      const first = name?.givenName ?? name?.unstructuredName ?? '';
      const lastName = name?.familyName ?? '';
      return (
        sortOrder === 'FIRST_NAME_ASCENDING'
          ? `${first}\u0000${lastName}`
          : `${lastName}\u0000${first}`
      ).toLowerCase();
    };
    const keyed = records.map((record) => ({ record, key: keyOf(record) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    records = keyed.map((entry) => entry.record);
  }
  orderCache.set(book, { key: cacheKey, seq: last, size: book.contacts.size, records });
  return records;
}
const orderCache = new WeakMap<
  AddressBook,
  { key: string; seq: number; size: number; records: ContactRecord[] }
>();
function lastSeqOf(book: AddressBook): number {
  let last = 0;
  for (const record of book.contacts.values()) last = record.seq;
  return last;
}

/** Serialises a connections.list response whose people are already JSON text. */
function withConnections(
  response: people_v1.Schema$ListConnectionsResponse,
  connections: string[],
): JsonText {
  const rest = JSON.stringify(response);
  if (connections.length === 0) return new JsonText(rest);
  const list = `"connections":[${connections.join(',')}]`;
  return new JsonText(rest === '{}' ? `{${list}}` : `{${list},${rest.slice(1)}`);
}
