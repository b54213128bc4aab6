/**
 * This file takes body parsing and path decoding over from functions-framework, so that whatever
 * a client sends, our handler decides the answer and every error is `{ "error": { code, message } }`.
 *
 * functions-framework 5 (GoogleCloudPlatform/functions-framework-nodejs, src/server.ts
 * `getServer`) builds an Express 5 app whose middleware run before the registered function: five
 * body-parser parsers (`bodyParser.json` for application/cloudevents+json and application/json,
 * `.text`, `.urlencoded` with `extended: true`, and `.raw` for every other type, all with a 1 GB
 * limit) and the router's `/{*splat}` patterns, which percent-decode the path. A malformed JSON
 * body, a bare `null` (body-parser's strict mode), a latin1 charset, a bad gzip or an unknown
 * Content-Encoding, a too-deep urlencoded body or a malformed `%` escape in the path make them call
 * `next(err)`, and Express's final handler (`finalhandler`) answers an HTML page holding the
 * error's stack unless NODE_ENV is production. A large body of any type is read into memory whole.
 *
 * The framework creates that app after loading our module (src/main.ts: `getUserFunction`, then
 * `getServer`), with `express()`, whose apps copy `express.application.handle` when created. We
 * wrap that `handle` in the framework's own copy of Express (resolved from the framework's
 * package): before the framework's middleware see a request, its URL is set aside and replaced
 * by `/`, and its body headers (Content-Length, Transfer-Encoding, Content-Type,
 * Content-Encoding) are set aside, so body-parser finds no body (`type-is` hasBody) and leaves the
 * stream unread, and the router has nothing to decode. Our handler (app.ts `lazyHandler`) puts
 * them back with `restoreRequest` and reads, limits and decodes the body and path itself. The
 * wrapped `handle` also replaces Express's final handler with one that answers JSON, for anything
 * the framework might still refuse.
 */
import { Server, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { SECURITY_HEADERS, sendJson } from './http';

/** The headers that tell body-parser a request has a body, and how to parse it. */
const BODY_HEADERS = ['content-length', 'transfer-encoding', 'content-type', 'content-encoding'];

const SET_ASIDE = Symbol.for('shared-contacts.request-set-aside');

interface SetAside {
  url: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

type Handle = (
  this: unknown,
  request: IncomingMessage,
  response: ServerResponse,
  callback?: (error?: unknown) => void,
) => unknown;

/** Puts back what `hideFromFramework` set aside; a request that never went through it is unchanged. */
export function restoreRequest(request: IncomingMessage): void {
  const record = request as IncomingMessage & { [SET_ASIDE]?: SetAside };
  const aside = record[SET_ASIDE];
  if (!aside) return;
  delete record[SET_ASIDE];
  request.url = aside.url;
  for (const [name, value] of Object.entries(aside.headers))
    if (value !== undefined) request.headers[name] = value;
}

function hideFromFramework(request: IncomingMessage): void {
  const record = request as IncomingMessage & { [SET_ASIDE]?: SetAside };
  if (record[SET_ASIDE]) return;
  const headers: SetAside['headers'] = {};
  for (const name of BODY_HEADERS) {
    headers[name] = request.headers[name];
    delete request.headers[name];
  }
  record[SET_ASIDE] = { url: request.url, headers };
  request.url = '/';
}

/** The status and code of an error raised by a framework layer: its 4xx status, else 400. */
function frameworkRefusal(error: unknown): { status: number; code: string } {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 400;
  return { status: code, code: code === 413 ? 'body_too_large' : 'invalid_request' };
}

/**
 * Express's final handler, answering JSON: an error raised before our handler ran becomes a 4xx
 * without its message or stack (logged by the caller's logger instead); a request no route took
 * becomes a 404.
 */
export function jsonFinalHandler(
  request: IncomingMessage,
  response: ServerResponse,
  log: (message: string, fields: Record<string, unknown>) => void,
): (error?: unknown) => void {
  return (error?: unknown) => {
    if (response.headersSent) {
      if (error) response.destroy();
      return;
    }
    restoreRequest(request);
    request.resume();
    if (error) {
      const { status, code } = frameworkRefusal(error);
      log('request refused by a framework layer', {
        status,
        error: error instanceof Error ? error.name : typeof error,
      });
      sendJson(response, status, {
        error: { code, message: 'the request could not be read; see /openapi.json' },
      });
      return;
    }
    sendJson(response, 404, {
      error: { code: 'not_found', message: 'no endpoint here; see /openapi.json' },
    });
  };
}

let installed: Handle | undefined;

/**
 * Wraps `handle` of the Express application prototype that functions-framework uses, once. Must
 * run before the framework builds its app, i.e. when the function's module is loaded.
 */
export function takeOverFramework(
  log: (message: string, fields: Record<string, unknown>) => void,
  resolveFrom: string = require.resolve('@google-cloud/functions-framework'),
): void {
  if (installed) return;
  const express = createRequire(resolveFrom)('express') as { application: { handle: Handle } };
  const original = express.application.handle;
  if (typeof original !== 'function')
    throw new Error('functions-framework: Express application.handle not found; cannot take over');
  const wrapped: Handle = function (this: unknown, request, response, callback) {
    const server = (request.socket as { server?: unknown }).server;
    if (server instanceof Server) answerClientErrorsAsJson(server);
    hideFromFramework(request);
    return original.call(
      this,
      request,
      response,
      callback ?? jsonFinalHandler(request, response, log),
    );
  };
  express.application.handle = wrapped;
  installed = wrapped;
}

const ANSWERS_CLIENT_ERRORS = Symbol.for('shared-contacts.client-errors-as-json');

/**
 * Answers requests that Node's HTTP parser refuses before any handler runs (headers over 16 KB,
 * a malformed request line) with our JSON error instead of Node's empty page, as the Node.js
 * documentation's `clientError` example does. Once per server.
 */
export function answerClientErrorsAsJson(server: Server): void {
  const record = server as Server & { [ANSWERS_CLIENT_ERRORS]?: true };
  if (record[ANSWERS_CLIENT_ERRORS]) return;
  record[ANSWERS_CLIENT_ERRORS] = true;
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    const payload = JSON.stringify({
      error: {
        code: status === 431 ? 'headers_too_large' : status === 408 ? 'timeout' : 'bad_request',
        message:
          status === 431
            ? 'the request line and headers exceed 16 KB'
            : 'the request could not be parsed as HTTP/1.1',
      },
    });
    const headers = { ...SECURITY_HEADERS, 'content-length': String(Buffer.byteLength(payload)) };
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n')}\r\nconnection: close\r\n\r\n${payload}`,
    );
  });
}
