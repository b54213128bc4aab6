/**
 * This file defines the People API v1 methods of the emulator (contacts, contact groups,
 * searchContacts, directory people) with the limits, paging, sync tokens and errors of
 * people.v1's discovery document and FACTS.md.
 */
import type { people_v1 } from '@googleapis/people';
import type { VirtualClock } from './contract';
import { GoogleApiError, failedPrecondition, invalidArgument, notFound } from './google-errors';
import {
  checkFields,
  checkQuery,
  decodeToken,
  encodeToken,
  hashOf,
  intParam,
  jsonBody,
  maskParam,
  boolParam,
  JsonText,
  type QuotaKind,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import {
  contactEtags,
  contactNumber,
  iso,
  parseWrittenPerson,
  readMask,
  renderContact,
  renderContactJson,
  prepareMask,
  searchMatches,
  systemGroupFormattedName,
  updateMask,
  PERSON_FIELDS,
  type WrittenPerson,
} from './people-person';
import {
  ONLY_MY_CONTACTS,
  type AddressBook,
  type ContactGroupRecord,
  type ContactRecord,
  type DirectoryUser,
  type WorkspaceStore,
} from './workspace-store';

type Person = people_v1.Schema$Person;
type ContactGroup = people_v1.Schema$ContactGroup;

const HOST = 'people.googleapis.com';
const CONTACTS = ['https://www.googleapis.com/auth/contacts'];
const CONTACTS_READ = [...CONTACTS, 'https://www.googleapis.com/auth/contacts.readonly'];
const DIRECTORY_READ = ['https://www.googleapis.com/auth/directory.readonly'];
const PROFILE_READ = [
  ...CONTACTS_READ,
  ...DIRECTORY_READ,
  'https://www.googleapis.com/auth/userinfo.profile',
  'https://www.googleapis.com/auth/userinfo.email',
  'profile',
  'email',
];
const SYNC_TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const READ_SOURCES = [
  'READ_SOURCE_TYPE_CONTACT',
  'READ_SOURCE_TYPE_PROFILE',
  'READ_SOURCE_TYPE_DOMAIN_CONTACT',
  'READ_SOURCE_TYPE_OTHER_CONTACT',
];
const DIRECTORY_SOURCES = [
  'DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE',
  'DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT',
];
const SORT_ORDERS = [
  'LAST_MODIFIED_ASCENDING',
  'LAST_MODIFIED_DESCENDING',
  'FIRST_NAME_ASCENDING',
  'LAST_NAME_ASCENDING',
];

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

interface ListPageToken {
  o: number;
  h: string;
  b: number;
  /** The virtual time of the listing's first page (the sync token's watermark). */
  w?: number;
}

interface SyncPageToken {
  /** Cursor: the propagation time and number of the last contact returned. */
  c: [number, number];
  /** The cut of this listing: watermark time and sequence. */
  u: [number, number];
  h: string;
}

/**
 * A sync token. A contact's latest write is delivered by a token when it had propagated by the
 * token's watermark `t` and was made by its sequence `s`. `f` is when the full sync that started
 * the chain ran: "Sync tokens expire 7 days after the full sync" (people.connections.list
 * reference), however many incremental syncs ran since.
 */
interface SyncToken {
  k: 'people' | 'groups' | 'directory';
  u: string;
  s: number;
  t: number;
  f?: number;
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

/** Builds the People API routes over a store. */
export function peopleRoutes(
  store: WorkspaceStore,
  clock: VirtualClock,
  settings: PeopleSettings,
): Route[] {
  const bookOf = (context: RouteContext): AddressBook => {
    const book = store.book(context.caller.email);
    if (!book)
      throw new GoogleApiError(403, 'The caller does not have permission', 'PERMISSION_DENIED');
    return book;
  };

  const findContact = (book: AddressBook, resourceName: string): ContactRecord => {
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
  };

  const storeWritten = (written: WrittenPerson): string => JSON.stringify(written.fields);

  const route = (
    method: string,
    pattern: RegExp,
    operation: string,
    rpc: string,
    scopes: string[],
    quota: Route['quota'],
    run: (context: RouteContext) => RouteResult,
  ): Route => ({
    method,
    host: HOST,
    pattern,
    operation,
    rpc: `google.people.v1.${rpc}`,
    scopes,
    quota,
    mutation: typeof quota !== 'function' && [quota].flat().includes('write'),
    run,
  });

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
    const book = bookOf(context);
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
      const token = decodeToken<SyncToken>(syncTokenText);
      if (!token || token.k !== 'people' || token.u !== context.caller.email)
        throw invalidArgument('Sync token is invalid.');
      if (token.h !== syncHash)
        throw invalidArgument(
          'When syncing, all other parameters provided to people.connections.list must match the first call that provided the sync token.',
        );
      const fullSyncAt = token.f ?? token.t;
      if (context.now - fullSyncAt > SYNC_TOKEN_LIFETIME_MS) throw expiredSyncToken();
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

  const getPerson = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['personFields', 'requestMask.includeField', 'sources']);
    const mask = readMask(maskParam(context.url, 'personFields'), 'personFields');
    const name = context.params[0] ?? '';
    if (name === 'people/me' || /^people\/\d+$/.test(name))
      return { body: profilePerson(context, name, mask), items: 1 };
    if (!hasScope(context, CONTACTS_READ)) throw scopeError('GetPerson');
    return { body: renderContact(findContact(bookOf(context), name), mask), items: 1 };
  };

  const profilePerson = (context: RouteContext, name: string, mask: Set<string>): Person => {
    const self = store.users.get(context.caller.email);
    const target =
      name === 'people/me'
        ? self
        : [...store.users.values()].find((user) => `people/${user.id}` === name);
    if (!self || !target || target.customerId !== self.customerId) throw notFound();
    return renderProfile(target, mask);
  };

  const hasScope = (context: RouteContext, scopes: string[]): boolean =>
    scopes.some((scope) => context.caller.scopes.has(scope));
  const scopeError = (rpc: string): GoogleApiError =>
    new GoogleApiError(
      403,
      'Request had insufficient authentication scopes.',
      'PERMISSION_DENIED',
      {
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: { service: HOST, method: `google.people.v1.PeopleService.${rpc}` },
      },
    );

  const batchGet = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'resourceNames',
      'personFields',
      'requestMask.includeField',
      'sources',
    ]);
    const mask = readMask(maskParam(context.url, 'personFields'), 'personFields');
    const names = context.url.searchParams.getAll('resourceNames');
    if (names.length === 0)
      throw invalidArgument('resourceNames must contain at least one resource name.');
    if (names.length > PEOPLE_LIMITS.batchGet)
      throw invalidArgument(
        `resourceNames may contain at most ${PEOPLE_LIMITS.batchGet} resource names; got ${names.length}.`,
      );
    const book = bookOf(context);
    const responses: people_v1.Schema$PersonResponse[] = names.map((name) => {
      try {
        const person =
          name === 'people/me' || /^people\/\d+$/.test(name)
            ? profilePerson(context, name, mask)
            : renderContact(findContact(book, name), mask);
        return { requestedResourceName: name, httpStatusCode: 200, person, status: {} };
      } catch (error) {
        if (!(error instanceof GoogleApiError)) throw error;
        return {
          requestedResourceName: name,
          httpStatusCode: error.code,
          status: { code: rpcCode(error), message: error.message },
        };
      }
    });
    return {
      body: { responses } satisfies people_v1.Schema$GetPeopleResponse,
      items: names.length,
    };
  };

  const checkRoom = (book: AddressBook): void => {
    if (book.liveCount >= settings.maxContactsPerAccount)
      throw failedPrecondition(
        `The account already holds the maximum of ${settings.maxContactsPerAccount} contacts.`,
      );
  };

  const createContact = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['personFields', 'sources']);
    const mask = readMask(maskParam(context.url, 'personFields'), 'personFields', PERSON_FIELDS);
    const book = bookOf(context);
    const written = parseWrittenPerson(jsonBody(context), book);
    checkRoom(book);
    const record = store.insertContact(
      book,
      storeWritten(written),
      written.groups ?? ONLY_MY_CONTACTS,
      context.now,
    );
    return { body: renderContact(record, mask), items: 1 };
  };

  const checkEtag = (
    record: ContactRecord,
    person: Record<string, unknown>,
    where: string,
  ): void => {
    const etags = contactEtags(record);
    const sources = ((person.metadata as Record<string, unknown> | undefined)?.sources ??
      []) as Record<string, unknown>[];
    const sourceEtag = Array.isArray(sources)
      ? sources.find((source) => source.type === 'CONTACT')?.etag
      : undefined;
    const given =
      typeof person.etag === 'string'
        ? person.etag
        : typeof sourceEtag === 'string'
          ? sourceEtag
          : undefined;
    if (given === undefined)
      throw invalidArgument(
        `Request must set ${where}.etag or ${where}.metadata.sources.etag for the source that is being updated.`,
      );
    if (given !== etags.person && given !== etags.source)
      throw failedPrecondition(
        `Request ${where}.etag is different than the current ${where}.etag. Clear local cache and get the latest person.`,
      );
  };

  /** Checks an update of a contact; returns the change, which `applyUpdate` then makes. */
  const prepareUpdate = (
    book: AddressBook,
    record: ContactRecord,
    person: unknown,
    fields: string[],
    where: string,
  ): { written: WrittenPerson; groups?: string[] } => {
    const written = parseWrittenPerson(person, book, where);
    checkEtag(record, person as Record<string, unknown>, where);
    if (!fields.includes('memberships')) return { written };
    const groups = written.groups ?? [];
    if (groups.length === 0)
      throw invalidArgument(
        `Invalid ${where}.memberships: a contact must keep at least one contact group membership.`,
      );
    return { written, groups };
  };

  const applyUpdate = (
    book: AddressBook,
    record: ContactRecord,
    change: { written: WrittenPerson; groups?: string[] },
    fields: string[],
    now: number,
  ): void => {
    const stored = JSON.parse(record.data) as Record<string, unknown[]>;
    for (const field of fields) {
      if (field === 'memberships') continue;
      const value = change.written.fields[field];
      if (value) stored[field] = value;
      else delete stored[field];
    }
    if (change.groups) record.groups = change.groups;
    record.data = JSON.stringify(stored);
    store.touchContact(book, record, now);
  };

  const updateContact = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['updatePersonFields', 'personFields', 'sources']);
    const fields = updateMask(maskParam(context.url, 'updatePersonFields'));
    const mask = readMask(maskParam(context.url, 'personFields'), 'personFields', PERSON_FIELDS);
    const book = bookOf(context);
    const record = findContact(book, context.params[0] ?? '');
    const body = jsonBody(context);
    if (typeof body.resourceName === 'string' && body.resourceName !== context.params[0])
      throw invalidArgument('person.resourceName does not match the resource name of the request.');
    applyUpdate(
      book,
      record,
      prepareUpdate(book, record, body, fields, 'person'),
      fields,
      context.now,
    );
    return { body: renderContact(record, mask), items: 1 };
  };

  const deleteContact = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const book = bookOf(context);
    store.deleteContact(book, findContact(book, context.params[0] ?? ''), context.now);
    return { body: {}, items: 1 };
  };

  const optionalReadMask = (paths: string[]): Set<string> | undefined =>
    paths.length === 0 ? undefined : readMask(paths, 'readMask');

  /**
   * batchCreateContacts: all or nothing. "If not successful, returns
   * BatchCreateContactsErrorDetails which contains a list of errors for each invalid contact"
   * (BatchCreateContactsResponse, people.v1 discovery document): nothing is created, and the
   * error's details map each refused contact's index to its google.rpc.Status ("If an index does
   * not appear, then the creation of that contact would have been successful",
   * BatchCreateContactsErrorDetails reference). The HTTP status and message of the whole are
   * those of the first refused contact, and the detail's type URL names the google.people.v1
   * package of the API's RPCs: both assumptions.
   */
  const batchCreate = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const body = jsonBody(context);
    checkFields(body, ['contacts', 'readMask', 'sources'], '');
    const contacts = body.contacts;
    if (!Array.isArray(contacts) || contacts.length === 0)
      throw invalidArgument('contacts must contain at least one contact.');
    if (contacts.length > PEOPLE_LIMITS.batchCreate)
      throw invalidArgument(
        `Too many contacts in the batch: at most ${PEOPLE_LIMITS.batchCreate} are allowed; got ${contacts.length}.`,
      );
    const mask = optionalReadMask(maskList(body.readMask));
    const book = bookOf(context);
    const room = settings.maxContactsPerAccount - book.liveCount;
    const errors = new Map<string, GoogleApiError>();
    const written = contacts.map((entry: unknown, index): WrittenPerson | null => {
      try {
        const contact = entry as Record<string, unknown> | null;
        if (typeof contact !== 'object' || contact === null)
          throw invalidArgument(`contacts[${index}] must be an object.`);
        checkFields(contact, ['contactPerson'], `contacts[${index}]`);
        const person = parseWrittenPerson(
          contact.contactPerson ?? {},
          book,
          `contacts[${index}].contact_person`,
        );
        if (index >= room)
          throw failedPrecondition(
            `The account already holds the maximum of ${settings.maxContactsPerAccount} contacts.`,
          );
        return person;
      } catch (error) {
        if (!(error instanceof GoogleApiError)) throw error;
        errors.set(String(index), error);
        return null;
      }
    });
    if (errors.size > 0)
      throw batchError(errors, contacts.length, 'BatchCreateContactsErrorDetails', 'created');
    const createdPeople = written.map((person): people_v1.Schema$PersonResponse => {
      const record = store.insertContact(
        book,
        storeWritten(person as WrittenPerson),
        (person as WrittenPerson).groups ?? ONLY_MY_CONTACTS,
        context.now,
      );
      return {
        httpStatusCode: 200,
        requestedResourceName: contactResourceNameOf(record),
        ...(mask ? { person: renderContact(record, mask) } : {}),
        status: {},
      };
    });
    return {
      body: { createdPeople } satisfies people_v1.Schema$BatchCreateContactsResponse,
      items: contacts.length,
    };
  };

  /**
   * batchUpdateContacts: all or nothing, like batchCreate. "If not successful, returns
   * BatchUpdateContactsErrorDetails, a list of errors corresponding to each contact"
   * (BatchUpdateContactsResponse); its map is keyed by resource name ("If a contact id does not
   * appear, then the update of that contact would have been successful",
   * BatchUpdateContactsErrorDetails reference). One stale etag fails the whole batch.
   */
  const batchUpdate = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const body = jsonBody(context);
    checkFields(body, ['contacts', 'updateMask', 'readMask', 'sources'], '');
    const contacts = body.contacts;
    if (typeof contacts !== 'object' || contacts === null || Array.isArray(contacts))
      throw invalidArgument('contacts must be a map of resource name to person.');
    const entries = Object.entries(contacts as Record<string, unknown>);
    if (entries.length === 0) throw invalidArgument('contacts must contain at least one contact.');
    if (entries.length > PEOPLE_LIMITS.batchUpdate)
      throw invalidArgument(
        `Too many contacts in the batch: at most ${PEOPLE_LIMITS.batchUpdate} are allowed; got ${entries.length}.`,
      );
    const fields = updateMask(maskList(body.updateMask));
    const mask = optionalReadMask(maskList(body.readMask));
    const book = bookOf(context);
    const errors = new Map<string, GoogleApiError>();
    const changes = entries.map(([name, person]) => {
      try {
        const record = findContact(book, name);
        return {
          name,
          record,
          change: prepareUpdate(book, record, person, fields, `contacts[${name}]`),
        };
      } catch (error) {
        if (!(error instanceof GoogleApiError)) throw error;
        errors.set(name, error);
        return null;
      }
    });
    if (errors.size > 0)
      throw batchError(errors, entries.length, 'BatchUpdateContactsErrorDetails', 'updated');
    const updateResult: Record<string, people_v1.Schema$PersonResponse> = {};
    for (const item of changes) {
      if (!item) continue;
      applyUpdate(book, item.record, item.change, fields, context.now);
      updateResult[item.name] = {
        httpStatusCode: 200,
        requestedResourceName: item.name,
        ...(mask ? { person: renderContact(item.record, mask) } : {}),
        status: {},
      };
    }
    return {
      body: { updateResult } satisfies people_v1.Schema$BatchUpdateContactsResponse,
      items: entries.length,
    };
  };

  const batchDelete = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const body = jsonBody(context);
    checkFields(body, ['resourceNames'], '');
    const names = body.resourceNames;
    if (
      !Array.isArray(names) ||
      names.length === 0 ||
      names.some((name) => typeof name !== 'string')
    )
      throw invalidArgument('resourceNames must contain at least one resource name.');
    if (names.length > PEOPLE_LIMITS.batchDelete)
      throw invalidArgument(
        `Too many resource names: at most ${PEOPLE_LIMITS.batchDelete} are allowed; got ${names.length}.`,
      );
    const book = bookOf(context);
    const records = (names as string[]).map((name) => findContact(book, name));
    for (const record of new Set(records)) store.deleteContact(book, record, context.now);
    return { body: {}, items: names.length };
  };

  /**
   * searchContacts serves a cache: the empty-query warm-up refreshes it ("Before searching, clients
   * should send a warmup request with an empty query to update the cache", people.searchContacts
   * reference), but only once it is `searchCacheStalenessMs` old, and a search returns the
   * contacts as the cache holds them. Without a warm-up nothing is found.
   */
  const searchContacts = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['query', 'pageSize', 'readMask', 'sources']);
    const query = context.url.searchParams.get('query') ?? '';
    const requested = intParam(context.url, 'pageSize', 0, 0, 2 ** 31 - 1, 'pageSize');
    const pageSize = Math.min(
      requested || PEOPLE_LIMITS.searchDefaultPageSize,
      PEOPLE_LIMITS.searchPageSize,
    );
    const mask = readMask(maskParam(context.url, 'readMask'), 'readMask');
    const book = bookOf(context);
    if (query.trim() === '') {
      const cache = book.searchCache;
      if (cache === null || context.now - cache.at >= settings.searchCacheStalenessMs)
        book.searchCache = {
          at: context.now,
          contacts: [...book.contacts.values()]
            .filter((record) => !record.deleted)
            .map(({ n, data, groups, version, updated }) => ({
              n,
              data,
              groups,
              version,
              updated,
            })),
        };
      return { body: {}, items: 0 };
    }
    const results: people_v1.Schema$SearchResult[] = [];
    for (const cached of book.searchCache?.contacts ?? []) {
      if (results.length === pageSize) break;
      const record: ContactRecord = {
        ...cached,
        seq: 0,
        born: 0,
        deleted: false,
        visibleAt: cached.updated,
      };
      if (searchMatches(record, query)) results.push({ person: renderContact(record, mask) });
    }
    return {
      body: (results.length > 0 ? { results } : {}) satisfies people_v1.Schema$SearchResponse,
      items: results.length,
    };
  };

  const groupFieldsOf = (url: URL, name: string, fallback: string[]): Set<string> => {
    const paths = maskParam(url, name);
    for (const path of paths)
      if (!['clientData', 'groupType', 'memberCount', 'metadata', 'name'].includes(path))
        throw invalidArgument(
          `Invalid ${name} mask path: "${path}". Valid paths are documented at https://developers.google.com/people/api/rest/v1/contactGroups/list.`,
        );
    return new Set(paths.length > 0 ? paths : fallback);
  };

  const memberCounts = (book: AddressBook): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const record of book.contacts.values())
      if (!record.deleted)
        for (const id of record.groups) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  };

  const renderGroup = (
    group: ContactGroupRecord,
    fields: Set<string>,
    counts: Map<string, number> | undefined,
    members?: string[],
  ): ContactGroup => {
    const result: ContactGroup = {
      resourceName: `contactGroups/${group.id}`,
      etag: `${group.system ? 'S' : 'U'}${Buffer.from(`${group.id}.${group.version}`).toString('base64')}`,
    };
    if (group.deleted) {
      result.metadata = { deleted: true, updateTime: iso(group.updated) };
      return result;
    }
    if (fields.has('metadata'))
      result.metadata = { updateTime: iso(group.system ? clock.now() : group.updated) };
    if (fields.has('groupType'))
      result.groupType = group.system ? 'SYSTEM_CONTACT_GROUP' : 'USER_CONTACT_GROUP';
    if (fields.has('name')) {
      result.name = group.name;
      result.formattedName = group.system ? systemGroupFormattedName(group.id) : group.name;
    }
    if (fields.has('memberCount') && counts) {
      const count = counts.get(group.id) ?? 0;
      if (count > 0) result.memberCount = count;
    }
    if (fields.has('clientData') && group.clientData.length > 0)
      result.clientData = group.clientData.map((entry) => ({ ...entry }));
    if (members && members.length > 0) result.memberResourceNames = members;
    return result;
  };

  const findGroup = (book: AddressBook, id: string): ContactGroupRecord => {
    if (!/^[A-Za-z0-9]+$/.test(id))
      throw invalidArgument(
        `Resource name "contactGroups/${id}" is not a valid contact group resource name.`,
      );
    const group = book.groups.get(id);
    if (!group || group.deleted) throw notFound();
    return group;
  };

  const groupMembers = (book: AddressBook, id: string, max: number): string[] => {
    const members: string[] = [];
    if (max === 0) return members;
    for (const record of book.contacts.values()) {
      if (!record.deleted && record.groups.includes(id))
        members.push(contactResourceNameOf(record));
      if (members.length >= max) break;
    }
    return members;
  };

  const listGroups = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['pageSize', 'pageToken', 'syncToken', 'groupFields']);
    const pageSize = intParam(
      context.url,
      'pageSize',
      PEOPLE_LIMITS.groupsDefaultPageSize,
      1,
      PEOPLE_LIMITS.groupsPageSize,
      'pageSize',
    );
    const fields = groupFieldsOf(context.url, 'groupFields', [
      'metadata',
      'groupType',
      'memberCount',
      'name',
    ]);
    const book = bookOf(context);
    const syncTokenText = context.url.searchParams.get('syncToken');
    let since = -1;
    let fullSyncAt = context.now;
    if (syncTokenText) {
      const token = decodeToken<SyncToken>(syncTokenText);
      if (!token || token.k !== 'groups' || token.u !== context.caller.email)
        throw invalidArgument('Sync token is invalid.');
      fullSyncAt = token.f ?? token.t;
      if (context.now - fullSyncAt > SYNC_TOKEN_LIFETIME_MS) throw expiredSyncToken();
      since = token.s;
    }
    const pageHash = hashOf(
      [context.caller.email, pageSize, [...fields].join(','), syncTokenText ?? ''].join('|'),
    );
    let offset = 0;
    const pageTokenText = context.url.searchParams.get('pageToken');
    if (pageTokenText) {
      const page = decodeToken<ListPageToken>(pageTokenText);
      if (!page || page.h !== pageHash)
        throw invalidArgument('Page token is invalid or does not match the request parameters.');
      offset = page.o;
    }
    const all = [...book.groups.values()].filter((group) =>
      since < 0 ? !group.deleted : group.seq > since,
    );
    const slice = all.slice(offset, offset + pageSize);
    const counts = fields.has('memberCount') ? memberCounts(book) : undefined;
    const response: people_v1.Schema$ListContactGroupsResponse = { totalItems: all.length };
    if (slice.length > 0)
      response.contactGroups = slice.map((group) => renderGroup(group, fields, counts));
    if (offset + pageSize < all.length)
      response.nextPageToken = encodeToken({
        o: offset + pageSize,
        h: pageHash,
        b: 0,
      } satisfies ListPageToken);
    else
      response.nextSyncToken = encodeToken({
        k: 'groups',
        u: context.caller.email,
        s: store.currentSeq(),
        t: context.now,
        f: fullSyncAt,
        h: '',
      } satisfies SyncToken);
    return { body: response, items: slice.length };
  };

  const getGroup = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['maxMembers', 'groupFields']);
    const max = intParam(context.url, 'maxMembers', 0, 0, 1_000_000_000, 'maxMembers');
    const fields = groupFieldsOf(context.url, 'groupFields', [
      'metadata',
      'groupType',
      'memberCount',
      'name',
    ]);
    const book = bookOf(context);
    const group = findGroup(book, context.params[0] ?? '');
    const members = groupMembers(book, group.id, max);
    return {
      body: renderGroup(group, fields, memberCounts(book), members),
      items: 1 + members.length,
    };
  };

  const batchGetGroups = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['resourceNames', 'maxMembers', 'groupFields']);
    const names = context.url.searchParams.getAll('resourceNames');
    if (names.length === 0)
      throw invalidArgument('resourceNames must contain at least one resource name.');
    if (names.length > PEOPLE_LIMITS.groupBatchGet)
      throw invalidArgument(
        `resourceNames may contain at most ${PEOPLE_LIMITS.groupBatchGet} resource names; got ${names.length}.`,
      );
    const max = intParam(context.url, 'maxMembers', 0, 0, 1_000_000_000, 'maxMembers');
    const fields = groupFieldsOf(context.url, 'groupFields', [
      'metadata',
      'groupType',
      'memberCount',
      'name',
    ]);
    const book = bookOf(context);
    const counts = memberCounts(book);
    const responses = names.map((name): people_v1.Schema$ContactGroupResponse => {
      try {
        if (!name.startsWith('contactGroups/'))
          throw invalidArgument(
            `Resource name "${name}" is not a valid contact group resource name.`,
          );
        const group = findGroup(book, name.slice('contactGroups/'.length));
        return {
          requestedResourceName: name,
          contactGroup: renderGroup(group, fields, counts, groupMembers(book, group.id, max)),
          status: {},
        };
      } catch (error) {
        if (!(error instanceof GoogleApiError)) throw error;
        return {
          requestedResourceName: name,
          status: { code: rpcCode(error), message: error.message },
        };
      }
    });
    return {
      body: { responses } satisfies people_v1.Schema$BatchGetContactGroupsResponse,
      items: names.length,
    };
  };

  /**
   * "Created contact group names must be unique to the users contact groups. Attempting to create
   * a group with a duplicate name will return a HTTP 409 error" (contactGroups.create reference).
   * Names are compared without regard to case or surrounding white space, and a system group's
   * display name ("My Contacts") is taken: an assumption, the stricter reading.
   */
  const checkGroupName = (book: AddressBook, name: unknown, except?: string): string => {
    if (typeof name !== 'string' || name.trim() === '')
      throw invalidArgument('contactGroup.name is required and must not be empty.');
    const key = name.trim().toLowerCase();
    for (const group of book.groups.values())
      if (
        !group.deleted &&
        group.id !== except &&
        (group.name.trim().toLowerCase() === key ||
          (group.system && systemGroupFormattedName(group.id).toLowerCase() === key))
      )
        throw new GoogleApiError(
          409,
          'Contact group name already exists.',
          'ALREADY_EXISTS',
          undefined,
          { message: 'Contact group name already exists.', domain: 'global', reason: 'duplicate' },
        );
    return name;
  };

  /**
   * The fields a group create or update answers with: "Defaults to metadata, groupType, and name
   * if not set or set to empty" (contactGroups.create and contactGroups.update references), so
   * clientData comes back only when asked for.
   */
  const readGroupFieldsOf = (value: unknown): Set<string> => {
    const paths = maskList(value);
    for (const path of paths)
      if (!['clientData', 'groupType', 'metadata', 'name'].includes(path))
        throw invalidArgument(`Invalid readGroupFields mask path: "${path}".`);
    return new Set(paths.length > 0 ? paths : ['metadata', 'groupType', 'name']);
  };

  const parseClientData = (value: unknown): { key: string; value: string }[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalidArgument('contactGroup.clientData must be a list.');
    return value.map((entry: unknown) => {
      const item = entry as Record<string, unknown> | null;
      if (!item || typeof item.key !== 'string' || item.key === '')
        throw invalidArgument('Every contactGroup.clientData entry needs a non-empty key.');
      return { key: item.key, value: typeof item.value === 'string' ? item.value : '' };
    });
  };

  const createGroup = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const body = jsonBody(context);
    checkFields(body, ['contactGroup', 'readGroupFields'], '');
    const input = body.contactGroup as Record<string, unknown> | undefined;
    if (typeof input !== 'object' || input === null)
      throw invalidArgument('contactGroup is required.');
    checkFields(
      input,
      [
        'name',
        'clientData',
        'resourceName',
        'etag',
        'metadata',
        'groupType',
        'formattedName',
        'memberResourceNames',
        'memberCount',
      ],
      'contact_group',
    );
    const book = bookOf(context);
    const name = checkGroupName(book, input.name);
    const fields = readGroupFieldsOf(body.readGroupFields);
    const group: ContactGroupRecord = {
      id: (0x1000000000 + store.nextNumber()).toString(16),
      name,
      system: false,
      seq: store.nextSeq(),
      updated: context.now,
      version: 1,
      deleted: false,
      clientData: parseClientData(input.clientData),
    };
    book.groups.set(group.id, group);
    return { body: renderGroup(group, fields, undefined), items: 1 };
  };

  const updateGroup = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const body = jsonBody(context);
    checkFields(body, ['contactGroup', 'updateGroupFields', 'readGroupFields'], '');
    const input = body.contactGroup as Record<string, unknown> | undefined;
    if (typeof input !== 'object' || input === null)
      throw invalidArgument('contactGroup is required.');
    checkFields(
      input,
      [
        'name',
        'clientData',
        'resourceName',
        'etag',
        'metadata',
        'groupType',
        'formattedName',
        'memberResourceNames',
        'memberCount',
      ],
      'contact_group',
    );
    const book = bookOf(context);
    const group = findGroup(book, context.params[0] ?? '');
    if (group.system) throw invalidArgument('System contact groups cannot be modified.');
    const updateFields =
      maskList(body.updateGroupFields).length > 0 ? maskList(body.updateGroupFields) : ['name'];
    for (const field of updateFields)
      if (field !== 'name' && field !== 'clientData')
        throw invalidArgument(`Invalid updateGroupFields mask path: "${field}".`);
    const current = renderGroup(group, new Set(), undefined).etag;
    if (typeof input.etag !== 'string')
      throw invalidArgument('contactGroup.etag is required to update a contact group.');
    if (input.etag !== current)
      throw failedPrecondition(
        'Request contactGroup.etag is different than the current etag. Clear local cache and get the latest contact group.',
      );
    if (updateFields.includes('name')) group.name = checkGroupName(book, input.name, group.id);
    if (updateFields.includes('clientData')) group.clientData = parseClientData(input.clientData);
    group.version++;
    group.seq = store.nextSeq();
    group.updated = context.now;
    const fields = readGroupFieldsOf(body.readGroupFields);
    return { body: renderGroup(group, fields, memberCounts(book)), items: 1 };
  };

  const deleteGroup = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['deleteContacts']);
    const deleteContacts = boolParam(context.url, 'deleteContacts');
    const book = bookOf(context);
    const group = findGroup(book, context.params[0] ?? '');
    if (group.system) throw invalidArgument('System contact groups cannot be deleted.');
    for (const record of [...book.contacts.values()]) {
      if (record.deleted || !record.groups.includes(group.id)) continue;
      if (deleteContacts) store.deleteContact(book, record, context.now);
      else {
        const rest = record.groups.filter((id) => id !== group.id);
        record.groups = rest.length > 0 ? rest : ONLY_MY_CONTACTS;
        store.touchContact(book, record, context.now);
      }
    }
    group.deleted = true;
    group.clientData = [];
    group.seq = store.nextSeq();
    group.updated = context.now;
    return { body: {}, items: 1 };
  };

  const modifyMembers = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const body = jsonBody(context);
    checkFields(body, ['resourceNamesToAdd', 'resourceNamesToRemove'], '');
    const toAdd = stringList(body.resourceNamesToAdd, 'resourceNamesToAdd');
    const toRemove = stringList(body.resourceNamesToRemove, 'resourceNamesToRemove');
    if (toAdd.length + toRemove.length > PEOPLE_LIMITS.membersModify)
      throw invalidArgument(
        `Too many resource names: at most ${PEOPLE_LIMITS.membersModify} may be added and removed in one request; got ${toAdd.length + toRemove.length}.`,
      );
    const book = bookOf(context);
    const group = findGroup(book, context.params[0] ?? '');
    if (toAdd.length > 0 && group.system && group.id !== 'myContacts' && group.id !== 'starred')
      throw invalidArgument(
        `Cannot add contacts to system contact group "contactGroups/${group.id}": only user contact groups, myContacts and starred accept members.`,
      );
    const notFoundResourceNames: string[] = [];
    const canNotRemoveLastContactGroupResourceNames: string[] = [];
    const lookup = (name: string): ContactRecord | undefined => {
      const n = contactNumber(name);
      if (n === undefined)
        throw invalidArgument(`Resource name "${name}" is not a valid resource name of a contact.`);
      const record = book.contacts.get(n);
      return record && !record.deleted ? record : undefined;
    };
    const changed = new Set<ContactRecord>();
    for (const name of toAdd) {
      const record = lookup(name);
      if (!record) notFoundResourceNames.push(name);
      else if (!record.groups.includes(group.id)) {
        record.groups = [...record.groups, group.id];
        changed.add(record);
      }
    }
    for (const name of toRemove) {
      const record = lookup(name);
      if (!record) notFoundResourceNames.push(name);
      else if (record.groups.includes(group.id)) {
        if (record.groups.length === 1) canNotRemoveLastContactGroupResourceNames.push(name);
        else {
          record.groups = record.groups.filter((id) => id !== group.id);
          changed.add(record);
        }
      }
    }
    for (const record of changed) store.touchContact(book, record, context.now);
    const response: people_v1.Schema$ModifyContactGroupMembersResponse = {};
    if (notFoundResourceNames.length > 0) response.notFoundResourceNames = notFoundResourceNames;
    if (canNotRemoveLastContactGroupResourceNames.length > 0)
      response.canNotRemoveLastContactGroupResourceNames =
        canNotRemoveLastContactGroupResourceNames;
    return { body: response, items: toAdd.length + toRemove.length };
  };

  /**
   * The directory a caller's app may see. An admin may restrict External Directory Sharing
   * (support.google.com/a/answer/6343701, FACTS.md Delegation): the People API directory then
   * answers no domain data (`none`) or 403 (`forbidden`).
   */
  const directoryUsers = (context: RouteContext): DirectoryUser[] => {
    const self = store.users.get(context.caller.email);
    if (!self)
      throw new GoogleApiError(403, 'The caller does not have permission', 'PERMISSION_DENIED');
    const sharing = settings.directorySharing.get(self.customerId) ?? 'shared';
    if (sharing === 'forbidden')
      throw new GoogleApiError(
        403,
        'The caller does not have permission: the domain does not share its directory with apps.',
        'PERMISSION_DENIED',
        { reason: 'DIRECTORY_SHARING_DISABLED', domain: 'people.googleapis.com' },
      );
    if (sharing === 'none') return [];
    return [...store.users.values()].filter((user) => user.customerId === self.customerId);
  };

  const directorySources = (url: URL): string[] => {
    const sources = url.searchParams.getAll('sources');
    if (sources.length === 0)
      throw invalidArgument(
        'sources must be specified: DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE and/or DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT.',
      );
    for (const source of sources)
      if (!DIRECTORY_SOURCES.includes(source))
        throw invalidArgument(`Invalid value at 'sources', "${source}"`);
    return sources;
  };

  const listDirectoryPeople = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'readMask',
      'sources',
      'mergeSources',
      'pageSize',
      'pageToken',
      'requestSyncToken',
      'syncToken',
    ]);
    const mask = readMask(maskParam(context.url, 'readMask'), 'readMask');
    const sources = directorySources(context.url);
    const pageSize = intParam(
      context.url,
      'pageSize',
      100,
      1,
      PEOPLE_LIMITS.directoryPageSize,
      'pageSize',
    );
    const syncTokenText = context.url.searchParams.get('syncToken');
    let since = 0;
    let fullSyncAt = context.now;
    if (syncTokenText) {
      const token = decodeToken<SyncToken>(syncTokenText);
      if (!token || token.k !== 'directory' || token.u !== context.caller.email)
        throw invalidArgument('Sync token is invalid.');
      fullSyncAt = token.f ?? token.t;
      if (context.now - fullSyncAt > SYNC_TOKEN_LIFETIME_MS) throw expiredSyncToken();
      since = token.s;
    }
    const people = sources.includes('DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE')
      ? directoryUsers(context).filter((user) => (user.addedSeq ?? 0) > since)
      : [];
    const pageHash = hashOf(
      [
        context.caller.email,
        [...mask].join(','),
        sources.join(','),
        pageSize,
        syncTokenText ?? '',
      ].join('|'),
    );
    let offset = 0;
    const pageTokenText = context.url.searchParams.get('pageToken');
    if (pageTokenText) {
      const page = decodeToken<ListPageToken>(pageTokenText);
      if (!page || page.h !== pageHash)
        throw invalidArgument('Page token is invalid or does not match the request parameters.');
      offset = page.o;
    }
    const slice = people.slice(offset, offset + pageSize);
    const response: people_v1.Schema$ListDirectoryPeopleResponse = {};
    if (slice.length > 0) response.people = slice.map((user) => renderProfile(user, mask));
    if (offset + pageSize < people.length)
      response.nextPageToken = encodeToken({
        o: offset + pageSize,
        h: pageHash,
        b: 0,
      } satisfies ListPageToken);
    else if (boolParam(context.url, 'requestSyncToken') || syncTokenText)
      response.nextSyncToken = encodeToken({
        k: 'directory',
        u: context.caller.email,
        s: store.currentSeq(),
        t: context.now,
        f: fullSyncAt,
        h: '',
      } satisfies SyncToken);
    return { body: response, items: slice.length };
  };

  const searchDirectoryPeople = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'query',
      'readMask',
      'sources',
      'mergeSources',
      'pageSize',
      'pageToken',
    ]);
    const query = context.url.searchParams.get('query');
    if (query === null) throw invalidArgument('query is required.');
    const mask = readMask(maskParam(context.url, 'readMask'), 'readMask');
    const sources = directorySources(context.url);
    const pageSize = intParam(
      context.url,
      'pageSize',
      100,
      1,
      PEOPLE_LIMITS.directorySearchPageSize,
      'pageSize',
    );
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (
      sources.includes('DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE') ? directoryUsers(context) : []
    ).filter((user) => {
      const words = [
        user.givenName,
        user.familyName,
        user.primaryEmail,
        user.primaryEmail.split('@')[0] ?? '',
      ].map((word) => word.toLowerCase());
      return terms.every((term) => words.some((word) => word.startsWith(term)));
    });
    const pageHash = hashOf(
      [context.caller.email, query, [...mask].join(','), sources.join(','), pageSize].join('|'),
    );
    let offset = 0;
    const pageTokenText = context.url.searchParams.get('pageToken');
    if (pageTokenText) {
      const page = decodeToken<ListPageToken>(pageTokenText);
      if (!page || page.h !== pageHash)
        throw invalidArgument('Page token is invalid or does not match the request parameters.');
      offset = page.o;
    }
    const slice = matches.slice(offset, offset + pageSize);
    const response: people_v1.Schema$SearchDirectoryPeopleResponse = { totalSize: matches.length };
    if (slice.length > 0) response.people = slice.map((user) => renderProfile(user, mask));
    if (offset + pageSize < matches.length)
      response.nextPageToken = encodeToken({
        o: offset + pageSize,
        h: pageHash,
        b: 0,
      } satisfies ListPageToken);
    return { body: response, items: slice.length };
  };

  return [
    route(
      'GET',
      /^\/v1\/(people\/[^/:]+)\/connections$/,
      'people.people.connections.list',
      'PeopleService.ListConnections',
      CONTACTS_READ,
      connectionsQuota,
      listConnections,
    ),
    route(
      'GET',
      /^\/v1\/people:batchGet$/,
      'people.people.getBatchGet',
      'PeopleService.GetPeople',
      PROFILE_READ,
      'criticalRead',
      batchGet,
    ),
    route(
      'GET',
      /^\/v1\/people:searchContacts$/,
      'people.people.searchContacts',
      'PeopleService.SearchContacts',
      CONTACTS_READ,
      'criticalRead',
      searchContacts,
    ),
    route(
      'GET',
      /^\/v1\/people:listDirectoryPeople$/,
      'people.people.listDirectoryPeople',
      'PeopleService.ListDirectoryPeople',
      DIRECTORY_READ,
      'read',
      listDirectoryPeople,
    ),
    route(
      'GET',
      /^\/v1\/people:searchDirectoryPeople$/,
      'people.people.searchDirectoryPeople',
      'PeopleService.SearchDirectoryPeople',
      DIRECTORY_READ,
      'read',
      searchDirectoryPeople,
    ),
    route(
      'POST',
      /^\/v1\/people:createContact$/,
      'people.people.createContact',
      'PeopleService.CreateContact',
      CONTACTS,
      'write',
      createContact,
    ),
    route(
      'POST',
      /^\/v1\/people:batchCreateContacts$/,
      'people.people.batchCreateContacts',
      'PeopleService.BatchCreateContacts',
      CONTACTS,
      'write',
      batchCreate,
    ),
    route(
      'POST',
      /^\/v1\/people:batchUpdateContacts$/,
      'people.people.batchUpdateContacts',
      'PeopleService.BatchUpdateContacts',
      CONTACTS,
      ['criticalRead', 'write'],
      batchUpdate,
    ),
    route(
      'POST',
      /^\/v1\/people:batchDeleteContacts$/,
      'people.people.batchDeleteContacts',
      'PeopleService.BatchDeleteContacts',
      CONTACTS,
      'write',
      batchDelete,
    ),
    route(
      'PATCH',
      /^\/v1\/(people\/[^/:]+):updateContact$/,
      'people.people.updateContact',
      'PeopleService.UpdateContact',
      CONTACTS,
      ['criticalRead', 'write'],
      updateContact,
    ),
    route(
      'DELETE',
      /^\/v1\/(people\/[^/:]+):deleteContact$/,
      'people.people.deleteContact',
      'PeopleService.DeleteContact',
      CONTACTS,
      'write',
      deleteContact,
    ),
    route(
      'GET',
      /^\/v1\/(people\/[^/:]+)$/,
      'people.people.get',
      'PeopleService.GetPerson',
      PROFILE_READ,
      'criticalRead',
      getPerson,
    ),
    route(
      'GET',
      /^\/v1\/contactGroups$/,
      'people.contactGroups.list',
      'ContactGroupService.ListContactGroups',
      CONTACTS_READ,
      'read',
      listGroups,
    ),
    route(
      'POST',
      /^\/v1\/contactGroups$/,
      'people.contactGroups.create',
      'ContactGroupService.CreateContactGroup',
      CONTACTS,
      'write',
      createGroup,
    ),
    route(
      'GET',
      /^\/v1\/contactGroups:batchGet$/,
      'people.contactGroups.batchGet',
      'ContactGroupService.BatchGetContactGroups',
      CONTACTS_READ,
      'read',
      batchGetGroups,
    ),
    route(
      'POST',
      /^\/v1\/contactGroups\/([^/:]+)\/members:modify$/,
      'people.contactGroups.members.modify',
      'ContactGroupService.ModifyContactGroupMembers',
      CONTACTS,
      'write',
      modifyMembers,
    ),
    route(
      'GET',
      /^\/v1\/contactGroups\/([^/:]+)$/,
      'people.contactGroups.get',
      'ContactGroupService.GetContactGroup',
      CONTACTS_READ,
      'read',
      getGroup,
    ),
    route(
      'PUT',
      /^\/v1\/contactGroups\/([^/:]+)$/,
      'people.contactGroups.update',
      'ContactGroupService.UpdateContactGroup',
      CONTACTS,
      'write',
      updateGroup,
    ),
    route(
      'DELETE',
      /^\/v1\/contactGroups\/([^/:]+)$/,
      'people.contactGroups.delete',
      'ContactGroupService.DeleteContactGroup',
      CONTACTS,
      'write',
      deleteGroup,
    ),
  ];
}

/** Renders a directory user as a domain-profile Person. */
export function renderProfile(user: DirectoryUser, mask: Set<string>): Person {
  const source = { type: 'DOMAIN_PROFILE', id: user.id };
  const person: Person = {
    resourceName: `people/${user.id}`,
    etag: `%Eg${Buffer.from(user.id).toString('base64')}`,
  };
  if (mask.has('metadata'))
    person.metadata = { sources: [{ ...source, etag: `#${user.id}` }], objectType: 'PERSON' };
  const meta = { primary: true, source };
  if (mask.has('names')) {
    const display = [user.givenName, user.familyName].filter(Boolean).join(' ');
    person.names = [
      {
        metadata: meta,
        givenName: user.givenName,
        familyName: user.familyName,
        displayName: display,
        displayNameLastFirst: user.familyName ? `${user.familyName}, ${user.givenName}` : display,
        unstructuredName: display,
      },
    ];
  }
  if (mask.has('emailAddresses'))
    person.emailAddresses = [
      { metadata: meta, value: user.primaryEmail, type: 'work', formattedType: 'Work' },
    ];
  if (mask.has('phoneNumbers') && user.phone)
    person.phoneNumbers = [
      { metadata: meta, value: user.phone, type: 'work', formattedType: 'Work' },
    ];
  if (mask.has('organizations') && (user.title || user.department))
    person.organizations = [
      {
        metadata: meta,
        ...(user.title ? { title: user.title } : {}),
        ...(user.department ? { department: user.department } : {}),
      },
    ];
  if (mask.has('photos'))
    person.photos = [
      {
        metadata: meta,
        url: `https://lh3.googleusercontent.com/a/emulator-${user.id}`,
        default: true,
      },
    ];
  return person;
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

function contactResourceNameOf(record: ContactRecord): string {
  return `people/c${1e15 + record.n}`;
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

function maskList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string')
    throw invalidArgument('A field mask must be a string of comma-separated paths.');
  return value
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean);
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw invalidArgument(`${name} must be a list of resource names.`);
  return value as string[];
}

/**
 * The error of a refused batch write: the first refused contact's status, and the error details
 * naming every refused contact (by index or resource name) with its google.rpc.Status.
 */
function batchError(
  errors: Map<string, GoogleApiError>,
  total: number,
  type: 'BatchCreateContactsErrorDetails' | 'BatchUpdateContactsErrorDetails',
  verb: string,
): GoogleApiError {
  const first = [...errors.values()][0] as GoogleApiError;
  const contactErrors: Record<string, object> = {};
  for (const [key, error] of errors) contactErrors[key] = error.toStatus();
  return new GoogleApiError(
    first.code,
    `${errors.size} of ${total} contacts could not be ${verb}, so none was; the first: ${first.message}`,
    first.status,
    undefined,
    undefined,
    {},
    [{ '@type': `type.googleapis.com/google.people.v1.${type}`, contactErrors }],
  );
}

/** The google.rpc.Code of an error's canonical status, for per-item statuses. */
function rpcCode(error: GoogleApiError): number {
  return error.toStatus().code;
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
