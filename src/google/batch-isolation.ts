/**
 * This file isolates the contacts Google refuses in a batch write. batchCreateContacts and
 * batchUpdateContacts are all or nothing: one invalid or stale contact fails up to 200 writes,
 * and a contact that always fails would block its batch on every retry. The error's details name
 * the refused contacts (BatchCreateContactsErrorDetails by index, BatchUpdateContactsErrorDetails
 * by resource name; "If an index does not appear, then the creation of that contact would have
 * been successful"), so the others are sent again at once, without them; when an error names
 * none, the batch is split in halves until the refused contacts stand alone.
 */
import { GoogleApiError } from './google-error';
import type { PeopleClient, Person } from './people-client';
import type { ApiCall } from './transport';

/** A contact Google refused: its index in the write (creates) or resource name (updates). */
export interface RefusedContact {
  index: number;
  resourceName: string | null;
  message: string;
}

/**
 * At most this many calls are spent isolating one batch beyond the first: past it, the contacts
 * still unsettled are reported as refused (they are retried by the next sync), so that a batch
 * in which everything fails for a reason the error does not name costs a handful of calls, not
 * a bisection of all 200.
 */
export const MAX_ISOLATION_CALLS = 12;

/** Answers that concern the contacts sent (400 invalid or stale, 404 gone), not the call. */
function concernsContacts(error: unknown): error is GoogleApiError {
  return error instanceof GoogleApiError && (error.httpStatus === 400 || error.httpStatus === 404);
}

/**
 * Sends items in batches, setting aside those the errors name and bisecting when an error names
 * none. `send` writes a group of item positions; `named` reads the refused positions of a group
 * from an error (null when it names none). Returns the refused positions with their reasons.
 */
function* isolate(
  count: number,
  send: (positions: number[]) => ApiCall<void>,
  named: (error: GoogleApiError, positions: number[]) => Map<number, string> | null,
): ApiCall<Map<number, string>> {
  const refused = new Map<number, string>();
  const pending: number[][] = [Array.from({ length: count }, (_, index) => index)];
  let calls = 0;
  while (pending.length > 0) {
    const group = pending.shift() as number[];
    if (group.length === 0) continue;
    if (calls > MAX_ISOLATION_CALLS) {
      for (const position of group)
        refused.set(position, 'not retried: too many refusals in this batch');
      continue;
    }
    calls++;
    try {
      yield* send(group);
    } catch (error) {
      if (!concernsContacts(error)) throw error;
      const found = named(error, group);
      if (found && found.size > 0) {
        for (const [position, message] of found) refused.set(position, message);
        pending.unshift(group.filter((position) => !found.has(position)));
      } else if (group.length === 1) refused.set(group[0] as number, error.message);
      else {
        const half = Math.ceil(group.length / 2);
        pending.unshift(group.slice(0, half), group.slice(half));
      }
    }
  }
  return refused;
}

/**
 * Creates contacts (≤ 200) in one batch, or as few as it takes to write all those Google
 * accepts. Returns the created people in the order given, null for the refused ones, and what
 * was refused.
 */
export function* createContactsIsolating(
  client: PeopleClient,
  contacts: Person[],
): ApiCall<{ created: (Person | null)[]; refused: RefusedContact[] }> {
  const created: (Person | null)[] = contacts.map(() => null);
  const refused = yield* isolate(
    contacts.length,
    function* (positions) {
      const people = yield* client.batchCreateContacts(
        positions.map((position) => contacts[position] as Person),
      );
      positions.forEach((position, index) => (created[position] = people[index] ?? null));
    },
    (error, positions) => {
      const errors = error.details.contactErrors;
      if (!errors) return null;
      const found = new Map<number, string>();
      for (const [key, status] of Object.entries(errors)) {
        const position = positions[Number(key)];
        if (Number.isInteger(Number(key)) && position !== undefined)
          found.set(position, status.message);
      }
      return found;
    },
  );
  return {
    created,
    refused: [...refused].map(([index, message]) => ({ index, resourceName: null, message })),
  };
}

/**
 * Updates contacts (≤ 200, keyed by resource name, all with the same mask) in one batch, or as
 * few as it takes to write all those Google accepts. Returns the updated resource names and
 * what was refused.
 */
export function* updateContactsIsolating(
  client: PeopleClient,
  contacts: Record<string, Person>,
  updateMask: string[],
): ApiCall<{ updated: string[]; refused: RefusedContact[] }> {
  const names = Object.keys(contacts);
  const refused = yield* isolate(
    names.length,
    function* (positions) {
      const batch: Record<string, Person> = {};
      for (const position of positions) {
        const name = names[position] as string;
        batch[name] = contacts[name] as Person;
      }
      yield* client.batchUpdateContacts(batch, updateMask);
    },
    (error, positions) => {
      const errors = error.details.contactErrors;
      if (!errors) return null;
      const found = new Map<number, string>();
      for (const position of positions) {
        const status = errors[names[position] as string];
        if (status) found.set(position, status.message);
      }
      return found;
    },
  );
  return {
    updated: names.filter((_, position) => !refused.has(position)),
    refused: [...refused].map(([index, message]) => ({
      index,
      resourceName: names[index] as string,
      message,
    })),
  };
}
