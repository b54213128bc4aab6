/**
 * This file tests the deterministic Workspace generator: same seed, same Workspace; several
 * customers, admins, groups, non-ASCII names, duplicates across users, big accounts.
 */
import { createWorkspaceEmulator } from '../../../src/emulator/api';

const spec = {
  seed: 42,
  customers: 3,
  usersPerCustomer: 6,
  groupsPerCustomer: 2,
  contactsPerUser: 30,
  bigAccounts: 1,
  bigAccountSize: 2000,
};

function allContacts(
  emulator: ReturnType<typeof createWorkspaceEmulator>,
  email: string,
): { names?: { givenName?: string }[]; emailAddresses?: { value: string }[] }[] {
  const token = emulator.mintAccessToken(email, ['contacts.readonly']);
  const people = [];
  let pageToken = '';
  do {
    const response = emulator.handle({
      method: 'GET',
      url: `https://people.googleapis.com/v1/people/me/connections?personFields=names,emailAddresses&pageSize=1000${pageToken ? `&pageToken=${pageToken}` : ''}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const body = JSON.parse(response.body);
    people.push(...(body.connections ?? []));
    pageToken = body.nextPageToken ?? '';
  } while (pageToken);
  return people;
}

describe('Workspace seed generator', () => {
  it('generates the same Workspace from the same seed and another from another seed', () => {
    const a = createWorkspaceEmulator({ seed: spec });
    const b = createWorkspaceEmulator({ seed: spec });
    const c = createWorkspaceEmulator({ seed: { ...spec, seed: 43 } });
    const users = (e: typeof a): string[] => [...e.workspace.users.keys()];
    expect(users(a)).toEqual(users(b));
    const first = users(a)[1] as string;
    expect(allContacts(a, first)).toEqual(allContacts(b, first));
    expect(users(c)).not.toEqual(users(a));
  });

  it('makes customers with a secondary domain, an admin each, groups with members, and a big account', () => {
    const emulator = createWorkspaceEmulator();
    const summary = emulator.seed(spec);
    expect(summary.customers).toHaveLength(3);
    expect(summary.customers[0]?.domains).toHaveLength(2);
    for (const customer of summary.customers) {
      expect(customer.admins).toHaveLength(1);
      expect(customer.users).toHaveLength(6);
      expect(customer.groups).toHaveLength(2);
    }
    expect(summary.bigAccounts).toHaveLength(1);
    expect(emulator.contactCount(summary.bigAccounts[0] as string)).toBe(2000);
    expect(summary.contacts).toBe(17 * 30 + 2000);
  });

  it('uses non-ASCII names and repeats e-mail addresses across users', () => {
    const emulator = createWorkspaceEmulator({ seed: spec });
    const byEmail = new Map<string, Set<string>>();
    let nonAscii = 0;
    for (const user of emulator.workspace.users.keys()) {
      for (const person of allContacts(emulator, user)) {
        if (/[^ -~]/.test(person.names?.[0]?.givenName ?? '')) nonAscii++;
        for (const address of person.emailAddresses ?? [])
          byEmail.set(address.value, (byEmail.get(address.value) ?? new Set()).add(user));
      }
    }
    expect(nonAscii).toBeGreaterThan(50);
    expect([...byEmail.values()].filter((owners) => owners.size > 1).length).toBeGreaterThan(5);
  });
});
