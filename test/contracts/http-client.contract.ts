/**
 * This file defines the contract suite of the HttpClient port (src/core/ports.ts), and the echo
 * service it is checked against, served over real HTTP or handed to an in-process adapter. The
 * port carries bodies as text, so the suite checks Unicode text, not bytes.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse } from '../../src/core/ports';

/** An HttpClient seen from the test: its calls may cross to a script's worker, so they are awaited. */
export interface HttpClientUnderTest {
  fetch(request: HttpRequest): Promise<HttpResponse>;
  fetchAll(requests: HttpRequest[]): Promise<HttpResponse[]>;
}

/** A request as the echo service receives it: method in upper case, header names in lower case. */
export interface EchoRequest {
  method: string;
  /** The path and query. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The echo service's answer. */
export interface EchoReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Text with characters from every UTF-8 length, combining marks, controls and an astral emoji. */
export const UNICODE_TEXT = 'Zoë Ørsted, 张伟, Ελένη, עִבְרִית, e\u0301, \u0000\u001f, 😀🏳️‍🌈 — “fin”';

/**
 * The echo service: `/echo…` answers 200 with JSON of the request; `/status/<code>` answers that
 * status; `/text` answers UNICODE_TEXT; `/redirect` answers 302 to `/echo/after-redirect`.
 * Response header names are mixed case on purpose.
 */
export function answerEcho(request: EchoRequest): EchoReply {
  if (request.path === '/redirect')
    return { status: 302, headers: { Location: '/echo/after-redirect' }, body: 'moved' };
  const status = /^\/status\/(\d{3})$/.exec(request.path);
  if (status) {
    const code = Number(status[1]);
    return {
      status: code,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: `status ${code} ☂`,
    };
  }
  if (request.path === '/text')
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: UNICODE_TEXT,
    };
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Echo-Method': request.method },
    body: JSON.stringify(request),
  };
}

/** A running echo server on 127.0.0.1. */
export interface EchoServer {
  /** E.g. http://127.0.0.1:49152 (no trailing slash). */
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves answerEcho over real HTTP on 127.0.0.1 and a free port. */
export async function startEchoServer(): Promise<EchoServer> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      const reply = answerEcho({
        method: request.method ?? '',
        path: request.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The echo service's reading of a request, from the JSON body of a `/echo…` response. */
function echoed(response: HttpResponse): EchoRequest {
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as EchoRequest;
}

/**
 * Declares the HttpClient contract for one adapter. `connect` runs in beforeAll and gives the
 * client and the base URL at which it reaches the echo service; `close` runs in afterAll.
 */
export function describeHttpClient(
  name: string,
  connect: () => Promise<{ client: HttpClientUnderTest; baseUrl: string }>,
  close: () => Promise<void> = async () => undefined,
): void {
  describe(`HttpClient contract: ${name}`, () => {
    let client: HttpClientUnderTest;
    let baseUrl = '';
    beforeAll(async () => {
      ({ client, baseUrl } = await connect());
    });
    afterAll(() => close());

    it.each(['get', 'post', 'put', 'patch', 'delete'] as const)(
      'sends %s as that method, to the path and query given',
      async (method) => {
        const seen = echoed(
          await client.fetch({ url: `${baseUrl}/echo/items?page=2&q=%C3%A9t%C3%A9`, method }),
        );
        expect(seen.method).toBe(method.toUpperCase());
        expect(seen.path).toBe('/echo/items?page=2&q=%C3%A9t%C3%A9');
      },
    );

    it('sends the request headers', async () => {
      const seen = echoed(
        await client.fetch({
          url: `${baseUrl}/echo`,
          method: 'get',
          headers: { Authorization: 'Bearer token-1', 'X-Request-Id': 'r-1' },
        }),
      );
      expect(seen.headers.authorization).toBe('Bearer token-1');
      expect(seen.headers['x-request-id']).toBe('r-1');
    });

    it('sends a JSON body with its content type, and reads the JSON answer', async () => {
      const document = { name: UNICODE_TEXT, grants: [{ level: 'read', n: 1.5 }], empty: null };
      const response = await client.fetch({
        url: `${baseUrl}/echo`,
        method: 'post',
        contentType: 'application/json',
        payload: JSON.stringify(document),
      });
      const seen = echoed(response);
      expect(seen.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(seen.body)).toEqual(document);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('gives response header names in lower case', async () => {
      const response = await client.fetch({ url: `${baseUrl}/echo`, method: 'put', payload: '' });
      expect(response.headers['x-echo-method']).toBe('PUT');
      for (const header of Object.keys(response.headers)) expect(header).toBe(header.toLowerCase());
    });

    it.each([400, 401, 403, 404, 409, 429, 500, 503])(
      'returns a %i answer as a response, not an exception',
      async (status) => {
        const response = await client.fetch({ url: `${baseUrl}/status/${status}`, method: 'get' });
        expect(response.status).toBe(status);
        expect(response.body).toBe(`status ${status} ☂`);
      },
    );

    it('answers a redirect with its status and Location instead of following it', async () => {
      const response = await client.fetch({ url: `${baseUrl}/redirect`, method: 'get' });
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/echo/after-redirect');
      expect(response.body).toBe('moved');
    });

    it('carries Unicode text both ways unchanged', async () => {
      const sent = echoed(
        await client.fetch({
          url: `${baseUrl}/echo`,
          method: 'patch',
          contentType: 'text/plain; charset=utf-8',
          payload: UNICODE_TEXT,
        }),
      );
      expect(sent.body).toBe(UNICODE_TEXT);
      const received = await client.fetch({ url: `${baseUrl}/text`, method: 'get' });
      expect(received.body).toBe(UNICODE_TEXT);
    });

    it('carries a body of over a megabyte', async () => {
      const payload = JSON.stringify({
        rows: Array.from({ length: 16_384 }, (_, i) => `${i}`.padEnd(60, 'é')),
      });
      const seen = echoed(
        await client.fetch({
          url: `${baseUrl}/echo`,
          method: 'post',
          contentType: 'application/json',
          payload,
        }),
      );
      expect(seen.body).toBe(payload);
    });

    it('answers fetchAll in the order of its requests, errors included', async () => {
      const responses = await client.fetchAll([
        { url: `${baseUrl}/status/404`, method: 'get' },
        { url: `${baseUrl}/echo/second`, method: 'post', payload: 'two' },
        { url: `${baseUrl}/text`, method: 'get' },
      ]);
      expect(responses.map((response) => response.status)).toEqual([404, 200, 200]);
      expect(responses[0]?.body).toBe('status 404 ☂');
      expect(echoed(responses[1] as HttpResponse)).toMatchObject({
        path: '/echo/second',
        body: 'two',
      });
      expect(responses[2]?.body).toBe(UNICODE_TEXT);
    });

    it('answers an empty fetchAll with no responses', async () => {
      expect(await client.fetchAll([])).toEqual([]);
    });
  });
}
