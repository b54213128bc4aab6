/**
 * This file holds the Apps Script side of the contract suites: the real adapters of
 * src/addon/gas/adapters.ts, bundled and run in the emulator's Apps Script runtime, where each
 * method call is one execution as a given user.
 */
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../src/emulator/gas/runtime';
import { testEmulator, testManifest, writeBundle } from '../emulator/gas/runtime-support';

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
