/**
 * This file defines the contract between the Workspace API emulator and its callers (the Apps
 * Script runtime, the HTTP server, Node tests): one synchronous request handler. Synchronous
 * because Apps Script's UrlFetchApp is, and because everything the emulator models (latency,
 * quotas, faults) is counted on a virtual clock rather than waited for.
 */

/** A request to a Google API, as UrlFetchApp or an HTTP client sends it. `url` is absolute. */
export interface EmulatorRequest {
  method: string;
  url: string;
  /** Header names in any case. */
  headers: Record<string, string>;
  body?: string;
}

/** The emulator's answer; `latencyMs` is the modelled time the call took on Google's side. */
export interface EmulatorResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
}

/** Anything that answers Google API requests synchronously. */
export interface ApiHandler {
  handle(request: EmulatorRequest): EmulatorResponse;
}

/** The emulator's virtual clock, in milliseconds since the epoch. */
export interface VirtualClock {
  now(): number;
  advance(milliseconds: number): void;
}

/**
 * What the Apps Script runtime, the backend's tests and the sidebar host need of the emulator
 * besides answering requests: tokens for users, the ID-token issuer, and the clock.
 */
export interface WorkspaceEmulatorFacade extends ApiHandler {
  /** Mints an OAuth access token for a user and scopes, as consent plus the token endpoint would. */
  mintAccessToken(email: string, scopes: string[], lifetimeSeconds?: number): string;
  /** Signs ID tokens as accounts.google.com; its certs() are what the backend trusts. */
  readonly idTokens: import('./id-token-issuer').IdTokenIssuer;
  readonly clock: VirtualClock;
  /** Puts a message into a user's mailbox, for GmailApp to read (gmail-messages.ts). */
  putGmailMessage(owner: string, message: import('./gmail-messages').GmailMessageRecord): void;
  /** Reads a message with a per-message access token; throws GmailAccessError when refused. */
  readGmailMessage(
    accessToken: string,
    messageId: string,
  ): import('./gmail-messages').GmailMessageRecord;
  /**
   * The modelled time of the calls made under a trace, taken once: our backend passes on the
   * trace header of the request that made it call (X-Cloud-Trace-Context), so that the time its
   * calls to Google took counts in the add-on's execution that called it.
   */
  takeTraceLatency(trace: string): number;
}

/** The trace header that Google's front end adds to requests and our backend passes on. */
export const TRACE_HEADER = 'x-cloud-trace-context';
