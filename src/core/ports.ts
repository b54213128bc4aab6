/**
 * This file defines the ports through which core logic reaches the outside world. Every port is
 * synchronous, because Apps Script is: adapters in src/addon/gas wrap Apps Script services, and
 * in-memory adapters (src/core/memory-adapters.ts, src/emulator) serve Node tests.
 */

/** An HTTP request as UrlFetchApp takes it; `payload` is the request body as text. */
export interface HttpRequest {
  url: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  headers?: Record<string, string>;
  contentType?: string;
  payload?: string;
}

/** An HTTP response; header names are lower case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends HTTP requests; `fetchAll` sends its requests in parallel and keeps their order. A status
 * of 300 or more is an answer, not an error, and a redirect is answered, not followed.
 */
export interface HttpClient {
  fetch(request: HttpRequest): HttpResponse;
  fetchAll(requests: HttpRequest[]): HttpResponse[];
}

/** A string key-value store, such as the acting user's properties. */
export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
  keys(): string[];
}

/**
 * A string cache whose entries expire, such as Apps Script's user cache: an entry lives at most
 * `ttlSeconds`, and may be dropped sooner. `getAll` answers only the keys it holds.
 */
export interface ExpiringCache {
  get(key: string): string | null;
  getAll(keys: string[]): Record<string, string>;
  put(key: string, value: string, ttlSeconds: number): void;
  putAll(values: Record<string, string>, ttlSeconds: number): void;
}

/** The current time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** An audit event as the add-on reports it; the backend adds tenant, caller and receive time. */
export interface AuditEvent {
  id: string;
  type: string;
  target?: string;
  shareId?: string;
  outcome: 'success' | 'failure' | 'denied';
  detail?: Record<string, string | number | boolean>;
  occurredAt: string;
}

/** Records audit events; adapters send them to the backend's /v1/events. */
export interface AuditSink {
  record(events: AuditEvent[]): void;
}

/**
 * Waits. Apps Script adapters call `Utilities.sleep`; tests advance a virtual clock, so back-off
 * costs no real time.
 */
export interface Sleeper {
  sleep(milliseconds: number): void;
}

/**
 * A lock that one execution at a time may hold: in Apps Script, LockService's user lock, which
 * keeps two executions of the same user (sidebar, card actions, the hourly trigger) apart.
 */
export interface ExecutionLock {
  /** Takes the lock, waiting at most `waitMs` for another holder; false when it stayed taken. */
  tryLock(waitMs: number): boolean;
  /** Lets the lock go; does nothing when it is not held. */
  release(): void;
}
