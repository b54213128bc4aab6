/**
 * This file defines the errors the emulator answers with, in Google's JSON error body
 * (`error.code`, `message`, `status`, `details[]` with `google.rpc.ErrorInfo`), plus the legacy
 * `errors[]` array that the Admin SDK and the OAuth endpoint's own format.
 */

/** A google.rpc.ErrorInfo entry of an error body's `details`. */
export interface ErrorInfo {
  reason: string;
  domain: string;
  metadata?: Record<string, string>;
}

/** The legacy `errors[]` entry that Admin SDK APIs still send beside `status`. */
export interface LegacyError {
  message: string;
  domain: string;
  reason: string;
}

/** The canonical status names Google pairs with each HTTP code. */
const STATUS_FOR_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** The google.rpc.Code of each canonical status name (googleapis/googleapis google/rpc/code.proto). */
const RPC_CODES: Record<string, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};

/** An error that the router turns into a Google error response. */
export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status: string = STATUS_FOR_CODE[code] ?? 'UNKNOWN',
    readonly info?: ErrorInfo,
    readonly legacy?: LegacyError,
    readonly headers: Record<string, string> = {},
    /** Further `details[]` entries after the ErrorInfo, each with its `@type`. */
    readonly moreDetails: ({ '@type': string } & Record<string, unknown>)[] = [],
  ) {
    super(message);
    this.name = 'GoogleApiError';
  }

  /** The JSON error body Google sends. */
  toBody(): object {
    const details = [
      ...(this.info ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', ...this.info }] : []),
      ...this.moreDetails,
    ];
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.legacy ? { errors: [this.legacy] } : {}),
        status: this.status,
        ...(details.length > 0 ? { details } : {}),
      },
    };
  }

  /** This error as a `google.rpc.Status` (numeric code), for per-item statuses and error details. */
  toStatus(): { code: number; message: string; details?: object[] } {
    return {
      code: RPC_CODES[this.status] ?? 2,
      message: this.message,
      ...(this.info
        ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', ...this.info }] }
        : {}),
    };
  }
}

/** An error of the OAuth token endpoint, whose body is `{error, error_description}`. */
export class OAuthError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** Thrown by `handle` when a scheduled fault makes a call time out; no response ever comes. */
export class EmulatorTimeoutError extends Error {
  constructor(
    readonly url: string,
    readonly latencyMs: number,
  ) {
    super(`Timeout: ${url}`);
    this.name = 'EmulatorTimeoutError';
  }
}

/** 400 INVALID_ARGUMENT with Google's wording for a bad request parameter. */
export function invalidArgument(message: string, legacyReason = 'invalid'): GoogleApiError {
  return new GoogleApiError(400, message, 'INVALID_ARGUMENT', undefined, {
    message,
    domain: 'global',
    reason: legacyReason,
  });
}

/** 400 FAILED_PRECONDITION, optionally with an ErrorInfo reason. */
export function failedPrecondition(message: string, reason?: string): GoogleApiError {
  return new GoogleApiError(
    400,
    message,
    'FAILED_PRECONDITION',
    reason ? { reason, domain: 'people.googleapis.com' } : undefined,
    { message, domain: 'global', reason: 'failedPrecondition' },
  );
}

/** 404 NOT_FOUND as Google words it. */
export function notFound(message = 'Requested entity was not found.'): GoogleApiError {
  return new GoogleApiError(404, message, 'NOT_FOUND', undefined, {
    message,
    domain: 'global',
    reason: 'notFound',
  });
}

/** 403 for a caller who may not use a resource (e.g. a non-admin on an admin view). */
export function forbidden(message = 'Not Authorized to access this resource/api'): GoogleApiError {
  return new GoogleApiError(403, message, 'PERMISSION_DENIED', undefined, {
    message,
    domain: 'global',
    reason: 'forbidden',
  });
}

/** 401 for a missing, unknown or expired access token. */
export function unauthenticated(kind: 'missing' | 'invalid' | 'expired'): GoogleApiError {
  const message =
    kind === 'missing'
      ? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
      : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
  const reason =
    kind === 'missing'
      ? 'CREDENTIALS_MISSING'
      : kind === 'expired'
        ? 'ACCESS_TOKEN_EXPIRED'
        : 'ACCESS_TOKEN_TYPE_UNSUPPORTED';
  return new GoogleApiError(
    401,
    message,
    'UNAUTHENTICATED',
    { reason, domain: 'googleapis.com' },
    { message: 'Invalid Credentials', domain: 'global', reason: 'authError' },
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );
}

/** An error without ErrorInfo whose legacy `errors[]` entry repeats its message. */
export function legacyError(
  code: number,
  message: string,
  status: string,
  reason: string,
): GoogleApiError {
  return new GoogleApiError(code, message, status, undefined, {
    message,
    domain: 'global',
    reason,
  });
}

/** 403 for a token that lacks every scope the method accepts. */
export function insufficientScopes(service: string, method: string): GoogleApiError {
  return new GoogleApiError(
    403,
    'Request had insufficient authentication scopes.',
    'PERMISSION_DENIED',
    {
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      domain: 'googleapis.com',
      metadata: { service, method },
    },
    { message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' },
    {
      'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"',
    },
  );
}
