/** Tests of the People client against the Workspace API emulator: batch writes that fail in part. */
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
  it('reports a batch update of which one contact failed, and keeps the others written', () => {
    const { transport, client } = setup();
    const [one, two] = transport.run(
      client.batchCreateContacts([
        { names: [{ givenName: 'One' }] },
        { names: [{ givenName: 'Two' }] },
      ]),
    );
    const attempt = () =>
      transport.run(
        client.batchUpdateContacts(
          {
            [one!.resourceName!]: { etag: one!.etag, nicknames: [{ value: 'first' }] },
            [two!.resourceName!]: { etag: 'stale', nicknames: [{ value: 'second' }] },
          },
          ['nicknames'],
        ),
      );
    let failure: unknown = null;
    try {
      attempt();
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(GoogleApiError);
    expect(String((failure as Error).message)).toMatch(/PARTIAL_FAILURE.*1 of 2 contacts failed/);
    const people = transport.run(
      client.getBatchGet([one!.resourceName!, two!.resourceName!], 'nicknames'),
    );
    expect(people.map((person) => person.nicknames?.[0]?.value ?? null)).toEqual(['first', null]);
  });

  it('reports a batch create of which one contact failed', () => {
    const { transport, client } = setup();
    const attempt = () =>
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
    expect(attempt).toThrow(/PARTIAL_FAILURE.*1 of 2 contacts failed/);
  });
});
