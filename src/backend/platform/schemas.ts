/**
 * This file defines the zod schemas of every request body and query of the backend's API. The
 * same schemas validate requests and generate GET /openapi.json.
 */
import type { TenantPolicy as CorePolicy } from '../../core/tenant-policy';
import { z } from 'zod';
import { isUserGroupName } from '../../core/footprint';
import { HIDEABLE_FIELDS, LEVELS } from '../../core/sharing-model';
import { isDomainName, isEmailAddress, textProblem } from './text';

/**
 * Text that the databases store and give back verbatim (platform/text.ts textProblem): no NUL
 * character (text columns cannot hold it), no lone UTF-16 surrogate (it has no UTF-8 encoding),
 * no leading U+FEFF (PGlite drops it when reading). Every other character is kept as sent. The
 * length is checked first and stops validation, so no later check ever scans an oversized value.
 */
export const text = (max: number, min = 0) =>
  z
    .string()
    .max(max, { abort: true })
    .min(min)
    .check((context) => {
      const problem = textProblem(context.value);
      if (problem)
        context.issues.push({
          code: 'custom',
          message: problem,
          input: context.value,
          continue: true,
        });
    });

/** An e-mail address (`local@domain.tld`, no white space), checked in one pass (platform/text.ts). */
export const emailSchema = text(254).refine(isEmailAddress, 'must be an e-mail address');
/** A domain name, checked in one pass after its length (platform/text.ts). */
export const domainSchema = z
  .string()
  .max(253, { abort: true })
  .refine(isDomainName, 'must be a domain name');

export const levelSchema = z.enum(LEVELS);
export const grantLevelSchema = z.enum(['view', 'edit', 'contribute', 'manage']);

export const shareTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), email: emailSchema }),
  z.strictObject({ kind: z.literal('group'), email: emailSchema }),
  z.strictObject({ kind: z.literal('domain'), domain: domainSchema }),
]);

export const grantSchema = z.strictObject({ target: shareTargetSchema, level: grantLevelSchema });

const hiddenFieldsSchema = z
  .array(z.enum(HIDEABLE_FIELDS))
  .max(HIDEABLE_FIELDS.length)
  .refine((fields) => new Set(fields).size === fields.length, 'must not repeat a field');

/** A user's own label: `contactGroups/<id>`, never a system group (footprint.ts). */
export const labelSchema = text(200).refine(
  isUserGroupName,
  'must be one of your own labels (contactGroups/<id>), not a system group such as myContacts',
);

export const createShareBody = z.strictObject({
  labelResourceName: labelSchema,
  labelName: text(200, 1),
  grants: z.array(grantSchema).max(500).default([]),
  hiddenFields: hiddenFieldsSchema.default([]),
});

export const updateShareBody = z
  .strictObject({
    labelName: text(200, 1).optional(),
    grants: z.array(grantSchema).max(500).optional(),
    hiddenFields: hiddenFieldsSchema.optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    'name at least one of labelName, grants, hiddenFields',
  );

/** An offer of a share's ownership to one of its person members. */
export const offerTransferBody = z.strictObject({ to: emailSchema });
/** The new owner accepts, naming the label of theirs that becomes the share's. */
export const acceptTransferBody = z.strictObject({ labelResourceName: labelSchema });

export const listSharesQuery = z.strictObject({
  view: z.enum(['mine', 'sharedWithMe', 'participating', 'domain']).default('mine'),
});

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
export type { TenantPolicy } from '../../core/tenant-policy';
// The schema accepts exactly the wire contract's policy: each type must be assignable to the other.
type SchemaPolicy = z.infer<typeof policySchema>;
const policyMatchesContract: [SchemaPolicy, CorePolicy] extends [CorePolicy, SchemaPolicy]
  ? true
  : never = true;
void policyMatchesContract;

const detailValue = z.union([text(2000), z.number().finite(), z.boolean()]);

export const auditEventInput = z.strictObject({
  id: text(200, 1),
  type: z
    .string()
    .max(64, { abort: true })
    .regex(/^[a-z][a-z0-9_.]{0,63}$/, 'must be a dotted lower-case event type'),
  target: text(320).optional(),
  shareId: text(200).optional(),
  outcome: z.enum(['success', 'failure', 'denied']),
  detail: z
    .record(
      z
        .string()
        .max(64, { abort: true })
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'detail keys are identifiers'),
      detailValue,
    )
    .refine((detail) => Object.keys(detail).length <= 50, 'at most 50 detail entries')
    .optional(),
  occurredAt: z.iso.datetime({ offset: true }),
});
export type AuditEventInput = z.infer<typeof auditEventInput>;

export const MAX_EVENTS_PER_BATCH = 500;
export const MAX_BATCH_BYTES = 1024 * 1024;

export const ingestBody = z.strictObject({
  events: z.array(auditEventInput).min(1).max(MAX_EVENTS_PER_BATCH),
});

export const eventsQuery = z.strictObject({
  tenant: domainSchema.optional(),
  type: text(64).optional(),
  actor: text(254).optional(),
  target: text(320).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  pageToken: z
    .string()
    .max(19, { abort: true })
    .regex(/^(\d{1,3}\.)?\d{1,15}$/, 'must be a page token from a previous answer')
    .optional(),
});

export const verifyQuery = z.strictObject({ tenant: domainSchema.optional() });

export const alertsQuery = z.strictObject({
  status: z.enum(['open', 'justified', 'resolved']).optional(),
  actor: text(254).optional(),
});
export const justifyBody = z.strictObject({ justification: text(2000, 1) });
export const resolveBody = z.strictObject({ resolution: text(2000, 1) });

/** Path parameters naming a domain (`/v1/tenants/{domain}/...`). */
export const domainParams = z.strictObject({ domain: domainSchema });
/** Path parameters naming a person (`/v1/support/factors/{agent}/...`). */
export const agentParams = z.strictObject({ agent: emailSchema });

export const emptyQuery = z.strictObject({});
export const emptyBody = z.strictObject({});

export const errorBody = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});
