/**
 * This file defines how the backend calls Google: a timeout, a few attempts after a transient
 * answer, and UpstreamError for a call that failed.
 */
import { HttpError } from './errors';

/** A call to Google failed; `status` is what the backend answers. */
export class UpstreamError extends HttpError {
  constructor(status: number, code: string, message: string) {
    super(status, code, message);
    this.name = 'UpstreamError';
  }
}

const TIMEOUT_MS = 10_000;

/** Answers of Google worth asking again a moment later (429 and 5xx: transient). */
const TRANSIENT = new Set([429, 500, 502, 503, 504]);
/** Attempts at a call answered with a transient status, and the first wait between them. */
const ATTEMPTS = 3;
const RETRY_MS = 200;

/**
 * Calls Google, asking again after a transient answer (the calls the backend makes, token
 * exchange, signJwt and Directory reads, change nothing when repeated).
 */
export async function fetchGoogle(url: string, init: RequestInit, what: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new UpstreamError(
        502,
        'upstream_unavailable',
        `${what} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!TRANSIENT.has(response.status) || attempt >= ATTEMPTS) return response;
    await response.body?.cancel();
    await new Promise((resume) => setTimeout(resume, RETRY_MS * 2 ** (attempt - 1)));
  }
}
