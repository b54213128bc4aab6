/**
 * This file defines the throttle on second-factor attempts (RFC 4226 §7.3): after a few consecutive
 * failures each attempt waits a doubling delay, and past a limit the agent is locked out until a
 * security manager resets the factor. The history lives in storage, so it holds across sessions.
 */

/** The throttle's thresholds. */
export interface ThrottlePolicy {
  /** Consecutive failures allowed without any delay. */
  readonly freeFailures: number;
  /** The delay after the first failure past `freeFailures`; it doubles with each further failure. */
  readonly baseDelaySeconds: number;
  /** The longest delay between attempts. */
  readonly maxDelaySeconds: number;
  /** Consecutive failures that lock the agent out until a security manager resets the factor. */
  readonly lockoutFailures: number;
}

/** Delays of 1, 2, 4 … 64 s from the 3rd failure on; lock-out at the 10th consecutive failure. */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freeFailures: 3,
  baseDelaySeconds: 1,
  maxDelaySeconds: 300,
  lockoutFailures: 10,
};

/**
 * An agent's stored failure history. Storage contract: a failed check (wrong, replayed or malformed
 * code, TOTP or backup code alike) runs `UPDATE … SET failures = failures + 1, last_failure_at = $now
 * WHERE agent_id = $agent` (an increment in SQL, so concurrent failures all count); an accepted code
 * and a security manager's reset set `failures = 0`. Attempts refused by the throttle itself are not
 * checked and not counted.
 */
export interface FailureHistory {
  readonly consecutiveFailures: number;
  /** Milliseconds since the epoch of the last failure; `null` when there is none. */
  readonly lastFailureAtMs: number | null;
}

/** Whether an attempt may be checked now. */
export type ThrottleDecision =
  | { readonly allowed: true; readonly retryAfterSeconds: 0; readonly lockedOut: false }
  | { readonly allowed: false; readonly retryAfterSeconds: number; readonly lockedOut: false }
  | { readonly allowed: false; readonly retryAfterSeconds: null; readonly lockedOut: true };

/** A throttle policy that cannot work as written. */
export class ThrottlePolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThrottlePolicyError';
  }
}

/**
 * Checks that a policy is usable: whole, non-negative numbers; at least one attempt before lock-out.
 * @throws ThrottlePolicyError naming the setting at fault.
 */
export function validateThrottlePolicy(policy: ThrottlePolicy): ThrottlePolicy {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new ThrottlePolicyError(`Throttle setting ${name} must be a whole number ≥ 0.`);
    }
  }
  if (policy.lockoutFailures < 1) {
    throw new ThrottlePolicyError('Throttle setting lockoutFailures must be at least 1.');
  }
  if (policy.maxDelaySeconds < policy.baseDelaySeconds) {
    throw new ThrottlePolicyError(
      'Throttle setting maxDelaySeconds must not be below baseDelaySeconds.',
    );
  }
  return policy;
}

/** The delay, in seconds, imposed after `failures` consecutive failures (before any lock-out). */
export function delayAfterFailures(
  failures: number,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): number {
  if (failures < policy.freeFailures) return 0;
  const doublings = failures - policy.freeFailures;
  const delay = policy.baseDelaySeconds * 2 ** Math.min(doublings, 52);
  return Math.min(delay, policy.maxDelaySeconds);
}

/**
 * Decides whether an agent with this failure history may have a code checked at `nowMs`. Locked out
 * from `lockoutFailures` consecutive failures on, with no expiry; otherwise delayed until the last
 * failure plus {@link delayAfterFailures}, and `retryAfterSeconds` is exactly that wait, rounded up.
 * A last failure dated in the future (clock skew between instances) is honoured as stored.
 */
export function assessAttempt(
  history: FailureHistory,
  nowMs: number,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): ThrottleDecision {
  if (history.consecutiveFailures >= policy.lockoutFailures) {
    return { allowed: false, retryAfterSeconds: null, lockedOut: true };
  }
  const delayMs = delayAfterFailures(history.consecutiveFailures, policy) * 1000;
  if (delayMs === 0 || history.lastFailureAtMs === null) {
    return { allowed: true, retryAfterSeconds: 0, lockedOut: false };
  }
  const waitMs = history.lastFailureAtMs + delayMs - nowMs;
  if (waitMs <= 0) return { allowed: true, retryAfterSeconds: 0, lockedOut: false };
  return { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000), lockedOut: false };
}

/** The history after one more failure at `nowMs`: what the SQL increment in the contract produces. */
export function recordFailure(history: FailureHistory, nowMs: number): FailureHistory {
  return { consecutiveFailures: history.consecutiveFailures + 1, lastFailureAtMs: nowMs };
}

/** The history after an accepted code or a security manager's reset. */
export const CLEAR_HISTORY: FailureHistory = { consecutiveFailures: 0, lastFailureAtMs: null };
