/**
 * This file defines the share registry over the database; every method takes the `Sql` to run
 * on, so that a change and its audit event commit together in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Share, ShareGrant } from '../../core/sharing-model';
import type { Sql } from '../platform/db';
import { fromRow, type RowOf } from '../platform/rows';

type ShareRow = RowOf<Share>;

const SHARE_FIELDS = [
  'id',
  'domain',
  'owner',
  'labelResourceName',
  'labelName',
  'grants',
  'hiddenFields',
  'createdAt',
  'updatedAt',
  'offeredTo',
  'formerOwner',
  'formerLabel',
] as const satisfies ReadonlyArray<keyof Share>;

function shareFromRow(row: ShareRow): Share {
  return fromRow(row, SHARE_FIELDS);
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
