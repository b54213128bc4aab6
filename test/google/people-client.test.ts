/**
 * Tests of the People client against the Workspace API emulator: batch writes fail as a whole,
 * and the error names the refused contacts (BatchCreateContactsErrorDetails,
 * BatchUpdateContactsErrorDetails).
 */
import { ClockSleeper } from '../../src/core/memory-adapters';
import { GoogleApiError } from '../../src/google/google-error';
import { PeopleClient } from '../../src/google/people-client';
import { GoogleTransport } from '../../src/google/transport';
import { createWorkspaceEmulator, EmulatorHttpClient } from '../../src/emulator/api';

function setup() {
  const emulator = createWorkspaceEmulator();
  emulator.addCustomer('example.com');
  emulator.addUser('alice@example.com');
  const transport = new GoogleTransport({
    http: new EmulatorHttpClient(emulator, { clock: emulator.clock }),
    clock: emulator.clock,
    sleeper: new ClockSleeper(emulator.clock),
  });
  const client = new PeopleClient(
    emulator.mintAccessToken('alice@example.com', ['https://www.googleapis.com/auth/contacts']),
  );
  return { transport, client };
}

describe('People client batch writes', () => {
  // BatchUpdateContactsErrorDetails: "If a contact id does not appear, then the update of that contact would have been successful."
  it('fails a batch update with one stale etag as a whole, naming that contact (BatchUpdateContactsErrorDetails)', () => {
    const { transport, client } = setup();
    const [one, two] = transport.run(
      client.batchCreateContacts([
        { names: [{ givenName: 'One' }] },
        { names: [{ givenName: 'Two' }] },
      ]),
    );
    let failure: unknown = null;
    try {
      transport.run(
        client.batchUpdateContacts(
          {
            [one!.resourceName!]: { etag: one!.etag, nicknames: [{ value: 'first' }] },
            [two!.resourceName!]: { etag: 'stale', nicknames: [{ value: 'second' }] },
          },
          ['nicknames'],
        ),
      );
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(GoogleApiError);
    expect((failure as GoogleApiError).status).toBe('FAILED_PRECONDITION');
    expect((failure as GoogleApiError).details.contactErrors).toEqual({
      [two!.resourceName!]: { code: 9, message: expect.stringContaining('etag') },
    });
    const people = transport.run(
      client.getBatchGet([one!.resourceName!, two!.resourceName!], 'nicknames'),
    );
    expect(people.map((person) => person.nicknames?.[0]?.value ?? null)).toEqual([null, null]);
  });

  // BatchCreateContactsErrorDetails: "If an index does not appear, then the creation of that contact would have been successful."
  it('fails a batch create with one invalid contact as a whole, naming its index (BatchCreateContactsErrorDetails)', () => {
    const { transport, client } = setup();
    let failure: unknown = null;
    try {
      transport.run(
        client.batchCreateContacts([
          { names: [{ givenName: 'Fine' }] },
          {
            names: [{ givenName: 'Lost' }],
            memberships: [
              { contactGroupMembership: { contactGroupResourceName: 'contactGroups/nowhere' } },
            ],
          },
        ]),
      );
    } catch (error) {
      failure = error;
    }
    expect((failure as GoogleApiError).httpStatus).toBe(400);
    expect(Object.keys((failure as GoogleApiError).details.contactErrors ?? {})).toEqual(['1']);
  });
});
