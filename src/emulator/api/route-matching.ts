/**
 * This file defines how the emulator finds the route of a request, and the JSON response it
 * answers with.
 */
import type { EmulatorResponse } from './contract';
import { notFound, type GoogleApiError } from './google-errors';
import { JsonText, type Route } from './route-context';

/**
 * Finds the route serving `method` at `path` among `candidates` (only those of `host` unless it is
 * undefined, as on loopback) with its decoded path parameters, or the 404 to answer: the method is
 * not served there, or no route knows the path.
 */
export function matchRoute(
  candidates: readonly Route[],
  host: string | undefined,
  method: string,
  path: string,
): { route: Route; params: string[] } | GoogleApiError {
  let pathKnown = false;
  for (const candidate of candidates) {
    if (host !== undefined && candidate.host !== host) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (candidate.method !== method) continue;
    let params: string[];
    try {
      params = match.slice(1).map((part) => decodeURIComponent(part ?? ''));
    } catch {
      params = match.slice(1).map((part) => part ?? '');
    }
    return { route: candidate, params };
  }
  return notFound(
    pathKnown
      ? `Method ${method} is not served at ${path}.`
      : `The requested URL ${path} was not found on this server.`,
  );
}

/** A JSON response of the emulator with its status, modelled latency and extra headers. */
export function respond(
  body: unknown,
  status: number,
  latencyMs: number,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
    body: body instanceof JsonText ? body.text : JSON.stringify(body),
    latencyMs,
  };
}
