/**
 * This file tests paging and sync of people.connections.list in the emulator against FACTS.md
 * ("People API v1": page sizes, sync tokens) and the people.connections.list reference.
 */
import { ANNA, PEOPLE, describeBothWays, type Fixture } from './harness';

async function seedContacts(f: Fixture, count: number): Promise<string[]> {
  const token = f.token(ANNA);
  const names: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const contacts = Array.from({ length: Math.min(200, count - start) }, (_, i) => ({
      contactPerson: { names: [{ givenName: `C${start + i}` }] },
    }));
    const answer = await f.send('POST', `${PEOPLE}/people:batchCreateContacts`, {
      token,
      body: { contacts, readMask: '' },
    });
    expect(answer.status).toBe(200);
    names.push(
      ...answer.json.createdPeople.map(
        (entry: { requestedResourceName: string }) => entry.requestedResourceName,
      ),
    );
  }
  return names;
}

const list = (f: Fixture, query: string): ReturnType<Fixture['send']> =>
  f.send('GET', `${PEOPLE}/people/me/connections?personFields=names&${query}`, {
    token: f.token(ANNA),
  });

describeBothWays('People API connections.list paging and sync', (fixture) => {
  // FACTS.md People API v1: "connections.list 1–1,000 (default 100)"
  it('pages 100 by default (also for 0), accepts 1 to 1,000 and rejects 1,001 (FACTS.md People: page sizes)', async () => {
    const f = fixture();
    await seedContacts(f, 1001);
    const first = await list(f, '');
    expect(first.json.connections).toHaveLength(100);
    expect(first.json.totalPeople).toBe(1001);
    const big = await list(f, 'pageSize=1000');
    expect(big.json.connections).toHaveLength(1000);
    const rest = await list(f, `pageSize=1000&pageToken=${big.json.nextPageToken}`);
    expect(rest.json.connections).toHaveLength(1);
    expect(rest.json.nextPageToken).toBeUndefined();
    expect((await list(f, 'pageSize=0')).json.connections).toHaveLength(100);
    expect((await list(f, 'pageSize=-1')).status).toBe(400);
    expect((await list(f, 'pageSize=1001')).status).toBe(400);
  });

  it('rejects a page token used with other parameters (people.connections.list: parameters must match the first call)', async () => {
    const f = fixture();
    await seedContacts(f, 3);
    const first = await list(f, 'pageSize=1');
    const mismatch = await f.send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names,emailAddresses&pageSize=1&pageToken=${first.json.nextPageToken}`,
      { token: f.token(ANNA) },
    );
    expect(mismatch.status).toBe(400);
  });

  // FACTS.md People API v1: "requestSyncToken on a full connections.list; the token appears on the last page only"
  it('gives the sync token on the last page only (FACTS.md People: sync)', async () => {
    const f = fixture();
    await seedContacts(f, 5);
    const first = await list(f, 'pageSize=2&requestSyncToken=true');
    expect(first.json.nextSyncToken).toBeUndefined();
    const second = await list(
      f,
      `pageSize=2&requestSyncToken=true&pageToken=${first.json.nextPageToken}`,
    );
    expect(second.json.nextSyncToken).toBeUndefined();
    const last = await list(
      f,
      `pageSize=2&requestSyncToken=true&pageToken=${second.json.nextPageToken}`,
    );
    expect(last.json.nextPageToken).toBeUndefined();
    expect(typeof last.json.nextSyncToken).toBe('string');
  });

  // FACTS.md People API v1: "deleted contacts come back with metadata.deleted"
  it('returns only changes after a sync token, deleted contacts with metadata.deleted (FACTS.md People: sync)', async () => {
    const f = fixture();
    const token = f.token(ANNA);
    const [keep, gone] = await seedContacts(f, 3);
    const full = await list(f, 'requestSyncToken=true');
    const unchanged = await list(f, `syncToken=${full.json.nextSyncToken}`);
    expect(unchanged.json.connections).toBeUndefined();
    expect(typeof unchanged.json.nextSyncToken).toBe('string');
    const read = await f.send('GET', `${PEOPLE}/${keep}?personFields=names`, { token });
    await f.send('PATCH', `${PEOPLE}/${keep}:updateContact?updatePersonFields=names`, {
      token,
      body: { etag: read.json.etag, names: [{ givenName: 'Changed' }] },
    });
    await f.send('DELETE', `${PEOPLE}/${gone}:deleteContact`, { token });
    const delta = await list(f, `syncToken=${unchanged.json.nextSyncToken}`);
    expect(delta.json.connections).toHaveLength(2);
    const byName = Object.fromEntries(
      delta.json.connections.map((p: { resourceName: string }) => [p.resourceName, p]),
    );
    expect(byName[keep as string].names[0].givenName).toBe('Changed');
    expect(byName[gone as string].metadata.deleted).toBe(true);
    expect(byName[gone as string].names).toBeUndefined();
  });

  // FACTS.md People API v1: "expires after 7 days (error reason EXPIRED_SYNC_TOKEN: do a full sync)"
  it('expires sync tokens after 7 days with EXPIRED_SYNC_TOKEN (FACTS.md People: sync)', async () => {
    const f = fixture();
    await seedContacts(f, 1);
    const full = await list(f, 'requestSyncToken=true');
    f.emulator.clock.advance(7 * 24 * 3600 * 1000 - 1000);
    expect((await list(f, `syncToken=${full.json.nextSyncToken}`)).status).toBe(200);
    f.emulator.clock.advance(2000);
    const expired = await list(f, `syncToken=${full.json.nextSyncToken}`);
    expect(expired.status).toBe(400);
    expect(expired.json.error.status).toBe('FAILED_PRECONDITION');
    // FACTS.md People API v1: "Errors use Google's JSON error body"
    expect(expired.json).toEqual({
      error: {
        code: 400,
        message: expect.any(String),
        status: 'FAILED_PRECONDITION',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'EXPIRED_SYNC_TOKEN',
            domain: 'people.googleapis.com',
          },
        ],
      },
    });
  });

  // FACTS.md People API v1: "writes can take minutes to show in sync results (sync is not read-after-write)"
  it('shows writes in sync results only after the configured delay (FACTS.md People: sync is not read-after-write)', async () => {
    const f = fixture();
    f.emulator.setSyncVisibilityDelay(120_000);
    const full = await list(f, 'requestSyncToken=true');
    await seedContacts(f, 1);
    const early = await list(f, `syncToken=${full.json.nextSyncToken}`);
    expect(early.json.connections).toBeUndefined();
    f.emulator.clock.advance(120_000);
    const later = await list(f, `syncToken=${early.json.nextSyncToken}`);
    expect(later.json.connections).toHaveLength(1);
  });

  it('rejects a sync token of another user (one user never reaches another user’s contacts)', async () => {
    const f = fixture();
    const full = await list(f, 'requestSyncToken=true');
    const bob = await f.send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names&syncToken=${full.json.nextSyncToken}`,
      { token: f.token('bob@acme.example') },
    );
    expect(bob.status).toBe(400);
  });
});
