/**
 * This file tests the contact-group methods of the emulator against FACTS.md ("People API v1":
 * group names, membership rules, clientData, limits) and the contactGroups reference.
 */
import { ANNA, PEOPLE, describeBothWays, type Fixture } from './harness';

async function newGroup(
  f: Fixture,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ resourceName: string; etag: string }> {
  const answer = await f.send('POST', `${PEOPLE}/contactGroups`, {
    token: f.token(ANNA),
    body: { contactGroup: { name, ...extra } },
  });
  expect(answer.status).toBe(200);
  return answer.json;
}

async function newContact(f: Fixture, given: string): Promise<string> {
  const answer = await f.send('POST', `${PEOPLE}/people:createContact`, {
    token: f.token(ANNA),
    body: { names: [{ givenName: given }] },
  });
  return answer.json.resourceName;
}

describeBothWays('People API contact groups', (fixture) => {
  // FACTS.md People API v1: "Contact group names are unique per user (duplicate → 409)"
  it('answers 409 ALREADY_EXISTS for a duplicate group name, also on rename (FACTS.md People: unique names)', async () => {
    const f = fixture();
    await newGroup(f, 'Customers');
    const dup = await f.send('POST', `${PEOPLE}/contactGroups`, {
      token: f.token(ANNA),
      body: { contactGroup: { name: 'Customers' } },
    });
    expect(dup.status).toBe(409);
    expect(dup.json.error.status).toBe('ALREADY_EXISTS');
    const other = await newGroup(f, 'Suppliers');
    const rename = await f.send('PUT', `${PEOPLE}/${other.resourceName}`, {
      token: f.token(ANNA),
      body: { contactGroup: { name: 'Customers', etag: other.etag } },
    });
    expect(rename.status).toBe(409);
    const bobsOwn = await f.send('POST', `${PEOPLE}/contactGroups`, {
      token: f.token('bob@acme.example'),
      body: { contactGroup: { name: 'Customers' } },
    });
    expect(bobsOwn.status).toBe(200);
  });

  // FACTS.md People API v1: "members.modify can only add to user groups, myContacts and starred"
  it('adds members only to user groups, myContacts and starred (FACTS.md People: membership rules)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const contact = await newContact(f, 'M');
    const group = await newGroup(f, 'Label');
    for (const target of [
      group.resourceName,
      'contactGroups/starred',
      'contactGroups/myContacts',
    ]) {
      const answer = await f.send('POST', `${PEOPLE}/${target}/members:modify`, {
        token,
        body: { resourceNamesToAdd: [contact] },
      });
      expect(answer.status).toBe(200);
    }
    const family = await f.send('POST', `${PEOPLE}/contactGroups/family/members:modify`, {
      token,
      body: { resourceNamesToAdd: [contact] },
    });
    expect(family.status).toBe(400);
    const read = await f.send('GET', `${PEOPLE}/${contact}?personFields=memberships`, { token });
    expect(
      read.json.memberships
        .map(
          (m: { contactGroupMembership: { contactGroupResourceName: string } }) =>
            m.contactGroupMembership.contactGroupResourceName,
        )
        .sort(),
    ).toEqual([group.resourceName, 'contactGroups/myContacts', 'contactGroups/starred'].sort());
  });

  // FACTS.md People API v1: "a contact always keeps at least one membership"
  it('never removes the last membership of a contact (FACTS.md People: membership rules)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const contact = await newContact(f, 'Last');
    const answer = await f.send('POST', `${PEOPLE}/contactGroups/myContacts/members:modify`, {
      token,
      body: { resourceNamesToRemove: [contact, `people/c${1e15 + 777777}`] },
    });
    expect(answer.status).toBe(200);
    expect(answer.json.canNotRemoveLastContactGroupResourceNames).toEqual([contact]);
    expect(answer.json.notFoundResourceNames).toEqual([`people/c${1e15 + 777777}`]);
    const update = await f.send('GET', `${PEOPLE}/${contact}?personFields=memberships`, { token });
    expect(update.json.memberships).toHaveLength(1);
    const cleared = await f.send(
      'PATCH',
      `${PEOPLE}/${contact}:updateContact?updatePersonFields=memberships`,
      { token, body: { etag: update.json.etag, memberships: [] } },
    );
    expect(cleared.status).toBe(400);
  });

  // FACTS.md People API v1: "contactGroups.members.modify ≤ 1,000 added + removed"
  it('caps members.modify at 1,000 added plus removed (FACTS.md People: batch sizes)', async () => {
    const f = fixture();
    const group = await newGroup(f, 'Big');
    const names = (n: number): string[] =>
      Array.from({ length: n }, (_, i) => `people/c${1e15 + 500000 + i}`);
    const ok = await f.send('POST', `${PEOPLE}/${group.resourceName}/members:modify`, {
      token: f.token(ANNA),
      body: { resourceNamesToAdd: names(600), resourceNamesToRemove: names(400) },
    });
    expect(ok.status).toBe(200);
    const tooMany = await f.send('POST', `${PEOPLE}/${group.resourceName}/members:modify`, {
      token: f.token(ANNA),
      body: { resourceNamesToAdd: names(600), resourceNamesToRemove: names(401) },
    });
    expect(tooMany.status).toBe(400);
  });

  // FACTS.md People API v1: "contactGroups.list 1–1,000 (default 30)"; "contactGroups.batchGet ≤ 200"
  it('pages contactGroups.list 30 by default up to 1,000 and caps batchGet at 200 (FACTS.md People: page and batch sizes)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    for (let i = 0; i < 30; i++) await newGroup(f, `G${i}`);
    const first = await f.send('GET', `${PEOPLE}/contactGroups`, { token });
    expect(first.json.contactGroups).toHaveLength(30);
    expect(first.json.totalItems).toBe(38);
    const rest = await f.send(
      'GET',
      `${PEOPLE}/contactGroups?pageToken=${first.json.nextPageToken}`,
      { token },
    );
    expect(rest.json.contactGroups).toHaveLength(8);
    expect((await f.send('GET', `${PEOPLE}/contactGroups?pageSize=1001`, { token })).status).toBe(
      400,
    );
    expect(
      (await f.send('GET', `${PEOPLE}/contactGroups?pageSize=1000`, { token })).json.contactGroups,
    ).toHaveLength(38);
    const query = (n: number): string =>
      Array.from({ length: n }, () => 'resourceNames=contactGroups/myContacts').join('&');
    expect(
      (await f.send('GET', `${PEOPLE}/contactGroups:batchGet?${query(200)}`, { token })).status,
    ).toBe(200);
    expect(
      (await f.send('GET', `${PEOPLE}/contactGroups:batchGet?${query(201)}`, { token })).status,
    ).toBe(400);
  });

  // FACTS.md People API v1: "clientData exists on Person and on ContactGroup (groupFields=clientData)"
  it('keeps clientData on groups, returned with groupFields=clientData (FACTS.md People: clientData)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const group = await newGroup(f, 'Shared', { clientData: [{ key: 'share', value: 's-1' }] });
    const plain = await f.send('GET', `${PEOPLE}/${group.resourceName}`, { token });
    expect(plain.json.clientData).toBeUndefined();
    const withData = await f.send(
      'GET',
      `${PEOPLE}/${group.resourceName}?groupFields=clientData,name`,
      { token },
    );
    expect(withData.json.clientData).toEqual([{ key: 'share', value: 's-1' }]);
    const update = await f.send('PUT', `${PEOPLE}/${group.resourceName}`, {
      token,
      body: {
        contactGroup: { etag: group.etag, clientData: [{ key: 'share', value: 's-2' }] },
        updateGroupFields: 'clientData',
        readGroupFields: 'clientData,name',
      },
    });
    expect(update.json.clientData).toEqual([{ key: 'share', value: 's-2' }]);
    expect(update.json.name).toBe('Shared');
    const stale = await f.send('PUT', `${PEOPLE}/${group.resourceName}`, {
      token,
      body: { contactGroup: { etag: group.etag, name: 'Again' } },
    });
    expect(stale.status).toBe(400);
    expect(stale.json.error.status).toBe('FAILED_PRECONDITION');
  });

  it('counts members, lists them with maxMembers, and deletes a group keeping or deleting its contacts (contactGroups.get/delete)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const group = await newGroup(f, 'Team');
    const a = await newContact(f, 'A');
    const b = await newContact(f, 'B');
    await f.send('POST', `${PEOPLE}/${group.resourceName}/members:modify`, {
      token,
      body: { resourceNamesToAdd: [a, b] },
    });
    const got = await f.send('GET', `${PEOPLE}/${group.resourceName}?maxMembers=10`, { token });
    expect(got.json.memberCount).toBe(2);
    expect(got.json.memberResourceNames.sort()).toEqual([a, b].sort());
    expect(
      (await f.send('DELETE', `${PEOPLE}/${group.resourceName}?deleteContacts=true`, { token }))
        .status,
    ).toBe(200);
    expect((await f.send('GET', `${PEOPLE}/${a}?personFields=names`, { token })).status).toBe(404);
    expect((await f.send('GET', `${PEOPLE}/${group.resourceName}`, { token })).status).toBe(404);
    expect((await f.send('DELETE', `${PEOPLE}/contactGroups/myContacts`, { token })).status).toBe(
      400,
    );
  });
});
