/**
 * This file gives the demo users of `npm start` a few contact labels of their own (customers,
 * suppliers, press), filled with some of their generated contacts, so that the homepage has
 * labels to share from the first click. It writes through the People API like any client.
 */
import { CONTACTS_SCOPE } from '../../core/google-scopes';
import { ClockSleeper } from '../../core/memory-adapters';
import { PeopleClient } from '../../google/people-client';
import { GoogleTransport } from '../../google/transport';
import { EmulatorHttpClient } from '../api/http-client';
import type { WorkspaceEmulator } from '../api/workspace-emulator';

/** The labels each demo user starts with, and how many of their contacts each holds. */
export const DEMO_LABELS: readonly { name: string; size: number }[] = [
  { name: 'Customers', size: 8 },
  { name: 'Suppliers', size: 5 },
  { name: 'Press', size: 3 },
];

/** Creates DEMO_LABELS in each user's contacts, each with the next contacts of theirs. */
export function addDemoLabels(emulator: WorkspaceEmulator, users: readonly string[]): void {
  const transport = new GoogleTransport({
    http: new EmulatorHttpClient(emulator, {}),
    clock: emulator.clock,
    sleeper: new ClockSleeper(emulator.clock),
  });
  for (const user of users) {
    const people = new PeopleClient(emulator.mintAccessToken(user, [CONTACTS_SCOPE]));
    const contacts = (
      transport.run(people.listConnections({ personFields: 'names', pageSize: 1000 }))
        .connections ?? []
    ).flatMap((person) => (person.resourceName ? [person.resourceName] : []));
    let next = 0;
    for (const label of DEMO_LABELS) {
      const members = contacts.slice(next, next + label.size);
      next += label.size;
      const group = transport.run(people.createContactGroup({ name: label.name }));
      if (members.length > 0 && group.resourceName)
        transport.run(people.modifyMembers(group.resourceName, members, []));
    }
  }
}
