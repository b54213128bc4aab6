/**
 * Tests of the share gateway's decisions as pure functions (src/core/footprint.ts and
 * plan-permissions.ts): the table of who may do what in which account, read as one case per
 * level, role and operation; the footprint of a contact; the view of a contact that leaves the
 * backend (hidden fields, other groups and other shares' entries removed); and the match view, which
 * says of an account's own contact only what the caller already knows, yet decides `samePerson`
 * exactly as the contact itself would (a property over generated people).
 */
import fc from 'fast-check';
import {
  encodeLink,
  originKey,
  samePerson,
  SYNCED_FIELDS,
  type ContactSnapshot,
  type FieldValues,
} from '../../src/core/contact-model';
import {
  footprintAllows,
  footprintView,
  inFootprint,
  isUserGroupName,
  MatchIndex,
  OTHER_ADDRESS,
  type AccountRole,
  type FootprintOperation,
} from '../../src/core/footprint';
import {
  copyWriteOperation,
  masterUpdateOperation,
  permittedPlan,
} from '../../src/core/plan-permissions';
import type { Level } from '../../src/core/sharing-model';
import type { SyncPlan } from '../../src/core/sync-planner';

const LEVELS: Level[] = ['view', 'edit', 'contribute', 'manage', 'owner'];

/** The lowest level allowed, per operation and role ('-': nobody). Read across a row. */
const EXPECTED: Record<FootprintOperation, Record<AccountRole, Level | '-'>> = {
  read: { master: 'view', copy: 'edit', former: 'manage' },
  createGroup: { master: '-', copy: 'contribute', former: '-' },
  deleteGroup: { master: '-', copy: 'owner', former: 'manage' },
  createContacts: { master: 'contribute', copy: 'contribute', former: '-' },
  updateFields: { master: 'edit', copy: 'edit', former: '-' },
  unlink: { master: 'contribute', copy: 'contribute', former: 'manage' },
  merge: { master: '-', copy: 'contribute', former: '-' },
  deleteContacts: { master: 'contribute', copy: 'contribute', former: 'manage' },
};

const snapshot = (overrides: Partial<ContactSnapshot> = {}): ContactSnapshot => ({
  resourceName: 'people/c1',
  etag: 'e1',
  updateTime: 0,
  fields: {},
  memberships: [],
  clientData: [],
  deleted: false,
  previousResourceNames: [],
  ...overrides,
});
const link = (shareId: string, merged = false) =>
  encodeLink({
    shareId,
    sourceOwner: 'ann@acme.example',
    sourceResourceName: 'people/m1',
    merged,
    base: SYNCED_FIELDS.map(() => ''),
  });

describe('the share gateway’s table', () => {
  const cases = Object.entries(EXPECTED).flatMap(([operation, roles]) =>
    Object.entries(roles).flatMap(([role, lowest]) =>
      LEVELS.map((level) => ({
        operation: operation as FootprintOperation,
        role: role as AccountRole,
        level,
        allowed: lowest !== '-' && LEVELS.indexOf(level) >= LEVELS.indexOf(lowest),
      })),
    ),
  );

  it.each(cases)('$level may $operation in a $role account: $allowed', (row) => {
    expect(footprintAllows(row.level, row.role, row.operation)).toBe(row.allowed);
  });

  it('allows nothing to someone who takes no part', () => {
    for (const row of cases) expect(footprintAllows(null, row.role, row.operation)).toBe(false);
  });
});

describe('the footprint of a share in an account', () => {
  it('holds the contacts in its group and those carrying its entries, nothing else', () => {
    expect(
      inFootprint(snapshot({ memberships: ['contactGroups/g'] }), 's1', 'contactGroups/g'),
    ).toBe(true);
    expect(inFootprint(snapshot({ clientData: [link('s1')] }), 's1', null)).toBe(true);
    expect(
      inFootprint(snapshot({ clientData: [{ key: originKey('s1'), value: 'x' }] }), 's1', null),
    ).toBe(true);
    expect(inFootprint(snapshot({ clientData: [link('s10')] }), 's1', null)).toBe(false);
    expect(
      inFootprint(snapshot({ memberships: ['contactGroups/other'] }), 's1', 'contactGroups/g'),
    ).toBe(false);
  });

  it('hands out the visible fields, its own group and entries only', () => {
    const view = footprintView(
      snapshot({
        fields: { names: [{ givenName: 'Ann' }], phoneNumbers: [{ value: '+1 555 0100' }] },
        memberships: ['contactGroups/g', 'contactGroups/friends', 'contactGroups/myContacts'],
        clientData: [link('s1'), link('s2'), { key: 'other.app', value: 'secret' }],
      }),
      { id: 's1', hiddenFields: ['phoneNumbers'] },
      'contactGroups/g',
    );
    expect(view.fields).toEqual({ names: [{ givenName: 'Ann' }] });
    expect(view.memberships).toEqual(['contactGroups/g', 'contactGroups/myContacts']);
    expect(view.clientData).toEqual([link('s1')]);
  });

  it('never takes a system group for a label', () => {
    for (const name of ['myContacts', 'starred', 'all', 'blocked', 'friends', 'MYCONTACTS'])
      expect(isUserGroupName(`contactGroups/${name}`)).toBe(false);
    expect(isUserGroupName('contactGroups/4f1e2d0a')).toBe(true);
    expect(isUserGroupName('people/c1')).toBe(false);
    expect(isUserGroupName('contactGroups/a/../b')).toBe(false);
  });
});

describe('the match view of an account’s own contact', () => {
  const email = fc.constantFrom('a@x.test', 'b@x.test', 'C@X.test', 'family@x.test');
  const phone = fc.constantFrom(
    '+1 555 300 0000',
    '(555) 300-0000',
    '+1 555 200 0001',
    '0611223344',
    '+33 6 11 22 33 44',
  );
  const fields = fc
    .record({
      emailAddresses: fc.array(
        email.map((value) => ({ value })),
        { maxLength: 2 },
      ),
      phoneNumbers: fc.array(
        phone.map((value) => ({ value })),
        { maxLength: 2 },
      ),
    })
    .map((record): FieldValues => ({
      ...(record.emailAddresses.length > 0 ? { emailAddresses: record.emailAddresses } : {}),
      ...(record.phoneNumbers.length > 0 ? { phoneNumbers: record.phoneNumbers } : {}),
    }));
  const descriptorOf = (values: FieldValues) => ({
    emails: (values.emailAddresses ?? []).map((item) => (item as { value: string }).value),
    phones: (values.phoneNumbers ?? []).map((item) => (item as { value: string }).value),
  });

  it('decides samePerson as the contact would, for every descriptor, revealing only known values', () => {
    fc.assert(
      fc.property(fc.array(fields, { minLength: 1, maxLength: 4 }), fields, (masters, own) => {
        const descriptors = masters.map(descriptorOf);
        const contact = snapshot({ fields: { names: [{ givenName: 'Own' }], ...own } });
        const view = new MatchIndex(descriptors).view(contact);
        const matches = masters.some((master) => samePerson(master, contact.fields));
        expect(view !== null).toBe(matches);
        if (!view) return;
        for (const master of masters)
          expect(samePerson(master, view.fields)).toBe(samePerson(master, contact.fields));
        const known = new Set(
          descriptors.flatMap((descriptor) => [
            ...descriptor.emails.map((e) => e.toLowerCase()),
            ...descriptor.phones,
          ]),
        );
        for (const item of view.fields.emailAddresses ?? []) {
          const value = (item as { value: string }).value;
          expect(value === OTHER_ADDRESS || known.has(value.toLowerCase())).toBe(true);
        }
        expect(view.fields.names).toBeUndefined();
        expect(view.memberships).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never offers a contact another share already holds', () => {
    const index = new MatchIndex([{ emails: ['a@x.test'], phones: [] }]);
    const linked = snapshot({
      fields: { emailAddresses: [{ value: 'a@x.test' }] },
      clientData: [link('other-share')],
    });
    expect(index.view(linked)).toBeNull();
  });
});

describe('a plan reduced to what the actor may write', () => {
  const plan: SyncPlan = {
    masterCreates: [{ ref: 'new:0', contact: { fields: {}, memberships: [], clientData: [] } }],
    masterUpdates: [
      { resourceName: 'people/m1', etag: 'e', fields: {}, mask: ['names'] },
      { resourceName: 'people/m2', etag: 'e', fields: {}, mask: [], memberships: [] },
    ],
    masterDeletes: ['people/m3'],
    recipients: [
      {
        account: 'bob@acme.example',
        needsGroup: false,
        writes: [
          { contact: null, fields: {}, mask: [], link: null },
          {
            contact: snapshot({ clientData: [link('s1')] }),
            fields: {},
            mask: ['names'],
            link: {
              shareId: 's1',
              sourceOwner: 'a',
              sourceResourceName: 'people/m1',
              merged: false,
              base: [],
            },
          },
          {
            contact: snapshot(),
            fields: {},
            mask: ['names'],
            link: {
              shareId: 's1',
              sourceOwner: 'a',
              sourceResourceName: 'people/m1',
              merged: true,
              base: [],
            },
            membership: 'add',
          },
        ],
        deletes: ['people/c9'],
        deleteGroup: false,
      },
    ],
    labelDeletions: 0,
    labelSize: 3,
    conflicts: [],
    reverts: [],
    merges: 1,
  };

  it('classifies writes as the gateway does', () => {
    const writes = plan.recipients[0]!.writes;
    expect(writes.map(copyWriteOperation)).toEqual(['createContacts', 'updateFields', 'merge']);
    expect(plan.masterUpdates.map(masterUpdateOperation)).toEqual(['updateFields', 'unlink']);
  });

  it('leaves an edit participant the field updates, and marks the account it leaves short', () => {
    const { plan: kept, partial } = permittedPlan(plan, 'ann@acme.example', (_account, operation) =>
      footprintAllows('edit', _account === 'ann@acme.example' ? 'master' : 'copy', operation),
    );
    expect(kept.masterCreates).toEqual([]);
    expect(kept.masterUpdates.map((update) => update.resourceName)).toEqual(['people/m1']);
    expect(kept.masterDeletes).toEqual([]);
    expect(kept.recipients[0]?.writes.map(copyWriteOperation)).toEqual(['updateFields']);
    expect(kept.recipients[0]?.deletes).toEqual([]);
    expect([...partial]).toEqual(['bob@acme.example']);
  });

  it('keeps the copies of a master that an edit participant may not take out of the label', () => {
    const { plan: kept, partial } = permittedPlan(
      plan,
      'ann@acme.example',
      (account, operation) =>
        account === 'bob@acme.example' ||
        footprintAllows('edit', account === 'ann@acme.example' ? 'master' : 'copy', operation),
      (_account, resourceName) => (resourceName === 'people/c9' ? 'people/m2' : null),
    );
    expect(kept.masterUpdates.map((update) => update.resourceName)).toEqual(['people/m1']);
    expect(kept.recipients[0]?.writes).toHaveLength(3);
    expect(kept.recipients[0]?.deletes).toEqual([]);
    expect([...partial]).toEqual(['bob@acme.example']);
  });

  it('leaves a contributor everything but cleaning', () => {
    const { plan: kept, partial } = permittedPlan(plan, 'ann@acme.example', (_account, operation) =>
      footprintAllows('contribute', _account === 'ann@acme.example' ? 'master' : 'copy', operation),
    );
    expect(kept).toEqual(plan);
    expect(partial.size).toBe(0);
  });
});
