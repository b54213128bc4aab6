/**
 * This file purges audit events older than their tenant's retention period (the policy's
 * `auditRetentionDays`, 400 days by default) without breaking verification of what remains:
 * for each chain it finds the retention cut (the last event such that it and every event before
 * it are older than the period), anchors that cut outside the database (anchoring.ts) before
 * anything is deleted, then calls `audit_purge` (migration 007), the one path by which the
 * database lets events be deleted: it records the cut and deletes the events up to it in one
 * statement. Verification then starts from the cut's hash (audit-log.ts verify), and the anchor
 * proves the cut is ours (docs/security.md, the trust boundary).
 */
import type { BackendServices } from '../services';
import { MIN_AUDIT_RETENTION_DAYS } from '../tenants/policy-schemas';
import { policies } from '../tenants/policy-store';
import type { Cut } from './anchoring';

/** What a purge did. */
export interface PurgeReport {
  /** Chains cut, with their new cut. */
  cuts: { tenant: string; seq: number; deleted: number }[];
  /** Whether the cuts were anchored before deleting (false when anchoring is not configured). */
  anchored: boolean;
}

/** Purges every chain's events older than its retention period; `now` in ms. */
export async function purgeExpiredEvents(
  services: BackendServices,
  now: number = services.clock(),
): Promise<PurgeReport> {
  const { db, audit } = services;
  // Only chains whose oldest remaining event is older than the shortest period a policy may set
  // are looked at more closely: one statement, an index lookup per chain.
  const shortest = Math.min(MIN_AUDIT_RETENTION_DAYS, services.config.auditRetentionDays);
  const heads = await db.query<{ tenant: string; seq: string }>(
    `SELECT h.tenant, h.seq::text AS seq FROM audit_heads h
     JOIN audit_events e ON e.tenant = h.tenant
       AND e.seq = coalesce((SELECT max(c.seq) FROM audit_cuts c WHERE c.tenant = h.tenant), 0) + 1
     WHERE e.received_at < $1
     ORDER BY h.tenant`,
    [new Date(now - shortest * 86_400_000).toISOString()],
  );
  const pending = new Map<string, Cut>();
  for (const head of heads) {
    const policy = await policies.get(db, head.tenant);
    const days = policy.auditRetentionDays ?? services.config.auditRetentionDays;
    const cutoff = new Date(now - days * 86_400_000).toISOString();
    // The first event inside the period, walking the chain in order: everything before it goes.
    const [first] = await db.query<{ seq: string }>(
      `SELECT seq::text AS seq FROM audit_events WHERE tenant = $1 AND received_at >= $2
       ORDER BY seq LIMIT 1`,
      [head.tenant, cutoff],
    );
    const through = (first ? Number(first.seq) : Number(head.seq) + 1) - 1;
    const current = await audit.cutOf(head.tenant);
    if (through <= current.seq) continue;
    const [event] = await db.query<{ hash: string }>(
      'SELECT hash FROM audit_events WHERE tenant = $1 AND seq = $2',
      [head.tenant, through],
    );
    if (event) pending.set(head.tenant, { seq: through, hash: event.hash });
  }
  const report: PurgeReport = { cuts: [], anchored: false };
  if (pending.size === 0) return report;
  if (services.anchoring) {
    await services.anchoring.publish(pending);
    report.anchored = true;
  }
  const at = new Date(now).toISOString();
  for (const [tenant, cut] of pending) {
    const [row] = await db.query<{ deleted: string }>(
      'SELECT audit_purge($1, $2, $3, $4)::text AS deleted',
      [tenant, cut.seq, cut.hash, at],
    );
    report.cuts.push({ tenant, seq: cut.seq, deleted: Number(row?.deleted ?? 0) });
  }
  return report;
}
