/**
 * Tests of quota pacing and quota back-off in the Google transport, on the Workspace API
 * emulator with its quota buckets on (FACTS.md People API v1: Quotas; people.connections.list:
 * "The first page of a full sync request has an additional quota. If the quota is exceeded, a
 * 429 error will be returned."): an execution's own calls stay within each account's buckets,
 * a 429 naming a quota is waited out over the minute, and no wait goes past the deadline.
 */
import { ClockSleeper } from '../../src/core/memory-adapters';
import { PeopleClient } from '../../src/google/people-client';
import { peopleBucketsOf, QuotaPacer } from '../../src/google/quota-pacer';
import { GoogleTransport } from '../../src/google/transport';
import { createWorkspaceEmulator, EmulatorHttpClient } from '../../src/emulator/api';

const CONTACTS = ['https://www.googleapis.com/auth/contacts'];

function setup() {
  const emulator = createWorkspaceEmulator();
  emulator.addCustomer('example.com');
  for (const user of ['alice', 'bob']) emulator.addUser(`${user}@example.com`);
  emulator.configureTraffic({ latency: { fixedMs: 100, perItemMs: 0 } });
  const transport = new GoogleTransport({
    http: new EmulatorHttpClient(emulator, { clock: emulator.clock }),
    clock: emulator.clock,
    sleeper: new ClockSleeper(emulator.clock),
    random: () => 0.5,
  });
  const client = (user: string) =>
    new PeopleClient(emulator.mintAccessToken(`${user}@example.com`, CONTACTS));
  return { emulator, transport, client };
}

describe('quota pacer', () => {
  it('lets 90 calls a minute through per account and bucket, then says how long the next one waits', () => {
    const pacer = new QuotaPacer();
    for (let index = 0; index < 90; index++) {
      expect(pacer.waitFor('alice', ['criticalRead'], 1000 + index)).toBe(0);
      pacer.record('alice', ['criticalRead'], 1000 + index);
    }
    expect(pacer.waitFor('alice', ['criticalRead'], 2000)).toBe(59_000);
    expect(pacer.waitFor('alice', ['write'], 2000)).toBe(0);
    expect(pacer.waitFor('bob', ['criticalRead'], 2000)).toBe(0);
    expect(pacer.waitFor('alice', ['criticalRead'], 61_000)).toBe(0);
  });

  it('puts the first page of a full sync in its own bucket besides the critical reads, and updateContact among them (FACTS.md People: quotas)', () => {
    const url = 'https://people.googleapis.com/v1/people/me/connections?personFields=names';
    expect(peopleBucketsOf('people.connections.list', `${url}&requestSyncToken=true`)).toEqual([
      'criticalRead',
      'fullSyncFirstPage',
    ]);
    expect(
      peopleBucketsOf('people.connections.list', `${url}&requestSyncToken=true&pageToken=x`),
    ).toEqual(['criticalRead']);
    expect(peopleBucketsOf('people.connections.list', `${url}&syncToken=x`)).toEqual([
      'criticalRead',
    ]);
    expect(peopleBucketsOf('people.people.updateContact', '')).toEqual(['criticalRead', 'write']);
    expect(peopleBucketsOf('people.contactGroups.list', '')).toEqual(['read']);
  });

  // FACTS.md People API v1 Quotas: per-user per-minute critical reads, 429 RESOURCE_EXHAUSTED when exceeded
  it('paces 150 reads of one account over two minutes without drawing a 429 (FACTS.md People: quotas)', () => {
    const { emulator, transport, client } = setup();
    emulator.configureTraffic({ quotas: { criticalReadsPerMinutePerUser: 90 } });
    const start = emulator.clock.now();
    const alice = client('alice');
    for (let index = 0; index < 150; index++)
      transport.run(alice.listConnections({ personFields: 'names' }));
    expect(emulator.callCount({ status: 429 })).toBe(0);
    expect(transport.paced).toBeGreaterThan(0);
    expect(emulator.clock.now() - start).toBeGreaterThanOrEqual(60_000);
  });

  // people.connections.list: "The first page of a full sync request has an additional quota. If the quota is exceeded, a 429 error will be returned."
  it('waits out a 429 of the first-page quota instead of failing the listing (people.connections.list: first page of a full sync)', () => {
    const { emulator, transport, client } = setup();
    emulator.configureTraffic({ quotas: { fullSyncFirstPagesPerMinutePerUser: 1 } });
    const alice = client('alice');
    const results = transport.runAll([
      alice.listConnections({ personFields: 'names', requestSyncToken: true }),
      alice.listConnections({ personFields: 'names', requestSyncToken: true }),
      client('bob').listConnections({ personFields: 'names', requestSyncToken: true }),
    ]);
    expect(results.map((settled) => settled.ok)).toEqual([true, true, true]);
    expect(emulator.callCount({ status: 429 })).toBeGreaterThan(0);
    expect(transport.retries).toBeGreaterThan(0);
  });

  it('gives up on a quota wait that would pass the deadline, with the 429', () => {
    const { emulator, transport, client } = setup();
    emulator.configureTraffic({ quotas: { fullSyncFirstPagesPerMinutePerUser: 1 } });
    transport.deadline = emulator.clock.now() + 5_000;
    const alice = client('alice');
    const [first, second] = transport.runAll([
      alice.listConnections({ personFields: 'names', requestSyncToken: true }),
      alice.listConnections({ personFields: 'names', requestSyncToken: true }),
    ]);
    expect(first?.ok).toBe(true);
    expect(second?.ok).toBe(false);
    expect(second?.ok === false && second.error.httpStatus).toBe(429);
    expect(emulator.clock.now()).toBeLessThan(transport.deadline);
  });
});
