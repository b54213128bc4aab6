/**
 * This file defines the zod schemas of the support endpoints (/v1/support/...): second-factor
 * codes, sessions, decisions and listings. They validate requests and generate the OpenAPI.
 */
import { z } from 'zod';
import { domainSchema, emailSchema, text } from '../platform/schemas';
import type { StoredSessionStatus } from './support-store';

/**
 * A code as typed. Its form (six or eight digits) is checked by the second-factor check, so that a
 * malformed code is refused, counted and audited like any other wrong code.
 */
export const verifyCodeBody = z.strictObject({ code: z.string().max(64) });

export const openSessionBody = z.strictObject({
  tenant: domainSchema,
  targetUser: emailSchema,
  ticket: text(100, 1).regex(/\S/, 'must not be blank'),
  justification: text(2000, 1).regex(/\S/, 'must not be blank'),
  /** Shorter than the tenant's maximum (60 minutes at most). */
  minutes: z.number().int().min(5).max(60).optional(),
  /** Asks for write access (a repair), with its own justification. */
  repairJustification: text(2000, 1).regex(/\S/, 'must not be blank').optional(),
});

/** A page token from a previous answer (opaque). */
const pageToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,600}$/, 'must be a page token from a previous answer')
  .optional();

/** The statuses a session is stored with (the wire contract's, less `expired`). */
const storedStatuses = [
  'pending',
  'open',
  'refused',
  'closed',
] as const satisfies readonly StoredSessionStatus[];

export const sessionsQuery = z.strictObject({
  tenant: domainSchema.optional(),
  status: z.enum(storedStatuses).optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  pageToken,
});

export const refuseBody = z.strictObject({
  reason: text(2000, 1).regex(/\S/, 'must not be blank'),
});
export const resetFactorBody = z.strictObject({
  reason: text(2000, 1).regex(/\S/, 'must not be blank'),
});

/** A repair names one of the session user's shares; the backend does it. */
export const repairBody = z.strictObject({ shareId: text(200, 1) });

export const transparencyQuery = z.strictObject({
  tenant: domainSchema.optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  pageToken,
});
