/**
 * This file tests the People API contact methods of the emulator against the rules of FACTS.md
 * ("People API v1") and people.v1's reference; every case names its source.
 */
import { ANNA, PEOPLE, describeBothWays, type Fixture } from './harness';

const person = (given: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  names: [{ givenName: given, familyName: 'Test' }],
  emailAddresses: [{ value: `${given.toLowerCase()}@example.org` }],
  ...extra,
});

async function create(
  f: Fixture,
  body: Record<string, unknown>,
  token = f.token(ANNA),
): Promise<{ resourceName: string; etag: string }> {
  const answer = await f.send(
    'POST',
    `${PEOPLE}/people:createContact?personFields=names,metadata`,
    { token, body },
  );
  expect(answer.status).toBe(200);
  return answer.json;
}

describeBothWays('People API contacts', (fixture) => {
  // FACTS.md People API v1: "batchCreateContacts and batchUpdateContacts ≤ 200 contacts; batchDeleteContacts ≤ 500"
  it('caps batchCreateContacts at 200 contacts (FACTS.md People: batch sizes)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const contacts = (n: number): unknown[] =>
      Array.from({ length: n }, (_, i) => ({ contactPerson: person(`P${i}`) }));
    const ok = await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
      token,
      body: { contacts: contacts(200), readMask: 'names' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.createdPeople).toHaveLength(200);
    const tooMany = await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
      token,
      body: { contacts: contacts(201), readMask: 'names' },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.status).toBe('INVALID_ARGUMENT');
    expect(f.emulator.contactCount(ANNA)).toBe(200);
  });

  it('caps batchUpdateContacts at 200 and batchDeleteContacts at 500 (FACTS.md People: batch sizes)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const updates: Record<string, unknown> = {};
    for (let i = 0; i < 201; i++) updates[`people/c${1e15 + 1000 + i}`] = person(`U${i}`);
    const update = await f.send('POST', `${PEOPLE}/people:batchUpdateContacts`, {
      token,
      body: { contacts: updates, updateMask: 'names', readMask: 'names' },
    });
    expect(update.status).toBe(400);
    const names = Array.from({ length: 501 }, (_, i) => `people/c${1e15 + 1000 + i}`);
    const del = await f.send('POST', `${PEOPLE}/people:batchDeleteContacts`, {
      token,
      body: { resourceNames: names },
    });
    expect(del.status).toBe(400);
    expect(del.json.error.message).toContain('500');
  });

  it('caps people.getBatchGet at 200 resource names (FACTS.md People: getBatchGet ≤ 200)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const created = await create(f, person('Zoë'));
    const query = (n: number): string =>
      Array.from(
        { length: n },
        () => `resourceNames=${encodeURIComponent(created.resourceName)}`,
      ).join('&');
    const ok = await f.send('GET', `${PEOPLE}/people:batchGet?personFields=names&${query(200)}`, {
      token,
    });
    expect(ok.status).toBe(200);
    expect(ok.json.responses).toHaveLength(200);
    expect(ok.json.responses[0].person.names[0].givenName).toBe('Zoë');
    const tooMany = await f.send(
      'GET',
      `${PEOPLE}/people:batchGet?personFields=names&${query(201)}`,
      { token },
    );
    expect(tooMany.status).toBe(400);
  });

  it('requires updatePersonFields on updateContact (FACTS.md People: "updatePersonFields is required")', async () => {
    const f = fixture();
    const created = await create(f, person('Ann'));
    const answer = await f.send('PATCH', `${PEOPLE}/${created.resourceName}:updateContact`, {
      token: f.token(ANNA),
      body: { ...person('Anne'), etag: created.etag },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.status).toBe('INVALID_ARGUMENT');
    expect(answer.json.error.message).toContain('updatePersonFields');
  });

  it('rejects a stale etag with 400 FAILED_PRECONDITION and changes the etag on every write (FACTS.md People: stale metadata.sources[].etag)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const created = await create(f, person('Ann'));
    const first = await f.send(
      'PATCH',
      `${PEOPLE}/${created.resourceName}:updateContact?updatePersonFields=names&personFields=names,metadata`,
      {
        token,
        body: { names: [{ givenName: 'Anne' }], etag: created.etag },
      },
    );
    expect(first.status).toBe(200);
    expect(first.json.etag).not.toBe(created.etag);
    const stale = await f.send(
      'PATCH',
      `${PEOPLE}/${created.resourceName}:updateContact?updatePersonFields=names`,
      {
        token,
        body: {
          names: [{ givenName: 'Annie' }],
          metadata: {
            sources: [
              {
                type: 'CONTACT',
                etag: (created as unknown as { metadata: { sources: { etag: string }[] } }).metadata
                  .sources[0]?.etag,
              },
            ],
          },
        },
      },
    );
    expect(stale.status).toBe(400);
    expect(stale.json.error.status).toBe('FAILED_PRECONDITION');
    const fresh = await f.send(
      'PATCH',
      `${PEOPLE}/${created.resourceName}:updateContact?updatePersonFields=names&personFields=names`,
      {
        token,
        body: { names: [{ givenName: 'Annie' }], metadata: first.json.metadata },
      },
    );
    expect(fresh.status).toBe(200);
    expect(fresh.json.names[0].givenName).toBe('Annie');
  });

  it('holds one value in names, birthdays, genders and biographies (FACTS.md People: singletons)', async () => {
    const f = fixture();
    for (const field of ['names', 'birthdays', 'genders', 'biographies']) {
      const answer = await f.send('POST', `${PEOPLE}/people:createContact`, {
        token: f.token(ANNA),
        body: {
          [field]: [
            { value: 'a', givenName: 'a' },
            { value: 'b', givenName: 'b' },
          ],
        },
      });
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toContain(field);
    }
    expect(f.emulator.contactCount(ANNA)).toBe(0);
  });

  // FACTS.md People API v1: "Batch writes are all-or-nothing … one invalid or stale contact fails the whole batch"
  it('returns nothing back for an empty readMask and fails a batch as a whole, naming each refused contact (FACTS.md People: batch writes; BatchCreateContactsErrorDetails, BatchUpdateContactsErrorDetails)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const refused = await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
      token,
      body: {
        contacts: [
          { contactPerson: person('A') },
          { contactPerson: { names: [{ givenName: 'x' }, { givenName: 'y' }] } },
        ],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.status).toBe('INVALID_ARGUMENT');
    expect(refused.json.error.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.people.v1.BatchCreateContactsErrorDetails',
        contactErrors: { '1': { code: 3, message: expect.stringContaining('names') } },
      },
    ]);
    expect(f.emulator.contactCount(ANNA)).toBe(0);
    const created = await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
      token,
      body: { contacts: [{ contactPerson: person('A') }] },
    });
    expect(created.status).toBe(200);
    expect(created.json.createdPeople[0].httpStatusCode).toBe(200);
    expect(created.json.createdPeople[0].person).toBeUndefined();
    const name = created.json.createdPeople[0].requestedResourceName as string;
    const read = await f.send('GET', `${PEOPLE}/${name}?personFields=names,metadata`, { token });
    const missing = `people/c${1e15 + 99999}`;
    const withMissing = await f.send('POST', `${PEOPLE}/people:batchUpdateContacts`, {
      token,
      body: {
        contacts: {
          [name]: { etag: read.json.etag, names: [{ givenName: 'B' }] },
          [missing]: { etag: 'x', names: [{ givenName: 'C' }] },
        },
        updateMask: 'names',
        readMask: 'names',
      },
    });
    expect(withMissing.status).toBe(404);
    expect(withMissing.json.error.details[0]['@type']).toBe(
      'type.googleapis.com/google.people.v1.BatchUpdateContactsErrorDetails',
    );
    expect(Object.keys(withMissing.json.error.details[0].contactErrors)).toEqual([missing]);
    const unchanged = await f.send('GET', `${PEOPLE}/${name}?personFields=names`, { token });
    expect(unchanged.json.names[0].givenName).toBe('A');
    const update = await f.send('POST', `${PEOPLE}/people:batchUpdateContacts`, {
      token,
      body: {
        contacts: { [name]: { etag: read.json.etag, names: [{ givenName: 'B' }] } },
        updateMask: 'names',
        readMask: 'names',
      },
    });
    expect(update.status).toBe(200);
    expect(update.json.updateResult[name].person.names[0].givenName).toBe('B');
    const stale = await f.send('POST', `${PEOPLE}/people:batchUpdateContacts`, {
      token,
      body: {
        contacts: { [name]: { etag: read.json.etag, names: [{ givenName: 'D' }] } },
        updateMask: 'names',
        readMask: 'names',
      },
    });
    expect(stale.status).toBe(400);
    expect(stale.json.error.status).toBe('FAILED_PRECONDITION');
    expect(stale.json.error.details[0].contactErrors[name].code).toBe(9);
  });

  it('requires personFields on reads and rejects unknown mask paths (people.v1 discovery: personFields required)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const missing = await f.send('GET', `${PEOPLE}/people/me/connections`, { token });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toContain('personFields mask is required');
    const unknown = await f.send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names,shoeSize`,
      { token },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain('shoeSize');
  });

  it('answers malformed JSON, unknown fields and wrong resource names with Google error bodies (issue 3: bad input)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const malformed = await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      rawBody: '{"names": [',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toContain('Invalid JSON payload received');
    const unknownField = await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      body: { nmes: [] },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json.error.message).toContain('Unknown name "nmes"');
    const wrongType = await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      body: { emailAddresses: [{ value: 5 }] },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error.message).toContain(
      "'person.email_addresses[0].value' (TYPE_STRING)",
    );
    const unknownItemField = await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      body: { phoneNumbers: [{ number: '+1 555' }] },
    });
    expect(unknownItemField.status).toBe(400);
    expect(unknownItemField.json.error.message).toContain('Unknown name "number"');
    const unknownParam = await f.send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names&colour=red`,
      { token },
    );
    expect(unknownParam.status).toBe(400);
    const wrongName = await f.send('GET', `${PEOPLE}/contactGroups/not-a-group!?groupFields=name`, {
      token,
    });
    expect(wrongName.status).toBe(400);
    const missing = await f.send('GET', `${PEOPLE}/people/c${1e15 + 424242}?personFields=names`, {
      token,
    });
    expect(missing.status).toBe(404);
    expect(f.emulator.contactCount(ANNA)).toBe(0);
  });

  it('keeps clientData on persons, duplicates allowed (FACTS.md People: clientData on Person)', async () => {
    const f = fixture();
    const clientData = [
      { key: 'source', value: 'people/c1' },
      { key: 'source', value: 'people/c2' },
    ];
    const created = await f.send('POST', `${PEOPLE}/people:createContact?personFields=clientData`, {
      token: f.token(ANNA),
      body: person('Cd', { clientData }),
    });
    expect(
      created.json.clientData.map((entry: { key: string; value: string }) => [
        entry.key,
        entry.value,
      ]),
    ).toEqual([
      ['source', 'people/c1'],
      ['source', 'people/c2'],
    ]);
  });

  it('deletes a contact and then answers 404 for it (people.deleteContact)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const created = await create(f, person('Gone'));
    expect(
      (await f.send('DELETE', `${PEOPLE}/${created.resourceName}:deleteContact`, { token })).status,
    ).toBe(200);
    expect(
      (await f.send('GET', `${PEOPLE}/${created.resourceName}?personFields=names`, { token }))
        .status,
    ).toBe(404);
  });

  // FACTS.md People API v1: "searchContacts ≤ 30 and needs a warm-up request with an empty query first"
  it('finds nothing before the warm-up, finds the contacts known at warm-up, 10 by default and at most 30 (FACTS.md People: searchContacts)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    await create(f, person('Łukasz'));
    const search = (query: string, extra = ''): ReturnType<Fixture['send']> =>
      f.send(
        'GET',
        `${PEOPLE}/people:searchContacts?query=${encodeURIComponent(query)}&readMask=names${extra}`,
        { token },
      );
    expect((await search('łuk')).json.results).toBeUndefined();
    expect((await search('')).status).toBe(200);
    const found = await search('łuk');
    expect(found.json.results).toHaveLength(1);
    await create(f, person('Łucja'));
    expect((await search('łu')).json.results).toHaveLength(1);
    await search('');
    expect((await search('łu')).json.results).toHaveLength(2);
    const many = Array.from({ length: 40 }, (_, i) => ({ contactPerson: person(`Łucjan${i}`) }));
    await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
      token,
      body: { contacts: many },
    });
    await search('');
    expect((await search('łu')).json.results).toHaveLength(10);
    expect((await search('łu', '&pageSize=31')).json.results).toHaveLength(30);
    expect((await search('łu', '&pageSize=-1')).status).toBe(400);
  });

  it('changes a resource name when a contact is linked to a profile (FACTS.md People: previousResourceNames)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const created = await create(f, person('Linked'));
    const full = await f.send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names&requestSyncToken=true`,
      { token },
    );
    const renamed = f.emulator.linkContactToProfile(ANNA, created.resourceName);
    expect(renamed).not.toBe(created.resourceName);
    const delta = await f.send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names&syncToken=${full.json.nextSyncToken}`,
      { token },
    );
    expect(delta.json.connections[0].resourceName).toBe(renamed);
    expect(delta.json.connections[0].metadata.previousResourceNames).toEqual([
      created.resourceName,
    ]);
    expect(
      (await f.send('GET', `${PEOPLE}/${created.resourceName}?personFields=names`, { token }))
        .status,
    ).toBe(404);
  });

  // FACTS.md People API v1: "25,000 contacts per account: unconfirmed (third-party sources)"
  it('refuses contacts beyond the per-account maximum, 25,000 by default (FACTS.md People: 25,000 contacts per account)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    expect(f.emulator.peopleSettings.maxContactsPerAccount).toBe(25_000);
    f.emulator.setMaxContactsPerAccount(2);
    await create(f, person('One'));
    const batch = await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
      token,
      body: { contacts: [{ contactPerson: person('Two') }, { contactPerson: person('Three') }] },
    });
    expect(batch.status).toBe(400);
    expect(batch.json.error.details[0].contactErrors).toEqual({
      '1': { code: 9, message: expect.stringContaining('maximum') },
    });
    expect(f.emulator.contactCount(ANNA)).toBe(1);
    await create(f, person('Two'));
    const single = await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      body: person('Four'),
    });
    expect(single.status).toBe(400);
    expect(single.json.error.status).toBe('FAILED_PRECONDITION');
    expect(f.emulator.contactCount(ANNA)).toBe(2);
  });
});
