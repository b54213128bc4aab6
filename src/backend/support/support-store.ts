/**
 * This file defines the storage of support access (migrations/002_support.sql): second-factor
 * proofs (`support_auth`) and support sessions. Every method takes the `Sql` to run on, so that a
 * change and its audit event commit together. It also holds the port through which the anomaly
 * rules ask for an agent's open session (SupportSessions).
 */
import { randomUUID } from 'node:crypto';
import type { SupportSessionStatus, SupportSessionView } from '../../core/support-contract';
import type { Sql } from '../platform/db';
import { policies } from '../tenants/policy-store';

/** How long a passed second-factor check lets an agent open sessions. */
export const SECOND_FACTOR_PROOF_MINUTES = 30;
/** The longest a support session may last; tenant policy may shorten it. */
export const MAX_SESSION_MINUTES = 60;

/** A session's status as stored; `expired` is computed when shown. */
export type StoredSessionStatus = Exclude<SupportSessionStatus, 'expired'>;

/** A support session as the API shows it: the wire view plus its decision and lifecycle times. */
export interface SupportSessionRecord extends Omit<SupportSessionView, 'blockedByAlert'> {
  decidedAt: string | null;
  openedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
}

interface SessionRow {
  id: string;
  agent: string;
  tenant: string;
  target_user: string;
  ticket: string;
  justification: string;
  repair: boolean;
  repair_justification: string | null;
  minutes: number;
  status: StoredSessionStatus;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  opened_at: string | null;
  expires_at: string | null;
  closed_at: string | null;
  closed_by: string | null;
}

function sessionFromRow(row: SessionRow, nowIso: string): SupportSessionRecord {
  const expired = row.status === 'open' && row.expires_at !== null && row.expires_at <= nowIso;
  return {
    id: row.id,
    agent: row.agent,
    tenant: row.tenant,
    targetUser: row.target_user,
    ticket: row.ticket,
    justification: row.justification,
    repair: row.repair,
    repairJustification: row.repair_justification,
    minutes: row.minutes,
    status: expired ? 'expired' : row.status,
    createdAt: row.created_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    openedAt: row.opened_at,
    expiresAt: row.expires_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
  };
}

const plusMinutes = (iso: string, minutes: number): string =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** Second-factor proofs: created by a passed check, required to open sessions. */
export const supportAuth = {
  /** Records a passed check; returns when the proof expires. */
  async grant(
    sql: Sql,
    agent: string,
    method: 'totp' | 'backup-code',
    at: string,
  ): Promise<string> {
    const expiresAt = plusMinutes(at, SECOND_FACTOR_PROOF_MINUTES);
    await sql.query(
      'INSERT INTO support_auth (id, agent, method, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [randomUUID(), agent, method, at, expiresAt],
    );
    return expiresAt;
  },

  /** The end of the agent's latest valid proof, or null when there is none. */
  async validUntil(sql: Sql, agent: string, at: string): Promise<string | null> {
    const [row] = await sql.query<{ until: string | null }>(
      'SELECT max(expires_at) AS until FROM support_auth WHERE agent = $1 AND revoked_at IS NULL AND expires_at > $2',
      [agent, at],
    );
    return row?.until ?? null;
  },

  /** Revokes every proof of the agent (a reset of the factor). */
  async revokeAll(sql: Sql, agent: string, at: string): Promise<number> {
    const rows = await sql.query(
      'UPDATE support_auth SET revoked_at = $2 WHERE agent = $1 AND revoked_at IS NULL RETURNING id',
      [agent, at],
    );
    return rows.length;
  },
};

/** An open support session: an agent looking into one customer user, with a ticket. */
export interface SupportSession {
  id: string;
  agent: string;
  tenant: string;
  targetUser: string;
  /** True when the agent was granted a repair scope: write access to the user's contacts. */
  repair: boolean;
}

/** What opening a session needs. */
export interface NewSession {
  agent: string;
  tenant: string;
  targetUser: string;
  ticket: string;
  justification: string;
  repairJustification: string | null;
  minutes: number;
  /** `open` starts the clock now; `pending` waits for an admin of the tenant. */
  status: 'open' | 'pending';
}

/** Support sessions. */
export const supportSessions = {
  /** The agent's session with that id when it is open and not expired at `at`; null otherwise. */
  async openOf(sql: Sql, agent: string, id: string, at: string): Promise<SupportSession | null> {
    const [row] = await sql.query<{
      id: string;
      agent: string;
      tenant: string;
      target_user: string;
      repair: boolean;
    }>(
      `SELECT id, agent, tenant, target_user, repair FROM support_sessions
       WHERE id = $1 AND agent = $2 AND status = 'open' AND expires_at > $3`,
      [id, agent, at],
    );
    if (!row) return null;
    return {
      id: row.id,
      agent: row.agent,
      tenant: row.tenant,
      targetUser: row.target_user,
      repair: row.repair,
    };
  },

  async create(sql: Sql, input: NewSession, at: string): Promise<SupportSessionRecord> {
    const open = input.status === 'open';
    const [row] = await sql.query<SessionRow>(
      `INSERT INTO support_sessions (id, agent, tenant, target_user, ticket, justification, repair,
         repair_justification, minutes, status, created_at, opened_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
      [
        randomUUID(),
        input.agent,
        input.tenant,
        input.targetUser,
        input.ticket,
        input.justification,
        input.repairJustification !== null,
        input.repairJustification,
        input.minutes,
        input.status,
        at,
        open ? at : null,
        open ? plusMinutes(at, input.minutes) : null,
      ],
    );
    return sessionFromRow(row as SessionRow, at);
  },

  async get(
    sql: Sql,
    id: string,
    at: string,
    forUpdate = false,
  ): Promise<SupportSessionRecord | null> {
    const [row] = await sql.query<SessionRow>(
      `SELECT * FROM support_sessions WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return row ? sessionFromRow(row, at) : null;
  },

  /** Sessions filtered by agent and/or tenant and/or stored status, newest first (≤ 500). */
  async list(
    sql: Sql,
    filter: { agent?: string; tenant?: string; status?: StoredSessionStatus },
    at: string,
  ): Promise<SupportSessionRecord[]> {
    return (await supportSessions.page(sql, filter, at, 500)).sessions;
  },

  /**
   * One page of sessions, newest first, after `before` (the last session of the previous page);
   * `more` says whether another page follows.
   */
  async page(
    sql: Sql,
    filter: { agent?: string; tenant?: string; status?: StoredSessionStatus },
    at: string,
    limit: number,
    before?: { createdAt: string; id: string },
  ): Promise<{ sessions: SupportSessionRecord[]; more: boolean }> {
    const rows = await sql.query<SessionRow>(
      `SELECT * FROM support_sessions WHERE ($1::text IS NULL OR agent = $1)
         AND ($2::text IS NULL OR tenant = $2) AND ($3::text IS NULL OR status = $3)
         AND ($4::text IS NULL OR (created_at, id) < ($4, $5))
       ORDER BY created_at DESC, id DESC LIMIT $6`,
      [
        filter.agent ?? null,
        filter.tenant ?? null,
        filter.status ?? null,
        before?.createdAt ?? null,
        before?.id ?? '',
        limit + 1,
      ],
    );
    return {
      sessions: rows.slice(0, limit).map((row) => sessionFromRow(row, at)),
      more: rows.length > limit,
    };
  },

  /** An admin's decision on a pending session: approval starts its clock. */
  async decide(
    sql: Sql,
    id: string,
    decision: { approved: boolean; by: string; reason: string | null; minutes: number },
    at: string,
  ): Promise<void> {
    await sql.query(
      `UPDATE support_sessions SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5,
         minutes = $6, opened_at = $7, expires_at = $8 WHERE id = $1 AND status = 'pending'`,
      [
        id,
        decision.approved ? 'open' : 'refused',
        decision.by,
        at,
        decision.reason,
        decision.minutes,
        decision.approved ? at : null,
        decision.approved ? plusMinutes(at, decision.minutes) : null,
      ],
    );
  },

  async close(sql: Sql, id: string, by: string, at: string): Promise<void> {
    await sql.query(
      `UPDATE support_sessions SET status = 'closed', closed_at = $3, closed_by = $2
       WHERE id = $1 AND status IN ('open', 'pending')`,
      [id, by, at],
    );
  },
};

/** Finds open support sessions. */
export interface SupportSessions {
  /** The agent's open session with that id, or null when there is none (or it has ended). */
  openSession(agent: string, sessionId: string | undefined): Promise<SupportSession | null>;
}

/** No support sessions at all (a backend without support access, and some tests). */
export const noSupportSessions: SupportSessions = {
  async openSession() {
    return null;
  },
};

/**
 * Support sessions stored in `support_sessions`: a session is open while its status is `open`,
 * its end is in the future and its tenant's policy still allows support access.
 */
export class DatabaseSupportSessions implements SupportSessions {
  constructor(
    private readonly sql: Sql,
    private readonly clock: () => number,
  ) {}

  async openSession(agent: string, sessionId: string | undefined): Promise<SupportSession | null> {
    if (sessionId === undefined) return null;
    const session = await supportSessions.openOf(
      this.sql,
      agent,
      sessionId,
      new Date(this.clock()).toISOString(),
    );
    if (!session) return null;
    if ((await policies.get(this.sql, session.tenant)).supportAccess === 'disabled') return null;
    return session;
  }
}
