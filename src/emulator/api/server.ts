/**
 * This file defines the emulator's HTTP server on loopback, which wraps the same synchronous
 * handler that tests call in process, and the CLI behind `npm run emulator -- --port 8400`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiHandler } from './contract';
import { EmulatorTimeoutError } from './google-errors';
import { createWorkspaceEmulator } from './index';

/** Largest request body accepted (UrlFetchApp's POST limit is 50 MB). */
const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** A running emulator server. */
export interface EmulatorServer {
  /** e.g. `http://127.0.0.1:8400` */
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 (port 0 picks a free port) answering with the handler. */
export function startEmulatorServer(handler: ApiHandler, port = 0): Promise<EmulatorServer> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413, { 'content-type': 'application/json; charset=UTF-8' });
        response.end(
          JSON.stringify({
            error: { code: 413, message: 'Request entity too large.', status: 'INVALID_ARGUMENT' },
          }),
        );
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (response.writableEnded) return;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        if (typeof value === 'string') headers[name] = value;
      const host = request.headers.host ?? '127.0.0.1';
      try {
        const answer = handler.handle({
          method: request.method ?? 'GET',
          url: `http://${host}${request.url ?? '/'}`,
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
        });
        response.writeHead(answer.status, {
          ...answer.headers,
          'x-emulator-latency-ms': String(answer.latencyMs),
        });
        response.end(answer.body);
      } catch (error) {
        if (error instanceof EmulatorTimeoutError) {
          request.socket.destroy();
          return;
        }
        response.writeHead(500, { 'content-type': 'application/json; charset=UTF-8' });
        response.end(
          JSON.stringify({
            error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' },
          }),
        );
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      resolve({
        baseUrl: `http://127.0.0.1:${address.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((error) => (error ? fail(error) : done()));
          }),
      });
    });
  });
}

/** The CLI: `--port N` (default 8400), `--seed N` generates a small demo Workspace. */
async function main(argv: string[]): Promise<void> {
  const option = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const port = Number(option('port') ?? '8400');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number; got ${option('port')}.`);
  const seed = option('seed');
  const emulator = createWorkspaceEmulator(
    seed === undefined ? {} : { seed: { seed: Number(seed) } },
  );
  const server = await startEmulatorServer(emulator, port);
  console.log(`Workspace API emulator listening on ${server.baseUrl}`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
