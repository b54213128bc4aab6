/**
 * This file runs the HttpClient contract against every adapter: UrlFetchHttpClient in the
 * emulator's Apps Script runtime, over real HTTP to a local echo server, and EmulatorHttpClient
 * over an in-process handler of the same echo service, one request at a time and in parallel.
 */
import type { HttpRequest, HttpResponse } from '../../src/core/ports';
import type {
  ApiHandler,
  EmulatorRequest,
  EmulatorResponse,
} from '../../src/emulator/api/contract';
import { EmulatorHttpClient } from '../../src/emulator/api/http-client';
import { startAppsScriptAdapters, type AppsScriptAdapters } from './apps-script-adapters';
import {
  answerEcho,
  describeHttpClient,
  startEchoServer,
  type EchoServer,
} from './http-client.contract';

let server: EchoServer;
let adapters: AppsScriptAdapters;
describeHttpClient(
  'UrlFetchHttpClient',
  async () => {
    server = await startEchoServer();
    adapters = startAppsScriptAdapters([`${server.baseUrl}/`]);
    const user = adapters.newUser();
    return {
      baseUrl: server.baseUrl,
      client: {
        fetch: async (request: HttpRequest) =>
          (await adapters.call(user, 'UrlFetchHttpClient', 'fetch', [request])) as HttpResponse,
        fetchAll: async (requests: HttpRequest[]) =>
          (await adapters.call(user, 'UrlFetchHttpClient', 'fetchAll', [
            requests,
          ])) as HttpResponse[],
      },
    };
  },
  async () => {
    await adapters.close();
    await server.close();
  },
);

/** Answers an emulator request with the echo service, as an ApiHandler must (lower-case headers). */
function handleEcho(request: EmulatorRequest): EmulatorResponse {
  const url = new URL(request.url);
  const reply = answerEcho({
    method: request.method,
    path: url.pathname + url.search,
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    body: request.body ?? '',
  });
  return {
    status: reply.status,
    headers: Object.fromEntries(
      Object.entries(reply.headers).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    body: reply.body,
    latencyMs: 5,
  };
}

/** Wraps an in-process HttpClient for the suite. */
function awaitedClient(client: EmulatorHttpClient) {
  return {
    baseUrl: 'https://echo.emulator.test',
    client: {
      fetch: async (request: HttpRequest) => client.fetch(request),
      fetchAll: async (requests: HttpRequest[]) => client.fetchAll(requests),
    },
  };
}

const sequential: ApiHandler = { handle: handleEcho };
describeHttpClient('EmulatorHttpClient over a handler', async () =>
  awaitedClient(new EmulatorHttpClient(sequential)),
);

const parallel = {
  handle: handleEcho,
  handleParallel: (requests: EmulatorRequest[]) => requests.map(handleEcho),
};
describeHttpClient('EmulatorHttpClient over a parallel handler', async () =>
  awaitedClient(new EmulatorHttpClient(parallel)),
);
