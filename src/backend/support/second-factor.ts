/**
 * This file defines the one check a support agent's code goes through: throttle first, then a
 * six-digit code as TOTP or an eight-digit code as a backup code, against the agent's stored
 * (sealed) factor. It decides; the caller applies the storage changes it names and audits.
 */
import {
  isWellFormedBackupCode,
  remainingBackupCodes,
  verifyBackupCode,
  type BackupCodeVerification,
} from './backup-codes';
import { open, type KeyRing, type SealedSecret } from './secret-box';
import {
  DEFAULT_THROTTLE_POLICY,
  assessAttempt,
  type FailureHistory,
  type ThrottlePolicy,
} from './throttle';
import { verifyTotp } from './totp';

/**
 * An agent's second factor as read from storage: one row of `support_agent_factor` (see
 * migration 002_support.sql), its sealed secrets parsed. `backupSeed`
 * is `null` only for a store that keeps no backup codes.
 */
export interface StoredSecondFactor {
  readonly agentId: string;
  readonly totpSecret: SealedSecret;
  readonly confirmed: boolean;
  readonly lastAcceptedStep: number | null;
  readonly backupSeed: SealedSecret | null;
  readonly backupUsedMask: number;
  readonly failures: FailureHistory;
}

/** Why a code was refused. */
export type RefusalReason =
  | 'not-enrolled'
  | 'locked-out'
  | 'throttled'
  | 'malformed'
  | 'wrong'
  | 'replayed'
  | 'reused'
  | 'not-confirmed';

/** The refusals of a code that was checked: each counts as a failed attempt. */
export type CountedRefusal = Exclude<RefusalReason, 'not-enrolled' | 'locked-out' | 'throttled'>;

/**
 * The decision on one code, with what the caller must store:
 * - `ok: true, method: 'totp'`: `UPDATE … SET totp_last_step = $step, failures = 0,
 *   last_failure_at = NULL, confirmed_at = COALESCE(confirmed_at, $now) WHERE agent_id = $agent AND
 *   (totp_last_step IS NULL OR totp_last_step < $step)`; zero rows → treat as `replayed`.
 * - `ok: true, method: 'backup-code'`: `UPDATE … SET backup_used_mask = backup_used_mask | $bit,
 *   failures = 0, last_failure_at = NULL WHERE agent_id = $agent AND backup_used_mask & $bit = 0`
 *   (`$bit = 1 << index`); zero rows → treat as `reused`. Audit it and raise a flag: the agent may
 *   have lost the authenticator.
 * - `ok: false` with `countsAsFailure`: `UPDATE … SET failures = failures + 1, last_failure_at =
 *   $now WHERE agent_id = $agent`. Throttle refusals do not count (the code was not checked).
 * Every outcome is an audit event (support login success or failure, with `reason`).
 */
export type SecondFactorOutcome =
  | {
      readonly ok: true;
      readonly method: 'totp';
      readonly step: number;
      readonly drift: number;
      /** True when this code confirms a pending enrolment. */
      readonly confirmsEnrolment: boolean;
    }
  | Extract<BackupCodeVerification, { ok: true }>
  | {
      readonly ok: false;
      readonly reason: 'not-enrolled' | 'locked-out' | 'throttled';
      readonly countsAsFailure: false;
      /** Seconds to wait when throttled; otherwise `null` (a lock-out lasts until a security manager resets the factor). */
      readonly retryAfterSeconds: number | null;
    }
  | {
      readonly ok: false;
      readonly reason: CountedRefusal;
      readonly countsAsFailure: true;
      readonly retryAfterSeconds: null;
    };

function refused(reason: CountedRefusal): SecondFactorOutcome {
  return { ok: false, reason, countsAsFailure: true, retryAfterSeconds: null };
}

/**
 * Checks a code an agent typed. Six ASCII digits are a TOTP code; eight are a backup code (only
 * once the enrolment is confirmed and backup codes exist); anything else is malformed. The
 * throttle is consulted first, so a locked-out or waiting agent's code is not even checked.
 * @throws SecretBoxError when a stored secret cannot be opened (missing key, tampered row): an
 * operator problem, to be reported as such and audited, never as a wrong code.
 */
export function checkSecondFactor(input: {
  readonly ring: KeyRing;
  readonly factor: StoredSecondFactor;
  readonly code: string;
  readonly nowMs: number;
  readonly policy?: ThrottlePolicy;
}): SecondFactorOutcome {
  const { ring, factor, code, nowMs } = input;
  const throttle = assessAttempt(factor.failures, nowMs, input.policy ?? DEFAULT_THROTTLE_POLICY);
  if (throttle.lockedOut) {
    return { ok: false, reason: 'locked-out', countsAsFailure: false, retryAfterSeconds: null };
  }
  if (!throttle.allowed) {
    return {
      ok: false,
      reason: 'throttled',
      countsAsFailure: false,
      retryAfterSeconds: throttle.retryAfterSeconds,
    };
  }
  if (isWellFormedBackupCode(code)) {
    if (!factor.confirmed || factor.backupSeed === null) return refused('not-confirmed');
    const seed = open(ring, factor.backupSeed, {
      agentId: factor.agentId,
      purpose: 'backup-code-seed',
    });
    try {
      const result = verifyBackupCode({ seed, code, usedMask: factor.backupUsedMask });
      return result.ok ? result : refused(result.reason);
    } finally {
      seed.fill(0);
    }
  }
  const secret = open(ring, factor.totpSecret, { agentId: factor.agentId, purpose: 'totp-secret' });
  try {
    const result = verifyTotp({ secret, code, nowMs, lastAcceptedStep: factor.lastAcceptedStep });
    if (!result.ok) return refused(result.reason);
    return { ...result, confirmsEnrolment: !factor.confirmed };
  } finally {
    secret.fill(0);
  }
}

/**
 * A message for the agent explaining a refusal, without saying more than the agent needs (a wrong
 * and a replayed code read alike, so an observer learns nothing from the difference).
 */
export function describeRefusal(reason: RefusalReason, retryAfterSeconds: number | null): string {
  switch (reason) {
    case 'not-enrolled':
      return 'You have no second factor yet: enrol an authenticator first.';
    case 'locked-out':
      return 'Too many wrong codes: your second factor is locked. Ask a security manager to reset it.';
    case 'throttled':
      return `Too many wrong codes: wait ${retryAfterSeconds ?? 1} s before trying again.`;
    case 'malformed':
      return 'Enter the 6-digit code from your authenticator, or an 8-digit backup code, digits only.';
    case 'wrong':
    case 'replayed':
      return 'That code is not valid. Wait for the next code from your authenticator and try again.';
    case 'reused':
      return 'That backup code has already been used. Use another one.';
    case 'not-confirmed':
      return 'Backup codes work only after the authenticator enrolment is confirmed with a first code.';
  }
}

/** The number of backup codes the agent has left, for the support card. */
export function backupCodesLeft(factor: StoredSecondFactor): number {
  return factor.backupSeed === null ? 0 : remainingBackupCodes(factor.backupUsedMask);
}
