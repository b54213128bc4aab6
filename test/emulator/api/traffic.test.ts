/**
 * This file tests the emulator's traffic model — quotas, faults, call counters — through both
 * transports, and the EmulatorHttpClient's modelled time and the same-user concurrency model
 * (FACTS.md People API v1: quotas; "Mutations for the same user should be sent sequentially").
 */
import {
  EmulatorHttpClient,
  EmulatorTimeoutError,
  createWorkspaceEmulator,
} from '../../../src/emulator/api';
import type { HttpRequest } from '../../../src/core/ports';
import { ANNA, BOB, PEOPLE, buildWorkspace, describeBothWays } from './harness';

const LIST = `${PEOPLE}/people/me/connections?personFields=names`;

describeBothWays('traffic model', (fixture) => {
  // FACTS.md People API v1: "a per-user per-minute Critical read requests limit … updateContact counts against it … 429 RESOURCE_EXHAUSTED"
  it('answers 429 RESOURCE_EXHAUSTED over the per-user critical-read quota, counting updateContact, per user and per minute (FACTS.md People: quotas)', async () => {
    const f = fixture();
    f.emulator.configureTraffic({ quotas: { criticalReadsPerMinutePerUser: 3 } });
    const token = f.token(ANNA);
    const created = await f.send('POST', `${PEOPLE}/people:createContact?personFields=names`, {
      token,
      body: { names: [{ givenName: 'Q' }] },
    });
    expect((await f.send('GET', LIST, { token })).status).toBe(200);
    const update = await f.send(
      'PATCH',
      `${PEOPLE}/${created.json.resourceName}:updateContact?updatePersonFields=names`,
      { token, body: { etag: created.json.etag, names: [{ givenName: 'R' }] } },
    );
    expect(update.status).toBe(200);
    expect((await f.send('GET', LIST, { token })).status).toBe(200);
    const limited = await f.send('GET', LIST, { token });
    expect(limited.status).toBe(429);
    expect(limited.json.error.status).toBe('RESOURCE_EXHAUSTED');
    expect((await f.send('GET', LIST, { token: f.token(BOB) })).status).toBe(200);
    f.emulator.clock.advance(60_000);
    expect((await f.send('GET', LIST, { token })).status).toBe(200);
  });

  it('injects scheduled faults on chosen calls and counts every call (issue 3: fault schedule)', async () => {
    const f = fixture();
    f.emulator.injectFault({
      operation: 'people.people.connections.list',
      user: ANNA,
      skip: 1,
      times: 2,
      status: 503,
    });
    f.emulator.injectFault({ operation: 'people.people.createContact', status: 500 });
    const token = f.token(ANNA);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await f.send('GET', LIST, { token })).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
    const failed = await f.send('POST', `${PEOPLE}/people:createContact`, {
      token,
      body: { names: [{ givenName: 'F' }] },
    });
    expect(failed.status).toBe(500);
    expect(failed.json.error.status).toBe('INTERNAL');
    expect(f.emulator.contactCount(ANNA)).toBe(0);
    expect(f.emulator.callCount({ operation: 'people.people.connections.list' })).toBe(4);
    expect(f.emulator.callCount({ operation: 'people.people.connections.list', status: 503 })).toBe(
      2,
    );
    expect(f.emulator.callCount({ user: ANNA })).toBe(5);
  });
});

describe('EmulatorHttpClient', () => {
  const setup = (): {
    emulator: ReturnType<typeof createWorkspaceEmulator>;
    client: EmulatorHttpClient;
    token: string;
  } => {
    const emulator = createWorkspaceEmulator();
    buildWorkspace(emulator);
    return {
      emulator,
      client: new EmulatorHttpClient(emulator, { clock: emulator.clock }),
      token: emulator.mintAccessToken(ANNA, ['contacts']),
    };
  };
  const create = (token: string, name: string): HttpRequest => ({
    url: `${PEOPLE}/people:createContact`,
    method: 'post',
    headers: { Authorization: `Bearer ${token}` },
    contentType: 'application/json',
    payload: JSON.stringify({ names: [{ givenName: name }] }),
  });

  it('adds up sequential calls and counts a fetchAll as its slowest call, advancing the virtual clock', () => {
    const { emulator, client, token } = setup();
    emulator.configureTraffic({ latency: { fixedMs: 100, perItemMs: 2 } });
    const start = emulator.clock.now();
    client.fetch(create(token, 'A'));
    client.fetch(create(token, 'B'));
    expect(client.modelledMs).toBe(204);
    const list = {
      url: `${PEOPLE}/people/me/connections?personFields=names`,
      method: 'get' as const,
      headers: { Authorization: `Bearer ${token}` },
    };
    const bobToken = emulator.mintAccessToken(BOB, ['contacts']);
    const responses = client.fetchAll([list, create(bobToken, 'C')]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(client.modelledMs).toBe(204 + 104);
    expect(emulator.clock.now() - start).toBe(308);
  });

  // FACTS.md People API v1: "Mutations for the same user should be sent sequentially (to avoid increased latency and failures)"
  it('penalises one user’s overlapping mutations in a fetchAll, with extra latency or 409 ABORTED (FACTS.md People: sequential mutations)', () => {
    const { emulator, client, token } = setup();
    emulator.configureTraffic({ concurrentMutations: { mode: 'latency', extraLatencyMs: 500 } });
    const bobToken = emulator.mintAccessToken(BOB, ['contacts']);
    client.fetchAll([create(token, 'A'), create(bobToken, 'B')]);
    expect(client.modelledMs).toBe(0);
    client.fetchAll([create(token, 'A'), create(token, 'B'), create(token, 'C')]);
    expect(client.modelledMs).toBe(1000);
    emulator.configureTraffic({ concurrentMutations: { mode: 'fail' } });
    const statuses = client
      .fetchAll([create(token, 'D'), create(token, 'E')])
      .map((response) => response.status);
    expect(statuses).toEqual([200, 409]);
    expect(emulator.contactCount(ANNA)).toBe(5);
  });

  it('serves the control API on loopback only, never on a Google host (issue 3: control API)', () => {
    const { emulator } = setup();
    const onGoogle = emulator.handle({
      method: 'POST',
      url: 'https://people.googleapis.com/__emulator/reset',
      headers: {},
    });
    expect(onGoogle.status).toBe(404);
    expect(emulator.workspace.users.size).toBeGreaterThan(0);
    const onLoopback = emulator.handle({
      method: 'POST',
      url: 'http://127.0.0.1:8400/__emulator/reset',
      headers: {},
    });
    expect(onLoopback.status).toBe(200);
    expect(emulator.workspace.users.size).toBe(0);
  });

  it('throws EmulatorTimeoutError for a scheduled timeout and counts its time', () => {
    const { emulator, client, token } = setup();
    emulator.injectFault({ operation: 'people.people.createContact', status: 'timeout' });
    expect(() => client.fetch(create(token, 'T'))).toThrow(EmulatorTimeoutError);
    expect(client.modelledMs).toBe(60_000);
    expect(client.fetch(create(token, 'T')).status).toBe(200);
  });
});
