/**
 * This file defines the backend's typed HTTP errors: each carries the status, a stable machine
 * code and a message a user or operator can act on. They become `{ "error": { code, message } }`.
 */

/** An error answered to the caller with its status, code and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 400: the request does not match the schema. */
export const badRequest = (message: string, code = 'invalid_request'): HttpError =>
  new HttpError(400, code, message);
/** 401: no valid ID token. */
export const unauthenticated = (message: string): HttpError =>
  new HttpError(401, 'unauthenticated', message, { 'www-authenticate': 'Bearer' });
/** 403: authenticated but not allowed. */
export const forbidden = (message: string, code = 'forbidden'): HttpError =>
  new HttpError(403, code, message);
/** 404: no such resource (or not visible to the caller). */
export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', message);
/** 409: conflicts with stored state. */
export const conflict = (message: string, code = 'conflict'): HttpError =>
  new HttpError(409, code, message);
