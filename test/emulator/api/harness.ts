/**
 * This file defines the test harness of the API emulator tests: each suite runs the same table
 * of cases twice, once through the in-process handler and once through the loopback HTTP server,
 * against a fresh emulator with a small known Workspace.
 */
import { createWorkspaceEmulator, type WorkspaceEmulator } from '../../../src/emulator/api';
import { startEmulatorServer, type EmulatorServer } from '../../../src/emulator/api/server';

/** A JSON answer as a client sees it. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in tests
  json: any;
}

/** Sends a request to the emulator: `url` is the real Google URL. */
export type Send = (
  method: string,
  url: string,
  options?: { token?: string; body?: unknown; rawBody?: string; contentType?: string },
) => Promise<Answer>;

/** What a test gets: the emulator (for control methods), a sender, and the seeded names. */
export interface Fixture {
  emulator: WorkspaceEmulator;
  send: Send;
  /** Mints a token for a user with short scope names. */
  token(email: string, scopes?: string[]): string;
}

export const ANNA = 'anna@acme.example';
export const BOB = 'bob@acme.example';
export const ADMIN = 'admin@acme.example';
export const OTHER_ADMIN = 'root@globex.example';
export const PEOPLE = 'https://people.googleapis.com/v1';
export const DIRECTORY = 'https://admin.googleapis.com/admin/directory/v1';

/** Builds the small known Workspace used by the tests. */
export function buildWorkspace(emulator: WorkspaceEmulator): void {
  emulator.addCustomer('acme.example', ['acme-eu.example']);
  emulator.addCustomer('globex.example');
  emulator.addUser(ADMIN, { givenName: 'Ada', familyName: 'Admin', isAdmin: true });
  emulator.addUser(ANNA, {
    givenName: 'Anna',
    familyName: 'Nowak',
    phone: '+48 22 123 4567',
    title: 'Engineer',
  });
  emulator.addUser(BOB, { givenName: 'Bob', familyName: 'Brown' });
  emulator.addUser('chloe@acme-eu.example', { givenName: 'Chloé', familyName: 'Dubois' });
  emulator.addUser(OTHER_ADMIN, { givenName: 'Root', familyName: 'Globex', isAdmin: true });
  emulator.addGroup('sales@acme.example', 'Sales');
  emulator.addGroup('all@acme.example', 'Everyone');
  emulator.addGroupMember('sales@acme.example', ANNA);
  emulator.addGroupMember('all@acme.example', BOB, 'OWNER');
  emulator.addGroupMember('all@acme.example', 'sales@acme.example');
}

function inProcessSender(emulator: WorkspaceEmulator): Send {
  return async (method, url, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const response = emulator.handle({
      method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: response.body === '' ? undefined : JSON.parse(response.body),
    };
  };
}

function httpSender(server: () => EmulatorServer): Send {
  return async (method, url, options = {}) => {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${server().baseUrl}${target.pathname}${target.search}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      json: text === '' ? undefined : JSON.parse(text),
    };
  };
}

/**
 * Declares a suite that runs twice, in process and over loopback HTTP. `define` receives a getter
 * for the fixture of the current test (a fresh emulator with the known Workspace).
 */
export function describeBothWays(title: string, define: (fixture: () => Fixture) => void): void {
  describe.each(['in-process', 'http'])(`${title} (%s)`, (transport) => {
    let current: Fixture;
    let server: EmulatorServer | undefined;
    const emulatorHolder: { value?: WorkspaceEmulator } = {};
    beforeAll(async () => {
      if (transport === 'http')
        server = await startEmulatorServer({
          handle: (request) => (emulatorHolder.value as WorkspaceEmulator).handle(request),
        });
    });
    afterAll(async () => {
      await server?.close();
    });
    beforeEach(() => {
      const emulator = createWorkspaceEmulator();
      buildWorkspace(emulator);
      emulatorHolder.value = emulator;
      current = {
        emulator,
        send:
          transport === 'http'
            ? httpSender(() => server as EmulatorServer)
            : inProcessSender(emulator),
        token: (email, scopes = ['contacts']) => emulator.mintAccessToken(email, scopes),
      };
    });
    define(() => current);
  });
}
