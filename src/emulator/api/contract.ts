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
