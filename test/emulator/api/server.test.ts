/**
 * This file tests the emulator's HTTP server and control API end to end over loopback: the
 * README's curl sequence (mint a token, create a contact, list it back), seeding, counters.
 */
import { createWorkspaceEmulator } from '../../../src/emulator/api';
import { startEmulatorServer, type EmulatorServer } from '../../../src/emulator/api/server';
import type { Answer } from './harness';

describe('emulator HTTP server and control API', () => {
  let server: EmulatorServer;
  beforeAll(async () => {
    server = await startEmulatorServer(createWorkspaceEmulator(), 0);
  });
  afterAll(async () => {
    await server.close();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<Answer> => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, headers: {}, json: await response.json() };
  };

  it('runs the README sequence: customer, user, token, create a contact, list it back', async () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call('POST', '/__emulator/reset')).status).toBe(200);
    expect(
      (await call('POST', '/__emulator/customers', { primaryDomain: 'acme.example' })).status,
    ).toBe(200);
    expect((await call('POST', '/__emulator/users', { email: 'anna@acme.example' })).status).toBe(
      200,
    );
    const token = await call('POST', '/__emulator/tokens', {
      email: 'anna@acme.example',
      scopes: ['https://www.googleapis.com/auth/contacts'],
    });
    expect(token.json.token_type).toBe('Bearer');
    const created = await call(
      'POST',
      '/v1/people:createContact?personFields=names',
      { names: [{ givenName: 'Zoë' }] },
      token.json.access_token,
    );
    expect(created.status).toBe(200);
    const listed = await call(
      'GET',
      '/v1/people/me/connections?personFields=names',
      undefined,
      token.json.access_token,
    );
    expect(listed.json.connections.map((p: { resourceName: string }) => p.resourceName)).toEqual([
      created.json.resourceName,
    ]);
    const calls = await call('GET', '/__emulator/calls?operation=people.people.createContact');
    expect(calls.json.count).toBe(1);
  });

  it('seeds a generated Workspace, rejects bad control input with 400, and advances the clock', async () => {
    await call('POST', '/__emulator/reset');
    const seeded = await call('POST', '/__emulator/seed', {
      seed: 7,
      customers: 2,
      usersPerCustomer: 3,
      contactsPerUser: 4,
    });
    expect(seeded.json.customers).toHaveLength(2);
    expect(seeded.json.contacts).toBe(24);
    const bad = await call('POST', '/__emulator/users', { email: 'x@unknown.example' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('No customer owns the domain');
    const malformed = await fetch(`${server.baseUrl}/__emulator/users`, {
      method: 'POST',
      body: '{oops',
    });
    expect(malformed.status).toBe(400);
    const before = (await call('GET', '/__emulator/clock')).json.now as number;
    expect((await call('POST', '/__emulator/clock', { advanceMs: 5000 })).json.now).toBe(
      before + 5000,
    );
  });

  it('drops the connection for a scheduled timeout, as a call that never answers', async () => {
    await call('POST', '/__emulator/reset');
    await call('POST', '/__emulator/customers', { primaryDomain: 'acme.example' });
    await call('POST', '/__emulator/users', { email: 'anna@acme.example' });
    const token = await call('POST', '/__emulator/tokens', {
      email: 'anna@acme.example',
      scopes: ['contacts'],
    });
    const fault = await call('POST', '/__emulator/faults', {
      operation: 'people.people.connections.list',
      status: 'timeout',
    });
    expect(fault.status).toBe(200);
    await expect(
      call(
        'GET',
        '/v1/people/me/connections?personFields=names',
        undefined,
        token.json.access_token,
      ),
    ).rejects.toThrow();
    const next = await call(
      'GET',
      '/v1/people/me/connections?personFields=names',
      undefined,
      token.json.access_token,
    );
    expect(next.status).toBe(200);
    expect((await call('POST', '/__emulator/faults', { status: 418 })).status).toBe(400);
  });
});
