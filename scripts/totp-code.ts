/**
 * This file prints the current support TOTP code of a secret, for walking the support journey of
 * `npm start` without an authenticator app. Usage: `npx tsx scripts/totp-code.ts <secret>`, where
 * the secret is the one the Support access card shows at enrolment (base32, spaces allowed) or
 * its `otpauth://` URI. Nothing is stored; the secret exists only in the running local stack.
 */
import { Secret, TOTP, URI } from 'otpauth';
import { TOTP_PARAMETERS } from '../src/backend/support/totp';

/** The TOTP of a base32 secret or an `otpauth://totp/…` URI, with the support card's parameters. */
export function totpOf(secretOrUri: string): TOTP {
  const text = secretOrUri.trim();
  if (text.startsWith('otpauth://')) {
    const parsed = URI.parse(text);
    if (!(parsed instanceof TOTP))
      throw new Error('That URI is not a TOTP key (otpauth://totp/…).');
    return parsed;
  }
  return new TOTP({
    secret: Secret.fromBase32(text.replace(/[\s-]/g, '').toUpperCase()),
    algorithm: TOTP_PARAMETERS.algorithm,
    digits: TOTP_PARAMETERS.digits,
    period: TOTP_PARAMETERS.periodSeconds,
  });
}

/** The code at `now` (epoch ms) and how many seconds it stays valid. */
export function currentCode(
  secretOrUri: string,
  now = Date.now(),
): { code: string; seconds: number } {
  const totp = totpOf(secretOrUri);
  const period = totp.period * 1000;
  return {
    code: totp.generate({ timestamp: now }),
    seconds: Math.ceil((period - (now % period)) / 1000),
  };
}

if (require.main === module) {
  const secret = process.argv.slice(2).join(' ');
  if (!secret) {
    console.error(
      'Usage: npx tsx scripts/totp-code.ts <secret shown at enrolment, or otpauth:// URI>',
    );
    process.exit(2);
  }
  try {
    const { code, seconds } = currentCode(secret);
    console.log(`${code}  (valid for ${seconds} s more)`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
