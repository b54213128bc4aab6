/**
 * This file defines EmulatorHttpClient: the HttpClient port (src/core/ports.ts) over an
 * ApiHandler, as UrlFetchApp would be over Google. It accumulates the modelled time of its calls:
 * sequential calls add up, the requests of one fetchAll count as the slowest of them.
 */
import type { HttpClient, HttpRequest, HttpResponse } from '../../core/ports';
import type { ApiHandler, EmulatorRequest, EmulatorResponse, VirtualClock } from './contract';
import { EmulatorTimeoutError } from './google-errors';

/** An ApiHandler that can also take parallel requests (the WorkspaceEmulator can). */
interface ParallelHandler extends ApiHandler {
  handleParallel(requests: EmulatorRequest[]): EmulatorResponse[];
}

/** Options of the client. */
export interface EmulatorHttpClientOptions {
  /** If given, the clock moves forward by the modelled time of every call. */
  clock?: VirtualClock;
}

/** An HttpClient that sends requests to an in-process emulator. */
export class EmulatorHttpClient implements HttpClient {
  /** The modelled time of all calls so far, in milliseconds. */
  modelledMs = 0;
  /** The number of requests sent. */
  requests = 0;

  constructor(
    private readonly handler: ApiHandler,
    private readonly options: EmulatorHttpClientOptions = {},
  ) {}

  /** Sends one request; a scheduled timeout throws EmulatorTimeoutError after counting its time. */
  fetch(request: HttpRequest): HttpResponse {
    return this.fetchAll([request])[0] as HttpResponse;
  }

  /** Sends requests in parallel: their modelled time is that of the slowest. */
  fetchAll(requests: HttpRequest[]): HttpResponse[] {
    if (requests.length === 0) return [];
    this.requests += requests.length;
    const converted = requests.map(toEmulatorRequest);
    let responses: EmulatorResponse[];
    try {
      responses = isParallel(this.handler)
        ? this.handler.handleParallel(converted)
        : converted.map((request) => this.handler.handle(request));
    } catch (error) {
      if (error instanceof EmulatorTimeoutError) this.addTime(error.latencyMs);
      throw error;
    }
    this.addTime(Math.max(...responses.map((response) => response.latencyMs)));
    return responses.map(({ status, headers, body }) => ({ status, headers, body }));
  }

  private addTime(milliseconds: number): void {
    this.modelledMs += milliseconds;
    if (milliseconds > 0) this.options.clock?.advance(milliseconds);
  }
}

function isParallel(handler: ApiHandler): handler is ParallelHandler {
  return typeof (handler as Partial<ParallelHandler>).handleParallel === 'function';
}

function toEmulatorRequest(request: HttpRequest): EmulatorRequest {
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  if (
    request.contentType &&
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
  )
    headers['content-type'] = request.contentType;
  return {
    method: request.method.toUpperCase(),
    url: request.url,
    headers,
    ...(request.payload !== undefined ? { body: request.payload } : {}),
  };
}
