/**
 * This file defines the typed error of Google's REST APIs, read from Google's JSON error body
 * (`error.code`, `status`, `details[].reason`, or the legacy `errors[].reason`; the refused
 * contacts of a batch write and the quota of a 429 from `details`) or from our backend's
 * (`error.code` naming the refusal), and which answers are worth retrying.
 */
import type { HttpResponse } from '../core/ports';
import type { CallFailure } from '../core/sync-ports';

/** What the `details` of an error body say beyond its reason. */
export interface ErrorDetails {
  /**
   * The contacts that made a batch write fail, by index (batchCreateContacts) or resource name
   * (batchUpdateContacts), with their status: BatchCreateContactsErrorDetails and
   * BatchUpdateContactsErrorDetails ("If an index does not appear, then the creation of that
   * contact would have been successful"). Absent when the body names none.
   */
  contactErrors?: Record<string, { code: number; message: string }>;
  /**
   * The quota a 429 names: its ErrorInfo's `quota_limit`, or a QuotaFailure's description (the
   * first page of a full sync has a quota of its own).
   */
  quota?: string;
}

/** A Google API call that failed: HTTP status, Google's status name and reason, and the message. */
export class GoogleApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    readonly reason: string,
    message: string,
    readonly operation: string,
    readonly details: ErrorDetails = {},
  ) {
    super(`${operation}: ${httpStatus} ${status}${reason ? ` (${reason})` : ''}: ${message}`);
    this.name = 'GoogleApiError';
  }

  /** The failure as the core ports report it. */
  toFailure(): CallFailure {
    return {
      httpStatus: this.httpStatus,
      status: this.status,
      reason: this.reason,
      message: this.message,
    };
  }
}

/**
 * Google's error body, or our backend's (`code` a string naming the refusal; `status` and `reason`
 * repeat Google's when the share gateway passes a Google failure on).
 */
interface ErrorBody {
  error?: {
    code?: number | string;
    message?: string;
    status?: string;
    reason?: string;
    details?: {
      '@type'?: string;
      reason?: string;
      metadata?: Record<string, string>;
      violations?: { subject?: string; description?: string }[];
      contactErrors?: Record<string, { code?: number; message?: string }>;
    }[];
    errors?: { reason?: string }[];
  };
}

/** Reads the refused contacts and the quota out of an error body's details. */
function detailsOf(error: NonNullable<ErrorBody['error']>): ErrorDetails {
  const details: ErrorDetails = {};
  for (const detail of Array.isArray(error.details) ? error.details : []) {
    const type = detail['@type'] ?? '';
    if (
      (type.endsWith('.BatchCreateContactsErrorDetails') ||
        type.endsWith('.BatchUpdateContactsErrorDetails')) &&
      typeof detail.contactErrors === 'object' &&
      detail.contactErrors !== null
    ) {
      details.contactErrors = {};
      for (const [key, status] of Object.entries(detail.contactErrors))
        details.contactErrors[key] = {
          code: typeof status?.code === 'number' ? status.code : 2,
          message: typeof status?.message === 'string' ? status.message : 'no message',
        };
    }
    if (type.endsWith('google.rpc.ErrorInfo') && detail.metadata?.quota_limit)
      details.quota = detail.metadata.quota_limit;
    if (type.endsWith('google.rpc.QuotaFailure') && details.quota === undefined)
      details.quota = detail.violations?.[0]?.description ?? 'quota exceeded';
  }
  return details;
}

/** Builds the typed error from a non-2xx response; bodies that are not Google's still give one. */
export function errorFromResponse(response: HttpResponse, operation: string): GoogleApiError {
  let body: ErrorBody;
  try {
    body = JSON.parse(response.body) as ErrorBody;
  } catch {
    body = {};
  }
  const error = body.error ?? {};
  const reason =
    error.details?.find((detail) => detail.reason !== undefined)?.reason ??
    error.errors?.find((item) => item.reason !== undefined)?.reason ??
    (typeof error.reason === 'string' ? error.reason : undefined) ??
    (typeof error.code === 'string' ? error.code : '');
  return new GoogleApiError(
    response.status,
    error.status ?? `HTTP_${response.status}`,
    reason,
    error.message ?? (response.body.slice(0, 200) || 'no message'),
    operation,
    detailsOf(error),
  );
}

/** Rate-limit reasons of the Admin SDK's 403 answers (FACTS.md: retry with back-off). */
const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

/** True when a failed call may succeed if sent again later: 429, 500, 502, 503, 504, rate-limit 403. */
export function isRetryable(error: GoogleApiError): boolean {
  if ([429, 500, 502, 503, 504].includes(error.httpStatus)) return true;
  return error.httpStatus === 403 && RATE_LIMIT_REASONS.has(error.reason);
}

/** The wait a response asks for in its Retry-After header (seconds or an HTTP date), in ms. */
export function retryAfterMs(response: HttpResponse, now: number): number | null {
  const value = response.headers['retry-after'];
  if (value === undefined) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
