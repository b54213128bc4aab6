/**
 * The user's own groups as a sync listed them are handed to the homepage once, with their member
 * counts, and never after the sync wrote to the account (a count could have changed).
 */
import { PeopleClient } from '../../src/google/people-client';
import { OwnGroupsSeen, RoutedContactsGateway } from '../../src/google/people-gateway';
import { ownAccountOnEmulator } from '../fixtures/google-own-account';

const USER = 'alice@example.com';

function setup() {
  const { transport, ref } = ownAccountOnEmulator(USER);
  const seen = new OwnGroupsSeen();
  const gateway = new RoutedContactsGateway(
    transport,
    () => {
      throw new Error('only the user’s own account is reached here');
    },
    seen,
  );
  return { gateway, seen, ref, transport, people: new PeopleClient(ref.access.token) };
}

describe('the own groups a sync saw', () => {
  it('are taken once, with their member counts', () => {
    const { gateway, seen, ref, transport, people } = setup();
    const [made] = gateway.write([
      { ...ref, write: { kind: 'createGroup', name: 'Customers', clientData: [] } },
    ]);
    const group = made?.ok ? (made.resourceNames[0] as string) : '';
    transport.run(
      people.batchCreateContacts([
        {
          names: [{ givenName: 'Zoë' }],
          memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
        },
      ]),
    );
    expect(seen.take()).toBeNull();
    const [listed] = gateway.listGroups([ref]);
    expect(listed?.ok).toBe(true);
    const taken = seen.take();
    expect(taken?.find((group) => group.name === 'Customers')).toMatchObject({
      groupType: 'USER_CONTACT_GROUP',
      memberCount: 1,
    });
    expect(seen.take()).toBeNull();
  });

  it('are forgotten when the sync writes to the account', () => {
    const { gateway, seen, ref } = setup();
    gateway.listGroups([ref]);
    gateway.write([{ ...ref, write: { kind: 'createGroup', name: 'Suppliers', clientData: [] } }]);
    expect(seen.take()).toBeNull();
  });
});
