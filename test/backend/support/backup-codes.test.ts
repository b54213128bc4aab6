/** Tests of the HOTP backup codes: generation, single use, reuse, malformed codes, mask checks. */
import fc from 'fast-check';
import {
  BackupCodeMaskError,
  deriveBackupCodes,
  generateBackupCodes,
  remainingBackupCodes,
  verifyBackupCode,
} from '../../../src/backend/support/backup-codes';

describe('backup codes', () => {
  const { seed, codes } = generateBackupCodes();

  it('creates ten distinct 8-digit codes from a fresh 160-bit seed', () => {
    expect(seed).toHaveLength(20);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    codes.forEach((code) => expect(code).toMatch(/^[0-9]{8}$/));
    expect(deriveBackupCodes(seed)).toEqual(codes);
    expect(generateBackupCodes().seed.equals(seed)).toBe(false);
  });

  it('accepts each code once, says it was a backup code, and counts down', () => {
    let usedMask = 0;
    codes.forEach((code, index) => {
      const result = verifyBackupCode({ seed, code, usedMask });
      expect(result).toEqual({
        ok: true,
        method: 'backup-code',
        index,
        usedMask: usedMask | (1 << index),
        remaining: 9 - index,
      });
      if (result.ok) usedMask = result.usedMask;
    });
    expect(usedMask).toBe(1023);
    expect(remainingBackupCodes(usedMask)).toBe(0);
  });

  it('refuses a used code as reused, in any order of use', () => {
    const third = codes[2] ?? '';
    const first = verifyBackupCode({ seed, code: third, usedMask: 0 });
    expect(first.ok).toBe(true);
    const usedMask = first.ok ? first.usedMask : 0;
    expect(usedMask).toBe(0b100);
    expect(verifyBackupCode({ seed, code: third, usedMask })).toEqual({
      ok: false,
      reason: 'reused',
    });
    expect(verifyBackupCode({ seed, code: codes[0] ?? '', usedMask }).ok).toBe(true);
  });

  it('refuses a code of another seed and the authenticator form as wrong or malformed', () => {
    const other = deriveBackupCodes(Buffer.alloc(20, 3)).filter((code) => !codes.includes(code));
    expect(verifyBackupCode({ seed, code: other[0] ?? '', usedMask: 0 })).toEqual({
      ok: false,
      reason: 'wrong',
    });
    expect(verifyBackupCode({ seed, code: '123456', usedMask: 0 })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it.each([
    ['a space inside', (code: string) => `${code.slice(0, 4)} ${code.slice(4)}`],
    ['a dash inside', (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`],
    ['a trailing space', (code: string) => `${code} `],
    ['nine digits', (code: string) => `${code}1`],
    [
      'Devanagari digits',
      (code: string) => code.replace(/[0-9]/g, (d) => String.fromCharCode(0x966 + Number(d))),
    ],
  ])('refuses a code with %s as malformed', (_name, mangle) => {
    expect(verifyBackupCode({ seed, code: mangle(codes[0] ?? ''), usedMask: 0 })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it.each([-1, 1024, 1.5, Number.NaN])('refuses a corrupted stored mask %p', (usedMask) => {
    expect(() => verifyBackupCode({ seed, code: codes[0] ?? '', usedMask })).toThrow(
      BackupCodeMaskError,
    );
  });

  it('accepts a code exactly when it is one of the ten and still unused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1023 }),
        fc.integer({ min: 0, max: 9 }),
        (usedMask, index) => {
          const code = codes[index] ?? '';
          const result = verifyBackupCode({ seed, code, usedMask });
          const unused = (usedMask & (1 << index)) === 0;
          expect(result.ok).toBe(unused);
          if (result.ok) {
            expect(result.index).toBe(index);
            expect(result.usedMask).toBe(usedMask | (1 << index));
            expect(result.remaining).toBe(remainingBackupCodes(usedMask) - 1);
          } else {
            expect(result.reason).toBe('reused');
          }
        },
      ),
    );
  });
});
