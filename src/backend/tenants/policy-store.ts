/**
 * This file defines the registry of tenant policies over the database; every method takes the
 * `Sql` to run on, so that a change and its audit event commit together in one transaction.
 */
import type { TenantPolicy } from '../../core/tenant-policy';
import type { Sql } from '../platform/db';

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
