/** Tests of the second-factor throttle: growing delays, lock-out, reset, policy validation. */
import fc from 'fast-check';
import {
  CLEAR_HISTORY,
  DEFAULT_THROTTLE_POLICY,
  ThrottlePolicyError,
  assessAttempt,
  delayAfterFailures,
  recordFailure,
  validateThrottlePolicy,
  type FailureHistory,
} from '../../../src/backend/support/throttle';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('throttle (RFC 4226 §7.3)', () => {
  it('lets the first three failures through at once, then doubles the delay from 1 s', () => {
    expect(Array.from({ length: 10 }, (_, failures) => delayAfterFailures(failures))).toEqual([
      0, 0, 0, 1, 2, 4, 8, 16, 32, 64,
    ]);
  });

  it('walks an attacker through delays into a lock-out that does not expire', () => {
    let history: FailureHistory = CLEAR_HISTORY;
    let now = T0;
    const waits: number[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const decision = assessAttempt(history, now);
      expect(decision.allowed).toBe(true);
      history = recordFailure(history, now);
      const next = assessAttempt(history, now);
      if (next.lockedOut) break;
      waits.push(next.retryAfterSeconds);
      now += next.retryAfterSeconds * 1000;
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 16, 32, 64]);
    expect(history.consecutiveFailures).toBe(10);
    const locked = { allowed: false, retryAfterSeconds: null, lockedOut: true };
    expect(assessAttempt(history, now)).toEqual(locked);
    expect(assessAttempt(history, now + 365 * 24 * 3600 * 1000)).toEqual(locked);
  });

  it('refuses an attempt inside the delay and tells how long is left, rounded up', () => {
    const history: FailureHistory = { consecutiveFailures: 5, lastFailureAtMs: T0 };
    expect(assessAttempt(history, T0)).toEqual({
      allowed: false,
      retryAfterSeconds: 4,
      lockedOut: false,
    });
    expect(assessAttempt(history, T0 + 2_500)).toEqual({
      allowed: false,
      retryAfterSeconds: 2,
      lockedOut: false,
    });
    expect(assessAttempt(history, T0 + 4_000)).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
      lockedOut: false,
    });
  });

  it('honours a last failure dated in the future (clock skew between instances)', () => {
    const history: FailureHistory = { consecutiveFailures: 4, lastFailureAtMs: T0 + 60_000 };
    expect(assessAttempt(history, T0)).toEqual({
      allowed: false,
      retryAfterSeconds: 62,
      lockedOut: false,
    });
    expect(assessAttempt(history, T0 + 62_000).allowed).toBe(true);
  });

  it('clears after a success or a security manager reset', () => {
    expect(assessAttempt(CLEAR_HISTORY, T0)).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
      lockedOut: false,
    });
  });

  it('follows a configured policy and caps the delay', () => {
    const policy = validateThrottlePolicy({
      freeFailures: 1,
      baseDelaySeconds: 5,
      maxDelaySeconds: 30,
      lockoutFailures: 6,
    });
    expect([0, 1, 2, 3, 4, 5].map((failures) => delayAfterFailures(failures, policy))).toEqual([
      0, 5, 10, 20, 30, 30,
    ]);
    expect(
      assessAttempt({ consecutiveFailures: 6, lastFailureAtMs: T0 }, T0, policy).lockedOut,
    ).toBe(true);
    expect(assessAttempt({ consecutiveFailures: 6, lastFailureAtMs: T0 }, T0).lockedOut).toBe(
      false,
    );
  });

  it.each([
    ['a negative number', { ...DEFAULT_THROTTLE_POLICY, freeFailures: -1 }, 'freeFailures'],
    ['a fraction', { ...DEFAULT_THROTTLE_POLICY, baseDelaySeconds: 0.5 }, 'baseDelaySeconds'],
    [
      'no attempt before lock-out',
      { ...DEFAULT_THROTTLE_POLICY, lockoutFailures: 0 },
      'lockoutFailures',
    ],
    ['a cap below the base', { ...DEFAULT_THROTTLE_POLICY, maxDelaySeconds: 0 }, 'maxDelaySeconds'],
  ])('refuses a policy with %s, naming the setting', (_name, policy, setting) => {
    expect(() => validateThrottlePolicy(policy)).toThrow(ThrottlePolicyError);
    expect(() => validateThrottlePolicy(policy)).toThrow(setting);
  });

  it('never allows an attempt before the delay has passed, nor any at or past the lock-out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: -120_000, max: 600_000 }),
        (failures, elapsedMs) => {
          const decision = assessAttempt(
            { consecutiveFailures: failures, lastFailureAtMs: T0 },
            T0 + elapsedMs,
          );
          if (failures >= 10) {
            expect(decision.lockedOut).toBe(true);
            expect(decision.allowed).toBe(false);
            return;
          }
          const delayMs = delayAfterFailures(failures) * 1000;
          expect(decision.allowed).toBe(delayMs === 0 || elapsedMs >= delayMs);
          if (!decision.allowed) {
            const retryAtMs = T0 + elapsedMs + (decision.retryAfterSeconds ?? 0) * 1000;
            expect(retryAtMs).toBeGreaterThanOrEqual(T0 + delayMs);
            expect(retryAtMs).toBeLessThan(T0 + delayMs + 1000);
          }
        },
      ),
    );
  });
});
