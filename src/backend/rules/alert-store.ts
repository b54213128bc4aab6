/**
 * This file defines the alerts raised by the anomaly rules, over the database; every method takes
 * the `Sql` to run on, so that a change and its audit event commit together in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../platform/db';
import { fromRow, type RowOf } from '../platform/rows';

export type AlertStatus = 'open' | 'justified' | 'resolved';

/** An alert raised by an anomaly rule against an actor. */
export interface Alert {
  id: string;
  tenant: string;
  actor: string;
  rule: string;
  status: AlertStatus;
  summary: string;
  createdAt: string;
  justification: string | null;
  justifiedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  resolvedAt: string | null;
}

type AlertRow = RowOf<Alert>;

const ALERT_FIELDS = [
  'id',
  'tenant',
  'actor',
  'rule',
  'status',
  'summary',
  'createdAt',
  'justification',
  'justifiedAt',
  'resolvedBy',
  'resolution',
  'resolvedAt',
] as const satisfies ReadonlyArray<keyof Alert>;

function alertFromRow(row: AlertRow): Alert {
  return fromRow(row, ALERT_FIELDS);
}

/** Reads and writes alerts. At most one unresolved alert exists per actor and rule. */
export const alerts = {
  /** Raises an alert unless the actor already has an unresolved one for the rule; null then. */
  async raise(
    sql: Sql,
    input: { tenant: string; actor: string; rule: string; summary: string },
    at: string,
  ): Promise<Alert | null> {
    const rows = await sql.query<AlertRow>(
      `INSERT INTO alerts (id, tenant, actor, rule, status, summary, created_at)
       VALUES ($1, $2, $3, $4, 'open', $5, $6)
       ON CONFLICT (actor, rule) WHERE status <> 'resolved' DO NOTHING RETURNING *`,
      [randomUUID(), input.tenant, input.actor, input.rule, input.summary, at],
    );
    return rows[0] ? alertFromRow(rows[0]) : null;
  },

  async get(sql: Sql, id: string, forUpdate = false): Promise<Alert | null> {
    const [row] = await sql.query<AlertRow>(
      `SELECT * FROM alerts WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return row ? alertFromRow(row) : null;
  },

  async list(
    sql: Sql,
    filter: { status?: AlertStatus; actor?: string; tenant?: string },
  ): Promise<Alert[]> {
    const rows = await sql.query<AlertRow>(
      `SELECT * FROM alerts WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR actor = $2)
       AND ($3::text IS NULL OR tenant = $3) ORDER BY created_at DESC, id LIMIT 500`,
      [filter.status ?? null, filter.actor ?? null, filter.tenant ?? null],
    );
    return rows.map(alertFromRow);
  },

  async justify(sql: Sql, id: string, justification: string, at: string): Promise<void> {
    await sql.query(
      "UPDATE alerts SET status = 'justified', justification = $2, justified_at = $3 WHERE id = $1",
      [id, justification, at],
    );
  },

  async resolve(sql: Sql, id: string, by: string, resolution: string, at: string): Promise<void> {
    await sql.query(
      "UPDATE alerts SET status = 'resolved', resolved_by = $2, resolution = $3, resolved_at = $4 WHERE id = $1",
      [id, by, resolution, at],
    );
  },

  /** True when the actor has an alert that is not resolved yet: it blocks their support access. */
  async blocks(sql: Sql, actor: string): Promise<boolean> {
    const rows = await sql.query(
      "SELECT 1 FROM alerts WHERE actor = $1 AND status <> 'resolved' LIMIT 1",
      [actor],
    );
    return rows.length > 0;
  },
};
