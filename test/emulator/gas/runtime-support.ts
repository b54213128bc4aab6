/**
 * This file holds what the runtime tests share: a script written to a temporary bundle, a
 * manifest allowing a loopback server, and the API emulator with the test users.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWorkspaceEmulator, type WorkspaceEmulator } from '../../../src/emulator/api';
import type { AddonManifest } from '../../../src/emulator/gas/manifest';

/** Writes a script to a temporary Code.js and returns its path. */
export function writeBundle(source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gas-runtime-'));
  const file = path.join(dir, 'Code.js');
  fs.writeFileSync(file, source);
  return file;
}

/** A manifest with the add-on's scopes and an allow-list of the given prefixes. */
export function testManifest(whitelist: string[], scopes?: string[]): AddonManifest {
  return {
    timeZone: 'Europe/Paris',
    runtimeVersion: 'V8',
    oauthScopes: scopes ?? [
      'https://www.googleapis.com/auth/contacts',
      'openid',
      'https://www.googleapis.com/auth/userinfo.email',
    ],
    urlFetchWhitelist: whitelist,
    addOns: { common: { name: 'Test add-on' } },
  };
}

/** The API emulator with customers a.example and b.example and the users the tests act as. */
export function testEmulator(): WorkspaceEmulator {
  const api = createWorkspaceEmulator({ startTime: Date.UTC(2026, 0, 5, 9) });
  api.addCustomer('a.example');
  api.addCustomer('b.example');
  for (const name of ['ann', 'bob', 'val', 'full', 'trig', 'other'])
    api.addUser(`${name}@a.example`);
  api.addUser('bob@b.example');
  return api;
}
