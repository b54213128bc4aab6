/**
 * This file defines the zod schemas every feature's requests share: stored text, e-mail addresses,
 * domain names, path parameters, empty bodies and queries, and the error answer. The features'
 * own schemas (and GET /openapi.json) are built from them.
 */
import { z } from 'zod';
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

/** Path parameters naming a domain (`/v1/tenants/{domain}/...`). */
export const domainParams = z.strictObject({ domain: domainSchema });
/** Path parameters naming a person (`/v1/support/factors/{agent}/...`). */
export const agentParams = z.strictObject({ agent: emailSchema });

export const emptyQuery = z.strictObject({});
export const emptyBody = z.strictObject({});

export const errorBody = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string() }),
});
