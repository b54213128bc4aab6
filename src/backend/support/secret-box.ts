/**
 * This file defines the secret box that keeps support agents' OTP secrets encrypted at rest:
 * AES-256-GCM under a key ring (the first key seals, every key opens), bound to the agent and purpose.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { truncateText } from '../platform/text';

/** The environment variable that holds the key ring locally (`keyId:base64key[,keyId:base64key]`). */
export const KEY_RING_VARIABLE = 'OTP_ENCRYPTION_KEYS';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const RECORD_VERSION = 'v1';

/** Why a secret-box operation failed; operators act on the code, never on key material. */
export type SecretBoxErrorCode =
  'bad-key-ring' | 'bad-key-length' | 'unknown-key' | 'malformed-record' | 'authentication-failed';

/** A failure of the secret box. The message names the key id or the setting at fault, never a key. */
export class SecretBoxError extends Error {
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** The encryption keys: `currentKeyId` seals new records; every key in `keys` may open old ones. */
export interface KeyRing {
  readonly currentKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/**
 * What a sealed secret is bound to. Both go into the GCM associated data, so a record copied to
 * another agent, or a backup-code seed stored as a TOTP secret, fails to open.
 */
export interface SealContext {
  readonly agentId: string;
  readonly purpose: 'totp-secret' | 'backup-code-seed';
}

/** An encrypted secret as stored: the key id that sealed it, a random 96-bit IV, the ciphertext and the 128-bit tag. */
export interface SealedSecret {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * Builds a key ring from explicit keys. The first entry is the current key.
 * @throws SecretBoxError `bad-key-ring` for no keys, a malformed or duplicate id; `bad-key-length` for a key that is not 32 bytes.
 */
export function createKeyRing(entries: ReadonlyArray<{ id: string; key: Uint8Array }>): KeyRing {
  const first = entries[0];
  if (first === undefined) {
    throw new SecretBoxError('bad-key-ring', 'The OTP key ring holds no key.');
  }
  const keys = new Map<string, Buffer>();
  for (const { id, key } of entries) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new SecretBoxError(
        'bad-key-ring',
        `OTP key id "${truncateText(id, 64)}" is invalid: use 1–64 letters, digits, "_" or "-".`,
      );
    }
    if (keys.has(id)) {
      throw new SecretBoxError('bad-key-ring', `OTP key id "${id}" appears twice in the key ring.`);
    }
    if (key.length !== KEY_BYTES) {
      throw new SecretBoxError(
        'bad-key-length',
        `OTP key "${id}" is ${key.length} bytes long; AES-256 needs exactly ${KEY_BYTES}.`,
      );
    }
    keys.set(id, Buffer.from(key));
  }
  return { currentKeyId: first.id, keys };
}

/**
 * Parses a key ring written as `keyId:base64key[,keyId:base64key…]` (standard base64 of 32 bytes),
 * the first key being current. This is the format of {@link KEY_RING_VARIABLE} and of the secret
 * store entry in production.
 * @throws SecretBoxError naming the entry at fault (by position and id, never by its key).
 */
export function parseKeyRing(spec: string): KeyRing {
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new SecretBoxError(
          'bad-key-ring',
          `OTP key ring entry ${index + 1} is not "keyId:base64key".`,
        );
      }
      const id = entry.slice(0, colon);
      const encoded = entry.slice(colon + 1);
      if (!BASE64_PATTERN.test(encoded)) {
        throw new SecretBoxError(
          'bad-key-ring',
          `OTP key "${truncateText(id, 64)}" is not valid base64.`,
        );
      }
      return { id, key: Buffer.from(encoded, 'base64') };
    });
  return createKeyRing(entries);
}

/**
 * Reads the key ring from the environment ({@link KEY_RING_VARIABLE} unless another name is given).
 * @throws SecretBoxError `bad-key-ring` when the variable is unset or empty, or as {@link parseKeyRing}.
 */
export function keyRingFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  variable: string = KEY_RING_VARIABLE,
): KeyRing {
  const spec = env[variable];
  if (spec === undefined || spec.trim() === '') {
    throw new SecretBoxError(
      'bad-key-ring',
      `${variable} is not set: give it "keyId:base64key" with a 32-byte key (e.g. from \`openssl rand -base64 32\`).`,
    );
  }
  return parseKeyRing(spec);
}

/** Generates a fresh random 32-byte key, for tests and for operators creating a new key ring entry. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function associatedData(context: SealContext): Buffer {
  return Buffer.from(
    JSON.stringify(['shared-contacts', RECORD_VERSION, context.purpose, context.agentId]),
    'utf8',
  );
}

function keyFor(ring: KeyRing, keyId: string): Buffer {
  const key = ring.keys.get(keyId);
  if (key === undefined) {
    throw new SecretBoxError(
      'unknown-key',
      `The secret was sealed with OTP key "${keyId}", which is not in the key ring; add it back until rotation has re-encrypted every record.`,
    );
  }
  return key;
}

/** Encrypts `plaintext` under the ring's current key with a fresh random IV, bound to `context`. */
export function seal(ring: KeyRing, plaintext: Uint8Array, context: SealContext): SealedSecret {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyFor(ring, ring.currentKeyId), iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(associatedData(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { keyId: ring.currentKeyId, iv, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Decrypts a sealed secret and checks that it belongs to `context`.
 * @throws SecretBoxError `unknown-key` when its key is not in the ring; `malformed-record` for a
 * wrong IV or tag length; `authentication-failed` when the record was altered or belongs to
 * another agent or purpose (GCM cannot tell these apart).
 */
export function open(ring: KeyRing, sealed: SealedSecret, context: SealContext): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
    throw new SecretBoxError(
      'malformed-record',
      `The sealed secret has a ${sealed.iv.length}-byte IV and a ${sealed.tag.length}-byte tag; expected ${IV_BYTES} and ${TAG_BYTES}.`,
    );
  }
  const decipher = createDecipheriv(ALGORITHM, keyFor(ring, sealed.keyId), sealed.iv, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(associatedData(context));
  decipher.setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    throw new SecretBoxError(
      'authentication-failed',
      `The sealed ${context.purpose} of agent "${context.agentId}" failed authentication: it was altered, or belongs to another agent or purpose.`,
    );
  }
}

/** Tells whether a record is sealed under an older key and should be re-encrypted. */
export function needsRotation(ring: KeyRing, sealed: SealedSecret): boolean {
  return sealed.keyId !== ring.currentKeyId;
}

/**
 * Re-encrypts a record under the ring's current key (with a fresh IV), for key rotation. The old
 * key must still be in the ring. The caller stores the result with a conditional update on the old
 * key id, so a concurrent rotation or re-enrolment is not overwritten.
 * @throws SecretBoxError as {@link open}.
 */
export function reencrypt(ring: KeyRing, sealed: SealedSecret, context: SealContext): SealedSecret {
  const plaintext = open(ring, sealed, context);
  try {
    return seal(ring, plaintext, context);
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Writes a sealed secret as one text value, `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url), for a
 * single TEXT column. The key id stays readable so rotation can select old records.
 */
export function formatSealedSecret(sealed: SealedSecret): string {
  return [
    RECORD_VERSION,
    sealed.keyId,
    sealed.iv.toString('base64url'),
    sealed.ciphertext.toString('base64url'),
    sealed.tag.toString('base64url'),
  ].join('.');
}

/**
 * Reads the text form written by {@link formatSealedSecret}.
 * @throws SecretBoxError `malformed-record` when the text is not in that form.
 */
export function parseSealedSecret(text: string): SealedSecret {
  const parts = text.split('.');
  const [version, keyId, iv, ciphertext, tag] = parts;
  if (
    parts.length !== 5 ||
    version !== RECORD_VERSION ||
    keyId === undefined ||
    !KEY_ID_PATTERN.test(keyId) ||
    iv === undefined ||
    ciphertext === undefined ||
    tag === undefined ||
    ![iv, ciphertext, tag].every((part) => BASE64URL_PATTERN.test(part))
  ) {
    throw new SecretBoxError(
      'malformed-record',
      `The stored secret is not a "${RECORD_VERSION}.<keyId>.<iv>.<ciphertext>.<tag>" record.`,
    );
  }
  return {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
}
