/**
 * This file defines what the share gateway keeps of the accounts a share reached: the copy group
 * (a resource name) and when the share first reached each account. Identifiers only: no contact
 * data is ever stored.
 */
import type { Sql } from '../db';

/** Reads and writes `share_accounts`. */
export const shareAccounts = {
  /** The copy group the gateway knows for the share in the account, or null. */
  async copyGroup(sql: Sql, shareId: string, account: string): Promise<string | null> {
    const [row] = await sql.query<{ copy_group: string | null }>(
      'SELECT copy_group FROM share_accounts WHERE share_id = $1 AND account = $2',
      [shareId, account],
    );
    return row?.copy_group ?? null;
  },

  /**
   * Records that the share reached the account (a write, or a copy group found there), with the
   * copy group when known; a known group is replaced only by another known one.
   */
  async record(
    sql: Sql,
    shareId: string,
    account: string,
    copyGroup: string | null,
    at: string,
  ): Promise<void> {
    await sql.query(
      `INSERT INTO share_accounts (share_id, account, copy_group, reached_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (share_id, account) DO UPDATE
         SET copy_group = COALESCE(EXCLUDED.copy_group, share_accounts.copy_group)`,
      [shareId, account, copyGroup, at],
    );
  },

  /** Forgets a deleted copy group. */
  async forgetGroup(sql: Sql, shareId: string, account: string): Promise<void> {
    await sql.query(
      'UPDATE share_accounts SET copy_group = NULL WHERE share_id = $1 AND account = $2',
      [shareId, account],
    );
  },
};
