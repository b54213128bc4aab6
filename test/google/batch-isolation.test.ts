/**
 * Tests of batch isolation against the Workspace API emulator: a batch write that Google refuses
 * as a whole (BatchCreateContactsErrorDetails / BatchUpdateContactsErrorDetails) is sent again
 * without the contacts the error names; an error that names none is bisected, within a bounded
 * number of calls; failures of the call itself are not taken for refused contacts.
 */
import type { HttpClient, HttpResponse } from '../../src/core/ports';
import { ClockSleeper } from '../../src/core/memory-adapters';
import {
  createContactsIsolating,
  MAX_ISOLATION_CALLS,
  updateContactsIsolating,
} from '../../src/google/batch-isolation';
import { GoogleApiError } from '../../src/google/google-error';
import { PeopleClient, type Person } from '../../src/google/people-client';
import { GoogleTransport } from '../../src/google/transport';
import { createWorkspaceEmulator, EmulatorHttpClient } from '../../src/emulator/api';

const ALICE = 'alice@example.com';

function setup(rewrite?: (response: HttpResponse) => HttpResponse) {
  const emulator = createWorkspaceEmulator();
  emulator.addCustomer('example.com');
  emulator.addUser(ALICE);
  const inner = new EmulatorHttpClient(emulator, { clock: emulator.clock });
  const calls = { count: 0 };
  const http: HttpClient = {
    fetch: (request) => http.fetchAll([request])[0] as HttpResponse,
    fetchAll: (requests) => {
      calls.count += requests.length;
      const responses = inner.fetchAll(requests);
      return rewrite ? responses.map(rewrite) : responses;
    },
  };
  const transport = new GoogleTransport({
    http,
    clock: emulator.clock,
    sleeper: new ClockSleeper(emulator.clock),
  });
  const client = new PeopleClient(
    emulator.mintAccessToken(ALICE, ['https://www.googleapis.com/auth/contacts']),
  );
  return { emulator, transport, client, calls };
}

const people = (count: number, tag = 'P'): Person[] =>
  Array.from({ length: count }, (_, index) => ({ names: [{ givenName: `${tag}${index}` }] }));

/** A person whose membership names a group that does not exist: Google refuses to create it. */
const invalid: Person = {
  names: [{ givenName: 'Invalid' }],
  memberships: [{ contactGroupMembership: { contactGroupResourceName: 'contactGroups/gone' } }],
};

/** Removes the error details, as an answer that names no contact. */
function withoutDetails(response: HttpResponse): HttpResponse {
  if (response.status < 400) return response;
  const body = JSON.parse(response.body) as { error: Record<string, unknown> };
  delete body.error.details;
  return { ...response, body: JSON.stringify(body) };
}

describe('batch isolation', () => {
  // BatchCreateContactsErrorDetails: "If an index does not appear, then the creation of that contact would have been successful."
  it('writes the 199 good contacts of a batch of 200 with one invalid one in a second call, and reports that one (BatchCreateContactsErrorDetails)', () => {
    const { emulator, transport, client, calls } = setup();
    const batch = people(200);
    batch[137] = invalid;
    const { created, refused } = transport.run(createContactsIsolating(client, batch));
    expect(calls.count).toBe(2);
    expect(refused).toEqual([
      { index: 137, resourceName: null, message: expect.stringContaining('gone') },
    ]);
    expect(created[137]).toBeNull();
    expect(created.filter((person) => person?.resourceName)).toHaveLength(199);
    const [later] = transport.run(
      client.getBatchGet([created[138]?.resourceName as string], 'names'),
    );
    expect(later?.names?.[0]?.givenName).toBe('P138');
    expect(emulator.contactCount(ALICE)).toBe(199);
  });

  // BatchUpdateContactsErrorDetails: "If a contact id does not appear, then the update of that contact would have been successful."
  it('updates the others of a batch with one stale etag, and reports the stale one (BatchUpdateContactsErrorDetails)', () => {
    const { transport, client, calls } = setup();
    const created = transport.run(client.batchCreateContacts(people(200), 'names'));
    const updates: Record<string, Person> = {};
    for (const person of created)
      updates[person.resourceName as string] = {
        etag: person.etag,
        nicknames: [{ value: 'new' }],
      };
    const stale = created[5]?.resourceName as string;
    transport.run(
      client.updateContact(stale, { etag: created[5]?.etag, nicknames: [{ value: 'theirs' }] }, [
        'nicknames',
      ]),
    );
    calls.count = 0;
    const { updated, refused } = transport.run(
      updateContactsIsolating(client, updates, ['nicknames']),
    );
    expect(calls.count).toBe(2);
    expect(refused).toEqual([
      { index: 5, resourceName: stale, message: expect.stringContaining('etag') },
    ]);
    expect(updated).toHaveLength(199);
    const [theirs, ours] = transport.run(
      client.getBatchGet([stale, created[6]?.resourceName as string], 'nicknames'),
    );
    expect(theirs?.nicknames?.[0]?.value).toBe('theirs');
    expect(ours?.nicknames?.[0]?.value).toBe('new');
  });

  it('bisects a refused batch whose error names no contact, down to the invalid one', () => {
    const { emulator, transport, client, calls } = setup(withoutDetails);
    const batch = people(16);
    batch[11] = invalid;
    const { refused } = transport.run(createContactsIsolating(client, batch));
    expect(refused.map((refusal) => refusal.index)).toEqual([11]);
    expect(emulator.contactCount(ALICE)).toBe(15);
    expect(calls.count).toBeLessThanOrEqual(1 + 2 * Math.log2(16));
  });

  it('stops bisecting after a bounded number of calls and reports what is left as refused', () => {
    const { emulator, transport, client, calls } = setup(withoutDetails);
    const { refused } = transport.run(
      createContactsIsolating(
        client,
        Array.from({ length: 200 }, () => invalid),
      ),
    );
    expect(refused).toHaveLength(200);
    expect(calls.count).toBe(MAX_ISOLATION_CALLS + 1);
    expect(emulator.contactCount(ALICE)).toBe(0);
  });

  it('takes a failed call for a failure, not for refused contacts: the write fails whole', () => {
    const { emulator, transport, client } = setup();
    emulator.injectFault({
      operation: 'people.people.batchCreateContacts',
      status: 500,
      times: null,
    });
    expect(() => transport.run(createContactsIsolating(client, people(3)))).toThrow(GoogleApiError);
    expect(emulator.contactCount(ALICE)).toBe(0);
  });
});
