/**
 * This file runs the Google clients' sans-IO calls (src/google, ApiCall generators) in the backend:
 * each request is sent with fetch to Google (or, locally, to the emulator at the configured base),
 * a non-2xx answer is thrown into the call as a GoogleApiError, and no request is retried here:
 * the caller of the gateway retries as its transport decides (Retry-After included).
 */
import type { HttpResponse } from '../../core/ports';
import { errorFromResponse, GoogleApiError } from '../../google/google-error';
import { PEOPLE_API } from '../../google/people-client';
import type { ApiCall, ApiRequest } from '../../google/transport';

/** How long one Google request may take before it counts as lost. */
const TIMEOUT_MS = 20_000;

async function send(
  request: ApiRequest,
  peopleApiUrl: string,
  trace: string | undefined,
): Promise<HttpResponse | null> {
  const url = request.url.startsWith(PEOPLE_API)
    ? `${peopleApiUrl.replace(/\/$/, '')}/v1/${request.url.slice(PEOPLE_API.length)}`
    : request.url;
  try {
    const response = await fetch(url, {
      method: request.method.toUpperCase(),
      headers: {
        ...request.headers,
        ...(request.contentType ? { 'content-type': request.contentType } : {}),
        ...(trace ? { 'x-cloud-trace-context': trace } : {}),
      },
      body: request.payload,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
    return { status: response.status, headers, body: await response.text() };
  } catch {
    return null;
  }
}

/**
 * Runs a call to its end; rejects with its GoogleApiError (or the error it threw). `trace` is the
 * trace of the request that made the backend call, passed on so that its calls show under it.
 */
export async function runGoogleCall<T>(
  call: ApiCall<T>,
  peopleApiUrl: string,
  trace?: string,
): Promise<T> {
  let step = call.next();
  while (!step.done) {
    const request = step.value;
    const response = await send(request, peopleApiUrl, trace);
    if (response && response.status >= 200 && response.status < 300) step = call.next(response);
    else
      step = call.throw(
        response
          ? errorFromResponse(response, request.operation)
          : new GoogleApiError(
              0,
              'TIMEOUT',
              'timeout',
              'Google gave no answer.',
              request.operation,
            ),
      );
  }
  return step.value;
}
