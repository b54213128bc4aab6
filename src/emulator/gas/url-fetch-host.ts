/**
 * This file defines the host side of UrlFetchApp: it checks a request against the manifest's
 * urlFetchWhitelist and UrlFetchApp's size limits, then sends it where it belongs — Google's API
 * hosts to the API emulator (synchronous, with modelled latency), the environment's backend URL
 * to the real local backend over HTTP, other loopback URLs over real HTTP, anything else fails
 * as an unknown host would. fetchAll's requests run in parallel.
 */
import { randomBytes } from 'node:crypto';
import {
  TRACE_HEADER,
  type ApiHandler,
  type EmulatorRequest,
  type EmulatorResponse,
} from '../api/contract';
import { EmulatorTimeoutError } from '../api/google-errors';
import { ScriptFacingError } from './sync-rpc';

/** A request as the worker's UrlFetchApp hands it over; the payload is base64. */
export interface FetchSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  payloadBase64?: string;
  /** UrlFetchApp's `followRedirects`; false answers a 3xx itself, with its Location. */
  followRedirects?: boolean;
}

/** An answer: status, headers (repeated ones as arrays), base64 body, and the time it took. */
export interface FetchAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  bodyBase64: string;
  modelledMs: number;
  /** For answers of the API emulator: the modelled time on Google's side. */
  googleMs?: number;
}

/** UrlFetchApp's documented limits (FACTS.md). */
export const URL_FETCH_LIMITS = {
  urlChars: 2 * 1024,
  headerCount: 100,
  headerBytes: 8 * 1024,
  payloadBytes: 50 * 1024 * 1024,
  responseBytes: 50 * 1024 * 1024,
} as const;

/** Google's hosts that the API emulator answers. */
export const GOOGLE_API_HOSTS = new Set([
  'people.googleapis.com',
  'admin.googleapis.com',
  'oauth2.googleapis.com',
  'iamcredentials.googleapis.com',
  'www.googleapis.com',
]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An API handler that may also answer requests sent at the same time (the emulator does). */
export interface ParallelApiHandler extends ApiHandler {
  handleParallel?(requests: EmulatorRequest[]): EmulatorResponse[];
  /** The modelled time of the Google calls our backend made under a trace (contract.ts). */
  takeTraceLatency?(trace: string): number;
}

/** Where the host sends UrlFetchApp's requests. */
export interface FetchRoutes {
  api: ParallelApiHandler;
  /** The manifest's urlFetchWhitelist; undefined means no allow-list (a HEAD deployment). */
  whitelist: string[] | undefined;
  /** The backend origin the add-on was built with (config backendUrl), e.g. https://backend.emulator.test. */
  backendOrigin?: string;
  /** Where that backend really listens, e.g. http://127.0.0.1:8080. */
  backendBaseUrl?: string;
}

/** Checks a request the way UrlFetchApp does before sending it. */
function checkRequest(spec: FetchSpec, routes: FetchRoutes): URL {
  if (spec.url.length > URL_FETCH_LIMITS.urlChars)
    throw new ScriptFacingError('Limit Exceeded: URLFetch URL Length.');
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new ScriptFacingError(`Invalid argument: ${spec.url}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ScriptFacingError(`Invalid argument: ${spec.url}`);
  const headerBytes = Object.entries(spec.headers).reduce(
    (sum, [name, value]) => sum + name.length + value.length,
    0,
  );
  if (
    Object.keys(spec.headers).length > URL_FETCH_LIMITS.headerCount ||
    headerBytes > URL_FETCH_LIMITS.headerBytes
  ) {
    throw new ScriptFacingError('Limit Exceeded: URLFetch headers.');
  }
  if (spec.payloadBase64 && (spec.payloadBase64.length * 3) / 4 > URL_FETCH_LIMITS.payloadBytes) {
    throw new ScriptFacingError('Limit Exceeded: URLFetch POST Size.');
  }
  if (routes.whitelist && !routes.whitelist.some((prefix) => spec.url.startsWith(prefix))) {
    throw new ScriptFacingError(
      `Request to ${spec.url} failed because the URL has not been whitelisted in the script manifest.`,
    );
  }
  return url;
}

/** Sends every request in parallel, keeping their order; a failure of any fails the call. */
export async function fetchAllOnHost(
  specs: FetchSpec[],
  routes: FetchRoutes,
): Promise<FetchAnswer[]> {
  const urls = specs.map((spec) => checkRequest(spec, routes));
  const isGoogle = (url: URL) => GOOGLE_API_HOSTS.has(url.hostname) && url.protocol === 'https:';
  const googleIndexes = urls.flatMap((url, index) => (isGoogle(url) ? [index] : []));
  const googleAnswers = askEmulator(
    googleIndexes.map((index) => toEmulatorRequest(specs[index] as FetchSpec, urls[index] as URL)),
    routes.api,
  );
  return Promise.all(
    specs.map((spec, index) => {
      const position = googleIndexes.indexOf(index);
      if (position >= 0) return googleAnswers[position] as FetchAnswer;
      return sendElsewhere(spec, urls[index] as URL, routes);
    }),
  );
}

function payloadOf(spec: FetchSpec): Buffer | undefined {
  return spec.payloadBase64 === undefined ? undefined : Buffer.from(spec.payloadBase64, 'base64');
}

function toEmulatorRequest(spec: FetchSpec, url: URL): EmulatorRequest {
  return {
    method: spec.method.toUpperCase(),
    url: url.toString(),
    headers: spec.headers,
    body: payloadOf(spec)?.toString('utf8'),
  };
}

/**
 * Sends the Google requests of one call to the emulator at once (its `handleParallel`, when it
 * has one, models requests sent at the same time); a modelled timeout fails the call as
 * UrlFetchApp does, after the time it took.
 */
function askEmulator(requests: EmulatorRequest[], api: ParallelApiHandler): FetchAnswer[] {
  if (requests.length === 0) return [];
  try {
    const answers = api.handleParallel
      ? api.handleParallel(requests)
      : requests.map((request) => api.handle(request));
    return answers.map((answer) => ({
      status: answer.status,
      headers: answer.headers,
      bodyBase64: Buffer.from(answer.body, 'utf8').toString('base64'),
      modelledMs: answer.latencyMs,
      googleMs: answer.latencyMs,
    }));
  } catch (error) {
    if (error instanceof EmulatorTimeoutError) {
      throw new ScriptFacingError(error.message, 'exception', error.latencyMs);
    }
    throw error;
  }
}

async function sendElsewhere(spec: FetchSpec, url: URL, routes: FetchRoutes): Promise<FetchAnswer> {
  if (routes.backendOrigin && url.origin === routes.backendOrigin) {
    if (!routes.backendBaseUrl) throw new ScriptFacingError(`Address unavailable: ${spec.url}`);
    // Google's front end gives each request to the backend a trace, which the backend passes on
    // to its own calls to Google: their modelled time counts in this execution's. The backend
    // says (Server-Timing) how long it waited for Google here: that wait, spent by this machine
    // on the emulator, gives way to the modelled time; the rest is the backend's own.
    const trace = `${randomBytes(16).toString('hex')}/1;o=1`;
    const answer = await sendOverHttp(
      { ...spec, headers: { ...spec.headers, [TRACE_HEADER]: trace } },
      new URL(url.pathname + url.search, routes.backendBaseUrl),
      payloadOf(spec),
    );
    const waited = Number(
      /google;dur=([\d.]+)/.exec(String(answer.headers['server-timing'] ?? ''))?.[1] ?? 0,
    );
    const own = Math.max(0, answer.modelledMs - waited);
    const google = routes.api.takeTraceLatency?.(trace) ?? 0;
    return { ...answer, modelledMs: Math.round(own + google), googleMs: google };
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new ScriptFacingError(`DNS error: ${spec.url}`);
  return sendOverHttp(spec, url, payloadOf(spec));
}

async function sendOverHttp(
  spec: FetchSpec,
  target: URL,
  body: Buffer | undefined,
): Promise<FetchAnswer> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(target, {
      method: spec.method.toUpperCase(),
      headers: spec.headers,
      body: body && spec.method.toUpperCase() !== 'GET' ? body : undefined,
      redirect: spec.followRedirects === false ? 'manual' : 'follow',
    });
  } catch {
    throw new ScriptFacingError(`Address unavailable: ${spec.url}`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > URL_FETCH_LIMITS.responseBytes)
    throw new ScriptFacingError('Limit Exceeded: URLFetch response size.');
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 1) headers['set-cookie'] = cookies;
  return {
    status: response.status,
    headers,
    bodyBase64: bytes.toString('base64'),
    modelledMs: Math.round(performance.now() - started),
  };
}
