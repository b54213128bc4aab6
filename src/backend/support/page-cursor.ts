/** This file defines the opaque page tokens of the support listings (sessions, transparency). */
import { z } from 'zod';
import { badRequest } from '../platform/errors';

/** A page position in a listing, as an opaque token. */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The page position a token holds; a 400 for anything a previous answer did not give. */
export function decodeCursor<T extends z.ZodType>(
  token: string | undefined,
  shape: T,
): z.infer<T> | undefined {
  if (token === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = shape.safeParse(parsed);
  if (!result.success) throw badRequest('pageToken: must be a page token from a previous answer');
  return result.data;
}

export const sessionCursor = z.strictObject({ c: z.string().max(40), i: z.string().max(100) });
export const transparencyCursor = z.strictObject({
  s: sessionCursor.nullable(),
  a: z
    .strictObject({ r: z.string().max(40), t: z.string().max(260), q: z.number().int() })
    .nullable(),
  sd: z.boolean(),
  ad: z.boolean(),
});
