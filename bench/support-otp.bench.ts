/**
 * This file measures the support second factor's pure costs: sealing and opening a secret,
 * checking a TOTP code, checking a backup code (ten HOTP values), drawing the enrolment QR image.
 */
import { generateBackupCodes, verifyBackupCode } from '../src/backend/support/backup-codes';
import { renderQrCodeDataUrl } from '../src/backend/support/qr-code';
import { createKeyRing, generateKey, open, seal } from '../src/backend/support/secret-box';
import { createTotpEnrolment, totpCodeAt, verifyTotp } from '../src/backend/support/totp';

async function measure(name: string, runs: number, work: () => unknown): Promise<void> {
  for (let i = 0; i < Math.min(runs, 50); i += 1) await work();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i += 1) await work();
  const microseconds = Number(process.hrtime.bigint() - start) / 1000 / runs;
  console.log(`${name.padEnd(40)} ${microseconds.toFixed(1).padStart(9)} µs/op  (${runs} runs)`);
}

export async function run(): Promise<void> {
  const ring = createKeyRing([{ id: 'bench', key: generateKey() }]);
  const context = { agentId: 'agent@vendor.example', purpose: 'totp-secret' } as const;
  const enrolment = createTotpEnrolment(context.agentId);
  const sealed = seal(ring, enrolment.secret, context);
  const now = Date.now();
  const code = totpCodeAt(enrolment.secret, now);
  const backup = generateBackupCodes();
  const lastBackup = backup.codes[9] ?? '';

  await measure('seal (AES-256-GCM)', 20_000, () => seal(ring, enrolment.secret, context));
  await measure('open (AES-256-GCM)', 20_000, () => open(ring, sealed, context));
  await measure('verifyTotp, current code', 20_000, () =>
    verifyTotp({ secret: enrolment.secret, code, nowMs: now, lastAcceptedStep: null }),
  );
  await measure('verifyTotp, wrong code (3 steps)', 20_000, () =>
    verifyTotp({ secret: enrolment.secret, code: '000000', nowMs: now, lastAcceptedStep: null }),
  );
  await measure('verifyBackupCode (10 HOTP)', 5_000, () =>
    verifyBackupCode({ seed: backup.seed, code: lastBackup, usedMask: 0 }),
  );
  await measure('createTotpEnrolment', 5_000, () => createTotpEnrolment(context.agentId));
  await measure('renderQrCodeDataUrl (key URI)', 100, () => renderQrCodeDataUrl(enrolment.uri));
}
