/** Tests of the sync planner and the listing guard with plain data: copy, merge, conflicts, reverts, guards. */
import {
  fieldHash,
  fingerprint,
  matchKeys,
  normalizePhone,
  readLink,
  samePerson,
  samePhone,
  sameValues,
  withLink,
  type ContactSnapshot,
  type FieldValues,
} from '../../src/core/contact-model';
import { checkListing } from '../../src/core/listing-guard';
import type { Share } from '../../src/core/sharing-model';
import { recipientWrites } from '../../src/core/sync-plan-writes';
import { sampleShare } from '../fixtures/core-shares';
import {
  exceedsDeletionGuard,
  planShareSync,
  type RecipientState,
} from '../../src/core/sync-planner';

const LABEL = 'contactGroups/label';
const share: Share = sampleShare({ labelResourceName: LABEL });

function person(
  name: string,
  phone: string,
  extra: Partial<ContactSnapshot> = {},
): ContactSnapshot {
  return {
    resourceName: `people/${name}`,
    etag: 'e1',
    updateTime: 1000,
    fields: {
      names: [{ givenName: name }],
      emailAddresses: [{ value: `${name}@client.test` }],
      phoneNumbers: [{ value: phone }],
    },
    memberships: [LABEL, 'contactGroups/myContacts'],
    clientData: [],
    deleted: false,
    previousResourceNames: [],
    ...extra,
  };
}

/** A synced copy of a master in a recipient's account, in the given group. */
function copyOf(
  master: ContactSnapshot,
  id: string,
  group: string,
  fields?: FieldValues,
  merged = false,
): ContactSnapshot {
  return {
    ...master,
    resourceName: `people/${id}`,
    fields: fields ?? master.fields,
    memberships: [group, 'contactGroups/myContacts'],
    clientData: withLink([], share.id, {
      shareId: share.id,
      sourceOwner: share.owner,
      sourceResourceName: master.resourceName,
      merged,
      base: fingerprint(master.fields),
    }),
  };
}

function recipient(
  account: string,
  level: RecipientState['level'],
  contacts: ContactSnapshot[],
  joined = true,
): RecipientState {
  return { account, level, group: `contactGroups/${account[0]}`, joined, contacts };
}

describe('planShareSync', () => {
  const a = person('ann', '+1 555 0101');
  const b = person('ben', '+1 555 0102');

  it('copies every master into a new recipient, linked to its source', () => {
    const plan = planShareSync({
      share,
      master: [a, b, person('out', '1', { memberships: ['contactGroups/myContacts'] })],
      recipients: [
        { account: 'bob@example.com', level: 'edit', group: null, joined: false, contacts: [] },
      ],
      masterChanged: null,
    });
    const bob = plan.recipients[0];
    expect(bob?.needsGroup).toBe(true);
    expect(bob?.writes.map((write) => write.contact)).toEqual([null, null]);
    const writes = recipientWrites(bob!, share.id, 'contactGroups/new', new Map());
    expect(writes).toHaveLength(1);
    const created = writes[0]?.kind === 'createContacts' ? writes[0].contacts : [];
    expect(created.map((contact) => contact.memberships[0])).toEqual([
      'contactGroups/new',
      'contactGroups/new',
    ]);
    expect(readLink(created[0]!.clientData, share.id)?.sourceResourceName).toBe('people/ann');
  });

  it('merges a pre-existing contact with the same e-mail instead of duplicating it', () => {
    const own = {
      ...person('ann', '999999'),
      resourceName: 'people/own',
      memberships: ['contactGroups/myContacts'],
    };
    const plan = planShareSync({
      share,
      master: [a],
      recipients: [recipient('bob@example.com', 'view', [own], false)],
      masterChanged: null,
    });
    expect(plan.merges).toBe(1);
    const write = plan.recipients[0]?.writes[0];
    expect(write?.contact?.resourceName).toBe('people/own');
    expect(write?.link?.merged).toBe(true);
    expect(write?.membership).toBe('add');
  });

  it('merges only contacts that carry no other share’s link, and confirms phone matches', () => {
    const master = person('ann', '+1 (555) 010-1234', {
      fields: { names: [{ givenName: 'Ann' }], phoneNumbers: [{ value: '+1 (555) 010-1234' }] },
    });
    const own = (id: string, phone: string, extra: Partial<ContactSnapshot> = {}) => ({
      ...person(id, phone),
      fields: { names: [{ givenName: id }], phoneNumbers: [{ value: phone }] },
      resourceName: `people/${id}`,
      memberships: ['contactGroups/myContacts'],
      ...extra,
    });
    const otherShareCopy = own('copy-of-s2', '555-010-1234', {
      clientData: [{ key: 'sharedContacts:s2', value: 'v1|dave@example.com|people/x|c|' }],
    });
    const otherShareMaster = own('master-of-s3', '555 010 1234', {
      clientData: [{ key: 'sharedContacts:s3:from', value: 'carol@example.com|people/y' }],
    });
    const plain = own('plain', '(555) 010-1234 ext. 12');
    const plan = planShareSync({
      share,
      master: [master],
      recipients: [
        recipient('bob@example.com', 'edit', [otherShareCopy, otherShareMaster, plain], false),
      ],
      masterChanged: null,
    });
    expect(plan.merges).toBe(1);
    expect(plan.recipients[0]?.writes.map((write) => write.contact?.resourceName)).toEqual([
      'people/plain',
    ]);
  });

  it('does not merge two people who share a switchboard number but not an e-mail address', () => {
    const master = person('ann', '+44 20 7946 0000');
    const colleague = {
      ...person('ben', '020 7946 0000'),
      resourceName: 'people/ben-own',
      memberships: ['contactGroups/myContacts'],
    };
    const plan = planShareSync({
      share,
      master: [master],
      recipients: [recipient('bob@example.com', 'edit', [colleague], false)],
      masterChanged: null,
    });
    expect(plan.merges).toBe(0);
    expect(plan.recipients[0]?.writes.map((write) => write.contact)).toEqual([null]);
  });

  it('keeps a merged contact and deletes the plain copy when two copies link one master', () => {
    const merged = copyOf(a, 'own-ann', 'contactGroups/b', undefined, true);
    const extra = copyOf(a, 'copy-ann', 'contactGroups/b');
    const plan = planShareSync({
      share,
      master: [a],
      recipients: [recipient('bob@example.com', 'edit', [extra, merged])],
      masterChanged: new Set(),
    });
    expect(plan.recipients[0]?.deletes).toEqual(['people/copy-ann']);
    expect(plan.recipients[0]?.writes).toEqual([]);
  });

  it('sends an edit recipient’s change to the master and on to the others', () => {
    const edited = {
      phoneNumbers: [{ value: '+1 555 9999' }],
      names: a.fields.names,
      emailAddresses: a.fields.emailAddresses,
    };
    const plan = planShareSync({
      share,
      master: [a],
      recipients: [
        recipient('bob@example.com', 'edit', [
          { ...copyOf(a, 'b1', 'contactGroups/b', edited), updateTime: 2000 },
        ]),
        recipient('carol@example.com', 'view', [copyOf(a, 'c1', 'contactGroups/c')]),
      ],
      masterChanged: new Set(),
    });
    expect(plan.masterUpdates).toEqual([
      expect.objectContaining({ resourceName: 'people/ann', mask: ['phoneNumbers'] }),
    ]);
    expect(plan.masterUpdates[0]?.fields.phoneNumbers).toEqual([{ value: '+1 555 9999' }]);
    const carol = plan.recipients[1]?.writes[0];
    expect(carol?.mask).toEqual(['phoneNumbers']);
    expect(plan.conflicts).toEqual([]);
  });

  it('reverts a view recipient’s edit and reports it', () => {
    const edited = { ...a.fields, phoneNumbers: [{ value: '000' }] };
    const plan = planShareSync({
      share,
      master: [a],
      recipients: [
        recipient('carol@example.com', 'view', [copyOf(a, 'c1', 'contactGroups/c', edited)]),
      ],
      masterChanged: new Set(),
    });
    expect(plan.masterUpdates).toEqual([]);
    expect(plan.reverts).toEqual([
      { account: 'carol@example.com', resourceName: 'people/c1', kind: 'edit' },
    ]);
    expect(plan.recipients[0]?.writes[0]?.fields.phoneNumbers).toEqual(a.fields.phoneNumbers);
  });

  it('lets the later edit win per field and reports the losing value', () => {
    const master = {
      ...a,
      fields: { ...a.fields, phoneNumbers: [{ value: 'owner' }] },
      updateTime: 3000,
    };
    const bobCopy = {
      ...copyOf(a, 'b1', 'contactGroups/b', { ...a.fields, phoneNumbers: [{ value: 'bob' }] }),
      updateTime: 2000,
    };
    const plan = planShareSync({
      share,
      master: [master],
      recipients: [recipient('bob@example.com', 'edit', [bobCopy])],
      masterChanged: new Set(['people/ann']),
    });
    expect(plan.conflicts).toEqual([
      {
        masterResourceName: 'people/ann',
        field: 'phoneNumbers',
        winner: 'alice@example.com',
        loser: 'bob@example.com',
        losingValue: [{ value: 'bob' }],
      },
    ]);
    expect(plan.masterUpdates).toEqual([]);
    expect(plan.recipients[0]?.writes[0]?.fields.phoneNumbers).toEqual([{ value: 'owner' }]);
  });

  it('takes a copy deleted by a contributor as a removal from the label, and re-creates one deleted by a viewer', () => {
    const byContributor = planShareSync({
      share,
      master: [a, b],
      recipients: [
        recipient('bob@example.com', 'contribute', [copyOf(b, 'b2', 'contactGroups/b')]),
        recipient('carol@example.com', 'view', [
          copyOf(a, 'c1', 'contactGroups/c'),
          copyOf(b, 'c2', 'contactGroups/c'),
        ]),
      ],
      masterChanged: new Set(),
    });
    expect(byContributor.labelDeletions).toBe(1);
    expect(byContributor.masterUpdates[0]?.memberships).toEqual(['contactGroups/myContacts']);
    expect(byContributor.recipients[1]?.deletes).toEqual(['people/c1']);

    const byViewer = planShareSync({
      share,
      master: [a],
      recipients: [recipient('carol@example.com', 'view', [])],
      masterChanged: new Set(),
    });
    expect(byViewer.labelDeletions).toBe(0);
    expect(byViewer.reverts).toEqual([
      { account: 'carol@example.com', resourceName: 'people/ann', kind: 'remove' },
    ]);
    expect(byViewer.recipients[0]?.writes[0]?.contact).toBeNull();
  });

  it('does not take a missing copy for a deletion when the changes are unknown or the master changed', () => {
    for (const masterChanged of [null, new Set(['people/ann'])]) {
      const plan = planShareSync({
        share,
        master: [a],
        recipients: [recipient('bob@example.com', 'manage', [])],
        masterChanged,
      });
      expect(plan.labelDeletions).toBe(0);
      expect(plan.recipients[0]?.writes).toHaveLength(1);
    }
  });

  it('deletes copies of a master that left the label and unlinks merged ones', () => {
    const plan = planShareSync({
      share,
      master: [b],
      recipients: [
        recipient('bob@example.com', 'edit', [
          copyOf(a, 'b1', 'contactGroups/b'),
          copyOf(b, 'b2', 'contactGroups/b'),
        ]),
        recipient('carol@example.com', 'edit', [
          copyOf(a, 'c1', 'contactGroups/c', undefined, true),
        ]),
      ],
      masterChanged: new Set(),
    });
    expect(plan.recipients[0]?.deletes).toEqual(['people/b1']);
    expect(plan.recipients[1]?.deletes).toEqual([]);
    expect(plan.recipients[1]?.writes[0]).toEqual(
      expect.objectContaining({ link: null, membership: 'remove' }),
    );
    expect(plan.labelDeletions).toBe(1);
  });

  it('follows a changed resource name instead of deleting', () => {
    const renamed = { ...a, resourceName: 'people/ann2', previousResourceNames: ['people/ann'] };
    const plan = planShareSync({
      share,
      master: [renamed],
      recipients: [recipient('bob@example.com', 'edit', [copyOf(a, 'b1', 'contactGroups/b')])],
      masterChanged: new Set(),
    });
    expect(plan.recipients[0]?.deletes).toEqual([]);
    expect(plan.recipients[0]?.writes[0]?.link?.sourceResourceName).toBe('people/ann2');
  });

  it('does not copy hidden fields', () => {
    const plan = planShareSync({
      share: { ...share, hiddenFields: ['phoneNumbers'] },
      master: [a],
      recipients: [
        {
          account: 'bob@example.com',
          level: 'edit',
          group: 'contactGroups/b',
          joined: false,
          contacts: [],
        },
      ],
      masterChanged: null,
    });
    expect(plan.recipients[0]?.writes[0]?.fields.phoneNumbers).toBeUndefined();
    expect(plan.recipients[0]?.writes[0]?.fields.names).toEqual(a.fields.names);
  });

  it('turns a contributor’s new contact into a master and takes a viewer’s out of the label', () => {
    const added = {
      ...person('new', '12345678'),
      resourceName: 'people/n1',
      memberships: ['contactGroups/b'],
    };
    const plan = planShareSync({
      share,
      master: [],
      recipients: [
        recipient('bob@example.com', 'contribute', [added]),
        recipient('carol@example.com', 'view', [{ ...added, memberships: ['contactGroups/c'] }]),
      ],
      masterChanged: new Set(),
    });
    expect(plan.masterCreates).toHaveLength(1);
    expect(plan.masterCreates[0]?.contact.clientData[0]?.value).toBe('bob@example.com|people/n1');
    expect(plan.recipients[1]?.writes[0]?.membership).toBe('remove');
    expect(plan.reverts[0]?.kind).toBe('add');
  });

  it('pauses on deleting more than max(5, 10 %) of a label', () => {
    const masters = Array.from({ length: 100 }, (_, index) => person(`p${index}`, `55500${index}`));
    const copies = masters.map((master, index) => copyOf(master, `c${index}`, 'contactGroups/b'));
    const plan = (kept: number) =>
      planShareSync({
        share,
        master: masters.slice(0, kept),
        recipients: [recipient('bob@example.com', 'view', copies)],
        masterChanged: new Set(),
      });
    expect(exceedsDeletionGuard(plan(90))).toBe(false);
    expect(exceedsDeletionGuard(plan(89))).toBe(true);
  });
});

describe('phone matching', () => {
  it('normalises numbers: extensions, 00 and trunk prefixes, national and international forms', () => {
    const key = (value: string) => normalizePhone(value);
    expect(key('+1 (555) 010-1234 x12')).toEqual({ digits: '15550101234', international: true });
    expect(key('0044 20 7946 0958')).toEqual({ digits: '442079460958', international: true });
    expect(key('020 7946 0958')).toEqual({ digits: '2079460958', international: false });
    expect(key('12 34')).toBeNull();
    expect(samePhone(key('+44 20 7946 0958')!, key('020 7946 0958')!)).toBe(true);
    expect(samePhone(key('+1 555 010 1234')!, key('555.010.1234')!)).toBe(true);
    expect(samePhone(key('+33 1 79 46 09 58')!, key('+44 1 79 46 09 58')!)).toBe(false);
    expect(samePhone(key('+1 555 010 1234')!, key('7 010 1234')!)).toBe(false);
  });

  it('takes two contacts for one person by a shared e-mail, or a shared phone without differing e-mails', () => {
    const phone = (value: string, email?: string): FieldValues => ({
      phoneNumbers: [{ value }],
      ...(email ? { emailAddresses: [{ value: email }] } : {}),
    });
    expect(samePerson(phone('+1 555 010 1234', 'A@x.test'), phone('1', 'a@x.test'))).toBe(true);
    expect(samePerson(phone('+1 555 010 1234'), phone('(555) 010-1234', 'b@x.test'))).toBe(true);
    expect(
      samePerson(phone('+1 555 010 1234', 'a@x.test'), phone('555 010 1234', 'b@x.test')),
    ).toBe(false);
    expect(matchKeys(phone('+1 555 010 1234'))).toEqual(matchKeys(phone('555-010-1234')));
  });
});

describe('field fingerprints', () => {
  it('tell apart values that serialize alike and agree with structural equality', () => {
    expect(fieldHash(['a","b'])).not.toBe(fieldHash(['a', 'b']));
    expect(fieldHash([{ value: '1' }])).not.toBe(fieldHash([{ value: 1 }]));
    expect(fieldHash([{ a: 'x', b: '' }])).not.toBe(fieldHash([{ a: 'x' }, { b: '' }]));
    expect(fieldHash([])).toBe('');
    const value = [{ familyName: 'Test', givenName: 'Ann' }];
    const same = JSON.parse(JSON.stringify(value)) as unknown[];
    expect(sameValues(value, same)).toBe(true);
    expect(fieldHash(value)).toBe(fieldHash(same));
    expect(sameValues(value, [{ familyName: 'Test' }])).toBe(false);
    expect(sameValues(value, [{ familyName: 'Test', givenName: 'Ann', middleName: '' }])).toBe(
      false,
    );
    expect(sameValues(undefined, value)).toBe(false);
  });
});

describe('checkListing', () => {
  const page = (
    names: string[],
    next: string | null,
    sync: string | null,
    total: number | null = null,
  ) => ({
    contacts: names.map((name) => person(name, '1')),
    nextPageToken: next,
    nextSyncToken: sync,
    totalPeople: total,
    omitted: 0,
  });

  it('accepts a whole listing and returns its sync token', () => {
    const checked = checkListing([page(['a'], 'p2', null, 2), page(['b'], null, 'tok', 2)], true);
    expect(checked).toEqual({ ok: true, contacts: expect.any(Array), syncToken: 'tok' });
  });

  it('refuses listings that stop early, repeat a contact, lack the token or miss people', () => {
    expect(checkListing([page(['a'], 'p2', null)], true).ok).toBe(false);
    expect(checkListing([page(['a'], 'p2', null), page(['a'], null, 't')], true).ok).toBe(false);
    expect(checkListing([page(['a'], null, null)], true).ok).toBe(false);
    expect(checkListing([page(['a'], null, 't', 3)], true).ok).toBe(false);
    expect(checkListing([page(['a'], null, 't', 1), page(['b'], null, 't', 1)], true).ok).toBe(
      false,
    );
    expect(checkListing([], false).ok).toBe(false);
  });

  it('counts the contacts the share gateway left out towards the total', () => {
    const filtered = (
      names: string[],
      omitted: number,
      sync: string | null,
      next: string | null,
    ) => ({
      ...page(names, next, sync, 10),
      omitted,
    });
    expect(
      checkListing([filtered(['a'], 4, null, 'p2'), filtered(['b'], 4, 't', null)], true),
    ).toEqual({ ok: true, contacts: expect.any(Array), syncToken: 't' });
    expect(
      checkListing([filtered(['a'], 4, null, 'p2'), filtered(['b'], 3, 't', null)], true).ok,
    ).toBe(false);
  });
});
