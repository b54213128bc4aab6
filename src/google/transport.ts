/**
 * This file defines the transport of the Google clients: an API call is a generator that yields
 * HTTP requests and receives their successful responses, so that one user's calls run in order
 * while calls for different users go out together through `fetchAll`. Calls are paced within
 * each account's quota buckets (quota-pacer.ts); transient failures are retried with exponential
 * back-off and jitter, honouring Retry-After, and a spent per-minute quota is waited out; the
 * wait goes through the Sleeper port (Utilities.sleep in Apps Script, a virtual clock in tests).
 */
import type { Clock, HttpClient, HttpRequest, HttpResponse, Sleeper } from '../core/ports';
import { errorFromResponse, GoogleApiError, isRetryable, retryAfterMs } from './google-error';
import { QuotaPacer, type QuotaBucket } from './quota-pacer';

/** A request with the name of its operation, for errors. */
export interface ApiRequest extends HttpRequest {
  operation: string;
  /** False for calls that must not be sent twice after a timeout (creates). Default true. */
  idempotent?: boolean;
  /** The per-user quota buckets the call draws on, for pacing (quota-pacer.ts). */
  quota?: QuotaBucket[];
}

/**
 * One API call or a sequence of them: yields requests, receives 2xx responses, returns a value.
 * A failed request is thrown into the generator as a GoogleApiError, which it may catch.
 */
export type ApiCall<T> = Generator<ApiRequest, T, HttpResponse>;

/** The outcome of one of several calls run together. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: GoogleApiError };

/** Retry settings. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Default: 6 attempts, 1 s doubling up to 32 s, each wait scaled by a random 50–100 %. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 32000 };

/**
 * The wait after a 429 that names a per-minute quota (or the fixed first-page quota of full
 * syncs), before each further attempt: 20 s, 40 s, then 60 s, so that the minute the quota is
 * counted over has passed; scaled by a random 75–100 %.
 */
export const QUOTA_RETRY_STEP_MS = 20_000;

/** What the transport needs. `random` returns [0, 1) and jitters the waits. */
export interface TransportDeps {
  http: HttpClient;
  clock: Clock;
  sleeper: Sleeper;
  random?: () => number;
  retry?: RetryPolicy;
}

interface Running<T> {
  call: ApiCall<T>;
  pending: ApiRequest | null;
  attempt: number;
  notBefore: number;
  done: Settled<T> | null;
  /** The transient error the call is backing off from. */
  lastError: GoogleApiError | null;
}

/** Runs API calls over the HttpClient port. */
export class GoogleTransport {
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  /** Requests sent, retries included. */
  requests = 0;
  /** Requests sent again after a transient failure. */
  retries = 0;
  /** Requests held back to stay within a quota bucket. */
  paced = 0;
  /**
   * The deadline of every `runAll` not given one (epoch ms): no back-off or pacing wait goes past
   * it. The add-on sets it to the end of the work of the execution.
   */
  deadline = Number.POSITIVE_INFINITY;
  private readonly pacer = new QuotaPacer();

  constructor(private readonly deps: TransportDeps) {
    this.random = deps.random ?? Math.random;
    this.retry = deps.retry ?? DEFAULT_RETRY;
  }

  /** The current time of the transport's clock (epoch ms). */
  now(): number {
    return this.deps.clock.now();
  }

  /** Runs one call to its end; throws its GoogleApiError if it fails. */
  run<T>(call: ApiCall<T>): T {
    const [settled] = this.runAll([call]);
    if (!settled) throw new Error('The transport lost a call.');
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  /**
   * Runs calls side by side: each round sends the next request of every call that is ready in one
   * `fetchAll`, and waits only when every pending call is backing off. A call whose next attempt
   * would come after `deadline` (epoch ms) is not waited for: it fails with its last error.
   */
  runAll<T>(calls: ApiCall<T>[], deadline = this.deadline): Settled<T>[] {
    const running: Running<T>[] = calls.map((call) => ({
      call,
      pending: null,
      attempt: 0,
      notBefore: 0,
      done: null,
      lastError: null,
    }));
    for (const entry of running) this.advance(entry, () => entry.call.next());
    for (;;) {
      const waiting = running.filter((entry) => entry.done === null);
      if (waiting.length === 0) break;
      const now = this.deps.clock.now();
      const ready = waiting.filter((entry) => entry.notBefore <= now);
      if (ready.length === 0) {
        const next = Math.min(...waiting.map((entry) => entry.notBefore));
        if (next > deadline) {
          for (const entry of waiting) {
            const error = entry.lastError;
            if (entry.notBefore <= deadline || !error) continue;
            entry.attempt = 0;
            this.advance(entry, () => entry.call.throw(error));
          }
          continue;
        }
        this.deps.sleeper.sleep(next - now);
        continue;
      }
      const sending = ready.filter((entry) => {
        const request = entry.pending as ApiRequest;
        const wait = this.pacer.waitFor(accountOf(request), request.quota ?? [], now);
        if (wait <= 0) return true;
        entry.notBefore = now + wait;
        entry.lastError = new GoogleApiError(
          429,
          'RESOURCE_EXHAUSTED',
          'rateLimitExceeded',
          "The account's quota budget for the minute is spent; the call waits for it.",
          request.operation,
          { quota: (request.quota ?? []).join(',') },
        );
        this.paced++;
        return false;
      });
      if (sending.length === 0) continue;
      const requests = sending.map((entry) => entry.pending as ApiRequest);
      for (const request of requests)
        this.pacer.record(accountOf(request), request.quota ?? [], now);
      this.requests += requests.length;
      let responses: (HttpResponse | null)[];
      try {
        responses = this.deps.http.fetchAll(requests.map(toHttpRequest));
      } catch {
        responses = requests.map(() => null);
      }
      sending.forEach((entry, index) => this.settle(entry, responses[index] ?? null));
    }
    return running.map((entry) => entry.done as Settled<T>);
  }

  private settle<T>(entry: Running<T>, response: HttpResponse | null): void {
    const request = entry.pending as ApiRequest;
    if (response && response.status >= 200 && response.status < 300) {
      entry.attempt = 0;
      this.advance(entry, () => entry.call.next(response));
      return;
    }
    const error = response
      ? errorFromResponse(response, request.operation)
      : new GoogleApiError(0, 'TIMEOUT', 'timeout', 'The call got no answer.', request.operation);
    const retryable = response ? isRetryable(error) : request.idempotent !== false;
    if (retryable && entry.attempt + 1 < this.retry.maxAttempts) {
      const backoff =
        error.details.quota !== undefined
          ? Math.min(60_000, QUOTA_RETRY_STEP_MS * (entry.attempt + 1)) * (0.75 + this.random() / 4)
          : Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** entry.attempt) *
            (0.5 + this.random() / 2);
      const asked = response ? retryAfterMs(response, this.deps.clock.now()) : null;
      entry.attempt++;
      entry.lastError = error;
      this.retries++;
      entry.notBefore = this.deps.clock.now() + Math.max(backoff, asked ?? 0);
      return;
    }
    entry.attempt = 0;
    this.advance(entry, () => entry.call.throw(error));
  }

  private advance<T>(entry: Running<T>, step: () => IteratorResult<ApiRequest, T>): void {
    try {
      const result = step();
      if (result.done) {
        entry.done = { ok: true, value: result.value };
        entry.pending = null;
      } else {
        entry.pending = result.value;
        entry.notBefore = 0;
      }
    } catch (error) {
      entry.pending = null;
      entry.done = {
        ok: false,
        error:
          error instanceof GoogleApiError
            ? error
            : new GoogleApiError(0, 'CLIENT_ERROR', 'client', String(error), 'client'),
      };
    }
  }
}

function toHttpRequest(request: ApiRequest): HttpRequest {
  const { operation: _operation, idempotent: _idempotent, quota: _quota, ...http } = request;
  return { ...http, headers: { ...http.headers } };
}

/** The account a request is for, as the pacer keys it: its credentials. */
function accountOf(request: ApiRequest): string {
  return request.headers?.authorization ?? request.headers?.Authorization ?? '';
}

/** Encodes query parameters; arrays repeat their key, undefined values are left out. */
export function query(
  params: Record<string, string | number | boolean | string[] | undefined>,
): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    for (const item of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Parses a JSON response body; an empty body is an empty object. */
export function json<T>(response: HttpResponse): T {
  return (response.body ? JSON.parse(response.body) : {}) as T;
}
