/** This file defines the zod schemas of the audit log's requests: event batches, queries, verification. */
import { z } from 'zod';
import { domainSchema, text } from '../platform/schemas';
import type { AuditEventInput } from './audit-log';

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
// The schema accepts exactly the events the audit log stores: each type must be assignable to the other.
type SchemaEvent = z.infer<typeof auditEventInput>;
const eventMatchesLog: [SchemaEvent, AuditEventInput] extends [AuditEventInput, SchemaEvent]
  ? true
  : never = true;
void eventMatchesLog;

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
