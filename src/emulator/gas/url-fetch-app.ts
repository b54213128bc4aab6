/**
 * This file defines the UrlFetchApp fake of the script's worker and the HTTPResponse it returns;
 * the host sends the requests.
 */
import type { Provides } from './card-objects';
import { scriptException } from './script-errors';
import type { HostCall } from './services';
import type { FetchAnswer, FetchSpec } from './url-fetch-host';
import { BlobFake, toSignedBytes } from './utilities';

/** Apps Script's HTTPResponse over an answer from the host. */
class HttpResponse implements Provides<
  GoogleAppsScript.URL_Fetch.HTTPResponse,
  | 'getResponseCode'
  | 'getContentText'
  | 'getHeaders'
  | 'getAllHeaders'
  | 'getBlob'
  | 'getContent'
  | 'getAs'
> {
  private readonly body: Buffer;
  constructor(
    private readonly answer: FetchAnswer,
    private readonly url: string,
  ) {
    this.body = Buffer.from(answer.bodyBase64, 'base64');
  }
  getResponseCode(): number {
    return this.answer.status;
  }
  getContentText(charset?: unknown): string {
    return this.body.toString(charset === 'US-ASCII' ? 'ascii' : 'utf8');
  }
  getContent(): number[] {
    return toSignedBytes(this.body);
  }
  getHeaders(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.answer.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? (value[0] ?? '') : value,
      ]),
    );
  }
  getAllHeaders(): Record<string, string | string[]> {
    return { ...this.answer.headers };
  }
  getBlob(): BlobFake {
    const contentType = this.getHeaders()['content-type'] ?? null;
    const name = new URL(this.url).pathname.split('/').pop() || null;
    return new BlobFake(Buffer.from(this.body), contentType, name);
  }
  getAs(contentType: unknown): BlobFake {
    return this.getBlob().setContentType(contentType);
  }
  toString(): string {
    return 'HTTPResponse';
  }
}

interface FetchOptions {
  method?: unknown;
  headers?: unknown;
  payload?: unknown;
  contentType?: unknown;
  muteHttpExceptions?: unknown;
  followRedirects?: unknown;
  url?: unknown;
}

/** Turns UrlFetchApp's (url, params) into the request the host sends. */
function toFetchSpec(
  url: unknown,
  options: FetchOptions | undefined,
): { spec: FetchSpec; mute: boolean } {
  if (typeof url !== 'string') throw scriptException('Invalid argument: url');
  const method = typeof options?.method === 'string' ? options.method.toLowerCase() : 'get';
  if (!['get', 'delete', 'patch', 'post', 'put'].includes(method))
    throw scriptException(`Invalid argument: method`);
  const headers: Record<string, string> = {};
  if (options?.headers !== undefined) {
    if (typeof options.headers !== 'object' || options.headers === null)
      throw scriptException('Invalid argument: headers');
    for (const [name, value] of Object.entries(options.headers)) headers[name] = String(value);
  }
  let payload: Buffer | undefined;
  const raw = options?.payload;
  let contentType = typeof options?.contentType === 'string' ? options.contentType : undefined;
  if (typeof raw === 'string') payload = Buffer.from(raw, 'utf8');
  else if (raw instanceof BlobFake) payload = raw.buffer();
  else if (Array.isArray(raw))
    payload = Buffer.from(Uint8Array.from(raw as number[], (byte) => byte & 0xff));
  else if (typeof raw === 'object' && raw !== null) {
    payload = Buffer.from(
      new URLSearchParams(
        Object.entries(raw).map(([key, value]): [string, string] => [key, String(value)]),
      ).toString(),
      'utf8',
    );
    contentType ??= 'application/x-www-form-urlencoded';
  }
  if (payload !== undefined) {
    contentType ??= 'application/x-www-form-urlencoded';
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
      headers['Content-Type'] = contentType;
  }
  return {
    spec: {
      url,
      method,
      headers,
      payloadBase64: payload?.toString('base64'),
      // "followRedirects: if false the fetch doesn't automatically follow HTTP redirects; it
      // returns the original HTTP response. The default is true."
      // https://developers.google.com/apps-script/reference/url-fetch/url-fetch-app#fetch(String,Object)
      followRedirects: options?.followRedirects !== false,
    },
    mute: options?.muteHttpExceptions === true,
  };
}

function toResponse(answer: FetchAnswer, url: string, mute: boolean): HttpResponse {
  if (answer.status >= 400 && !mute) {
    const text = Buffer.from(answer.bodyBase64, 'base64').toString('utf8');
    const origin = new URL(url).origin;
    throw scriptException(
      `Request failed for ${origin} returned code ${answer.status}. Truncated server response: ${text.slice(0, 100)}${text.length > 100 ? '... ' : ' '}(use muteHttpExceptions option to examine full response)`,
    );
  }
  return new HttpResponse(answer, url);
}
/** Creates UrlFetchApp: fetch, fetchAll and getRequest, answered by the host. */
export function createUrlFetchApp(host: HostCall) {
  return Object.freeze({
    fetch(url: unknown, params?: FetchOptions): HttpResponse {
      const { spec, mute } = toFetchSpec(url, params);
      const [answer] = host('fetchAll', [spec]) as FetchAnswer[];
      return toResponse(answer as FetchAnswer, spec.url, mute);
    },
    fetchAll(requests: unknown): HttpResponse[] {
      if (!Array.isArray(requests)) throw scriptException('Invalid argument: requests');
      const prepared = requests.map((request: unknown) =>
        typeof request === 'string'
          ? toFetchSpec(request, undefined)
          : toFetchSpec((request as FetchOptions | null)?.url, request as FetchOptions),
      );
      const answers = host(
        'fetchAll',
        prepared.map((entry) => entry.spec),
      ) as FetchAnswer[];
      return answers.map((answer, index) =>
        toResponse(answer, prepared[index]!.spec.url, prepared[index]!.mute),
      );
    },
    getRequest(url: unknown, params?: FetchOptions): Record<string, unknown> {
      const { spec } = toFetchSpec(url, params);
      return {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        payload: spec.payloadBase64
          ? Buffer.from(spec.payloadBase64, 'base64').toString('utf8')
          : '',
      };
    },
  });
}
