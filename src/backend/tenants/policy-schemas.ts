/**
 * This file defines the zod schema of a tenant policy, checked at compile time against the wire
 * contract's TenantPolicy (core/tenant-policy.ts).
 */
import { z } from 'zod';
import type { TenantPolicy as CorePolicy } from '../../core/tenant-policy';
import { domainSchema } from '../platform/schemas';
import { grantLevelSchema } from '../shares/share-schemas';

/** The shortest audit retention a tenant policy may set, in days. */
export const MIN_AUDIT_RETENTION_DAYS = 30;

export const policySchema = z.strictObject({
  externalSharing: z.boolean(),
  allowedExternalDomains: z.array(domainSchema).max(100),
  whoMayShare: z.enum(['everyone', 'admins']),
  maxLevel: grantLevelSchema,
  supportAccess: z.enum(['allowed', 'approval_required', 'disabled']),
  /** Support sessions of this tenant last at most this many minutes (60 when absent). */
  supportSessionMaxMinutes: z.number().int().min(5).max(60).optional(),
  /** Audit events older than this many days are purged (the deployment's default, 400, when absent). */
  auditRetentionDays: z.number().int().min(MIN_AUDIT_RETENTION_DAYS).max(3650).optional(),
});
// The schema accepts exactly the wire contract's policy: each type must be assignable to the other.
type SchemaPolicy = z.infer<typeof policySchema>;
const policyMatchesContract: [SchemaPolicy, CorePolicy] extends [CorePolicy, SchemaPolicy]
  ? true
  : never = true;
void policyMatchesContract;
