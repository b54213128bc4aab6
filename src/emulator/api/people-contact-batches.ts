/**
 * This file defines the batch writes of the emulated People API: batchCreateContacts,
 * batchUpdateContacts (each all or nothing, with per-contact error details) and
 * batchDeleteContacts.
 */
import type { people_v1 } from '@googleapis/people';
import { GoogleApiError, invalidArgument } from './google-errors';
import {
  accountFullError,
  applyUpdate,
  insertWritten,
  prepareUpdate,
} from './people-contact-writes';
import { renderContact } from './people-person';
import {
  parseWrittenPerson,
  readMask,
  updateMask,
  type WrittenPerson,
} from './people-written-person';
import {
  CONTACTS,
  PEOPLE_LIMITS,
  bookOf,
  contactResourceNameOf,
  findContact,
  maskList,
  peopleRoute,
  type PeopleDeps,
} from './people-shared';
import {
  checkedBody,
  checkFields,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import type { ContactRecord } from './workspace-store';

/** Builds the batch write routes of the people resource over a store. */
export function contactBatchRoutes({ store, settings }: PeopleDeps): Route[] {
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
    const body = checkedBody(context, ['contacts', 'readMask', 'sources']);
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
    const written = contacts.map((entry: unknown, index) =>
      checkEach(errors, String(index), (): WrittenPerson => {
        const contact = entry as Record<string, unknown> | null;
        if (typeof contact !== 'object' || contact === null)
          throw invalidArgument(`contacts[${index}] must be an object.`);
        checkFields(contact, ['contactPerson'], `contacts[${index}]`);
        const person = parseWrittenPerson(
          contact.contactPerson ?? {},
          book,
          `contacts[${index}].contact_person`,
        );
        if (index >= room) throw accountFullError(settings);
        return person;
      }),
    );
    if (errors.size > 0)
      throw batchError(errors, contacts.length, 'BatchCreateContactsErrorDetails', 'created');
    const createdPeople = written.map((person) => {
      const record = insertWritten(store, book, person as WrittenPerson, context.now);
      return writtenResponse(contactResourceNameOf(record), record, mask);
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
    const body = checkedBody(context, ['contacts', 'updateMask', 'readMask', 'sources']);
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
    const changes = entries.map(([name, person]) =>
      checkEach(errors, name, () => {
        const record = findContact(book, name);
        return {
          name,
          record,
          change: prepareUpdate(book, record, person, fields, `contacts[${name}]`),
        };
      }),
    );
    if (errors.size > 0)
      throw batchError(errors, entries.length, 'BatchUpdateContactsErrorDetails', 'updated');
    const updateResult: Record<string, people_v1.Schema$PersonResponse> = {};
    for (const item of changes) {
      if (!item) continue;
      applyUpdate(store, book, item.record, item.change, fields, context.now);
      updateResult[item.name] = writtenResponse(item.name, item.record, mask);
    }
    return {
      body: { updateResult } satisfies people_v1.Schema$BatchUpdateContactsResponse,
      items: entries.length,
    };
  };

  const batchDelete = (context: RouteContext): RouteResult => {
    const body = checkedBody(context, ['resourceNames']);
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

  return [
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
  ];
}

function optionalReadMask(paths: string[]): Set<string> | undefined {
  return paths.length === 0 ? undefined : readMask(paths, 'readMask');
}

/**
 * Runs a check of each item of a batch; an item whose check throws a Google error is recorded in
 * `errors` under its key and gives null, so that every refused item is named at once.
 */
function checkEach<T>(errors: Map<string, GoogleApiError>, key: string, check: () => T): T | null {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof GoogleApiError)) throw error;
    errors.set(key, error);
    return null;
  }
}

/** The answer for one written contact of a batch, with the person when a read mask was given. */
function writtenResponse(
  name: string,
  record: ContactRecord,
  mask: Set<string> | undefined,
): people_v1.Schema$PersonResponse {
  return {
    httpStatusCode: 200,
    requestedResourceName: name,
    ...(mask ? { person: renderContact(record, mask) } : {}),
    status: {},
  };
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
