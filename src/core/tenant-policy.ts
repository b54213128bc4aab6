/**
 * This file defines the tenant policy as it crosses between the add-on and the backend (the wire
 * contract of `/v1/tenants/{domain}/policy`): one type for both sides; the backend's zod schema
 * (`policySchema` in src/backend/tenants/policy-schemas.ts) is checked against it at compile time.
 */
import type { Level } from './sharing-model';

/** Whether vendor support may open sessions for the tenant's users. */
export type SupportAccess = 'allowed' | 'approval_required' | 'disabled';

/** A customer's policy for sharing, support and audit retention. */
export interface TenantPolicy {
  /** Always false: sharing stays inside the customer (the backend refuses true). */
  externalSharing: boolean;
  /** Always empty, for the same reason. */
  allowedExternalDomains: string[];
  whoMayShare: 'everyone' | 'admins';
  maxLevel: Exclude<Level, 'owner'>;
  supportAccess: SupportAccess;
  /** Support sessions of this tenant last at most this many minutes (60 when absent). */
  supportSessionMaxMinutes?: number;
  /** Audit events older than this many days are purged (the deployment's default when absent). */
  auditRetentionDays?: number;
}

/** The answer of `GET /v1/tenants/{domain}/policy`. */
export interface PolicyAnswer {
  domain: string;
  /** Every domain of the customer. */
  domains?: string[];
  policy: TenantPolicy;
}
