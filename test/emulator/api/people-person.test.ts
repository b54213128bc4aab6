/**
 * This file tests that the fast JSON rendering of contacts (used by connections.list) says
 * exactly what the object rendering says, for live, deleted and relinked contacts and any mask.
 */
import fc from 'fast-check';
import {
  prepareMask,
  renderContact,
  renderContactJson,
} from '../../../src/emulator/api/people-person';
import { PERSON_FIELDS } from '../../../src/emulator/api/people-written-person';
import type { ContactRecord } from '../../../src/emulator/api/workspace-store';

const item = fc.record(
  {
    givenName: fc.string(),
    familyName: fc.string(),
    unstructuredName: fc.string(),
    value: fc.string(),
    type: fc.constantFrom('work', 'home', 'mobile'),
  },
  { requiredKeys: [] },
);

const record = fc.record({
  n: fc.integer({ min: 1, max: 1e9 }),
  seq: fc.nat(),
  born: fc.nat(),
  updated: fc.integer({ min: 0, max: 4e12 }),
  version: fc.integer({ min: 1, max: 1000 }),
  deleted: fc.boolean(),
  data: fc
    .dictionary(
      fc.constantFrom(
        'names',
        'emailAddresses',
        'phoneNumbers',
        'urls',
        'biographies',
        'clientData',
      ),
      fc.array(item, { minLength: 1, maxLength: 3 }),
    )
    .map((fields) => JSON.stringify(fields)),
  groups: fc.array(fc.constantFrom('myContacts', 'starred', 'abc123'), {
    minLength: 1,
    maxLength: 3,
  }),
  previous: fc.option(
    fc.array(fc.constant('people/c1000000000000001'), { minLength: 1, maxLength: 1 }),
    { nil: undefined },
  ),
});

describe('renderContactJson', () => {
  it('renders the same person as renderContact for any record and mask', () => {
    fc.assert(
      fc.property(
        record,
        fc.subarray([...PERSON_FIELDS]),
        fc.boolean(),
        (generated, fields, inSync) => {
          const contact = {
            ...generated,
            data: generated.deleted ? '' : generated.data,
            visibleAt: generated.updated,
          } as ContactRecord;
          if (contact.previous === undefined) delete contact.previous;
          const mask = new Set<string>(fields);
          expect(JSON.parse(renderContactJson(contact, prepareMask(mask), inSync))).toEqual(
            renderContact(contact, mask, inSync),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
