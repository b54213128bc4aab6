/**
 * This file tests the Admin SDK Directory API and the People API directory methods of the
 * emulator against FACTS.md ("Admin SDK Directory API v1", "People API v1: Directory people").
 */
import { ADMIN, ANNA, BOB, DIRECTORY, OTHER_ADMIN, PEOPLE, describeBothWays } from './harness';

const USER_READ = ['admin.directory.user.readonly'];
const GROUP_READ = ['admin.directory.group.readonly'];

describeBothWays('Directory API', (fixture) => {
  // FACTS.md Admin SDK: "users.list needs customer (my_customer) or domain"
  it('needs customer or domain on users.list (FACTS.md Directory: users.list)', async () => {
    const f = fixture();
    const token = f.token(ADMIN, USER_READ);
    const none = await f.send('GET', `${DIRECTORY}/users`, { token });
    expect(none.status).toBe(400);
    expect(none.json.error.errors[0].reason).toBe('badRequest');
    const mine = await f.send('GET', `${DIRECTORY}/users?customer=my_customer`, { token });
    expect(mine.status).toBe(200);
    expect(mine.json.kind).toBe('admin#directory#users');
    expect(mine.json.users.map((u: { primaryEmail: string }) => u.primaryEmail)).toEqual([
      ADMIN,
      ANNA,
      BOB,
      'chloe@acme-eu.example',
    ]);
    const byDomain = await f.send('GET', `${DIRECTORY}/users?domain=acme-eu.example`, { token });
    expect(byDomain.json.users.map((u: { primaryEmail: string }) => u.primaryEmail)).toEqual([
      'chloe@acme-eu.example',
    ]);
    expect(
      (await f.send('GET', `${DIRECTORY}/users?domain=globex.example`, { token })).status,
    ).toBe(403);
  });

  // FACTS.md Admin SDK: "viewType domain_public for non-admins (public fields only)"
  it('lets non-admins list only with viewType=domain_public, which shows public fields only (FACTS.md Directory: viewType)', async () => {
    const f = fixture();
    const token = f.token(ANNA, USER_READ);
    const adminView = await f.send('GET', `${DIRECTORY}/users?customer=my_customer`, { token });
    expect(adminView.status).toBe(403);
    expect(adminView.json.error.errors[0].reason).toBe('forbidden');
    const publicView = await f.send(
      'GET',
      `${DIRECTORY}/users?customer=my_customer&viewType=domain_public`,
      { token },
    );
    expect(publicView.status).toBe(200);
    const anna = publicView.json.users.find(
      (u: { primaryEmail: string }) => u.primaryEmail === ANNA,
    );
    expect(anna.name.fullName).toBe('Anna Nowak');
    expect(anna.isAdmin).toBeUndefined();
    expect(anna.customerId).toBeUndefined();
    const full = await f.send('GET', `${DIRECTORY}/users/${ANNA}`, {
      token: f.token(ADMIN, USER_READ),
    });
    expect(full.json.isAdmin).toBe(false);
    expect((await f.send('GET', `${DIRECTORY}/users/${BOB}`, { token })).status).toBe(403);
    expect(
      (await f.send('GET', `${DIRECTORY}/users/${BOB}?viewType=domain_public`, { token })).status,
    ).toBe(200);
  });

  // FACTS.md Admin SDK: "page tokens last 3 days; maxResults 500 (unconfirmed)"
  it('caps users.list maxResults at 500 and expires page tokens after 3 days (FACTS.md Directory: paging)', async () => {
    const f = fixture();
    const token = f.token(ADMIN, USER_READ);
    expect(
      (await f.send('GET', `${DIRECTORY}/users?customer=my_customer&maxResults=501`, { token }))
        .status,
    ).toBe(400);
    const first = await f.send('GET', `${DIRECTORY}/users?customer=my_customer&maxResults=2`, {
      token,
    });
    expect(first.json.users).toHaveLength(2);
    const next = `${DIRECTORY}/users?customer=my_customer&maxResults=2&pageToken=${first.json.nextPageToken}`;
    expect((await f.send('GET', next, { token })).json.users).toHaveLength(2);
    f.emulator.clock.advance(3 * 24 * 3600 * 1000 + 1);
    expect((await f.send('GET', next, { token: f.token(ADMIN, USER_READ) })).status).toBe(400);
  });

  it('filters users.list with a query (Directory guides/search-users)', async () => {
    const f = fixture();
    const token = f.token(ADMIN, USER_READ);
    const answer = await f.send(
      'GET',
      `${DIRECTORY}/users?customer=my_customer&query=${encodeURIComponent('email:ann*')}`,
      { token },
    );
    expect(answer.json.users.map((u: { primaryEmail: string }) => u.primaryEmail)).toEqual([ANNA]);
    const admins = await f.send(
      'GET',
      `${DIRECTORY}/users?customer=my_customer&query=isAdmin=true`,
      { token },
    );
    expect(admins.json.users.map((u: { primaryEmail: string }) => u.primaryEmail)).toEqual([ADMIN]);
  });

  // FACTS.md Admin SDK: "groups.list / members.list maxResults 200"
  it('lists groups and members with maxResults ≤ 200, for admins of the customer (FACTS.md Directory: groups)', async () => {
    const f = fixture();
    const token = f.token(ADMIN, GROUP_READ);
    const groups = await f.send('GET', `${DIRECTORY}/groups?customer=my_customer`, { token });
    expect(groups.json.groups.map((g: { email: string }) => g.email)).toEqual([
      'all@acme.example',
      'sales@acme.example',
    ]);
    expect(
      (await f.send('GET', `${DIRECTORY}/groups?customer=my_customer&maxResults=201`, { token }))
        .status,
    ).toBe(400);
    const ofAnna = await f.send('GET', `${DIRECTORY}/groups?userKey=${ANNA}`, { token });
    expect(ofAnna.json.groups.map((g: { email: string }) => g.email)).toEqual([
      'sales@acme.example',
    ]);
    const members = await f.send('GET', `${DIRECTORY}/groups/all@acme.example/members`, { token });
    expect(
      members.json.members.map((m: { email: string; type: string }) => `${m.email}:${m.type}`),
    ).toEqual([`${BOB}:USER`, 'sales@acme.example:GROUP']);
    expect(
      (
        await f.send('GET', `${DIRECTORY}/groups/all@acme.example/members?maxResults=201`, {
          token,
        })
      ).status,
    ).toBe(400);
    const owners = await f.send('GET', `${DIRECTORY}/groups/all@acme.example/members?roles=OWNER`, {
      token,
    });
    expect(owners.json.members).toHaveLength(1);
    const nested = await f.send('GET', `${DIRECTORY}/groups/all@acme.example/hasMember/${ANNA}`, {
      token,
    });
    expect(nested.json.isMember).toBe(true);
    expect(
      (await f.send('GET', `${DIRECTORY}/groups/sales@acme.example/hasMember/${BOB}`, { token }))
        .json.isMember,
    ).toBe(false);
    expect(
      (
        await f.send('GET', `${DIRECTORY}/groups?customer=my_customer`, {
          token: f.token(ANNA, GROUP_READ),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await f.send('GET', `${DIRECTORY}/groups/all@acme.example/members`, {
          token: f.token(OTHER_ADMIN, GROUP_READ),
        })
      ).status,
    ).toBe(404);
  });

  // FACTS.md Admin SDK: "403 userRateLimitExceeded (default 2,400 queries/min per user per project)"
  it('answers 403 userRateLimitExceeded over the per-user query quota (FACTS.md Directory: limits)', async () => {
    const f = fixture();
    f.emulator.configureTraffic({ quotas: { directoryQueriesPerMinutePerUser: 2 } });
    const token = f.token(ADMIN, USER_READ);
    const url = `${DIRECTORY}/users?customer=my_customer`;
    expect((await f.send('GET', url, { token })).status).toBe(200);
    expect((await f.send('GET', url, { token })).status).toBe(200);
    const limited = await f.send('GET', url, { token });
    expect(limited.status).toBe(403);
    expect(limited.json.error.errors[0].reason).toBe('userRateLimitExceeded');
    f.emulator.clock.advance(60_000);
    expect((await f.send('GET', url, { token })).status).toBe(200);
  });

  // FACTS.md People API v1: "Directory people: listDirectoryPeople / searchDirectoryPeople (directory.readonly) with sources …"
  it('lists and searches domain profiles with directory.readonly and required sources (FACTS.md People: directory people)', async () => {
    const f = fixture();
    const token = f.token(ANNA, ['directory.readonly']);
    const source = 'sources=DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE';
    const listed = await f.send(
      'GET',
      `${PEOPLE}/people:listDirectoryPeople?readMask=names,emailAddresses&${source}&pageSize=2`,
      { token },
    );
    expect(listed.status).toBe(200);
    expect(listed.json.people).toHaveLength(2);
    const rest = await f.send(
      'GET',
      `${PEOPLE}/people:listDirectoryPeople?readMask=names,emailAddresses&${source}&pageSize=2&pageToken=${listed.json.nextPageToken}`,
      { token },
    );
    expect(rest.json.people).toHaveLength(2);
    expect(rest.json.nextPageToken).toBeUndefined();
    const emails = [...listed.json.people, ...rest.json.people].map(
      (p: { emailAddresses: { value: string }[] }) => p.emailAddresses[0]?.value,
    );
    expect(emails).not.toContain(OTHER_ADMIN);
    expect(
      (await f.send('GET', `${PEOPLE}/people:listDirectoryPeople?readMask=names`, { token }))
        .status,
    ).toBe(400);
    const found = await f.send(
      'GET',
      `${PEOPLE}/people:searchDirectoryPeople?query=chl&readMask=names&${source}`,
      { token },
    );
    expect(found.json.people[0].names[0].displayName).toBe('Chloé Dubois');
    const noScope = await f.send(
      'GET',
      `${PEOPLE}/people:listDirectoryPeople?readMask=names&${source}`,
      { token: f.token(ANNA, ['contacts']) },
    );
    expect(noScope.status).toBe(403);
  });

  it('gives a directory sync token on the last page and then only users added since (people.listDirectoryPeople)', async () => {
    const f = fixture();
    const token = f.token(ANNA, ['directory.readonly']);
    const base = `${PEOPLE}/people:listDirectoryPeople?readMask=emailAddresses&sources=DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE`;
    const full = await f.send('GET', `${base}&requestSyncToken=true`, { token });
    expect(full.json.people).toHaveLength(4);
    const none = await f.send('GET', `${base}&syncToken=${full.json.nextSyncToken}`, { token });
    expect(none.json.people).toBeUndefined();
    f.emulator.addUser('newcomer@acme.example');
    const delta = await f.send('GET', `${base}&syncToken=${none.json.nextSyncToken}`, { token });
    expect(
      delta.json.people.map(
        (p: { emailAddresses: { value: string }[] }) => p.emailAddresses[0]?.value,
      ),
    ).toEqual(['newcomer@acme.example']);
    f.emulator.clock.advance(7 * 24 * 3600 * 1000 + 1);
    const expired = await f.send('GET', `${base}&syncToken=${delta.json.nextSyncToken}`, {
      token: f.token(ANNA, ['directory.readonly']),
    });
    expect(expired.json.error.details[0].reason).toBe('EXPIRED_SYNC_TOKEN');
  });
});

describeBothWays('Directory API: the customer and its domains', (fixture) => {
  const DOMAIN_READ = ['admin.directory.domain.readonly'];
  const SETTINGS = ['apps.groups.settings'];
  const GROUPS_SETTINGS = 'https://www.googleapis.com/groups/v1/groups';

  // developers.google.com/admin-sdk/directory/reference/rest/v1/domains/list
  it('lists the domains and aliases of the caller’s own customer, to its admins only (domains.list)', async () => {
    const f = fixture();
    f.emulator.addCustomer(
      'initech.example',
      ['initech-eu.example'],
      ['initech.invalid-alias.example'],
    );
    const answer = await f.send('GET', `${DIRECTORY}/customer/my_customer/domains`, {
      token: f.token(ADMIN, DOMAIN_READ),
    });
    expect(answer.status).toBe(200);
    expect(answer.json.kind).toBe('admin#directory#domains');
    expect(
      answer.json.domains.map((d: { domainName: string; isPrimary: boolean }) => [
        d.domainName,
        d.isPrimary,
      ]),
    ).toEqual([
      ['acme.example', true],
      ['acme-eu.example', false],
    ]);
    const other = await f.send('GET', `${DIRECTORY}/customer/my_customer/domains`, {
      token: f.token(OTHER_ADMIN, DOMAIN_READ),
    });
    expect(other.json.domains.map((d: { domainName: string }) => d.domainName)).toEqual([
      'globex.example',
    ]);
    expect(
      (
        await f.send('GET', `${DIRECTORY}/customer/my_customer/domains`, {
          token: f.token(ANNA, DOMAIN_READ),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await f.send('GET', `${DIRECTORY}/customer/my_customer/domains`, {
          token: f.token(ADMIN, USER_READ),
        })
      ).status,
    ).toBe(403);
  });

  it('names alias domains under their primary domain, and resolves alias addresses in users.get', async () => {
    const f = fixture();
    f.emulator.addCustomer('initech.example', [], ['initech-alias.example']);
    f.emulator.addUser('root@initech.example', { isAdmin: true });
    f.emulator.addUser('milton@initech.example');
    const answer = await f.send('GET', `${DIRECTORY}/customer/my_customer/domains`, {
      token: f.token('root@initech.example', DOMAIN_READ),
    });
    expect(answer.json.domains[0].domainAliases).toEqual([
      expect.objectContaining({
        domainAliasName: 'initech-alias.example',
        parentDomainName: 'initech.example',
      }),
    ]);
    const alias = await f.send('GET', `${DIRECTORY}/users/milton@initech-alias.example`, {
      token: f.token('root@initech.example', USER_READ),
    });
    expect([alias.status, alias.json.primaryEmail]).toEqual([200, 'milton@initech.example']);
  });

  // developers.google.com/admin-sdk/groups-settings/v1/reference/groups/get
  it('reads a group’s whoCanViewMembership for admins of its customer (Groups Settings groups.get)', async () => {
    const f = fixture();
    const url = `${GROUPS_SETTINGS}/${encodeURIComponent('sales@acme.example')}?alt=json`;
    const open = await f.send('GET', url, { token: f.token(ADMIN, SETTINGS) });
    expect(open.status).toBe(200);
    expect(open.json).toMatchObject({
      kind: 'groupsSettings#groups',
      email: 'sales@acme.example',
      whoCanViewMembership: 'ALL_IN_DOMAIN_CAN_VIEW',
    });
    f.emulator.setGroupMembershipVisibility('sales@acme.example', 'ALL_MEMBERS_CAN_VIEW');
    expect(
      (await f.send('GET', url, { token: f.token(ADMIN, SETTINGS) })).json.whoCanViewMembership,
    ).toBe('ALL_MEMBERS_CAN_VIEW');
    expect((await f.send('GET', url, { token: f.token(ANNA, SETTINGS) })).status).toBe(403);
    expect((await f.send('GET', url, { token: f.token(OTHER_ADMIN, SETTINGS) })).status).toBe(404);
    expect((await f.send('GET', url, { token: f.token(ADMIN, GROUP_READ) })).status).toBe(403);
  });
});
