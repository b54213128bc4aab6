/**
 * Tests of second-factor storage on a real PostgreSQL: enrolment, confirmation, replay and
 * backup-code races, throttling of parallel guesses, lock-out and reset, key rotation.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { loadMigrations, type Database, type Sql } from '../../../src/backend/platform/db';
import {
  secondFactors,
  type EnrolmentForAgent,
} from '../../../src/backend/support/second-factor-store';
import {
  SecretBoxError,
  createKeyRing,
  generateKey,
  type KeyRing,
} from '../../../src/backend/support/secret-box';
import { timeStepAt } from '../../../src/backend/support/totp';
import { Secret, TOTP, URI } from 'otpauth';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `support_factor_${randomBytes(4).toString('hex')}`;
const T0 = Date.UTC(2026, 3, 1, 8, 0, 5);
const STEP_MS = 30_000;

let pool: Pool;
let db: Sql & Pick<Database, 'transaction'>;

function runnerOf(client: { query: Pool['query'] }): Sql {
  return {
    query: async <Row>(text: string, params: unknown[] = []) =>
      (await client.query(text, params)).rows as Row[],
    exec: async (script: string) => {
      await client.query(script);
    },
  };
}

beforeAll(async () => {
  const admin = new Pool({ connectionString: DATABASE_URL });
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.end();
  pool = new Pool({ connectionString: DATABASE_URL, options: `-c search_path=${SCHEMA}`, max: 8 });
  db = {
    ...runnerOf(pool),
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(runnerOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  };
  // The schema as production has it: every migration, in order (002 creates the factor table).
  for (const migration of loadMigrations()) await pool.query(migration.sql);
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await pool.end();
});

const ring = createKeyRing([{ id: 'k1', key: generateKey() }]);
let agentCounter = 0;
const newAgent = (): string => `agent${(agentCounter += 1)}@vendor.example`;

/** The agent's authenticator: the code shown at a time, from the enrolment URI. */
function authenticator(enrolment: EnrolmentForAgent | 'already-enrolled'): (ms: number) => string {
  if (enrolment === 'already-enrolled') throw new Error('expected a new enrolment');
  const totp = URI.parse(enrolment.uri) as TOTP;
  return (ms) => totp.generate({ timestamp: ms });
}

/** A well-formed code that is none of the codes accepted at `ms`. */
function wrongCode(codeAt: (ms: number) => string, ms: number): string {
  const window = new Set([-1, 0, 1].map((d) => codeAt(ms + d * STEP_MS)));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!window.has(candidate)) return candidate;
  }
}

const verify = (agentId: string, code: string, nowMs: number, keyRing: KeyRing = ring) =>
  secondFactors.verify(db, { ring: keyRing, agentId, code, nowMs });

describe('second-factor storage (PostgreSQL)', () => {
  it('enrols pending, confirms with a first code, then refuses to re-enrol until reset', async () => {
    const agent = newAgent();
    const first = await secondFactors.enrol(db, ring, agent, T0);
    const replaced = await secondFactors.enrol(db, ring, agent, T0 + 1_000);
    const codeAt = authenticator(replaced);
    expect((await secondFactors.load(db, agent))?.confirmed).toBe(false);

    expect((await verify(agent, authenticator(first)(T0 + 2_000), T0 + 2_000)).outcome.ok).toBe(
      codeAt(T0 + 2_000) === authenticator(first)(T0 + 2_000),
    );
    const confirmed = await verify(agent, codeAt(T0 + 2_000), T0 + 2_000);
    expect(confirmed.outcome).toMatchObject({ ok: true, method: 'totp', confirmsEnrolment: true });
    const stored = await secondFactors.load(db, agent);
    expect(stored).toMatchObject({
      confirmed: true,
      lastAcceptedStep: timeStepAt(T0 + 2_000),
      failures: { consecutiveFailures: 0, lastFailureAtMs: null },
    });

    expect(await secondFactors.enrol(db, ring, agent, T0 + 3_000)).toBe('already-enrolled');
    expect(await secondFactors.reset(db, agent)).toBe(true);
    expect((await verify(agent, codeAt(T0 + 60_000), T0 + 60_000)).outcome).toMatchObject({
      ok: false,
      reason: 'not-enrolled',
    });
    expect(await secondFactors.enrol(db, ring, agent, T0 + 61_000)).not.toBe('already-enrolled');
  });

  it('shows the secret in groups of four and ten 8-digit backup codes at enrolment', async () => {
    const enrolment = await secondFactors.enrol(db, ring, newAgent(), T0);
    if (enrolment === 'already-enrolled') throw new Error('expected a new enrolment');
    const totp = URI.parse(enrolment.uri) as TOTP;
    expect(enrolment.groupedBase32.replace(/ /g, '')).toBe(totp.secret.base32);
    expect(Secret.fromBase32(totp.secret.base32).bytes).toHaveLength(20);
    expect(enrolment.backupCodes).toHaveLength(10);
    const row = await db.query<{ totp_secret: string; backup_seed: string }>(
      'SELECT totp_secret, backup_seed FROM support_agent_factor WHERE agent_id = $1',
      [totp.label],
    );
    expect(row[0]?.totp_secret).toMatch(/^v1\.k1\./);
    expect(JSON.stringify(row)).not.toContain(totp.secret.base32);
  });

  it('accepts a code once; the same code again is a counted replay', async () => {
    const agent = newAgent();
    const codeAt = authenticator(await secondFactors.enrol(db, ring, agent, T0));
    const code = codeAt(T0);
    expect((await verify(agent, code, T0)).outcome.ok).toBe(true);
    const again = await verify(agent, code, T0 + 10_000);
    expect(again.outcome).toMatchObject({ ok: false, reason: 'replayed', countsAsFailure: true });
    expect(again.failuresAfter.consecutiveFailures).toBe(1);
    const next = await verify(agent, codeAt(T0 + STEP_MS), T0 + STEP_MS);
    expect(next.outcome.ok).toBe(true);
    expect(next.failuresAfter.consecutiveFailures).toBe(0);
  });

  it('accepts one of ten parallel submissions of the same code; the replays count and then wait', async () => {
    const agent = newAgent();
    const code = authenticator(await secondFactors.enrol(db, ring, agent, T0))(T0);
    const results = await Promise.all(Array.from({ length: 10 }, () => verify(agent, code, T0)));
    const reasons = results.map((result) => (result.outcome.ok ? 'ok' : result.outcome.reason));
    expect(reasons.sort()).toEqual([
      'ok',
      ...Array(3).fill('replayed'),
      ...Array(6).fill('throttled'),
    ]);
  });

  it('throttles twenty parallel guesses one after another: three are checked, the rest wait', async () => {
    const agent = newAgent();
    const codeAt = authenticator(await secondFactors.enrol(db, ring, agent, T0));
    const guess = wrongCode(codeAt, T0);
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(agent, guess, T0)));
    const reasons = results.map((result) => (result.outcome.ok ? 'ok' : result.outcome.reason));
    expect(reasons.filter((reason) => reason === 'wrong')).toHaveLength(3);
    expect(reasons.filter((reason) => reason === 'throttled')).toHaveLength(17);
    expect((await secondFactors.load(db, agent))?.failures.consecutiveFailures).toBe(3);
  });

  it('locks out after ten failures, refuses even the right code, and a reset clears it', async () => {
    const agent = newAgent();
    const codeAt = authenticator(await secondFactors.enrol(db, ring, agent, T0));
    let now = T0;
    let last = await verify(agent, wrongCode(codeAt, now), now);
    while (!last.outcome.ok && last.failuresAfter.consecutiveFailures < 10) {
      now += 120_000;
      last = await verify(agent, wrongCode(codeAt, now), now);
      expect(last.outcome).toMatchObject({ ok: false, reason: 'wrong' });
    }
    expect(last.failuresAfter.consecutiveFailures).toBe(10);
    now += 24 * 3600 * 1000;
    expect((await verify(agent, codeAt(now), now)).outcome).toEqual({
      ok: false,
      reason: 'locked-out',
      countsAsFailure: false,
      retryAfterSeconds: null,
    });
    expect(await secondFactors.reset(db, agent)).toBe(true);
    const again = authenticator(await secondFactors.enrol(db, ring, agent, now));
    expect((await verify(agent, again(now), now)).outcome.ok).toBe(true);
  });

  it('takes each backup code once, also under parallel use, and says it was a backup code', async () => {
    const agent = newAgent();
    const enrolment = await secondFactors.enrol(db, ring, agent, T0);
    const codeAt = authenticator(enrolment);
    const backupCodes = enrolment === 'already-enrolled' ? [] : enrolment.backupCodes;
    expect((await verify(agent, backupCodes[0] ?? '', T0)).outcome).toMatchObject({
      reason: 'not-confirmed',
    });
    await verify(agent, codeAt(T0 + STEP_MS), T0 + STEP_MS);

    const parallel = await Promise.all(
      Array.from({ length: 6 }, () => verify(agent, backupCodes[4] ?? '', T0 + 40_000)),
    );
    const accepted = parallel.filter((result) => result.outcome.ok);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.outcome).toEqual({
      ok: true,
      method: 'backup-code',
      index: 4,
      usedMask: 0b10000,
      remaining: 9,
    });
    const reasons = parallel.map((result) => (result.outcome.ok ? 'ok' : result.outcome.reason));
    expect(reasons.sort()).toEqual(['ok', 'reused', 'reused', 'reused', 'throttled', 'throttled']);
    expect((await secondFactors.load(db, agent))?.backupUsedMask).toBe(0b10000);
  });

  it('refuses to open a secret row copied to another agent', async () => {
    const alice = newAgent();
    const bob = newAgent();
    const aliceCode = authenticator(await secondFactors.enrol(db, ring, alice, T0));
    await secondFactors.enrol(db, ring, bob, T0);
    await db.query(
      `UPDATE support_agent_factor SET totp_secret =
         (SELECT totp_secret FROM support_agent_factor WHERE agent_id = $1) WHERE agent_id = $2`,
      [alice, bob],
    );
    await expect(verify(bob, aliceCode(T0), T0)).rejects.toThrow(SecretBoxError);
    expect(await secondFactors.reset(db, bob)).toBe(true);
  });

  it('rotates every sealed value to the new key, reports a tampered row, and the old key can go', async () => {
    const agent = newAgent();
    const tampered = newAgent();
    const oldKey = ring.keys.get('k1') ?? generateKey();
    const codeAt = authenticator(await secondFactors.enrol(db, ring, agent, T0));
    await secondFactors.enrol(db, ring, tampered, T0);
    await db.query(
      `UPDATE support_agent_factor SET backup_seed =
         (SELECT backup_seed FROM support_agent_factor WHERE agent_id = $1) WHERE agent_id = $2`,
      [agent, tampered],
    );
    const both = createKeyRing([
      { id: 'k2', key: generateKey() },
      { id: 'k1', key: oldKey },
    ]);
    const report = await secondFactors.rotateKeys(db, both);
    expect(report.rotated).toBeGreaterThanOrEqual(3);
    expect(
      report.failed.map(({ agentId, column, error }) => [agentId, column, error.code]),
    ).toEqual([[tampered, 'backup_seed', 'authentication-failed']]);
    const again = await secondFactors.rotateKeys(db, both);
    expect(again.rotated).toBe(0);
    expect(again.failed).toHaveLength(1);

    const onlyNew = createKeyRing([{ id: 'k2', key: both.keys.get('k2') ?? generateKey() }]);
    expect((await verify(agent, codeAt(T0), T0, onlyNew)).outcome.ok).toBe(true);
    const row = await db.query<{ totp_secret: string; backup_seed: string }>(
      'SELECT totp_secret, backup_seed FROM support_agent_factor WHERE agent_id = $1',
      [agent],
    );
    expect(row[0]?.totp_secret.startsWith('v1.k2.')).toBe(true);
    expect(row[0]?.backup_seed.startsWith('v1.k2.')).toBe(true);
  });
});
