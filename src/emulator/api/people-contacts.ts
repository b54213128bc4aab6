/**
 * This file defines the contacts of the emulated People API: people.get, getBatchGet,
 * createContact, updateContact, deleteContact, the batch writes, and searchContacts.
 */
import type { people_v1 } from '@googleapis/people';
import { GoogleApiError, failedPrecondition, invalidArgument } from './google-errors';
import {
  contactEtags,
  parseWrittenPerson,
  readMask,
  renderContact,
  searchMatches,
  updateMask,
  PERSON_FIELDS,
  type WrittenPerson,
} from './people-person';
import { profilePerson } from './people-directory';
import {
  CONTACTS,
  CONTACTS_READ,
  PEOPLE_LIMITS,
  PROFILE_READ,
  bookOf,
  contactResourceNameOf,
  findContact,
  hasScope,
  maskList,
  peopleRoute,
  resourceNamesParam,
  rpcCode,
  scopeError,
  type PeopleDeps,
} from './people-shared';
import {
  checkFields,
  checkQuery,
  intParam,
  jsonBody,
  maskParam,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import { ONLY_MY_CONTACTS, type AddressBook, type ContactRecord } from './workspace-store';

/** Builds the contact routes (the people resource) over a store. */
export function contactRoutes({ store, settings }: PeopleDeps): Route[] {
  const storeWritten = (written: WrittenPerson): string => JSON.stringify(written.fields);

  const getPerson = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['personFields', 'requestMask.includeField', 'sources']);
    const mask = readMask(maskParam(context.url, 'personFields'), 'personFields');
    const name = context.params[0] ?? '';
    if (name === 'people/me' || /^people\/\d+$/.test(name))
      return { body: profilePerson(store, context, name, mask), items: 1 };
    if (!hasScope(context, CONTACTS_READ)) throw scopeError('GetPerson');
    return { body: renderContact(findContact(bookOf(store, context), name), mask), items: 1 };
  };

  const batchGet = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'resourceNames',
      'personFields',
      'requestMask.includeField',
      'sources',
    ]);
    const mask = readMask(maskParam(context.url, 'personFields'), 'personFields');
    const names = resourceNamesParam(context.url, PEOPLE_LIMITS.batchGet);
    const book = bookOf(store, context);
    const responses: people_v1.Schema$PersonResponse[] = names.map((name) => {
      try {
        const person =
          name === 'people/me' || /^people\/\d+$/.test(name)
            ? profilePerson(store, context, name, mask)
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
    const book = bookOf(store, context);
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
    const book = bookOf(store, context);
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
    const book = bookOf(store, context);
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
    const book = bookOf(store, context);
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
    const book = bookOf(store, context);
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
    const book = bookOf(store, context);
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
    const book = bookOf(store, context);
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

  return [
    peopleRoute(
      'GET',
      /^\/v1\/people:batchGet$/,
      'people.people.getBatchGet',
      'PeopleService.GetPeople',
      PROFILE_READ,
      'criticalRead',
      batchGet,
    ),
    peopleRoute(
      'GET',
      /^\/v1\/people:searchContacts$/,
      'people.people.searchContacts',
      'PeopleService.SearchContacts',
      CONTACTS_READ,
      'criticalRead',
      searchContacts,
    ),
    peopleRoute(
      'POST',
      /^\/v1\/people:createContact$/,
      'people.people.createContact',
      'PeopleService.CreateContact',
      CONTACTS,
      'write',
      createContact,
    ),
    peopleRoute(
      'POST',
      /^\/v1\/people:batchCreateContacts$/,
      'people.people.batchCreateContacts',
      'PeopleService.BatchCreateContacts',
      CONTACTS,
      'write',
      batchCreate,
    ),
    peopleRoute(
      'POST',
      /^\/v1\/people:batchUpdateContacts$/,
      'people.people.batchUpdateContacts',
      'PeopleService.BatchUpdateContacts',
      CONTACTS,
      ['criticalRead', 'write'],
      batchUpdate,
    ),
    peopleRoute(
      'POST',
      /^\/v1\/people:batchDeleteContacts$/,
      'people.people.batchDeleteContacts',
      'PeopleService.BatchDeleteContacts',
      CONTACTS,
      'write',
      batchDelete,
    ),
    peopleRoute(
      'PATCH',
      /^\/v1\/(people\/[^/:]+):updateContact$/,
      'people.people.updateContact',
      'PeopleService.UpdateContact',
      CONTACTS,
      ['criticalRead', 'write'],
      updateContact,
    ),
    peopleRoute(
      'DELETE',
      /^\/v1\/(people\/[^/:]+):deleteContact$/,
      'people.people.deleteContact',
      'PeopleService.DeleteContact',
      CONTACTS,
      'write',
      deleteContact,
    ),
    peopleRoute(
      'GET',
      /^\/v1\/(people\/[^/:]+)$/,
      'people.people.get',
      'PeopleService.GetPerson',
      PROFILE_READ,
      'criticalRead',
      getPerson,
    ),
  ];
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
