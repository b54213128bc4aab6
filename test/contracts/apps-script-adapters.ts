/**
 * This file holds the Apps Script side of the contract suites: the real adapters of
 * src/addon/gas/adapters.ts, bundled and run in the emulator's Apps Script runtime, where each
 * method call is one execution as a given user.
 */
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../src/emulator/gas/runtime';
import { testEmulator, testManifest, writeBundle } from '../emulator/gas/runtime-support';
import type { AwaitedPort } from './awaited-port';

/**
 * The adapters of src/addon/gas/adapters.ts that the runtime can make: classes (capitalised) it
 * constructs, and factory functions it calls.
 */
export type AppsScriptAdapterName = 'UserPropertiesStore' | 'UrlFetchHttpClient' | 'userCache';

/** A runtime whose bundle holds the add-on's Apps Script adapters. */
export interface AppsScriptAdapters {
  /** Constructs the adapter in a new execution as `user`, calls `method` and returns its result. */
  call(
    user: string,
    adapter: AppsScriptAdapterName,
    method: string,
    args: unknown[],
  ): Promise<unknown>;
  /** A user of the emulator that no execution has acted as yet. */
  newUser(): string;
  /** Moves the emulator's virtual clock on, as time passing between executions. */
  advanceClock(milliseconds: number): void;
  runtime: AppsScriptRuntime;
  close(): Promise<void>;
}

const DRIVER = `
function callAdapter(e) {
  var make = Adapters[e.adapter];
  var adapter = /^[A-Z]/.test(e.adapter) ? new make() : make();
  return adapter[e.method].apply(adapter, e.args);
}`;

function adaptersBundle(): string {
  const adapters = buildSync({
    entryPoints: [path.join(__dirname, '../../src/addon/gas/adapters.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'Adapters',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return `${adapters}\n${DRIVER}`;
}

/**
 * Starts a runtime over a fresh API emulator whose bundle holds the adapters; `fetchAllowed` are
 * the URL prefixes of the manifest's urlFetchWhitelist. Close it in afterAll.
 */
export function startAppsScriptAdapters(fetchAllowed: string[] = []): AppsScriptAdapters {
  const api = testEmulator();
  const runtime = createAppsScriptRuntime({
    api,
    bundlePath: writeBundle(adaptersBundle()),
    manifest: testManifest(fetchAllowed),
    addonConfig: {
      backendUrl: 'https://backend.emulator.test',
      oauthClientId: 'client-1.apps.googleusercontent.com',
      scriptId: 'contracts',
    },
  });
  let users = 0;
  return {
    runtime,
    async call(user, adapter, method, args) {
      const outcome = await runtime.runFunction('callAdapter', {
        user,
        event: { adapter, method, args },
      });
      if (outcome.error) throw new Error(outcome.error.message);
      return outcome.result?.json;
    },
    newUser() {
      users += 1;
      const email = `contract${users}@a.example`;
      api.addUser(email);
      return email;
    },
    advanceClock: (milliseconds) => api.clock.advance(milliseconds),
    close: () => runtime.close(),
  };
}

/** The Apps Script adapters of the tests of one describe block. */
export interface AppsScriptAdaptersInSuite {
  /**
   * The adapter `name` as a new user sees it, with the port's `methods`: each call runs in its
   * own execution.
   */
  ofNewUser<Port>(
    name: AppsScriptAdapterName,
    methods: readonly (keyof Port & string)[],
  ): AwaitedPort<Port>;
  /** Moves the emulator's virtual clock on, as time passing between executions. */
  advanceClock(milliseconds: number): void;
}

/**
 * Starts a runtime of the adapters (no URL may be fetched) before the tests of the enclosing
 * describe block, and closes it after them.
 */
export function useAppsScriptAdapters(): AppsScriptAdaptersInSuite {
  let adapters: AppsScriptAdapters;
  beforeAll(() => {
    adapters = startAppsScriptAdapters();
  });
  afterAll(() => adapters.close());
  return {
    ofNewUser<Port>(name: AppsScriptAdapterName, methods: readonly (keyof Port & string)[]) {
      const user = adapters.newUser();
      const call =
        (method: string) =>
        (...args: unknown[]) =>
          adapters.call(user, name, method, args);
      return Object.fromEntries(
        methods.map((method) => [method, call(method)]),
      ) as AwaitedPort<Port>;
    },
    advanceClock: (milliseconds) => adapters.advanceClock(milliseconds),
  };
}
