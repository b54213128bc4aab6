/** Tests of otpauth and the support OTP modules against the published RFC 4226 and RFC 6238 vectors. */
import { HOTP, Secret, TOTP } from 'otpauth';
import { deriveBackupCodes } from '../../../src/backend/support/backup-codes';
import { timeStepAt, totpCodeAt, verifyTotp } from '../../../src/backend/support/totp';

const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

/** RFC 4226 Appendix D: count, truncated value in decimal, 6-digit HOTP. */
const HOTP_VECTORS: ReadonlyArray<[number, number, string]> = [
  [0, 1284755224, '755224'],
  [1, 1094287082, '287082'],
  [2, 137359152, '359152'],
  [3, 1726969429, '969429'],
  [4, 1640338314, '338314'],
  [5, 868254676, '254676'],
  [6, 1918287922, '287922'],
  [7, 82162583, '162583'],
  [8, 673399871, '399871'],
  [9, 645520489, '520489'],
];

/** RFC 6238 Appendix B, SHA-1 rows: time in seconds, time step (hex T), 8-digit TOTP. */
const TOTP_VECTORS: ReadonlyArray<[number, number, string]> = [
  [59, 0x1, '94287082'],
  [1111111109, 0x23523ec, '07081804'],
  [1111111111, 0x23523ed, '14050471'],
  [1234567890, 0x273ef07, '89005924'],
  [2000000000, 0x3f940aa, '69279037'],
  [20000000000, 0x27bc86aa, '65353130'],
];

const secret = (): Secret => new Secret({ buffer: Uint8Array.from(RFC_SECRET).buffer });

describe('RFC 4226 Appendix D (HOTP)', () => {
  it.each(HOTP_VECTORS)('count %i gives the published 6-digit value', (count, _truncated, hotp) => {
    expect(HOTP.generate({ secret: secret(), counter: count, digits: 6 })).toBe(hotp);
  });

  it('gives the 8-digit backup codes as the last eight digits of the truncated values', () => {
    const expected = HOTP_VECTORS.map(([, truncated]) => String(truncated % 1e8).padStart(8, '0'));
    expect(deriveBackupCodes(RFC_SECRET)).toEqual(expected);
  });
});

describe('RFC 6238 Appendix B (TOTP, SHA-1)', () => {
  it.each(TOTP_VECTORS)('time %i gives the published 8-digit value', (seconds, _step, totp) => {
    expect(
      TOTP.generate({ secret: secret(), algorithm: 'SHA1', digits: 8, timestamp: seconds * 1000 }),
    ).toBe(totp);
  });

  it.each(TOTP_VECTORS)('time %i is in time step %i', (seconds, step) => {
    expect(timeStepAt(seconds * 1000)).toBe(step);
  });

  it.each(TOTP_VECTORS)(
    'time %i: the 6-digit code is the last six digits and verifies at its step',
    (seconds, step, totp) => {
      const code = totp.slice(-6);
      expect(totpCodeAt(RFC_SECRET, seconds * 1000)).toBe(code);
      expect(
        verifyTotp({ secret: RFC_SECRET, code, nowMs: seconds * 1000, lastAcceptedStep: null }),
      ).toEqual({ ok: true, method: 'totp', step, drift: 0 });
    },
  );
});
