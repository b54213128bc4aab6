/** Tests of the OTP secret box: key ring parsing, AES-256-GCM round trip, tampering, agent binding, rotation. */
import fc from 'fast-check';
import {
  SecretBoxError,
  createKeyRing,
  formatSealedSecret,
  generateKey,
  keyRingFromEnvironment,
  needsRotation,
  open,
  parseKeyRing,
  parseSealedSecret,
  reencrypt,
  seal,
  type KeyRing,
  type SealContext,
  type SealedSecret,
} from '../../../src/backend/support/secret-box';

const alice: SealContext = { agentId: 'alice@vendor.example', purpose: 'totp-secret' };
const bob: SealContext = { agentId: 'bob@vendor.example', purpose: 'totp-secret' };

function ringOf(...ids: string[]): { ring: KeyRing; spec: string } {
  const spec = ids.map((id) => `${id}:${generateKey().toString('base64')}`).join(',');
  return { ring: parseKeyRing(spec), spec };
}

function failure(run: () => unknown): SecretBoxError {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretBoxError) return error;
    throw error;
  }
  throw new Error('expected a SecretBoxError');
}

function flipByte(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('key ring', () => {
  it('parses "keyId:base64key,…" with the first key current', () => {
    const { ring } = ringOf('k2026', 'k2025');
    expect(ring.currentKeyId).toBe('k2026');
    expect([...ring.keys.keys()]).toEqual(['k2026', 'k2025']);
    expect(ring.keys.get('k2025')).toHaveLength(32);
  });

  it('reads the ring from OTP_ENCRYPTION_KEYS and explains an unset variable', () => {
    const { spec } = ringOf('local');
    expect(keyRingFromEnvironment({ OTP_ENCRYPTION_KEYS: spec }).currentKeyId).toBe('local');
    const unset = failure(() => keyRingFromEnvironment({}));
    expect(unset.code).toBe('bad-key-ring');
    expect(unset.message).toContain('OTP_ENCRYPTION_KEYS is not set');
  });

  it('refuses keys that are not 32 bytes, naming the key id but not the key', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    const error = failure(() => parseKeyRing(`old:${short}`));
    expect(error.code).toBe('bad-key-length');
    expect(error.message).toContain('"old" is 16 bytes');
    expect(error.message).not.toContain(short);
    expect(failure(() => createKeyRing([{ id: 'k', key: Buffer.alloc(33) }])).code).toBe(
      'bad-key-length',
    );
  });

  it.each([
    ['an empty ring', ''],
    ['an entry without a colon', 'abc'],
    ['an empty key id', `:${Buffer.alloc(32).toString('base64')}`],
    ['a key id with a space', `a b:${Buffer.alloc(32).toString('base64')}`],
    ['a key that is not base64', 'k:not*base64!'],
    [
      'a duplicate key id',
      `k:${Buffer.alloc(32).toString('base64')},k:${Buffer.alloc(32, 1).toString('base64')}`,
    ],
  ])('refuses %s', (_name, spec) => {
    expect(failure(() => parseKeyRing(spec)).code).toBe('bad-key-ring');
  });
});

describe('sealing', () => {
  const { ring } = ringOf('current', 'previous');
  const secret = Buffer.from('0123456789abcdefghij', 'ascii');

  it('round-trips a secret and records the key id, a 96-bit IV and a 128-bit tag', () => {
    const sealed = seal(ring, secret, alice);
    expect(sealed.keyId).toBe('current');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(sealed.ciphertext.equals(secret)).toBe(false);
    expect(open(ring, sealed, alice).equals(secret)).toBe(true);
  });

  it('uses a fresh IV each time', () => {
    const ivs = new Set(
      Array.from({ length: 20 }, () => seal(ring, secret, alice).iv.toString('hex')),
    );
    expect(ivs.size).toBe(20);
  });

  it.each(['ciphertext', 'tag', 'iv'] as const)('detects a flipped byte in the %s', (field) => {
    const sealed = seal(ring, secret, alice);
    for (const index of [0, sealed[field].length - 1]) {
      const tampered: SealedSecret = { ...sealed, [field]: flipByte(sealed[field], index) };
      const error = failure(() => open(ring, tampered, alice));
      expect(error.code).toBe('authentication-failed');
      expect(error.message).toContain('alice@vendor.example');
    }
  });

  it('refuses a record moved to another agent or another purpose', () => {
    const sealed = seal(ring, secret, alice);
    expect(failure(() => open(ring, sealed, bob)).code).toBe('authentication-failed');
    expect(failure(() => open(ring, sealed, { ...alice, purpose: 'backup-code-seed' })).code).toBe(
      'authentication-failed',
    );
  });

  it('refuses a record whose key id was changed to another key of the ring', () => {
    const sealed = seal(ring, secret, alice);
    expect(failure(() => open(ring, { ...sealed, keyId: 'previous' }, alice)).code).toBe(
      'authentication-failed',
    );
  });

  it('names an unknown key id', () => {
    const sealed = seal(ringOf('retired').ring, secret, alice);
    const error = failure(() => open(ring, sealed, alice));
    expect(error.code).toBe('unknown-key');
    expect(error.message).toContain('"retired"');
  });

  it('refuses a truncated tag or IV as malformed rather than weakening the check', () => {
    const sealed = seal(ring, secret, alice);
    expect(
      failure(() => open(ring, { ...sealed, tag: sealed.tag.subarray(0, 12) }, alice)).code,
    ).toBe('malformed-record');
    expect(failure(() => open(ring, { ...sealed, iv: sealed.iv.subarray(0, 8) }, alice)).code).toBe(
      'malformed-record',
    );
  });
});

describe('text form', () => {
  const { ring } = ringOf('k1');

  it('writes and reads v1.<keyId>.<iv>.<ciphertext>.<tag>', () => {
    const sealed = seal(ring, Buffer.from('secret bytes'), alice);
    const text = formatSealedSecret(sealed);
    expect(text).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(open(ring, parseSealedSecret(text), alice).toString()).toBe('secret bytes');
  });

  it.each(['', 'v1.k1.a.b', 'v2.k1.a.b.c', 'v1.k1.a.b.c.d', 'v1.k 1.a.b.c', 'v1.k1.a+.b.c'])(
    'refuses "%s" as malformed',
    (text) => {
      expect(failure(() => parseSealedSecret(text)).code).toBe('malformed-record');
    },
  );
});

describe('key rotation', () => {
  it('re-encrypts records under the new current key while the old key still opens old ones', () => {
    const oldKey = generateKey();
    const before = createKeyRing([{ id: 'old', key: oldKey }]);
    const sealed = seal(before, Buffer.from('the secret'), alice);

    const after = createKeyRing([
      { id: 'new', key: generateKey() },
      { id: 'old', key: oldKey },
    ]);
    expect(needsRotation(after, sealed)).toBe(true);
    expect(open(after, sealed, alice).toString()).toBe('the secret');

    const rotated = reencrypt(after, sealed, alice);
    expect(rotated.keyId).toBe('new');
    expect(needsRotation(after, rotated)).toBe(false);
    expect(rotated.iv.equals(sealed.iv)).toBe(false);

    const retired = createKeyRing([{ id: 'new', key: after.keys.get('new') ?? generateKey() }]);
    expect(open(retired, rotated, alice).toString()).toBe('the secret');
    expect(failure(() => open(retired, sealed, alice)).code).toBe('unknown-key');
  });

  it('refuses to re-encrypt a record bound to another agent', () => {
    const { ring } = ringOf('k');
    const sealed = seal(ring, Buffer.from('x'), alice);
    expect(failure(() => reencrypt(ring, sealed, bob)).code).toBe('authentication-failed');
  });
});

describe('secret box properties', () => {
  const { ring } = ringOf('now', 'before');
  const context = fc.record({
    agentId: fc.string({ unit: 'grapheme', maxLength: 40 }),
    purpose: fc.constantFrom('totp-secret' as const, 'backup-code-seed' as const),
  });

  it('opens what it sealed, for any secret and agent, through the text form too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), context, (secret, ctx) => {
        const sealed = parseSealedSecret(formatSealedSecret(seal(ring, secret, ctx)));
        expect(open(ring, sealed, ctx).equals(Buffer.from(secret))).toBe(true);
      }),
    );
  });

  it('never opens a record under a different context', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), context, context, (secret, a, b) => {
        fc.pre(a.agentId !== b.agentId || a.purpose !== b.purpose);
        const sealed = seal(ring, secret, a);
        expect(failure(() => open(ring, sealed, b)).code).toBe('authentication-failed');
      }),
    );
  });
});
