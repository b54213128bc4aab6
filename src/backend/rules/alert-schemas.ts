/** This file defines the zod schemas of the alert routes' requests. */
import { z } from 'zod';
import { text } from '../platform/schemas';

export const alertsQuery = z.strictObject({
  status: z.enum(['open', 'justified', 'resolved']).optional(),
  actor: text(254).optional(),
});
export const justifyBody = z.strictObject({ justification: text(2000, 1) });
export const resolveBody = z.strictObject({ resolution: text(2000, 1) });
