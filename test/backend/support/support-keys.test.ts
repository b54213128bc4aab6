/**
 * This file tests OTP key rotation through the API on both databases: secrets sealed under one key
 * are re-encrypted by a security manager's rotation after a new key is put first, and keep working
 * once the old key is removed; only security managers may rotate. It also checks that the support
 * endpoints appear in the generated OpenAPI document.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DATABASES, type Harness } from '../harness';
import { startEmulatedHarness, type EmulatedHarness } from '../emulated';
import { totpCodeAt } from '../../../src/backend/support/totp';
import { URI } from 'otpauth';
import { AGENT, MANAGER, freshKeyRing } from './support-harness';

describe.each(DATABASES)('OTP key rotation on %s', (kind) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'support-keys-'));
  const oldKey = freshKeyRing('k1');
  const newKey = freshKeyRing('k2');
  let schema: string | undefined;
  let clock = Date.now();
  const start = async (keys: string): Promise<EmulatedHarness> => {
    const h = await startEmulatedHarness(
      kind,
      {
        otpEncryptionKeys: keys,
        ...(kind === 'pglite' ? { pgliteDir: dir } : {}),
        ...(schema ? { databaseSchema: schema } : {}),
      },
      { clock: () => clock },
    );
    schema ??= h.schema;
    return h;
  };
  const verify = (h: Harness, secret: Uint8Array) => {
    clock += 30_000;
    return h.request('POST', '/v1/support/verify', {
      token: h.token(AGENT),
      body: { code: totpCodeAt(secret, clock) },
    });
  };

  it('re-encrypts under the new key; the old key can then go', async () => {
    const first = await start(oldKey);
    const enrolled = await first.request('POST', '/v1/support/enrolment', {
      token: first.token(AGENT),
      body: {},
    });
    const secret = new Uint8Array(URI.parse(enrolled.body.otpauthUri).secret.bytes);
    expect((await verify(first, secret)).status).toBe(200);
    const doc = await first.request('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/support/me',
        '/v1/support/verify',
        '/v1/support/sessions',
        '/v1/support/sessions/{id}/approve',
        '/v1/support/transparency',
        '/v1/support/keys/rotate',
      ]),
    );
    await first.server.close();
    await first.emulatorServer.close();

    const second = await start(`${newKey},${oldKey}`);
    const refused = await second.request('POST', '/v1/support/keys/rotate', {
      token: second.token(AGENT),
      body: {},
    });
    expect(refused.body.error.code).toBe('not_security_manager');
    const rotated = await second.request('POST', '/v1/support/keys/rotate', {
      token: second.token(MANAGER),
      body: {},
    });
    expect(rotated.body).toEqual({ currentKeyId: 'k2', rotated: 2, failed: [] });
    const again = await second.request('POST', '/v1/support/keys/rotate', {
      token: second.token(MANAGER),
      body: {},
    });
    expect(again.body.rotated).toBe(0);
    await second.server.close();
    await second.emulatorServer.close();

    const third = await start(newKey);
    try {
      expect((await verify(third, secret)).status).toBe(200);
      const events = await third.request('GET', '/v1/events?tenant=vendor.example', {
        token: third.token(MANAGER),
      });
      expect(events.body.events.map((e: { type: string }) => e.type)).toContain(
        'support.keys.rotated',
      );
    } finally {
      await third.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses support second factors when no key ring is configured', async () => {
    const bare = await startEmulatedHarness(kind);
    try {
      const answer = await bare.request('POST', '/v1/support/enrolment', {
        token: bare.token(AGENT),
        body: {},
      });
      expect([answer.status, answer.body.error.code]).toEqual([503, 'support_not_configured']);
    } finally {
      await bare.close();
    }
  });
});
