/**
 * This file defines the agents' ten single-use backup codes: HOTP values (RFC 4226, 8 digits) of a
 * separate random seed at counters 0–9. Storage keeps the sealed seed and a bit mask of used codes.
 *
 * Why HOTP of a seed rather than random codes stored as hashes: it is what RFC 4226 specifies; one
 * sealed value (under the same secret box and key rotation as the TOTP secret) replaces ten hashes;
 * and eight-digit codes are too short for a plain hash to resist an offline search, so hashes would
 * need a keyed pepper anyway. Eight digits also keep a backup code apart from a six-digit TOTP code.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';

/** How many backup codes an agent has, their length, and the seed size. */
export const BACKUP_CODE_PARAMETERS = {
  count: 10,
  digits: 8,
  algorithm: 'SHA1',
  seedBytes: 20,
} as const;

/** The used-codes mask with every code used. */
const ALL_USED_MASK = (1 << BACKUP_CODE_PARAMETERS.count) - 1;
const CODE_PATTERN = /^[0-9]{8}$/;

/** A fresh set of backup codes: seal `seed` (purpose `backup-code-seed`); show `codes` once. */
export interface BackupCodeSet {
  readonly seed: Buffer;
  readonly codes: readonly string[];
}

/** The outcome of checking a backup code. */
export type BackupCodeVerification =
  | {
      readonly ok: true;
      /** Tells the caller this was a backup code: audit it and flag it for a security manager. */
      readonly method: 'backup-code';
      /** Which code (its HOTP counter, 0–9) was used. */
      readonly index: number;
      /** The stored mask with this code marked used. */
      readonly usedMask: number;
      /** Codes left after this one. */
      readonly remaining: number;
    }
  | {
      readonly ok: false;
      /** `malformed`: not exactly eight ASCII digits; `wrong`: none of the ten; `reused`: a code already used. */
      readonly reason: 'malformed' | 'wrong' | 'reused';
    };

/** A stored used-codes mask that is not a whole number between 0 and 1023. */
export class BackupCodeMaskError extends Error {
  constructor(mask: number) {
    super(
      `The stored backup-code mask ${mask} is not a whole number between 0 and ${ALL_USED_MASK}.`,
    );
    this.name = 'BackupCodeMaskError';
  }
}

function hotpAt(seed: Uint8Array, counter: number): string {
  return HOTP.generate({
    secret: new Secret({ buffer: Uint8Array.from(seed).buffer }),
    algorithm: BACKUP_CODE_PARAMETERS.algorithm,
    digits: BACKUP_CODE_PARAMETERS.digits,
    counter,
  });
}

/** Returns the ten codes of a seed, in counter order 0–9. */
export function deriveBackupCodes(seed: Uint8Array): string[] {
  return Array.from({ length: BACKUP_CODE_PARAMETERS.count }, (_, counter) =>
    hotpAt(seed, counter),
  );
}

/**
 * Creates a new seed (160 bits from the CSPRNG) and its ten codes, drawing again in the rare case
 * (about 1 in 2 million) that two codes coincide. Storing it replaces any earlier set:
 * `UPDATE … SET backup_seed = $sealedSeed, backup_used_mask = 0`.
 */
export function generateBackupCodes(): BackupCodeSet {
  for (;;) {
    const seed = randomBytes(BACKUP_CODE_PARAMETERS.seedBytes);
    const codes = deriveBackupCodes(seed);
    if (new Set(codes).size === codes.length) return { seed, codes };
  }
}

/** Tells whether a code has the backup-code form: exactly eight ASCII digits. */
export function isWellFormedBackupCode(code: string): boolean {
  return CODE_PATTERN.test(code);
}

/** Counts the unused codes in a mask. */
export function remainingBackupCodes(usedMask: number): number {
  assertMask(usedMask);
  let remaining = 0;
  for (let index = 0; index < BACKUP_CODE_PARAMETERS.count; index += 1) {
    if ((usedMask & (1 << index)) === 0) remaining += 1;
  }
  return remaining;
}

function assertMask(usedMask: number): void {
  if (!Number.isInteger(usedMask) || usedMask < 0 || usedMask > ALL_USED_MASK) {
    throw new BackupCodeMaskError(usedMask);
  }
}

/**
 * Checks a backup code against the ten codes of `seed`, comparing with every one in constant time.
 *
 * Storage contract: on `ok: true` the caller marks the code used atomically and only if it is
 * still unused: `UPDATE support_agent_factor SET backup_used_mask = backup_used_mask | $bit WHERE
 * agent_id = $agent AND backup_used_mask & $bit = 0` with `$bit = 1 << index`. Zero rows updated
 * means a concurrent request used it first: treat it as `reused`. Then it audits the use and flags
 * it (a lost authenticator) for a security manager.
 * @throws BackupCodeMaskError when `usedMask` is out of range (a corrupted row).
 */
export function verifyBackupCode(input: {
  readonly seed: Uint8Array;
  readonly code: string;
  readonly usedMask: number;
}): BackupCodeVerification {
  assertMask(input.usedMask);
  if (!isWellFormedBackupCode(input.code)) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(input.code, 'ascii');
  let matched = -1;
  for (const [index, code] of deriveBackupCodes(input.seed).entries()) {
    if (timingSafeEqual(given, Buffer.from(code, 'ascii'))) matched = index;
  }
  if (matched < 0) return { ok: false, reason: 'wrong' };
  const bit = 1 << matched;
  if ((input.usedMask & bit) !== 0) return { ok: false, reason: 'reused' };
  const usedMask = input.usedMask | bit;
  return {
    ok: true,
    method: 'backup-code',
    index: matched,
    usedMask,
    remaining: remainingBackupCodes(usedMask),
  };
}
