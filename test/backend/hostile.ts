/**
 * This file holds the hostile-input kit the backend's tests share: a raw HTTP client (node:http,
 * so paths, headers and bytes go out exactly as written), a corpus of requests that broke the
 * backend or its framework before (malformed and huge bodies, odd charsets and encodings, bad
 * percent-escapes, NUL, lone surrogates, prototype keys, deep nesting), and the check that an
 * answer is a clean error: a 4xx JSON `{ "error": { code, message } }` with no stack or path.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';

/** An answer as read off the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON
}

/** A request written out byte for byte. */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Sends a request without any client-side normalisation of its path, headers or body. */
export function rawRequest(baseUrl: string, spec: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: hostname,
        port,
        method: spec.method,
        path: spec.path,
        headers: {
          ...(spec.body !== undefined ? { 'content-length': Buffer.byteLength(spec.body) } : {}),
          ...spec.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body });
        });
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(spec.body);
  });
}

/**
 * Traces of a stack or of the machine's files in a body: stack frames, Node internals, the
 * checkout's or node_modules' paths, `file.ts:line:column`. (Bodies may echo what the client
 * sent, so the patterns are ones the hostile inputs never contain.)
 */
export const LEAK =
  /\n\s+at |\bat [\w$.<>]+ \(|node_modules|node:internal|\/work\/|\/home\/|\.[cm]?[jt]s:\d+:\d+/;

/** Problems of an answer that should be a clean client error (empty when there are none). */
export function errorProblems(response: RawResponse): string[] {
  const problems: string[] = [];
  if (response.status < 400 || response.status >= 500)
    problems.push(`status ${response.status}, not a 4xx`);
  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) problems.push(`content-type ${type}`);
  const body = response.body as { error?: Record<string, unknown> } | undefined;
  const keys = body && typeof body === 'object' ? Object.keys(body) : [];
  const errorKeys = body?.error && typeof body.error === 'object' ? Object.keys(body.error) : [];
  if (
    keys.join() !== 'error' ||
    errorKeys.sort().join() !== 'code,message' ||
    typeof body?.error?.code !== 'string' ||
    typeof body?.error?.message !== 'string'
  )
    problems.push(`body is not { error: { code, message } }: ${response.text.slice(0, 200)}`);
  if (LEAK.test(response.text)) problems.push(`body leaks a stack or path: ${response.text}`);
  return problems;
}

/** Problems of any answer: a 5xx or other error not shaped as ours, a non-JSON body, a leak. */
export function answerProblems(response: RawResponse): string[] {
  if (response.status >= 400) return errorProblems(response);
  const problems: string[] = [];
  if (response.body === undefined) problems.push(`not JSON: ${response.text.slice(0, 200)}`);
  if (LEAK.test(response.text)) problems.push(`body leaks a stack or path: ${response.text}`);
  return problems;
}

/** One hostile request and the status it must get. */
export interface HostileCase {
  name: string;
  request: RawRequest;
  status: number;
  code?: string;
}

const json = (token: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  ...extra,
});

/** A JSON body whose `events` holds arrays nested `depth` deep. */
function deeplyNested(depth: number): string {
  return `{"events":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/**
 * The requests that functions-framework's parsers or our own code answered with HTML, a stack
 * trace or a 5xx before (issue 14), each with the answer it must get now. `token` is a valid ID
 * token of a Workspace user.
 */
export function hostileCases(token: string): HostileCase[] {
  const post = (
    name: string,
    body: string | Buffer,
    headers = {},
    status = 400,
    code?: string,
  ) => ({
    name,
    request: { method: 'POST', path: '/v1/events', headers: json(token, headers), body },
    status,
    code,
  });
  const get = (name: string, path: string, status = 400, code?: string) => ({
    name,
    request: { method: 'GET', path, headers: { authorization: `Bearer ${token}` } },
    status,
    code,
  });
  return [
    post('malformed JSON', '{"events": [', {}, 400, 'invalid_json'),
    post('a bare null body', 'null'),
    post('a bare string body', '"events"'),
    post(
      'a body in latin1',
      '{"events":[]}',
      { 'content-type': 'application/json; charset=latin1' },
      415,
    ),
    post('bad gzip', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }, 415),
    post('real gzip', gzipSync('{"events":[]}'), { 'content-encoding': 'gzip' }, 415),
    post('brotli', Buffer.from('xx'), { 'content-encoding': 'br' }, 415),
    post('an unknown content encoding', '{}', { 'content-encoding': 'x-magic' }, 415),
    post(
      'bytes that are not UTF-8',
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      {},
      400,
      'invalid_json',
    ),
    post(
      'an oversized text body',
      'x'.repeat(2 * 1024 * 1024),
      { 'content-type': 'text/plain' },
      415,
    ),
    post(
      'an oversized urlencoded body',
      `a=${'b'.repeat(2 * 1024 * 1024)}`,
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
    ),
    post(
      'a deep urlencoded body',
      'a[b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q][r][s][t][u][v][w][x][y][z][a][b][c][d][e][f][g]=1',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
    ),
    post('an oversized JSON body', `{"events":[${'1,'.repeat(700_000)}1]}`, {}, 413),
    post('deeply nested JSON', deeplyNested(100_000)),
    post('a prototype key', '{"__proto__":{"admin":true},"events":[]}'),
    post('a constructor key', '{"constructor":{"prototype":{}},"events":[]}'),
    post(
      'a lone surrogate in a field',
      '{"events":[{"id":"x\\ud800","type":"contact.updated","outcome":"success","occurredAt":"2026-01-01T00:00:00Z"}]}',
    ),
    post(
      'a NUL in a field',
      '{"events":[{"id":"x\\u0000y","type":"contact.updated","outcome":"success","occurredAt":"2026-01-01T00:00:00Z"}]}',
    ),
    get('a malformed % escape in the path', '/v1/shares/%E0%A4%A'),
    get('a truncated % escape in the path', '/v1/shares/abc%'),
    get('a NUL in a path parameter', '/v1/shares/a%00b'),
    get('a lone surrogate in a path parameter', '/v1/shares/%ED%A0%80'),
    get('overlong UTF-8 in a path parameter', '/v1/shares/%C0%AF'),
    get('a NUL in a domain parameter', '/v1/tenants/acme.example%00/policy'),
    get('an oversized path parameter', `/v1/shares/${'a'.repeat(5000)}`),
    get('a malformed % escape in the query', '/v1/shares?view=%E0%A4%A'),
    get('a NUL in the query', '/v1/shares?view=mine%00'),
    get('a lone surrogate in the query', '/v1/audit/verify?tenant=%ED%A0%80'),
    get('a prototype key in the query', '/v1/shares?__proto__=x'),
    get('an unknown path', '/nowhere/%E0%A4%A', 404),
    get('a request line and headers over 16 KB', `/v1/shares/${'a'.repeat(20_000)}`, 431),
  ];
}
