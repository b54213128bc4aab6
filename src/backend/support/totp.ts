/**
 * This file defines the support agents' TOTP second factor (RFC 6238 over otpauth): enrolment,
 * code verification within one step of drift, and replay refusal by the last accepted time step.
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** The fixed TOTP parameters: what every authenticator app accepts (RFC 6238 defaults). */
export const TOTP_PARAMETERS = {
  issuer: 'Shared Contacts',
  algorithm: 'SHA1',
  digits: 6,
  periodSeconds: 30,
  secretBytes: 20,
  driftSteps: 1,
} as const;

const CODE_PATTERN = /^[0-9]{6}$/;

/** What enrolment hands back once: the raw secret to seal and store, and its forms for the agent. */
export interface TotpEnrolment {
  /** The 160-bit secret; seal it with the secret box (purpose `totp-secret`) and never log it. */
  readonly secret: Buffer;
  /** The secret in base32 (RFC 4648, no padding). */
  readonly base32: string;
  /** The base32 secret in groups of four, for typing into an authenticator by hand. */
  readonly groupedBase32: string;
  /** The `otpauth://totp/...` key URI, with issuer "Shared Contacts" and the agent's e-mail as label. */
  readonly uri: string;
}

/** The outcome of checking a code. Only `ok: true` may open anything. */
export type TotpVerification =
  | {
      readonly ok: true;
      readonly method: 'totp';
      /** The time step the code belongs to: store it as the new last accepted step. */
      readonly step: number;
      /** The matched step minus the current step: -1, 0 or +1. */
      readonly drift: number;
    }
  | {
      readonly ok: false;
      /** `malformed`: not exactly six ASCII digits; `wrong`: no match within the drift window; `replayed`: its step is not after the last accepted one. */
      readonly reason: 'malformed' | 'wrong' | 'replayed';
    };

function toSecret(secret: Uint8Array): Secret {
  return new Secret({ buffer: Uint8Array.from(secret).buffer });
}

/** Splits a base32 secret into space-separated groups of four characters. */
export function groupInFours(base32: string): string {
  return (base32.match(/.{1,4}/g) ?? []).join(' ');
}

/** Returns the `otpauth://` key URI for an agent's secret. */
export function totpKeyUri(secret: Uint8Array, agentEmail: string): string {
  return new TOTP({
    issuer: TOTP_PARAMETERS.issuer,
    label: agentEmail,
    secret: toSecret(secret),
    algorithm: TOTP_PARAMETERS.algorithm,
    digits: TOTP_PARAMETERS.digits,
    period: TOTP_PARAMETERS.periodSeconds,
  }).toString();
}

/**
 * Creates a new TOTP secret for an agent: 160 bits from the operating system's CSPRNG
 * (`crypto.randomBytes`), with its base32 forms and key URI. The enrolment is pending until the
 * agent proves it with a first valid code ({@link verifyTotp} with `lastAcceptedStep: null`).
 */
export function createTotpEnrolment(agentEmail: string): TotpEnrolment {
  const secret = randomBytes(TOTP_PARAMETERS.secretBytes);
  const base32 = toSecret(secret).base32;
  return {
    secret,
    base32,
    groupedBase32: groupInFours(base32),
    uri: totpKeyUri(secret, agentEmail),
  };
}

/** Returns the RFC 6238 time step (30-second periods since the Unix epoch) of an instant. */
export function timeStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PARAMETERS.periodSeconds);
}

/**
 * Computes the code an authenticator shows at `nowMs` for a secret: what the agent's phone does.
 * The backend never needs it to verify; tests and the local emulator's authenticator use it.
 */
export function totpCodeAt(secret: Uint8Array, nowMs: number): string {
  return TOTP.generate({
    secret: toSecret(secret),
    algorithm: TOTP_PARAMETERS.algorithm,
    digits: TOTP_PARAMETERS.digits,
    period: TOTP_PARAMETERS.periodSeconds,
    timestamp: nowMs,
  });
}

/** Tells whether a code has the TOTP form: exactly six ASCII digits, nothing around them. */
export function isWellFormedTotpCode(code: string): boolean {
  return CODE_PATTERN.test(code);
}

/**
 * Checks a TOTP code at `nowMs`, accepting the current time step and one step either side, and
 * refusing a code whose step is not after `lastAcceptedStep` (RFC 6238 §5.2): a code is accepted
 * at most once, and never one older than an accepted one.
 *
 * Storage contract: on `ok: true` the caller must record `step` atomically, and only if it is still
 * newer than what is stored:
 * `UPDATE support_agent_factor SET totp_last_step = $step WHERE agent_id = $agent AND
 * (totp_last_step IS NULL OR totp_last_step < $step)`. Zero rows updated means a concurrent request
 * used the same (or a later) code first: treat it as `replayed`. Only after that update succeeds may
 * the caller grant anything. `lastAcceptedStep` is `null` before the first accepted code (enrolment
 * confirmation).
 */
export function verifyTotp(input: {
  readonly secret: Uint8Array;
  readonly code: string;
  readonly nowMs: number;
  readonly lastAcceptedStep: number | null;
}): TotpVerification {
  if (!isWellFormedTotpCode(input.code)) return { ok: false, reason: 'malformed' };
  const drift = TOTP.validate({
    token: input.code,
    secret: toSecret(input.secret),
    algorithm: TOTP_PARAMETERS.algorithm,
    digits: TOTP_PARAMETERS.digits,
    period: TOTP_PARAMETERS.periodSeconds,
    timestamp: input.nowMs,
    window: TOTP_PARAMETERS.driftSteps,
  });
  if (drift === null) return { ok: false, reason: 'wrong' };
  const step = timeStepAt(input.nowMs) + drift;
  if (!isAfterLastAcceptedStep(step, input.lastAcceptedStep)) {
    return { ok: false, reason: 'replayed' };
  }
  return { ok: true, method: 'totp', step, drift };
}

/**
 * The replay rule on its own: a step is acceptable only if it is strictly after the last accepted
 * one (or none was accepted yet). {@link verifyTotp} applies it; the conditional update described
 * there enforces it again in storage against concurrent requests.
 */
export function isAfterLastAcceptedStep(step: number, lastAcceptedStep: number | null): boolean {
  return lastAcceptedStep === null || step > lastAcceptedStep;
}
