/**
 * This file defines the add-on's client of our backend: JSON over HTTPS, authenticated with the
 * user's Google ID token (ScriptApp.getIdentityToken()), errors turned into BackendError.
 * Feature modules add typed calls on top of `request`.
 */
import type { HttpClient } from '../core/ports';
import type { BackendEndpoint } from '../google/share-gateway-client';

/** A refusal or failure of the backend, with the message to show and the backend's error code. */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

/** Calls the backend's JSON API. */
export class BackendClient {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly identityToken: () => string,
  ) {}

  /** Where the backend is and how to authenticate to it, for calls run by the Google transport. */
  get endpoint(): BackendEndpoint {
    return { baseUrl: this.baseUrl, identityToken: this.identityToken };
  }

  /** The full URL of a backend path (a link the user's browser opens). */
  urlOf(path: string): string {
    return `${this.baseUrl.replace(/\/$/, '')}${path}`;
  }

  /** Sends one request and returns the parsed JSON body; throws BackendError on a non-2xx answer. */
  request<T>(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown): T {
    const response = this.http.fetch({
      url: `${this.baseUrl.replace(/\/$/, '')}${path}`,
      method,
      headers: { Authorization: `Bearer ${this.identityToken()}` },
      ...(body === undefined
        ? {}
        : { contentType: 'application/json', payload: JSON.stringify(body) }),
    });
    let parsed: unknown;
    try {
      parsed = response.body === '' ? null : JSON.parse(response.body);
    } catch {
      throw new BackendError(
        response.status,
        'bad_response',
        'Our service sent an answer we could not read. Try again in a minute.',
      );
    }
    if (response.status >= 200 && response.status < 300) return parsed as T;
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new BackendError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string'
        ? error.message
        : 'Our service is unavailable. Try again in a minute.',
    );
  }
}
