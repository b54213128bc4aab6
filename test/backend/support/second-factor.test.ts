/** Tests of the combined second-factor check: throttle first, TOTP or backup code, sealed secrets, messages. */
import { generateBackupCodes } from '../../../src/backend/support/backup-codes';
import {
  backupCodesLeft,
  checkSecondFactor,
  describeRefusal,
  type RefusalReason,
  type StoredSecondFactor,
} from '../../../src/backend/support/second-factor';
import {
  SecretBoxError,
  createKeyRing,
  generateKey,
  seal,
} from '../../../src/backend/support/secret-box';
import { CLEAR_HISTORY } from '../../../src/backend/support/throttle';
import { createTotpEnrolment, timeStepAt, totpCodeAt } from '../../../src/backend/support/totp';

const AGENT = 'agent@vendor.example';
const NOW_MS = Date.UTC(2026, 2, 1, 10, 0, 10);
const ring = createKeyRing([{ id: 'k1', key: generateKey() }]);
const totp = createTotpEnrolment(AGENT);
const backup = generateBackupCodes();

function factor(overrides: Partial<StoredSecondFactor> = {}): StoredSecondFactor {
  return {
    agentId: AGENT,
    totpSecret: seal(ring, totp.secret, { agentId: AGENT, purpose: 'totp-secret' }),
    confirmed: true,
    lastAcceptedStep: timeStepAt(NOW_MS) - 10,
    backupSeed: seal(ring, backup.seed, { agentId: AGENT, purpose: 'backup-code-seed' }),
    backupUsedMask: 0,
    failures: CLEAR_HISTORY,
    ...overrides,
  };
}

const check = (stored: StoredSecondFactor, code: string, nowMs = NOW_MS) =>
  checkSecondFactor({ ring, factor: stored, code, nowMs });

describe('second-factor check', () => {
  it('accepts the current TOTP code and says whether it confirms the enrolment', () => {
    const code = totpCodeAt(totp.secret, NOW_MS);
    expect(check(factor(), code)).toEqual({
      ok: true,
      method: 'totp',
      step: timeStepAt(NOW_MS),
      drift: 0,
      confirmsEnrolment: false,
    });
    expect(check(factor({ confirmed: false, lastAcceptedStep: null }), code)).toMatchObject({
      ok: true,
      confirmsEnrolment: true,
    });
  });

  it('refuses a replayed TOTP code as a counted failure', () => {
    const code = totpCodeAt(totp.secret, NOW_MS);
    expect(check(factor({ lastAcceptedStep: timeStepAt(NOW_MS) }), code)).toEqual({
      ok: false,
      reason: 'replayed',
      countsAsFailure: true,
      retryAfterSeconds: null,
    });
  });

  it('routes an 8-digit code to the backup codes and reports the method', () => {
    expect(check(factor({ backupUsedMask: 0b1 }), backup.codes[3] ?? '')).toEqual({
      ok: true,
      method: 'backup-code',
      index: 3,
      usedMask: 0b1001,
      remaining: 8,
    });
    expect(check(factor({ backupUsedMask: 0b1000 }), backup.codes[3] ?? '')).toMatchObject({
      ok: false,
      reason: 'reused',
      countsAsFailure: true,
    });
  });

  it('refuses backup codes before the enrolment is confirmed', () => {
    expect(check(factor({ confirmed: false }), backup.codes[0] ?? '')).toMatchObject({
      ok: false,
      reason: 'not-confirmed',
    });
    expect(check(factor({ backupSeed: null }), backup.codes[0] ?? '')).toMatchObject({
      ok: false,
      reason: 'not-confirmed',
    });
  });

  it.each(['', '12345', '1234567', 'abcdefgh', '١٢٣٤٥٦', '123 456'])(
    'refuses "%s" as malformed',
    (code) => {
      expect(check(factor(), code)).toMatchObject({
        ok: false,
        reason: 'malformed',
        countsAsFailure: true,
      });
    },
  );

  it('does not check a code while throttled or locked out, and does not count it', () => {
    const good = totpCodeAt(totp.secret, NOW_MS);
    expect(
      check(
        factor({ failures: { consecutiveFailures: 6, lastFailureAtMs: NOW_MS - 1_000 } }),
        good,
      ),
    ).toEqual({ ok: false, reason: 'throttled', countsAsFailure: false, retryAfterSeconds: 7 });
    expect(
      check(factor({ failures: { consecutiveFailures: 10, lastFailureAtMs: NOW_MS - 1e9 } }), good),
    ).toEqual({ ok: false, reason: 'locked-out', countsAsFailure: false, retryAfterSeconds: null });
    expect(
      check(
        factor({ failures: { consecutiveFailures: 10, lastFailureAtMs: 0 } }),
        backup.codes[0] ?? '',
      ),
    ).toMatchObject({ ok: false, reason: 'locked-out' });
  });

  it('raises SecretBoxError, not a wrong code, when the stored secret belongs to another agent', () => {
    const stolen = seal(ring, totp.secret, {
      agentId: 'other@vendor.example',
      purpose: 'totp-secret',
    });
    expect(() => check(factor({ totpSecret: stolen }), totpCodeAt(totp.secret, NOW_MS))).toThrow(
      SecretBoxError,
    );
  });

  it('counts the backup codes left', () => {
    expect(backupCodesLeft(factor({ backupUsedMask: 0b111 }))).toBe(7);
    expect(backupCodesLeft(factor({ backupSeed: null }))).toBe(0);
  });

  it('explains every refusal, and a wrong code exactly like a replayed one', () => {
    const reasons: RefusalReason[] = [
      'not-enrolled',
      'locked-out',
      'throttled',
      'malformed',
      'wrong',
      'replayed',
      'reused',
      'not-confirmed',
    ];
    reasons.forEach((reason) => expect(describeRefusal(reason, 5).length).toBeGreaterThan(20));
    expect(describeRefusal('wrong', null)).toBe(describeRefusal('replayed', null));
    expect(describeRefusal('throttled', 12)).toContain('12 s');
    expect(describeRefusal('locked-out', null)).toContain('security manager');
  });
});
