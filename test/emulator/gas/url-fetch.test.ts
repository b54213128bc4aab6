/**
 * Tests of UrlFetchApp: Google hosts go to the API emulator, the configured backend URL and other
 * loopback URLs over real HTTP, fetchAll in parallel; the manifest's urlFetchWhitelist, the URL
 * length limit (FACTS.md: 2 KB) and Apps Script's error wording.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../../src/emulator/gas/runtime';
import { testEmulator, testManifest, writeBundle } from './runtime-support';

const script = `
function call(e) {
  try {
    var r = UrlFetchApp.fetch(e.url, e.options || {});
    return { code: r.getResponseCode(), text: r.getContentText(), headers: r.getHeaders(), all: r.getAllHeaders(),
      blob: [r.getBlob().getContentType(), r.getBlob().getDataAsString()] };
  } catch (err) { return { error: String(err) }; }
}
function both(e) {
  var rs = UrlFetchApp.fetchAll([{ url: e.a }, { url: e.b, method: 'post', payload: 'second', muteHttpExceptions: true }]);
  return rs.map(function (r) { return [r.getResponseCode(), r.getContentText()]; });
}
function withToken(e) {
  var r = UrlFetchApp.fetch(e.url, { headers: { Authorization: 'Bearer ' + ScriptApp.getOAuthToken() } });
  return r.getContentText();
}
`;

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('UrlFetchApp', () => {
  const api = testEmulator();
  const seen: Seen[] = [];
  let pending: http.ServerResponse[] = [];
  let server: http.Server;
  let base = '';
  let runtime: AppsScriptRuntime;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
        });
        if (request.url === '/parallel') {
          pending.push(response);
          if (pending.length === 2) {
            pending.forEach((held, index) => held.end(`answer ${index}`));
            pending = [];
          }
          return;
        }
        if (request.url === '/moved') {
          response.writeHead(302, { location: '/landed' }).end('moved');
          return;
        }
        if (request.url === '/missing') {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing here');
          return;
        }
        response.setHeader('Set-Cookie', ['a=1', 'b=2']);
        response.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'x-echo': request.headers['x-echo'] ?? '',
        });
        response.end(`${request.method} ${request.url} ${body}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    runtime = createAppsScriptRuntime({
      api,
      bundlePath: writeBundle(script),
      manifest: testManifest([
        `${base}/`,
        'https://people.googleapis.com/',
        'https://backend.emulator.test/',
        'https://elsewhere.example/',
      ]),
      addonConfig: {
        backendUrl: 'https://backend.emulator.test',
        oauthClientId: 'c',
        scriptId: 's',
      },
      backendBaseUrl: base,
    });
  });
  afterAll(async () => {
    await runtime.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const user = 'ann@a.example';
  const call = async (url: string, options?: object) =>
    (await runtime.runFunction('call', { user, event: { url, options } })).result?.json as Record<
      string,
      unknown
    >;

  it('sends Google API requests to the emulator, with the script token and the modelled latency', async () => {
    api.configureTraffic({ latency: { fixedMs: 120 } });
    const before = api.callCount({ user });
    const run = await runtime.runFunction('withToken', {
      user,
      event: { url: 'https://people.googleapis.com/v1/contactGroups' },
    });
    expect(JSON.parse(run.result?.json as string)).toHaveProperty('contactGroups');
    expect(run.modelledMs).toBe(120);
    expect(api.callCount({ user })).toBe(before + 1);
    api.configureTraffic({ latency: { fixedMs: 0 } });
  });

  it('sends method, headers and payload to a loopback server and returns its headers', async () => {
    const answer = await call(`${base}/echo`, {
      method: 'put',
      payload: '{"a":1}',
      contentType: 'application/json',
      headers: { 'X-Echo': 'hi' },
    });
    expect(answer.code).toBe(200);
    expect(answer.text).toBe('PUT /echo {"a":1}');
    expect(seen.at(-1)?.headers['content-type']).toBe('application/json');
    expect((answer.headers as Record<string, string>)['x-echo']).toBe('hi');
    expect((answer.all as Record<string, unknown>)['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(answer.blob).toEqual(['text/plain; charset=utf-8', 'PUT /echo {"a":1}']);
  });

  it('form-encodes an object payload', async () => {
    await call(`${base}/form`, { method: 'post', payload: { name: 'Ann Lee', n: 2 } });
    expect(seen.at(-1)).toMatchObject({
      body: 'name=Ann+Lee&n=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  });

  it('maps the configured backend URL to the real backend', async () => {
    const answer = await call('https://backend.emulator.test/v1/shares?x=1');
    expect(answer.text).toBe('GET /v1/shares?x=1 ');
  });

  it('throws on HTTP errors as Apps Script words it, unless muteHttpExceptions is set', async () => {
    expect((await call(`${base}/missing`)).error).toBe(
      `Exception: Request failed for ${base} returned code 404. Truncated server response: no such thing here (use muteHttpExceptions option to examine full response)`,
    );
    const muted = await call(`${base}/missing`, { muteHttpExceptions: true });
    expect([muted.code, muted.text]).toEqual([404, 'no such thing here']);
  });

  it('follows redirects unless followRedirects is false, then answers the 3xx itself', async () => {
    const followed = await call(`${base}/moved`);
    expect([followed.code, followed.text]).toEqual([200, 'GET /landed ']);
    const answered = await call(`${base}/moved`, { followRedirects: false });
    expect([answered.code, answered.text]).toEqual([302, 'moved']);
    expect((answered.headers as Record<string, string>).location).toBe('/landed');
  });

  it('refuses URLs outside the manifest allow-list', async () => {
    expect((await call('https://admin.googleapis.com/admin/directory/v1/users')).error).toBe(
      'Exception: Request to https://admin.googleapis.com/admin/directory/v1/users failed because the URL has not been whitelisted in the script manifest.',
    );
  });

  it('reaches no host beyond loopback, the backend and the emulator', async () => {
    expect((await call('https://elsewhere.example/x')).error).toBe(
      'Exception: DNS error: https://elsewhere.example/x',
    );
  });

  it('refuses URLs over 2 KB', async () => {
    expect((await call(`${base}/${'a'.repeat(2048)}`)).error).toBe(
      'Exception: Limit Exceeded: URLFetch URL Length.',
    );
  });

  it('sends fetchAll requests in parallel and keeps their order', async () => {
    const run = await runtime.runFunction('both', {
      user,
      event: { a: `${base}/parallel`, b: `${base}/parallel` },
    });
    expect(run.result?.json).toEqual([
      [200, 'answer 0'],
      [200, 'answer 1'],
    ]);
  });
});
