/**
 * This file holds the SQL of the tenant model (migration 006): Workspace customers and their
 * tenant keys, the domains learnt for each, the admins seen, audit chains that joined a customer,
 * and the carry-over of rows keyed by a domain before it joined its customer.
 */
import type { Sql } from '../platform/db';
import type { TenantPolicy } from '../../core/tenant-policy';
import { DEFAULT_POLICY } from './policy-store';

/** A customer as the backend knows it. */
export interface CustomerRow {
  customerId: string;
  tenant: string;
  domainsCheckedAt: string | null;
}

/** A domain and the customer it belongs to. */
export interface DomainRow {
  domain: string;
  customerId: string;
  tenant: string;
  kind: 'primary' | 'secondary' | 'alias' | 'seen';
  checkedAt: string;
}

export const customerStore = {
  async byId(sql: Sql, customerId: string): Promise<CustomerRow | null> {
    const [row] = await sql.query<{
      customer_id: string;
      tenant: string;
      domains_checked_at: string | null;
    }>('SELECT customer_id, tenant, domains_checked_at FROM customers WHERE customer_id = $1', [
      customerId,
    ]);
    return row
      ? {
          customerId: row.customer_id,
          tenant: row.tenant,
          domainsCheckedAt: row.domains_checked_at,
        }
      : null;
  },

  async byTenant(sql: Sql, tenant: string): Promise<CustomerRow | null> {
    const [row] = await sql.query<{ customer_id: string }>(
      'SELECT customer_id FROM customers WHERE tenant = $1',
      [tenant],
    );
    return row ? customerStore.byId(sql, row.customer_id) : null;
  },

  /** Creates the customer with `tenant` as its key unless it exists; returns it either way. */
  async ensure(sql: Sql, customerId: string, tenant: string, at: string): Promise<CustomerRow> {
    await sql.query(
      `INSERT INTO customers (customer_id, tenant, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO NOTHING`,
      [customerId, tenant, at],
    );
    const row = await customerStore.byId(sql, customerId);
    if (!row) throw new Error(`customer ${customerId} vanished`);
    return row;
  },

  /** True when some customer already uses `key` as its tenant key. */
  async keyTaken(sql: Sql, key: string): Promise<boolean> {
    const rows = await sql.query('SELECT 1 FROM customers WHERE tenant = $1', [key]);
    return rows.length > 0;
  },

  async domain(sql: Sql, domain: string): Promise<DomainRow | null> {
    const [row] = await sql.query<{
      domain: string;
      customer_id: string;
      tenant: string;
      kind: DomainRow['kind'];
      checked_at: string;
    }>(
      `SELECT d.domain, d.customer_id, c.tenant, d.kind, d.checked_at
       FROM customer_domains d JOIN customers c USING (customer_id) WHERE d.domain = $1`,
      [domain],
    );
    return row
      ? {
          domain: row.domain,
          customerId: row.customer_id,
          tenant: row.tenant,
          kind: row.kind,
          checkedAt: row.checked_at,
        }
      : null;
  },

  /** Every domain learnt for a tenant's customer, primary first. */
  async domainsOf(
    sql: Sql,
    tenant: string,
  ): Promise<{ domain: string; kind: DomainRow['kind'] }[]> {
    return sql.query<{ domain: string; kind: DomainRow['kind'] }>(
      `SELECT d.domain, d.kind FROM customer_domains d JOIN customers c USING (customer_id)
       WHERE c.tenant = $1 ORDER BY (d.kind = 'primary') DESC, d.domain`,
      [tenant],
    );
  },

  /** Records that `domain` belongs to the customer (now); returns the customer it had before. */
  async putDomain(
    sql: Sql,
    domain: string,
    customerId: string,
    kind: DomainRow['kind'],
    at: string,
  ): Promise<string | null> {
    const [before] = await sql.query<{ customer_id: string; kind: DomainRow['kind'] }>(
      'SELECT customer_id, kind FROM customer_domains WHERE domain = $1 FOR UPDATE',
      [domain],
    );
    // A domain seen through a user keeps the kind domains.list gave it.
    const keptKind =
      kind === 'seen' && before && before.customer_id === customerId ? before.kind : kind;
    await sql.query(
      `INSERT INTO customer_domains (domain, customer_id, kind, checked_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (domain) DO UPDATE SET customer_id = $2, kind = $3, checked_at = $4`,
      [domain, customerId, keptKind, at],
    );
    return before?.customer_id ?? null;
  },

  /** Forgets the customer's domains that are not in `current` (they left the account). */
  async dropDomainsExcept(sql: Sql, customerId: string, current: string[]): Promise<string[]> {
    const rows = await sql.query<{ domain: string }>(
      `DELETE FROM customer_domains WHERE customer_id = $1 AND NOT (domain = ANY($2::text[]))
       RETURNING domain`,
      [customerId, current],
    );
    return rows.map((row) => row.domain);
  },

  async domainsChecked(sql: Sql, customerId: string, at: string): Promise<void> {
    await sql.query('UPDATE customers SET domains_checked_at = $2 WHERE customer_id = $1', [
      customerId,
      at,
    ]);
  },

  /** Records an admin seen acting (usable again if they had failed). */
  async recordAdmin(sql: Sql, customerId: string, email: string, at: string): Promise<void> {
    await sql.query(
      `INSERT INTO customer_admins (customer_id, email, seen_at) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id, email) DO UPDATE SET seen_at = $3, failed_at = NULL`,
      [customerId, email, at],
    );
  },

  async adminFailed(sql: Sql, customerId: string, email: string, at: string): Promise<void> {
    await sql.query(
      'UPDATE customer_admins SET failed_at = $3 WHERE customer_id = $1 AND email = $2',
      [customerId, email, at],
    );
  },

  /**
   * The admins to try for a tenant, best first: those not failed, newest seen first, then the
   * failed ones (a failure may have passed); the admin who last saved the policy comes last (the
   * only admin known before customers were).
   */
  async adminCandidates(sql: Sql, tenant: string, limit = 10): Promise<string[]> {
    const rows = await sql.query<{ email: string }>(
      `(SELECT a.email, 0 AS rank, (a.failed_at IS NOT NULL) AS failed, a.seen_at AS at
         FROM customer_admins a JOIN customers c USING (customer_id) WHERE c.tenant = $1)
       UNION ALL
       (SELECT updated_by AS email, 1 AS rank, false AS failed, updated_at AS at
         FROM tenant_policies WHERE domain = $1)
       ORDER BY failed, rank, at DESC LIMIT $2`,
      [tenant, limit],
    );
    return [...new Set(rows.map((row) => row.email.toLowerCase()))];
  },

  /** Counts of the admins known for a tenant: usable (not failed) and all. */
  async adminCounts(sql: Sql, tenant: string): Promise<{ usable: number; known: number }> {
    const [row] = await sql.query<{ usable: string; known: string }>(
      `SELECT count(*) FILTER (WHERE a.failed_at IS NULL)::text AS usable, count(*)::text AS known
       FROM customer_admins a JOIN customers c USING (customer_id) WHERE c.tenant = $1`,
      [tenant],
    );
    return { usable: Number(row?.usable ?? 0), known: Number(row?.known ?? 0) };
  },

  /** The audit chains read as a tenant's: its own and those of domains that joined it. */
  async chainsOf(sql: Sql, tenant: string): Promise<string[]> {
    const rows = await sql.query<{ chain: string }>(
      'SELECT chain FROM audit_aliases WHERE tenant = $1 ORDER BY chain',
      [tenant],
    );
    return [tenant, ...rows.map((row) => row.chain)];
  },
};

/** What carrying a domain's rows over to its customer's tenant moved. */
export interface CarriedOver {
  shares: number;
  alerts: number;
  sessions: number;
  policy: 'none' | 'moved' | 'merged';
  chain: boolean;
}

const STRICTNESS = {
  whoMayShare: ['everyone', 'admins'],
  maxLevel: ['manage', 'contribute', 'edit', 'view'],
  supportAccess: ['allowed', 'approval_required', 'disabled'],
} as const;

/** The stricter of two policies, field by field: a carry-over never loosens a customer's rules. */
export function stricterPolicy(a: TenantPolicy, b: TenantPolicy): TenantPolicy {
  const pick = <K extends keyof typeof STRICTNESS>(key: K): TenantPolicy[K] => {
    const order = STRICTNESS[key] as readonly string[];
    const left = order.indexOf(a[key] as string);
    const right = order.indexOf(b[key] as string);
    return (left >= right ? a[key] : b[key]) as TenantPolicy[K];
  };
  const minutes = [a.supportSessionMaxMinutes, b.supportSessionMaxMinutes].filter(
    (value): value is number => typeof value === 'number',
  );
  return {
    ...a,
    externalSharing: a.externalSharing && b.externalSharing,
    allowedExternalDomains: a.allowedExternalDomains.filter((domain) =>
      b.allowedExternalDomains.includes(domain),
    ),
    whoMayShare: pick('whoMayShare'),
    maxLevel: pick('maxLevel'),
    supportAccess: pick('supportAccess'),
    ...(minutes.length > 0 ? { supportSessionMaxMinutes: Math.min(...minutes) } : {}),
  };
}

/**
 * Carries the rows kept under `domain` (a tenant key before customers were known) over to
 * `tenant`: shares, alerts and support sessions are re-keyed; the domain's policy becomes the
 * tenant's, or is merged into it keeping the stricter rule of each; its audit chain stays as it
 * is (append-only, hashed with its key) and is read and verified as one of the tenant's.
 */
export async function carryOver(
  sql: Sql,
  domain: string,
  tenant: string,
  at: string,
): Promise<CarriedOver> {
  const keys = [domain, tenant];
  const moved: CarriedOver = {
    shares: (await sql.query('UPDATE shares SET domain = $2 WHERE domain = $1 RETURNING id', keys))
      .length,
    alerts: (await sql.query('UPDATE alerts SET tenant = $2 WHERE tenant = $1 RETURNING id', keys))
      .length,
    sessions: (
      await sql.query(
        'UPDATE support_sessions SET tenant = $2 WHERE tenant = $1 RETURNING id',
        keys,
      )
    ).length,
    policy: 'none',
    chain: false,
  };
  const policyOf = async (key: string) =>
    (
      await sql.query<{ policy: TenantPolicy; updated_by: string }>(
        'SELECT policy, updated_by FROM tenant_policies WHERE domain = $1 FOR UPDATE',
        [key],
      )
    )[0];
  const theirs = await policyOf(domain);
  if (theirs) {
    const ours = await policyOf(tenant);
    const full = (policy: TenantPolicy): TenantPolicy => ({ ...DEFAULT_POLICY, ...policy });
    const policy = ours
      ? stricterPolicy(full(ours.policy), full(theirs.policy))
      : full(theirs.policy);
    await sql.query(
      `INSERT INTO tenant_policies (domain, policy, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (domain) DO UPDATE SET policy = $2, updated_at = $3`,
      [tenant, JSON.stringify(policy), at, theirs.updated_by],
    );
    await sql.query('DELETE FROM tenant_policies WHERE domain = $1', [domain]);
    moved.policy = ours ? 'merged' : 'moved';
  }
  const chain = await sql.query('SELECT 1 FROM audit_heads WHERE tenant = $1', [domain]);
  if (chain.length > 0) {
    await sql.query(
      `INSERT INTO audit_aliases (chain, tenant, joined_at) VALUES ($1, $2, $3)
       ON CONFLICT (chain) DO NOTHING`,
      [domain, tenant, at],
    );
    moved.chain = true;
  }
  return moved;
}
