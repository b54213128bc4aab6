/** Tests of TOTP enrolment and verification: key URI, drift window, replay refusal, malformed codes. */
import fc from 'fast-check';
import { TOTP, URI } from 'otpauth';
import {
  createTotpEnrolment,
  groupInFours,
  isAfterLastAcceptedStep,
  timeStepAt,
  totpCodeAt,
  verifyTotp,
} from '../../../src/backend/support/totp';

const STEP_MS = 30_000;
/** The middle of a time step in 2026, so ±1 step stays inside the same neighbourhood. */
const NOW_MS = 59_000_000 * STEP_MS + 12_345;

describe('TOTP enrolment', () => {
  const enrolment = createTotpEnrolment('agent.one@vendor.example');

  it('creates a 160-bit secret, fresh each time', () => {
    expect(enrolment.secret).toHaveLength(20);
    expect(createTotpEnrolment('agent.one@vendor.example').secret.equals(enrolment.secret)).toBe(
      false,
    );
  });

  it('returns an otpauth:// URI for SHA-1, 6 digits, 30 s, issuer Shared Contacts, labelled by e-mail', () => {
    expect(enrolment.uri.startsWith('otpauth://totp/')).toBe(true);
    const parsed = URI.parse(enrolment.uri);
    expect(parsed).toBeInstanceOf(TOTP);
    const totp = parsed as TOTP;
    expect(totp.issuer).toBe('Shared Contacts');
    expect(totp.label).toBe('agent.one@vendor.example');
    expect(totp.algorithm).toBe('SHA1');
    expect(totp.digits).toBe(6);
    expect(totp.period).toBe(30);
    expect(Buffer.from(totp.secret.bytes).equals(enrolment.secret)).toBe(true);
  });

  it('gives the base32 secret whole and in groups of four', () => {
    expect(enrolment.base32).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.groupedBase32).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(enrolment.groupedBase32.replace(/ /g, '')).toBe(enrolment.base32);
    expect(groupInFours('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
  });

  it('is confirmed by a first valid code (no step accepted yet)', () => {
    const code = totpCodeAt(enrolment.secret, NOW_MS);
    expect(
      verifyTotp({ secret: enrolment.secret, code, nowMs: NOW_MS, lastAcceptedStep: null }),
    ).toEqual({ ok: true, method: 'totp', step: timeStepAt(NOW_MS), drift: 0 });
  });
});

describe('TOTP verification', () => {
  /** A fixed secret (the public RFC 6238 one) keeps these examples deterministic. */
  const secret = Buffer.from('12345678901234567890', 'ascii');
  const codeAtStepOffset = (offset: number): string =>
    totpCodeAt(secret, NOW_MS + offset * STEP_MS);
  const current = timeStepAt(NOW_MS);

  it.each([-1, 0, 1])('accepts a code %i step(s) away and returns its step', (offset) => {
    const result = verifyTotp({
      secret,
      code: codeAtStepOffset(offset),
      nowMs: NOW_MS,
      lastAcceptedStep: null,
    });
    expect(result).toEqual({ ok: true, method: 'totp', step: current + offset, drift: offset });
  });

  it.each([-3, -2, 2, 3])('refuses a code %i steps away as wrong', (offset) => {
    const code = codeAtStepOffset(offset);
    const window = [-1, 0, 1].map(codeAtStepOffset);
    expect(window).not.toContain(code);
    expect(verifyTotp({ secret, code, nowMs: NOW_MS, lastAcceptedStep: null })).toEqual({
      ok: false,
      reason: 'wrong',
    });
  });

  it('refuses a code made with another secret', () => {
    const code = totpCodeAt(Buffer.alloc(20, 7), NOW_MS);
    expect([-1, 0, 1].map(codeAtStepOffset)).not.toContain(code);
    expect(verifyTotp({ secret, code, nowMs: NOW_MS, lastAcceptedStep: null })).toEqual({
      ok: false,
      reason: 'wrong',
    });
  });

  it('refuses the same code twice once its step is stored (RFC 6238 §5.2)', () => {
    const code = codeAtStepOffset(0);
    const first = verifyTotp({ secret, code, nowMs: NOW_MS, lastAcceptedStep: current - 5 });
    expect(first.ok).toBe(true);
    const stored = first.ok ? first.step : null;
    expect(verifyTotp({ secret, code, nowMs: NOW_MS + 5_000, lastAcceptedStep: stored })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('refuses a code older than an accepted one, and accepts the next step', () => {
    const lastAcceptedStep = current + 1;
    expect(
      verifyTotp({ secret, code: codeAtStepOffset(0), nowMs: NOW_MS, lastAcceptedStep }),
    ).toEqual({ ok: false, reason: 'replayed' });
    expect(
      verifyTotp({ secret, code: codeAtStepOffset(-1), nowMs: NOW_MS, lastAcceptedStep }),
    ).toEqual({ ok: false, reason: 'replayed' });
    const later = NOW_MS + STEP_MS;
    expect(
      verifyTotp({
        secret,
        code: totpCodeAt(secret, later + STEP_MS),
        nowMs: later,
        lastAcceptedStep,
      }),
    ).toEqual({ ok: true, method: 'totp', step: current + 2, drift: 1 });
  });

  it('states the replay rule on its own', () => {
    expect(isAfterLastAcceptedStep(10, null)).toBe(true);
    expect(isAfterLastAcceptedStep(10, 9)).toBe(true);
    expect(isAfterLastAcceptedStep(10, 10)).toBe(false);
    expect(isAfterLastAcceptedStep(10, 11)).toBe(false);
  });

  const valid = (): string => codeAtStepOffset(0);
  it.each([
    ['empty', () => ''],
    ['five digits', () => valid().slice(0, 5)],
    ['seven digits', () => `${valid()}0`],
    ['a leading space', () => ` ${valid()}`],
    ['a trailing newline', () => `${valid()}\n`],
    ['a space inside', () => `${valid().slice(0, 3)} ${valid().slice(3)}`],
    [
      'Arabic-Indic digits',
      () => valid().replace(/[0-9]/g, (d) => String.fromCharCode(0x660 + Number(d))),
    ],
    [
      'fullwidth digits',
      () => valid().replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))),
    ],
    ['letters', () => 'abcdef'],
    ['a sign', () => `-${valid().slice(1)}`],
    ['an 8-digit backup-code form', () => '12345678'],
  ])('refuses a code with %s as malformed', (_name, make) => {
    expect(verifyTotp({ secret, code: make(), nowMs: NOW_MS, lastAcceptedStep: null })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});

describe('TOTP properties', () => {
  it('accepts exactly the codes of the current step and its two neighbours, returning the matching step', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: -6, max: 6 }),
        (secret, nowMs, offset) => {
          const code = totpCodeAt(secret, nowMs + offset * STEP_MS);
          const result = verifyTotp({ secret, code, nowMs, lastAcceptedStep: null });
          const window = [-1, 0, 1].map((d) => totpCodeAt(secret, nowMs + d * STEP_MS));
          expect(result.ok).toBe(window.includes(code));
          if (result.ok) {
            expect(Math.abs(result.drift)).toBeLessThanOrEqual(1);
            expect(result.step).toBe(timeStepAt(nowMs) + result.drift);
            expect(totpCodeAt(secret, result.step * STEP_MS)).toBe(code);
          }
        },
      ),
    );
  });

  it('never accepts a code whose step is not after the last accepted one', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: -1, max: 1 }),
        fc.integer({ min: 0, max: 3 }),
        (secret, nowMs, offset, ahead) => {
          const step = timeStepAt(nowMs) + offset;
          const code = totpCodeAt(secret, step * STEP_MS);
          const lastAcceptedStep = step + ahead - 1;
          const result = verifyTotp({ secret, code, nowMs, lastAcceptedStep });
          if (result.ok) {
            expect(result.step).toBeGreaterThan(lastAcceptedStep);
            expect(totpCodeAt(secret, result.step * STEP_MS)).toBe(code);
          }
          const window = [-1, 0, 1].map((d) => totpCodeAt(secret, nowMs + d * STEP_MS));
          if (new Set(window).size === window.length) expect(result.ok).toBe(ahead === 0);
        },
      ),
    );
  });
});
