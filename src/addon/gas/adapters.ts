/**
 * This file defines the Apps Script adapters of the core ports: UrlFetchApp as the HttpClient,
 * the user's properties as a KeyValueStore, the user's cache as an ExpiringCache, Date as the
 * Clock, Utilities.sleep as the Sleeper and LockService's user lock as the ExecutionLock. With script-services.ts, they are the only code
 * besides cards that touches Apps Script services.
 */
import type {
  Clock,
  ExecutionLock,
  ExpiringCache,
  HttpClient,
  HttpRequest,
  HttpResponse,
  KeyValueStore,
  Sleeper,
} from '../../core/ports';

function toFetchParams(request: HttpRequest): GoogleAppsScript.URL_Fetch.URLFetchRequest {
  return {
    url: request.url,
    method: request.method,
    headers: request.headers ?? {},
    contentType: request.contentType,
    payload: request.payload,
    muteHttpExceptions: true,
    followRedirects: false,
  };
}

function fromFetchResponse(response: GoogleAppsScript.URL_Fetch.HTTPResponse): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.getHeaders() as Record<string, string>)) {
    headers[name.toLowerCase()] = String(value);
  }
  return { status: response.getResponseCode(), headers, body: response.getContentText() };
}

/** UrlFetchApp as an HttpClient; HTTP errors come back as responses, never as exceptions. */
export class UrlFetchHttpClient implements HttpClient {
  /** URL Fetch calls of this execution (each request of a fetchAll counts), for the daily budget. */
  calls = 0;

  fetch(request: HttpRequest): HttpResponse {
    const { url, ...params } = toFetchParams(request);
    this.calls++;
    return fromFetchResponse(UrlFetchApp.fetch(url, params));
  }

  fetchAll(requests: HttpRequest[]): HttpResponse[] {
    if (requests.length === 0) return [];
    this.calls += requests.length;
    return UrlFetchApp.fetchAll(requests.map(toFetchParams)).map(fromFetchResponse);
  }
}

/** The acting user's properties as a KeyValueStore (9 KB per value, 500 KB in all). */
export class UserPropertiesStore implements KeyValueStore {
  private readonly properties = PropertiesService.getUserProperties();

  get(key: string): string | null {
    return this.properties.getProperty(key);
  }

  set(key: string, value: string): void {
    this.properties.setProperty(key, value);
  }

  delete(key: string): void {
    this.properties.deleteProperty(key);
  }

  keys(): string[] {
    return this.properties.getKeys();
  }
}

/**
 * The acting user's CacheService cache as an ExpiringCache (keys up to 250 characters, values up
 * to 100 KB, 6 hours at most), or null where Apps Script offers none.
 */
export function userCache(): ExpiringCache | null {
  return CacheService.getUserCache();
}

/** The script's clock. */
export const appsScriptClock: Clock = { now: () => Date.now() };

/** Waits with Utilities.sleep. */
export const appsScriptSleeper: Sleeper = {
  sleep: (milliseconds) => Utilities.sleep(milliseconds),
};

/** LockService's user lock: it keeps apart two executions of the same user, and no one else. */
export class UserLock implements ExecutionLock {
  private readonly lock = LockService.getUserLock();

  tryLock(waitMs: number): boolean {
    return this.lock.tryLock(waitMs);
  }

  release(): void {
    if (this.lock.hasLock()) this.lock.releaseLock();
  }
}
