/**
 * This file defines the contacts of the emulated People API: people.get, getBatchGet,
 * createContact, updateContact, deleteContact and searchContacts.
 */
import type { people_v1 } from '@googleapis/people';
import { GoogleApiError, invalidArgument } from './google-errors';
import { renderContact, searchMatches } from './people-person';
import { parseWrittenPerson, readMask, updateMask, PERSON_FIELDS } from './people-written-person';
import { profilePerson } from './people-directory';
import { applyUpdate, checkRoom, insertWritten, prepareUpdate } from './people-contact-writes';
import {
  CONTACTS,
  CONTACTS_READ,
  PEOPLE_LIMITS,
  PROFILE_READ,
  bookOf,
  findContact,
  hasScope,
  peopleRoute,
  resourceNamesParam,
  rpcCode,
  scopeError,
  type PeopleDeps,
} from './people-shared';
import { checkQuery, intParam, jsonBody, maskParam } from './route-context';
import type { Route, RouteContext, RouteResult } from './route-context';
import type { ContactRecord } from './workspace-store';

/** Builds the contact routes (the people resource) over a store. */
export function contactRoutes({ store, settings }: PeopleDeps): Route[] {
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

  const createContact = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['personFields', 'sources']);
    const mask = readMask(maskParam(context.url, 'personFields'), 'personFields', PERSON_FIELDS);
    const book = bookOf(store, context);
    const written = parseWrittenPerson(jsonBody(context), book);
    checkRoom(book, settings);
    const record = insertWritten(store, book, written, context.now);
    return { body: renderContact(record, mask), items: 1 };
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
      store,
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
