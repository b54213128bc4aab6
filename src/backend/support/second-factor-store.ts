/**
 * This file defines the storage of support agents' second factors in PostgreSQL (or PGlite): the
 * table, enrolment, the one-transaction code check (row lock, throttle, atomic step and backup-code
 * updates), a security manager's reset, and key rotation.
 * Backend data access: stores are object literals of functions taking sql; services are classes.
 */
import type { Database, Sql } from '../platform/db';
import { generateBackupCodes } from './backup-codes';
import {
  checkSecondFactor,
  type SecondFactorOutcome,
  type StoredSecondFactor,
} from './second-factor';
import {
  formatSealedSecret,
  needsRotation,
  parseSealedSecret,
  reencrypt,
  seal,
  SecretBoxError,
  type KeyRing,
  type SealContext,
  type SealedSecret,
} from './secret-box';
import {
  CLEAR_HISTORY,
  DEFAULT_THROTTLE_POLICY,
  type FailureHistory,
  type ThrottlePolicy,
} from './throttle';
import { createTotpEnrolment } from './totp';

/*
 * The table is `support_agent_factor` (migration 002). Sealed secrets are stored in their text
 * form (key id readable for rotation); `totp_last_step` is the last accepted RFC 6238 time step
 * (an INTEGER lasts until the year 4000); `backup_used_mask` has bit i set once backup code i is
 * used.
 */

interface FactorRow {
  agent_id: string;
  totp_secret: string;
  backup_seed: string;
  backup_used_mask: number;
  confirmed_at: Date | null;
  totp_last_step: number | null;
  failures: number;
  last_failure_at: Date | null;
}

const COLUMNS =
  'agent_id, totp_secret, backup_seed, backup_used_mask, confirmed_at, totp_last_step, failures, last_failure_at';

function toFactor(row: FactorRow): StoredSecondFactor {
  return {
    agentId: row.agent_id,
    totpSecret: parseSealedSecret(row.totp_secret),
    confirmed: row.confirmed_at !== null,
    lastAcceptedStep: row.totp_last_step,
    backupSeed: parseSealedSecret(row.backup_seed),
    backupUsedMask: row.backup_used_mask,
    failures: {
      consecutiveFailures: row.failures,
      lastFailureAtMs: row.last_failure_at === null ? null : row.last_failure_at.getTime(),
    },
  };
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** The result of a code check once stored: the outcome and the failure history it left. */
export interface StoredAttempt {
  readonly outcome: SecondFactorOutcome;
  /** The agent's history after this attempt; a counted failure may have locked the agent out. */
  readonly failuresAfter: FailureHistory;
}

/** What an agent sees once at enrolment; none of it is stored in clear. */
export interface EnrolmentForAgent {
  readonly uri: string;
  readonly groupedBase32: string;
  readonly backupCodes: readonly string[];
}

/** What a rotation did: values re-encrypted, and those that could not be opened (left as they were). */
export interface RotationReport {
  readonly rotated: number;
  readonly failed: ReadonlyArray<{
    readonly agentId: string;
    readonly column: 'totp_secret' | 'backup_seed';
    readonly error: SecretBoxError;
  }>;
}

async function recordFailure(tx: Sql, agentId: string, nowMs: number): Promise<FailureHistory> {
  const rows = await tx.query<{ failures: number; last_failure_at: Date }>(
    `UPDATE support_agent_factor SET failures = failures + 1, last_failure_at = $2::timestamptz
     WHERE agent_id = $1 RETURNING failures, last_failure_at`,
    [agentId, timestamp(nowMs)],
  );
  const row = rows[0];
  return row === undefined
    ? CLEAR_HISTORY
    : { consecutiveFailures: row.failures, lastFailureAtMs: row.last_failure_at.getTime() };
}

async function storeSuccess(
  tx: Sql,
  agentId: string,
  outcome: Extract<SecondFactorOutcome, { ok: true }>,
  nowMs: number,
): Promise<boolean> {
  const rows =
    outcome.method === 'totp'
      ? await tx.query(
          `UPDATE support_agent_factor SET totp_last_step = $2, failures = 0, last_failure_at = NULL,
             confirmed_at = COALESCE(confirmed_at, $3::timestamptz)
           WHERE agent_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)
           RETURNING agent_id`,
          [agentId, outcome.step, timestamp(nowMs)],
        )
      : await tx.query(
          `UPDATE support_agent_factor SET backup_used_mask = backup_used_mask | $2,
             failures = 0, last_failure_at = NULL
           WHERE agent_id = $1 AND backup_used_mask & $2 = 0 RETURNING agent_id`,
          [agentId, 1 << outcome.index],
        );
  return rows.length === 1;
}

/** Reads and writes support agents' second factors. */
export const secondFactors = {
  /** Reads an agent's second factor, or `null` when the agent has not enrolled. */
  async load(sql: Sql, agentId: string): Promise<StoredSecondFactor | null> {
    const rows = await sql.query<FactorRow>(
      `SELECT ${COLUMNS} FROM support_agent_factor WHERE agent_id = $1`,
      [agentId],
    );
    return rows[0] === undefined ? null : toFactor(rows[0]);
  },

  /**
   * Stores a new enrolment (sealed TOTP secret and backup-code seed), pending until a first valid
   * code. It replaces a pending enrolment but never a confirmed one: that needs a security manager's
   * {@link secondFactors.reset} first, so a stolen first factor cannot re-enrol.
   * @returns `enrolled`, or `already-enrolled` when a confirmed factor exists (nothing is changed).
   */
  async storeEnrolment(
    sql: Sql,
    agentId: string,
    sealed: { totpSecret: SealedSecret; backupSeed: SealedSecret },
    nowMs: number,
  ): Promise<'enrolled' | 'already-enrolled'> {
    const rows = await sql.query(
      `INSERT INTO support_agent_factor (agent_id, totp_secret, backup_seed, enrolled_at)
     VALUES ($1, $2, $3, $4::timestamptz)
     ON CONFLICT (agent_id) DO UPDATE SET
       totp_secret = EXCLUDED.totp_secret, backup_seed = EXCLUDED.backup_seed,
       backup_used_mask = 0, enrolled_at = EXCLUDED.enrolled_at, totp_last_step = NULL,
       failures = 0, last_failure_at = NULL
     WHERE support_agent_factor.confirmed_at IS NULL
     RETURNING agent_id`,
      [
        agentId,
        formatSealedSecret(sealed.totpSecret),
        formatSealedSecret(sealed.backupSeed),
        timestamp(nowMs),
      ],
    );
    return rows.length === 1 ? 'enrolled' : 'already-enrolled';
  },

  /**
   * Enrols an agent: creates the TOTP secret and the backup-code seed, seals both under the ring's
   * current key bound to the agent, and stores them pending confirmation
   * (see {@link secondFactors.storeEnrolment}).
   * @returns what to show the agent once, or `already-enrolled`.
   */
  async enrol(
    sql: Sql,
    ring: KeyRing,
    agentEmail: string,
    nowMs: number,
  ): Promise<EnrolmentForAgent | 'already-enrolled'> {
    const totp = createTotpEnrolment(agentEmail);
    const backup = generateBackupCodes();
    try {
      const stored = await secondFactors.storeEnrolment(
        sql,
        agentEmail,
        {
          totpSecret: seal(ring, totp.secret, { agentId: agentEmail, purpose: 'totp-secret' }),
          backupSeed: seal(ring, backup.seed, { agentId: agentEmail, purpose: 'backup-code-seed' }),
        },
        nowMs,
      );
      if (stored === 'already-enrolled') return stored;
      return { uri: totp.uri, groupedBase32: totp.groupedBase32, backupCodes: backup.codes };
    } finally {
      totp.secret.fill(0);
      backup.seed.fill(0);
    }
  },

  /** A security manager's reset: removes the factor (and its failure history); the agent enrols again. */
  async reset(sql: Sql, agentId: string): Promise<boolean> {
    const rows = await sql.query(
      'DELETE FROM support_agent_factor WHERE agent_id = $1 RETURNING agent_id',
      [agentId],
    );
    return rows.length === 1;
  },

  /**
   * Checks an agent's code and stores the result, in one transaction holding the agent's row lock
   * (`SELECT … FOR UPDATE`), so parallel guesses are throttled one after another and a code cannot
   * be accepted twice. Success stores the step or the used backup code and clears the failures; a
   * checked refusal adds a failure; throttle refusals change nothing. The caller audits every
   * outcome, flags a backup-code use, and raises an alert when `failuresAfter` shows a lock-out.
   * @throws SecretBoxError when a stored secret cannot be opened (an operator problem).
   */
  async verify(
    db: Sql & Pick<Database, 'transaction'>,
    input: {
      readonly ring: KeyRing;
      readonly agentId: string;
      readonly code: string;
      readonly nowMs: number;
      readonly policy?: ThrottlePolicy;
    },
  ): Promise<StoredAttempt> {
    return db.transaction(async (tx) => {
      const rows = await tx.query<FactorRow>(
        `SELECT ${COLUMNS} FROM support_agent_factor WHERE agent_id = $1 FOR UPDATE`,
        [input.agentId],
      );
      if (rows[0] === undefined) {
        return {
          outcome: {
            ok: false,
            reason: 'not-enrolled',
            countsAsFailure: false,
            retryAfterSeconds: null,
          },
          failuresAfter: CLEAR_HISTORY,
        };
      }
      const factor = toFactor(rows[0]);
      const outcome = checkSecondFactor({
        ring: input.ring,
        factor,
        code: input.code,
        nowMs: input.nowMs,
        policy: input.policy ?? DEFAULT_THROTTLE_POLICY,
      });
      if (outcome.ok) {
        if (await storeSuccess(tx, input.agentId, outcome, input.nowMs)) {
          return { outcome, failuresAfter: CLEAR_HISTORY };
        }
        const reason = outcome.method === 'totp' ? 'replayed' : 'reused';
        return {
          outcome: { ok: false, reason, countsAsFailure: true, retryAfterSeconds: null },
          failuresAfter: await recordFailure(tx, input.agentId, input.nowMs),
        };
      }
      if (!outcome.countsAsFailure) return { outcome, failuresAfter: factor.failures };
      return { outcome, failuresAfter: await recordFailure(tx, input.agentId, input.nowMs) };
    });
  },

  /**
   * Re-encrypts every sealed secret not under the ring's current key, one conditional update per
   * value (`WHERE … = $old`), so a concurrent enrolment is never overwritten. A value that cannot be
   * opened (its key is missing, or the row was tampered with) is reported and left alone, so one bad
   * row does not stop the rotation. Run it after putting a new key first in the ring; remove the old
   * key once a run reports nothing rotated and nothing failed.
   */
  async rotateKeys(sql: Sql, ring: KeyRing): Promise<RotationReport> {
    const rows = await sql.query<Pick<FactorRow, 'agent_id' | 'totp_secret' | 'backup_seed'>>(
      `SELECT agent_id, totp_secret, backup_seed FROM support_agent_factor
     WHERE split_part(totp_secret, '.', 2) <> $1 OR split_part(backup_seed, '.', 2) <> $1
     ORDER BY agent_id`,
      [ring.currentKeyId],
    );
    let rotated = 0;
    const failed: Array<RotationReport['failed'][number]> = [];
    for (const row of rows) {
      const fields = [
        ['totp_secret', row.totp_secret, 'totp-secret'],
        ['backup_seed', row.backup_seed, 'backup-code-seed'],
      ] as const;
      for (const [column, text, purpose] of fields) {
        let replacement: string;
        try {
          const sealed = parseSealedSecret(text);
          if (!needsRotation(ring, sealed)) continue;
          const context: SealContext = { agentId: row.agent_id, purpose };
          replacement = formatSealedSecret(reencrypt(ring, sealed, context));
        } catch (error) {
          if (!(error instanceof SecretBoxError)) throw error;
          failed.push({ agentId: row.agent_id, column, error });
          continue;
        }
        const updated = await sql.query(
          `UPDATE support_agent_factor SET ${column} = $3 WHERE agent_id = $1 AND ${column} = $2
         RETURNING agent_id`,
          [row.agent_id, text, replacement],
        );
        rotated += updated.length;
      }
    }
    return { rotated, failed };
  },
};
