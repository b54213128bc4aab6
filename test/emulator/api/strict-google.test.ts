/**
 * This file tests the rules where Google is stricter than a kind emulator would be (issue 15),
 * each against its source, in process and over HTTP: sync tokens that expire 7 days after the
 * full sync, the extra quota of a full sync's first page, separate quota buckets with
 * QuotaFailure details, writes that reach sync results late and out of order, the searchContacts
 * cache and prefix phrases, restricted directory sharing, signJwt's exp window, one user's
 * mutations from two executions at once, group-name and readGroupFields rules, nested hasMember
 * across domains, and the production-like profile through the control API.
 */
import { ANNA, ADMIN, BOB, DIRECTORY, PEOPLE, describeBothWays, type Fixture } from './harness';

const DAY = 24 * 3600 * 1000;

async function createContacts(f: Fixture, user: string, names: string[]): Promise<string[]> {
  const answer = await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
    token: f.token(user),
    body: {
      contacts: names.map((givenName) => ({ contactPerson: { names: [{ givenName }] } })),
      readMask: 'names',
    },
  });
  expect(answer.status).toBe(200);
  return answer.json.createdPeople.map(
    (entry: { person: { resourceName: string } }) => entry.person.resourceName,
  );
}

const list = (f: Fixture, query: string, user = ANNA): ReturnType<Fixture['send']> =>
  f.send('GET', `${PEOPLE}/people/me/connections?personFields=names&${query}`, {
    token: f.token(user),
  });

describeBothWays('Google where it is strict', (fixture) => {
  // people.connections.list reference: "Sync tokens expire 7 days after the full sync."
  it('expires a sync token 7 days after the full sync however many incremental syncs ran since (people.connections.list: sync tokens expire 7 days after the full sync)', async () => {
    const f = fixture();
    await createContacts(f, ANNA, ['A']);
    const full = await list(f, 'requestSyncToken=true');
    let token = full.json.nextSyncToken as string;
    for (let day = 0; day < 6; day++) {
      f.emulator.clock.advance(DAY);
      const incremental = await list(f, `syncToken=${token}`);
      expect(incremental.status).toBe(200);
      token = incremental.json.nextSyncToken;
    }
    f.emulator.clock.advance(DAY + 1000);
    const expired = await list(f, `syncToken=${token}`);
    expect(expired.status).toBe(400);
    expect(expired.json.error.details[0]).toMatchObject({ reason: 'EXPIRED_SYNC_TOKEN' });
    const again = await list(f, 'requestSyncToken=true');
    expect(again.json.connections).toHaveLength(1);
    expect((await list(f, `syncToken=${again.json.nextSyncToken}`)).status).toBe(200);
  });

  // people.connections.list reference: "When the page_token or sync_token is specified, all other request parameters must match the first call."
  it('refuses a sync token with another sort order, page size or field mask than the full sync (people.connections.list: parameters must match the first call)', async () => {
    const f = fixture();
    await createContacts(f, ANNA, ['A']);
    const full = await list(
      f,
      'requestSyncToken=true&pageSize=500&sortOrder=LAST_MODIFIED_ASCENDING',
    );
    const token = full.json.nextSyncToken as string;
    expect((await list(f, `syncToken=${token}&pageSize=500`)).status).toBe(200);
    for (const changed of [
      `syncToken=${token}&pageSize=500&sortOrder=FIRST_NAME_ASCENDING`,
      `syncToken=${token}&pageSize=100`,
    ])
      expect((await list(f, changed)).status).toBe(400);
    const otherMask = await f.send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names,emailAddresses&pageSize=500&syncToken=${token}`,
      { token: f.token(ANNA) },
    );
    expect(otherMask.status).toBe(400);
  });

  // people.connections.list reference: "The first page of a full sync request has an additional quota. If the quota is exceeded, a 429 error will be returned. This quota is fixed and can not be increased."
  it('counts only the first page of a full sync against its own quota and answers 429 with a QuotaFailure (people.connections.list: first page of a full sync)', async () => {
    const f = fixture();
    await createContacts(f, ANNA, ['A', 'B', 'C']);
    f.emulator.configureTraffic({ quotas: { fullSyncFirstPagesPerMinutePerUser: 2 } });
    const first = await list(f, 'requestSyncToken=true&pageSize=1');
    await list(f, `requestSyncToken=true&pageSize=1&pageToken=${first.json.nextPageToken}`);
    for (let index = 0; index < 5; index++) expect((await list(f, 'pageSize=1')).status).toBe(200);
    const second = await list(f, 'requestSyncToken=true');
    expect(second.status).toBe(200);
    expect((await list(f, `syncToken=${second.json.nextSyncToken}`)).status).toBe(200);
    const refused = await list(f, 'requestSyncToken=true');
    expect(refused.status).toBe(429);
    expect(refused.json.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(refused.json.error.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ subject: 'QUOTA_EXCEEDED', description: expect.any(String) }],
      },
    ]);
    expect((await list(f, 'requestSyncToken=true', BOB)).status).toBe(200);
    f.emulator.clock.advance(60_000);
    expect((await list(f, 'requestSyncToken=true')).status).toBe(200);
  });

  // FACTS.md People API v1 Quotas: critical reads (updateContact counts), other reads and writes are separate per-user buckets, values unconfirmed; 429 RESOURCE_EXHAUSTED
  it('keeps critical reads, other reads and writes in separate per-user buckets, each 429 naming its metric (FACTS.md People: quotas)', async () => {
    const f = fixture();
    f.emulator.configureTraffic({
      quotas: {
        criticalReadsPerMinutePerUser: 2,
        readsPerMinutePerUser: 1,
        writesPerMinutePerUser: 1,
      },
    });
    const token = f.token(ANNA);
    const groups = (): ReturnType<Fixture['send']> =>
      f.send('GET', `${PEOPLE}/contactGroups`, { token });
    expect((await groups()).status).toBe(200);
    const otherRead = await groups();
    expect(otherRead.status).toBe(429);
    expect(otherRead.json.error.details[0].metadata.quota_limit).toBe(
      'Read requests per minute per user',
    );
    const created = await f.send('POST', `${PEOPLE}/people:createContact?personFields=names`, {
      token,
      body: { names: [{ givenName: 'W' }] },
    });
    expect(created.status).toBe(200);
    const write = await f.send('POST', `${PEOPLE}/contactGroups`, {
      token,
      body: { contactGroup: { name: 'Second write' } },
    });
    expect(write.status).toBe(429);
    expect(write.json.error.details.map((detail: { '@type': string }) => detail['@type'])).toEqual([
      'type.googleapis.com/google.rpc.ErrorInfo',
      'type.googleapis.com/google.rpc.QuotaFailure',
    ]);
    expect(write.json.error.message).toContain("'Write requests'");
    expect((await list(f, '')).status).toBe(200);
    expect((await list(f, '')).status).toBe(200);
    const critical = await list(f, '');
    expect(critical.status).toBe(429);
    expect(critical.json.error.message).toContain('Critical read requests');
  });

  // people.connections.list reference: "Writes may have a propagation delay of several minutes for sync requests. Incremental syncs are not intended for read-after-write use cases."
  it('delivers writes to incremental syncs only once they propagated, out of order, each exactly once (people.connections.list: propagation delay)', async () => {
    const f = fixture();
    const full = await list(f, 'requestSyncToken=true');
    f.emulator.setSyncVisibilityDelay(10_000, 600_000);
    const names = await createContacts(
      f,
      ANNA,
      Array.from({ length: 12 }, (_, index) => `P${index}`),
    );
    expect((await list(f, '')).json.connections).toHaveLength(12);
    let token = full.json.nextSyncToken as string;
    const delivered: string[] = [];
    for (let minute = 0; minute <= 11; minute++) {
      const delta = await list(f, `syncToken=${token}`);
      for (const person of delta.json.connections ?? []) delivered.push(person.resourceName);
      token = delta.json.nextSyncToken;
      f.emulator.clock.advance(60_000);
    }
    expect([...delivered].sort()).toEqual([...names].sort());
    expect(delivered).not.toEqual(names);
    expect((await list(f, `syncToken=${token}`)).json.connections).toBeUndefined();
  });

  // people.searchContacts reference: "Before searching, clients should send a warmup request with an empty query to update the cache." and "matches queries such as "f", "fo", "foo", "foo n", "nam", etc., but not "oo n""
  it('searches a cache that a warm-up refreshes only when stale, by prefix phrases (people.searchContacts: warm-up, cache, prefix phrases)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const search = async (query: string): Promise<string[]> => {
      const answer = await f.send(
        'GET',
        `${PEOPLE}/people:searchContacts?query=${encodeURIComponent(query)}&readMask=names`,
        { token },
      );
      return (answer.json.results ?? []).map(
        (result: { person: { names: { displayName: string }[] } }) =>
          result.person.names[0]?.displayName,
      );
    };
    await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      body: { names: [{ givenName: 'Foo', familyName: 'Name' }] },
    });
    f.emulator.setSearchCacheStaleness(60_000);
    expect(await search('foo')).toEqual([]);
    await search('');
    for (const query of ['f', 'fo', 'foo', 'foo n', 'nam', 'FOO NAME'])
      expect({ query, found: await search(query) }).toEqual({ query, found: ['Foo Name'] });
    for (const query of ['oo n', 'name foo', 'ame'])
      expect({ query, found: await search(query) }).toEqual({ query, found: [] });
    await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      body: { names: [{ givenName: 'Later', familyName: 'Added' }] },
    });
    await search('');
    expect(await search('later')).toEqual([]);
    f.emulator.clock.advance(60_000);
    await search('');
    expect(await search('later')).toEqual(['Later Added']);
  });

  // FACTS.md Delegation: "Directory visibility for apps can be restricted by the admin (External Directory Sharing): People API directory calls then return no domain data or 403 (support.google.com/a/answer/6343701)"
  it('answers no domain data or 403 when External Directory Sharing is restricted (FACTS.md: directory visibility)', async () => {
    const f = fixture();
    const token = f.token(ANNA, ['directory.readonly']);
    const search = (): ReturnType<Fixture['send']> =>
      f.send(
        'GET',
        `${PEOPLE}/people:searchDirectoryPeople?query=bo&readMask=names&sources=DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE`,
        { token },
      );
    expect((await search()).json.people).toHaveLength(1);
    f.emulator.setDirectorySharing('acme-eu.example', 'none');
    expect((await search()).json.people).toBeUndefined();
    const listed = await f.send(
      'GET',
      `${PEOPLE}/people:listDirectoryPeople?readMask=names&sources=DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE`,
      { token },
    );
    expect(listed.json.people).toBeUndefined();
    f.emulator.setDirectorySharing('acme.example', 'forbidden');
    const forbidden = await search();
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.status).toBe('PERMISSION_DENIED');
  });

  // FACTS.md Delegation: signJwt "exp must not be in the past nor more than 12 h ahead"
  it('refuses a signJwt payload whose exp is in the past or more than 12 hours ahead (FACTS.md Delegation: signJwt exp)', async () => {
    const f = fixture();
    const account = 'broker@p.iam.gserviceaccount.com';
    f.emulator.createServiceAccount(account);
    f.emulator.grantTokenCreator(account, account);
    const url = `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${account}:signJwt`;
    const now = Math.floor(f.emulator.clock.now() / 1000);
    const sign = (exp: number): ReturnType<Fixture['send']> =>
      f.send('POST', url, {
        token: f.emulator.mintAccessToken(account, ['cloud-platform']),
        body: { payload: JSON.stringify({ iss: account, exp }) },
      });
    expect((await sign(now + 3600)).status).toBe(200);
    expect((await sign(now + 12 * 3600)).status).toBe(200);
    expect((await sign(now - 60)).status).toBe(400);
    expect((await sign(now + 12 * 3600 + 60)).status).toBe(400);
  });

  // FACTS.md People API v1: "Mutations for the same user should be sent sequentially ("to avoid increased latency and failures")"
  it('penalises one user’s mutations sent by two executions at once, not the same execution’s sequential ones (FACTS.md People: sequential mutations)', async () => {
    const f = fixture();
    f.emulator.configureTraffic({
      latency: { fixedMs: 1000, perItemMs: 0 },
      concurrentMutations: { mode: 'fail', extraLatencyMs: 0 },
    });
    const trigger = f.token(ANNA);
    const sidebar = f.token(ANNA);
    const create = (token: string, name: string): ReturnType<Fixture['send']> =>
      f.send('POST', `${PEOPLE}/people:createContact`, {
        token,
        body: { names: [{ givenName: name }] },
      });
    expect((await create(trigger, 'A')).status).toBe(200);
    const overlapping = await create(sidebar, 'B');
    expect(overlapping.status).toBe(409);
    expect(overlapping.json.error.status).toBe('ABORTED');
    expect((await create(f.token(BOB), 'C')).status).toBe(200);
    f.emulator.clock.advance(1000);
    expect((await create(trigger, 'D')).status).toBe(200);
    f.emulator.clock.advance(1000);
    expect((await create(sidebar, 'E')).status).toBe(200);
    expect(f.emulator.contactCount(ANNA)).toBe(3);
  });

  // contactGroups.create reference: "Created contact group names must be unique to the users contact groups. Attempting to create a group with a duplicate name will return a HTTP 409 error." (case: assumption)
  it('takes a group name that differs only in case or spaces, or names a system group, as a duplicate (contactGroups.create: unique names)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const create = (name: string): ReturnType<Fixture['send']> =>
      f.send('POST', `${PEOPLE}/contactGroups`, { token, body: { contactGroup: { name } } });
    expect((await create('Customers')).status).toBe(200);
    for (const name of ['customers', ' CUSTOMERS ', 'my contacts'])
      expect({ name, status: (await create(name)).status }).toEqual({ name, status: 409 });
  });

  // contactGroups.create reference: readGroupFields "Defaults to metadata, groupType, and name if not set or set to empty."
  it('answers a group create without clientData unless readGroupFields asks for it (contactGroups.create: readGroupFields)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const clientData = [{ key: 'k', value: 'v' }];
    const plain = await f.send('POST', `${PEOPLE}/contactGroups`, {
      token,
      body: { contactGroup: { name: 'One', clientData } },
    });
    expect(plain.json.clientData).toBeUndefined();
    expect(plain.json.groupType).toBe('USER_CONTACT_GROUP');
    const asked = await f.send('POST', `${PEOPLE}/contactGroups`, {
      token,
      body: { contactGroup: { name: 'Two', clientData }, readGroupFields: 'name,clientData' },
    });
    expect(asked.json.clientData).toEqual(clientData);
  });

  // members.hasMember reference: "if nested, the memberKey and groupKey must be entities in the same domain or an Invalid input error is returned"
  it('answers a nested hasMember across domains with Invalid input, and within a domain with the answer (members.hasMember: nesting)', async () => {
    const f = fixture();
    f.emulator.addGroup('eu@acme-eu.example', 'EU');
    f.emulator.addGroupMember('eu@acme-eu.example', 'chloe@acme-eu.example');
    f.emulator.addGroupMember('all@acme.example', 'eu@acme-eu.example');
    const token = f.token(ADMIN, ['admin.directory.group.member.readonly']);
    const has = (member: string): ReturnType<Fixture['send']> =>
      f.send('GET', `${DIRECTORY}/groups/all@acme.example/hasMember/${member}`, { token });
    expect((await has(ANNA)).json.isMember).toBe(true);
    const nestedElsewhere = await has('chloe@acme-eu.example');
    expect(nestedElsewhere.status).toBe(400);
    f.emulator.addGroupMember('all@acme.example', 'chloe@acme-eu.example');
    expect((await has('chloe@acme-eu.example')).json.isMember).toBe(true);
  });

  // Google leaves empty repeated fields out of JSON: users.list with no user has no `users` key
  it('leaves the users key out of an empty users.list page (users.list: empty result)', async () => {
    const f = fixture();
    const answer = await f.send(
      'GET',
      `${DIRECTORY}/users?customer=my_customer&query=email:nobody*`,
      {
        token: f.token(ADMIN, ['admin.directory.user.readonly']),
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ kind: 'admin#directory#users', etag: expect.any(String) });
  });

  it('switches the production-like profile on and off through the control API (issue 15: traffic profile)', async () => {
    const f = fixture();
    const on = await f.send('POST', 'http://127.0.0.1/__emulator/profile', {
      body: { name: 'production-like' },
    });
    expect(on.status).toBe(200);
    expect(on.json).toMatchObject({
      latency: { fixedMs: 300 },
      quotas: { criticalReadsPerMinutePerUser: 90, fullSyncFirstPagesPerMinutePerUser: 5 },
      randomFaults: { rate: 0.005 },
      syncVisibilityJitterMs: 150_000,
    });
    expect(f.emulator.traffic.settings.concurrentMutations.mode).toBe('latency');
    const off = await f.send('POST', 'http://127.0.0.1/__emulator/profile', {
      body: { name: 'off' },
    });
    expect(off.json).toMatchObject({ latency: { fixedMs: 0 }, randomFaults: { rate: 0 } });
    const bad = await f.send('POST', 'http://127.0.0.1/__emulator/profile', {
      body: { name: 'lenient' },
    });
    expect(bad.status).toBe(400);
  });
});
