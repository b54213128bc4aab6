/**
 * End to end through the real bundle in the Apps Script runtime, with the API emulator and the
 * backend on PGlite: after every step of a share whose people look alike (a family e-mail two
 * people use, a switchboard number, one line written two ways, a name with neither e-mail nor
 * phone), every recipient's copy of the label holds exactly the master's contacts — one copy per
 * master, linked to it, with the master's fields — and a recipient's own contact for one of them
 * is merged into one copy, never duplicated nor dropped.
 */
import { readLink } from '../../src/core/contact-model';
import type { Person } from '../../src/google/people-client';
import { startE2eStack, type E2eStack } from './stack';
import { ALICE, BOB, CAROL } from '../fixtures/acme-users';
import { contactsInGroup, contactsInLabel } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';
import { addMembers, firstShareId, shareLabel } from '../fixtures/share-steps';

function person(given: string, email: string | null, phone: string | null): Person {
  return {
    names: [{ givenName: given, familyName: 'Lookalike' }],
    ...(email === null ? {} : { emailAddresses: [{ value: email }] }),
    ...(phone === null ? {} : { phoneNumbers: [{ value: phone }] }),
  };
}

/** Alice's people: distinct contacts that share an e-mail address or a phone number. */
const LOOKALIKES: Person[] = [
  person('Pat', 'family@home.example', '+1 555 010 1001'),
  person('Sam', 'family@home.example', '+1 555 010 1002'),
  person('Rita', 'rita@corp.example', '+1 555 010 0100'),
  person('Ron', 'ron@corp.example', '+1 555 010 0100'),
  person('Dock A', null, '+1 555 010 0200'),
  person('Dock B', null, '(555) 010-0200'),
  person('Lee cell', null, '+1 555 010 0300'),
  person('Lee work', 'lee@corp.example', '+1 555 010 0300'),
  person('Nameless neighbour', null, null),
  ...Array.from({ length: 12 }, (_, index) =>
    person(`Plain ${index}`, `plain${index}@customers.example`, `+1 555 020 ${1000 + index}`),
  ),
];

/** The text of one person's fields that a copy must carry, as alice reads them. */
function fieldsOf(contact: Person): string {
  return JSON.stringify([
    (contact.names ?? []).map((name) => [name.givenName, name.familyName]),
    (contact.emailAddresses ?? []).map((email) => email.value),
    (contact.phoneNumbers ?? []).map((phone) => phone.value),
  ]);
}

describe('every copy holds exactly the master’s contacts', () => {
  let stack: E2eStack;
  let label: string;
  let shareId: string;

  /** Checks bob's and carol's copies against alice's label, contact by contact. */
  function expectCopiesEqualMaster(): void {
    const masters = contactsInGroup(stack.contactsOf(ALICE), label);
    const byName = new Map(masters.map((master) => [master.resourceName ?? '', master]));
    for (const user of [BOB, CAROL]) {
      const copies = contactsInLabel(stack, user, 'Accounts');
      const sources = copies.map(
        (copy) =>
          readLink(
            (copy.clientData ?? []).map((entry) => ({
              key: entry.key ?? '',
              value: entry.value ?? '',
            })),
            shareId,
          )?.sourceResourceName ?? `unlinked ${copy.resourceName}`,
      );
      expect({ user, sources: [...sources].sort() }).toEqual({
        user,
        sources: [...byName.keys()].sort(),
      });
      for (const [index, copy] of copies.entries())
        expect({ user, fields: fieldsOf(copy) }).toEqual({
          user,
          fields: fieldsOf(byName.get(sources[index] as string) as Person),
        });
    }
  }

  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
    label = stack.people(ALICE, (client) => client.createContactGroup({ name: 'Accounts' }))
      .resourceName as string;
    stack.people(ALICE, (client) =>
      client.batchCreateContacts(
        LOOKALIKES.map((contact) => ({
          ...contact,
          memberships: [{ contactGroupMembership: { contactGroupResourceName: label } }],
        })),
      ),
    );
    // bob already has the family's address, the dock's number and Lee's mobile.
    for (const own of [
      person('The family', 'family@home.example', null),
      person('Dock', null, '555 010 0200'),
      person('Lee', null, '+1 555 010 0300'),
    ])
      stack.people(BOB, (client) => client.createContact(own));
    // carol has Kim, whom bob adds later.
    stack.people(CAROL, (client) =>
      client.createContact(person('Kim from the fair', 'kim@corp.example', null)),
    );
  });
  afterAll(async () => {
    await stack.close();
  });

  it('gives each master its own copy when the share is made, merging bob’s own contacts once', async () => {
    const shared = await shareLabel(stack, ALICE, label, BOB, 'edit');
    expect(shared.run.error).toBeUndefined();
    shareId = await firstShareId(stack, ALICE);
    const more = await addMembers(stack, ALICE, shareId, 'group', 'sales@acme.example', 'view');
    expect(more.run.error).toBeUndefined();
    expectCopiesEqualMaster();
    // Bob's three own contacts became three of the copies: nothing of his is left beside them.
    expect(stack.contactsOf(BOB)).toHaveLength(LOOKALIKES.length);
  });

  it('keeps them equal when alice adds a look-alike and bob edits a phone into another’s', async () => {
    const added = await stack.act(
      ALICE,
      { action: 'addContact', shareId },
      { givenName: ['Dock'], familyName: ['C'], email: [''], phone: ['555-010-0200'] },
    );
    expect(added.notification).toMatch(/^Added Dock C to “Accounts”\. Synced:/);
    const ron = contactsInLabel(stack, BOB, 'Accounts').find(
      (contact) => contact.names?.[0]?.givenName === 'Ron',
    ) as Person;
    const saved = await stack.act(
      BOB,
      { action: 'saveContact', resourceName: ron.resourceName as string },
      {
        givenName: ['Ron'],
        familyName: ['Lookalike'],
        email: ['ron@corp.example'],
        phone: ['+1 555 010 1001'],
        organization: [''],
        notes: [''],
      },
    );
    expect(saved.notification).toMatch(/^Saved Ron Lookalike\. Synced:/);
    // Carol has the label through the sales group, whose members are expanded only for the
    // owner and managers: her copy follows at her own next sync (issue 13).
    expect((await stack.trigger(CAROL)).error).toBeUndefined();
    expectCopiesEqualMaster();
  });

  it('gives everyone a contact that bob adds: the master in the sync of his action, a group member in hers', async () => {
    const changed = await stack.act(
      ALICE,
      { action: 'changeLevel', shareId, targetKind: 'user', address: BOB },
      { memberLevel: ['contribute'] },
    );
    expect(changed.run.error).toBeUndefined();
    const added = await stack.act(
      BOB,
      { action: 'addContact', shareId },
      {
        givenName: ['Kim'],
        familyName: ['Lookalike'],
        email: ['kim@corp.example'],
        phone: ['+1 555 010 0100'],
      },
    );
    expect(added.notification).toMatch(/^Added Kim Lookalike to “Accounts”\. Synced:/);
    expect(
      contactsInGroup(stack.contactsOf(ALICE), label).map((master) => master.names?.[0]?.givenName),
    ).toContain('Kim');
    expect((await stack.trigger(CAROL)).error).toBeUndefined();
    expectCopiesEqualMaster();
    // carol's own contact for Kim became her copy of him.
    expect(stack.contactsOf(CAROL)).toHaveLength(
      contactsInGroup(stack.contactsOf(ALICE), label).length,
    );
  });

  it('keeps them equal through everyone’s later syncs', async () => {
    for (const user of [BOB, CAROL, ALICE]) {
      const home = await stack.home(user);
      expect(home.run.error).toBeUndefined();
      expect((await stack.trigger(user)).error).toBeUndefined();
    }
    expectCopiesEqualMaster();
  });
});
