/**
 * This file defines what the share gateway keeps of the accounts it acted in for a share: the copy
 * group (a resource name) and when it last looked for one, when the share first wrote there, and
 * when the account's own sync first called the gateway.
 * Identifiers only: no contact data is ever stored.
 */
import type { Sql } from '../platform/db';

/** What the gateway knows of a share's copy group in an account. */
export interface KnownGroup {
  group: string | null;
  /** When the gateway last looked for it (ISO time), or null. */
  checkedAt: string | null;
  /** True when the share reached the account: the gateway wrote there, or its own sync called. */
  reached: boolean;
}

/** Reads and writes `share_accounts`. */
export const shareAccounts = {
  /** The copy group the gateway knows for the share in the account. */
  async copyGroup(sql: Sql, shareId: string, account: string): Promise<KnownGroup> {
    const [row] = await sql.query<{
      copy_group: string | null;
      group_checked_at: string | null;
      reached: boolean;
    }>(
      `SELECT copy_group, group_checked_at, (reached_at IS NOT NULL OR own_sync_at IS NOT NULL) AS reached
       FROM share_accounts WHERE share_id = $1 AND account = $2`,
      [shareId, account],
    );
    return {
      group: row?.copy_group ?? null,
      checkedAt: row?.group_checked_at ?? null,
      reached: row?.reached === true,
    };
  },

  /**
   * Records that a participant's own sync called the gateway: their sync may make a copy group in
   * their account with their own token, so that having looked and found none no longer holds.
   * Writes nothing when that is already known. (Not a reach: `reached_at` stays the gateway's.)
   */
  async recordOwnSync(sql: Sql, shareId: string, account: string, at: string): Promise<void> {
    await sql.query(
      `INSERT INTO share_accounts (share_id, account, own_sync_at) VALUES ($1, $2, $3)
       ON CONFLICT (share_id, account) DO UPDATE SET
         own_sync_at = COALESCE(share_accounts.own_sync_at, $3),
         group_checked_at = CASE WHEN share_accounts.copy_group IS NULL THEN NULL
           ELSE share_accounts.group_checked_at END
       WHERE share_accounts.own_sync_at IS NULL
         OR (share_accounts.copy_group IS NULL AND share_accounts.group_checked_at IS NOT NULL)`,
      [shareId, account, at],
    );
  },

  /**
   * Records what a call learnt: the copy group it found or made (or, `looked`, that it looked and
   * found none), and whether the share wrote to the account (it reached it).
   */
  async record(
    sql: Sql,
    shareId: string,
    account: string,
    learnt: { group: string | null; looked: boolean; wrote: boolean },
    at: string,
  ): Promise<void> {
    await sql.query(
      `INSERT INTO share_accounts (share_id, account, copy_group, group_checked_at, reached_at)
       VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN $6 END, CASE WHEN $5::boolean THEN $6 END)
       ON CONFLICT (share_id, account) DO UPDATE SET
         copy_group = CASE WHEN $4::boolean OR $3::text IS NOT NULL THEN $3 ELSE share_accounts.copy_group END,
         group_checked_at = CASE WHEN $4::boolean THEN $6 ELSE share_accounts.group_checked_at END,
         reached_at = COALESCE(share_accounts.reached_at, CASE WHEN $5::boolean THEN $6 END)`,
      [shareId, account, learnt.group, learnt.looked, learnt.wrote, at],
    );
  },

  /** Forgets a deleted copy group. */
  async forgetGroup(sql: Sql, shareId: string, account: string): Promise<void> {
    await sql.query(
      'UPDATE share_accounts SET copy_group = NULL, group_checked_at = NULL WHERE share_id = $1 AND account = $2',
      [shareId, account],
    );
  },
};
