/**
 * This file defines the backend's registries over the database: tenant policies, shares and
 * alerts. Every method takes the `Sql` to run on, so that a change and its audit event commit
 * together in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { HideableField, Share, ShareGrant } from '../../core/sharing-model';
import type { Sql } from '../platform/db';
import type { TenantPolicy } from '../platform/schemas';

/**
 * The policy of a tenant that has not set one: no external sharing, everyone may share, and the
 * vendor's support needs an admin's approval until an admin chooses otherwise.
 */
export const DEFAULT_POLICY: TenantPolicy = {
  externalSharing: false,
  allowedExternalDomains: [],
  whoMayShare: 'everyone',
  maxLevel: 'manage',
  supportAccess: 'approval_required',
};

/** Reads and writes tenant policies. */
export const policies = {
  async get(sql: Sql, domain: string): Promise<TenantPolicy> {
    const [row] = await sql.query<{ policy: TenantPolicy }>(
      'SELECT policy FROM tenant_policies WHERE domain = $1',
      [domain],
    );
    return row ? { ...DEFAULT_POLICY, ...row.policy } : DEFAULT_POLICY;
  },

  /** True once an admin saved the tenant's policy (until then DEFAULT_POLICY applies). */
  async isSet(sql: Sql, domain: string): Promise<boolean> {
    const rows = await sql.query('SELECT 1 FROM tenant_policies WHERE domain = $1', [domain]);
    return rows.length > 0;
  },

  async put(sql: Sql, domain: string, policy: TenantPolicy, by: string, at: string): Promise<void> {
    await sql.query(
      `INSERT INTO tenant_policies (domain, policy, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (domain) DO UPDATE SET policy = $2, updated_at = $3, updated_by = $4`,
      [domain, JSON.stringify(policy), at, by],
    );
  },
};

interface ShareRow {
  id: string;
  domain: string;
  owner: string;
  label_resource_name: string;
  label_name: string;
  grants: ShareGrant[];
  hidden_fields: HideableField[];
  created_at: string;
  updated_at: string;
  offered_to: string | null;
  former_owner: string | null;
  former_label: string | null;
}

function shareFromRow(row: ShareRow): Share {
  return {
    id: row.id,
    domain: row.domain,
    owner: row.owner,
    labelResourceName: row.label_resource_name,
    labelName: row.label_name,
    grants: row.grants,
    hiddenFields: row.hidden_fields,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    offeredTo: row.offered_to ?? null,
    formerOwner: row.former_owner ?? null,
    formerLabel: row.former_label ?? null,
  };
}

/** Lower-cases the addresses and domains of grants, so that lookups by containment match. */
export function normaliseGrants(grants: ShareGrant[]): ShareGrant[] {
  return grants.map((grant) => ({
    level: grant.level,
    target:
      grant.target.kind === 'domain'
        ? { kind: 'domain', domain: grant.target.domain.toLowerCase() }
        : { kind: grant.target.kind, email: grant.target.email.toLowerCase() },
  }));
}

/** Reads and writes the share registry; revoked shares are kept (for the audit) but not listed. */
export const shares = {
  async create(
    sql: Sql,
    input: Omit<Share, 'id' | 'createdAt' | 'updatedAt'>,
    at: string,
  ): Promise<Share> {
    const share: Share = { ...input, id: randomUUID(), createdAt: at, updatedAt: at };
    await sql.query(
      `INSERT INTO shares (id, domain, owner, label_resource_name, label_name, grants, hidden_fields, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
      [
        share.id,
        share.domain,
        share.owner,
        share.labelResourceName,
        share.labelName,
        JSON.stringify(share.grants),
        JSON.stringify(share.hiddenFields),
        at,
      ],
    );
    return share;
  },

  async get(sql: Sql, id: string, forUpdate = false): Promise<Share | null> {
    const [row] = await sql.query<ShareRow>(
      `SELECT * FROM shares WHERE id = $1 AND revoked_at IS NULL${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return row ? shareFromRow(row) : null;
  },

  async update(sql: Sql, share: Share): Promise<void> {
    await sql.query(
      'UPDATE shares SET label_name = $2, grants = $3, hidden_fields = $4, updated_at = $5 WHERE id = $1',
      [
        share.id,
        share.labelName,
        JSON.stringify(share.grants),
        JSON.stringify(share.hiddenFields),
        share.updatedAt,
      ],
    );
  },

  /**
   * Records a transfer of ownership: the new owner, their label and the grants that follow, the
   * former owner and label (until their account has adopted the change), and no offer.
   */
  async transfer(sql: Sql, share: Share): Promise<void> {
    await sql.query(
      `UPDATE shares SET owner = $2, label_resource_name = $3, grants = $4, updated_at = $5,
         offered_to = NULL, former_owner = $6, former_label = $7 WHERE id = $1`,
      [
        share.id,
        share.owner,
        share.labelResourceName,
        JSON.stringify(share.grants),
        share.updatedAt,
        share.formerOwner ?? null,
        share.formerLabel ?? null,
      ],
    );
  },

  /** Offers the share's ownership to a user, or withdraws the offer (null). */
  async offer(sql: Sql, id: string, to: string | null, at: string): Promise<void> {
    await sql.query('UPDATE shares SET offered_to = $2, updated_at = $3 WHERE id = $1', [
      id,
      to,
      at,
    ]);
  },

  /** The former owner's account adopted the transfer: the former owner and label are forgotten. */
  async adopted(sql: Sql, id: string): Promise<void> {
    await sql.query('UPDATE shares SET former_owner = NULL, former_label = NULL WHERE id = $1', [
      id,
    ]);
  },

  async revoke(sql: Sql, id: string, at: string): Promise<void> {
    await sql.query('UPDATE shares SET revoked_at = $2 WHERE id = $1', [id, at]);
  },

  async ownedBy(sql: Sql, owner: string): Promise<Share[]> {
    const rows = await sql.query<ShareRow>(
      'SELECT * FROM shares WHERE owner = $1 AND revoked_at IS NULL ORDER BY created_at, id',
      [owner],
    );
    return rows.map(shareFromRow);
  },

  async ofDomain(sql: Sql, domain: string): Promise<Share[]> {
    const rows = await sql.query<ShareRow>(
      'SELECT * FROM shares WHERE domain = $1 AND revoked_at IS NULL ORDER BY created_at, id',
      [domain],
    );
    return rows.map(shareFromRow);
  },

  /** A share, revoked or not, with the time it was revoked (null while it is live). */
  async getWithRevocation(
    sql: Sql,
    id: string,
  ): Promise<{ share: Share; revokedAt: string | null } | null> {
    const [row] = await sql.query<ShareRow & { revoked_at: string | null }>(
      'SELECT * FROM shares WHERE id = $1',
      [id],
    );
    return row ? { share: shareFromRow(row), revokedAt: row.revoked_at } : null;
  },

  /**
   * True when the share reached `account` before: the share gateway wrote there for it (or, before
   * the gateway, a sync token was issued for it), or it synced the share itself (a `sync.*` event
   * of its own). Its copies may then need removing after it left.
   */
  async wasSyncedFor(sql: Sql, share: Share, account: string): Promise<boolean> {
    const rows = await sql.query(
      `(SELECT 1 FROM share_accounts WHERE share_id = $2 AND account = $3
        AND reached_at IS NOT NULL LIMIT 1)
       UNION ALL
       (SELECT 1 FROM audit_events WHERE tenant = $1 AND share_id = $2 AND target = $3
        AND type = 'delegated_token.issued' AND outcome = 'success' LIMIT 1)
       UNION ALL
       (SELECT 1 FROM audit_events WHERE tenant = $1 AND share_id = $2 AND actor = $3
        AND type LIKE 'sync.%' LIMIT 1)`,
      [share.domain, share.id, account],
    );
    return rows.length > 0;
  },

  /**
   * The accounts the share reached through syncs, lower-case: those the share gateway wrote to
   * (and targets of sync tokens issued before it), and participants who synced it themselves.
   */
  async syncedAccounts(sql: Sql, share: Share): Promise<string[]> {
    const rows = await sql.query<{ account: string }>(
      `SELECT account FROM share_accounts WHERE share_id = $2 AND reached_at IS NOT NULL
       UNION
       SELECT DISTINCT lower(target) AS account FROM audit_events WHERE tenant = $1 AND share_id = $2
        AND type = 'delegated_token.issued' AND outcome = 'success' AND target IS NOT NULL
       UNION
       SELECT DISTINCT lower(actor) AS account FROM audit_events WHERE tenant = $1 AND share_id = $2
        AND type LIKE 'sync.%'`,
      [share.domain, share.id],
    );
    return rows.map((row) => row.account);
  },

  /** The tenant's shares with a grant to the user, to one of their groups or to their domain. */
  async grantedTo(sql: Sql, tenant: string, email: string, groups: string[]): Promise<Share[]> {
    const patterns = [
      { target: { kind: 'user', email } },
      { target: { kind: 'domain', domain: email.slice(email.lastIndexOf('@') + 1) } },
      ...groups.map((group) => ({ target: { kind: 'group', email: group } })),
    ].map((pattern) => JSON.stringify([pattern]));
    const rows = await sql.query<ShareRow>(
      `SELECT * FROM shares WHERE domain = $2 AND revoked_at IS NULL AND grants @> ANY($1::jsonb[])
       ORDER BY created_at, id`,
      [patterns, tenant],
    );
    return rows.map(shareFromRow);
  },
};

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

interface AlertRow {
  id: string;
  tenant: string;
  actor: string;
  rule: string;
  status: AlertStatus;
  summary: string;
  created_at: string;
  justification: string | null;
  justified_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  resolved_at: string | null;
}

function alertFromRow(row: AlertRow): Alert {
  return {
    id: row.id,
    tenant: row.tenant,
    actor: row.actor,
    rule: row.rule,
    status: row.status,
    summary: row.summary,
    createdAt: row.created_at,
    justification: row.justification,
    justifiedAt: row.justified_at,
    resolvedBy: row.resolved_by,
    resolution: row.resolution,
    resolvedAt: row.resolved_at,
  };
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
