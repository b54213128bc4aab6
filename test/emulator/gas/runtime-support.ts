/**
 * This file holds what the runtime tests share: a script written to a temporary bundle, a
 * manifest allowing a loopback server, and a small Google API handler that answers every
 * request with a fixed status and modelled latency and counts what it received. It stands in for
 * the API emulator only in these runtime-mechanics tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  EmulatorRequest,
  EmulatorResponse,
  WorkspaceEmulatorFacade,
} from '../../../src/emulator/api/contract';
import { IdTokenIssuer } from '../../../src/emulator/api/id-token-issuer';
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

/** A stand-in Google API: answers with `answer`, records requests and token mints. */
export class FixedApi implements WorkspaceEmulatorFacade {
  readonly requests: EmulatorRequest[] = [];
  readonly mints: { email: string; scopes: string[] }[] = [];
  readonly idTokens = new IdTokenIssuer();
  private time = Date.UTC(2025, 0, 6, 9, 0, 0);
  readonly clock = {
    now: () => this.time,
    advance: (milliseconds: number) => {
      this.time += milliseconds;
    },
  };
  answer: Omit<EmulatorResponse, 'latencyMs'> = {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"ok":true}',
  };
  latencyMs = 40;

  handle(request: EmulatorRequest): EmulatorResponse {
    this.requests.push(request);
    return { ...this.answer, latencyMs: this.latencyMs };
  }

  mintAccessToken(email: string, scopes: string[]): string {
    this.mints.push({ email, scopes });
    return `ya29.test-${this.mints.length}`;
  }
}
