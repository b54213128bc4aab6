/**
 * This file defines the Apps Script service fakes that live in the script's worker and reach the
 * host's shared state through synchronous calls: PropertiesService, CacheService, LockService,
 * Session, ScriptApp, UrlFetchApp (with HTTPResponse), GmailApp (the open message's headers, read
 * with the event's per-message token), Logger and console.
 */
import { format } from 'node:util';
import type { GmailMessageRecord } from '../api/gmail-messages';
import type { Provides } from './card-objects';
import { scriptException } from './script-errors';
import type { FetchAnswer, FetchSpec } from './url-fetch-host';
import { BlobFake, toSignedBytes } from './utilities';

/** The synchronous host call as the fakes see it: returns the value or throws an Exception. */
export type HostCall = (method: string, ...args: unknown[]) => unknown;

/** One log line of an execution. */
export interface LogEntry {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  message: string;
}

/** Who runs the execution and where. */
export interface ExecutionIdentity {
  user: string;
  locale: string;
  timeZone: string;
  scriptTimeZone: string;
}

type Props = GoogleAppsScript.Properties.Properties;

class Properties implements Provides<
  Props,
  | 'getProperty'
  | 'setProperty'
  | 'getProperties'
  | 'setProperties'
  | 'getKeys'
  | 'deleteProperty'
  | 'deleteAllProperties'
> {
  constructor(
    private readonly host: HostCall,
    private readonly scope: 'script' | 'user',
  ) {}
  getProperty(key: unknown): string | null {
    return this.host('propertiesGet', this.scope, String(key)) as string | null;
  }
  getProperties(): Record<string, string> {
    return this.host('propertiesGetAll', this.scope) as Record<string, string>;
  }
  getKeys(): string[] {
    return Object.keys(this.getProperties());
  }
  setProperty(key: unknown, value: unknown): this {
    if (key === undefined || key === null || key === '')
      throw scriptException('Invalid argument: key');
    this.host('propertiesSet', this.scope, { [String(key)]: String(value) }, false);
    return this;
  }
  setProperties(properties: unknown, deleteAllOthers?: unknown): this {
    if (typeof properties !== 'object' || properties === null)
      throw scriptException('Invalid argument: properties');
    const entries = Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [key, String(value)]),
    );
    this.host('propertiesSet', this.scope, entries, deleteAllOthers === true);
    return this;
  }
  deleteProperty(key: unknown): this {
    this.host('propertiesDelete', this.scope, String(key));
    return this;
  }
  deleteAllProperties(): this {
    this.host('propertiesDelete', this.scope, null);
    return this;
  }
  toString(): string {
    return 'Properties';
  }
}

class Cache implements Provides<
  GoogleAppsScript.Cache.Cache,
  'get' | 'getAll' | 'put' | 'putAll' | 'remove' | 'removeAll'
> {
  constructor(
    private readonly host: HostCall,
    private readonly scope: 'script' | 'user',
  ) {}
  get(key: unknown): string | null {
    const found = this.host('cacheGet', this.scope, [String(key)]) as Record<string, string>;
    return found[String(key)] ?? null;
  }
  getAll(keys: unknown): Record<string, string> {
    if (!Array.isArray(keys)) throw scriptException('Invalid argument: keys');
    return this.host('cacheGet', this.scope, keys.map(String)) as Record<string, string>;
  }
  put(key: unknown, value: unknown, expirationInSeconds?: unknown): void {
    this.host('cachePut', this.scope, { [String(key)]: String(value) }, ttl(expirationInSeconds));
  }
  putAll(values: unknown, expirationInSeconds?: unknown): void {
    if (typeof values !== 'object' || values === null)
      throw scriptException('Invalid argument: values');
    const entries = Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, String(value)]),
    );
    this.host('cachePut', this.scope, entries, ttl(expirationInSeconds));
  }
  remove(key: unknown): void {
    this.host('cacheRemove', this.scope, [String(key)]);
  }
  removeAll(keys: unknown): void {
    if (!Array.isArray(keys)) throw scriptException('Invalid argument: keys');
    this.host('cacheRemove', this.scope, keys.map(String));
  }
  toString(): string {
    return 'Cache';
  }
}

function ttl(seconds: unknown): number | null {
  if (seconds === undefined) return null;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds))
    throw scriptException('Invalid argument: expirationInSeconds');
  return seconds;
}

class Lock implements Provides<
  GoogleAppsScript.Lock.Lock,
  'tryLock' | 'waitLock' | 'releaseLock' | 'hasLock'
> {
  constructor(
    private readonly host: HostCall,
    private readonly scope: 'script' | 'user',
  ) {}
  tryLock(timeoutInMillis: unknown): boolean {
    return this.host('lockAcquire', this.scope, timeoutMs(timeoutInMillis)) as boolean;
  }
  waitLock(timeoutInMillis: unknown): void {
    if (!this.tryLock(timeoutInMillis)) {
      throw scriptException('Lock timeout: another process was holding the lock for too long.');
    }
  }
  releaseLock(): void {
    this.host('lockRelease', this.scope);
  }
  hasLock(): boolean {
    return this.host('lockHas', this.scope) as boolean;
  }
  toString(): string {
    return 'Lock';
  }
}

function timeoutMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw scriptException('Invalid argument: timeoutInMillis');
  return value;
}

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

function createUrlFetchApp(host: HostCall) {
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

interface TriggerView {
  id: string;
  handlerFunction: string;
}

class Trigger implements Provides<
  GoogleAppsScript.Script.Trigger,
  'getUniqueId' | 'getHandlerFunction' | 'getEventType' | 'getTriggerSource'
> {
  constructor(private readonly record: TriggerView) {}
  getUniqueId(): string {
    return this.record.id;
  }
  getHandlerFunction(): string {
    return this.record.handlerFunction;
  }
  getEventType(): never {
    return 'CLOCK' as never;
  }
  getTriggerSource(): never {
    return 'CLOCK' as never;
  }
  toString(): string {
    return 'Trigger';
  }
}

/** ScriptApp.newTrigger(name).timeBased(): the add-on rules are checked on create(). */
class ClockTriggerBuilder {
  private everyHoursValue = 0;
  private atHourValue?: number;
  private nearMinuteValue?: number;
  constructor(
    private readonly host: HostCall,
    private readonly handlerFunction: string,
  ) {}
  everyMinutes(minutes: unknown): this {
    this.everyHoursValue = Number(minutes) / 60;
    return this;
  }
  everyHours(hours: unknown): this {
    this.everyHoursValue = Number(hours);
    return this;
  }
  everyDays(days: unknown): this {
    this.everyHoursValue = Number(days) * 24;
    return this;
  }
  everyWeeks(weeks: unknown): this {
    this.everyHoursValue = Number(weeks) * 24 * 7;
    return this;
  }
  atHour(hour: unknown): this {
    this.atHourValue = Number(hour);
    return this;
  }
  nearMinute(minute: unknown): this {
    this.nearMinuteValue = Number(minute);
    return this;
  }
  create(): Trigger {
    const record = this.host('triggerCreate', {
      handlerFunction: this.handlerFunction,
      everyHours: this.everyHoursValue,
      atHour: this.atHourValue,
      nearMinute: this.nearMinuteValue,
    }) as TriggerView;
    return new Trigger(record);
  }
}

function createScriptApp(host: HostCall, scriptId: string) {
  let token: string | undefined;
  return Object.freeze({
    AuthMode: Object.freeze({
      NONE: 'NONE',
      CUSTOM_FUNCTION: 'CUSTOM_FUNCTION',
      LIMITED: 'LIMITED',
      FULL: 'FULL',
    }),
    EventType: Object.freeze({ CLOCK: 'CLOCK' }),
    TriggerSource: Object.freeze({ CLOCK: 'CLOCK' }),
    getOAuthToken(): string {
      token ??= host('accessToken') as string;
      return token;
    },
    getIdentityToken(): string {
      return host('identityToken') as string;
    },
    getScriptId(): string {
      return scriptId;
    },
    newTrigger(functionName: unknown) {
      if (typeof functionName !== 'string' || functionName === '')
        throw scriptException('Invalid argument: functionName');
      return Object.freeze({ timeBased: () => new ClockTriggerBuilder(host, functionName) });
    },
    getProjectTriggers(): Trigger[] {
      return (host('triggerList') as TriggerView[]).map((record) => new Trigger(record));
    },
    getUserTriggers(): Trigger[] {
      return (host('triggerList') as TriggerView[]).map((record) => new Trigger(record));
    },
    deleteTrigger(trigger: unknown): void {
      if (!(trigger instanceof Trigger)) throw scriptException('Invalid argument: trigger');
      host('triggerDelete', trigger.getUniqueId());
    },
  });
}

/** GmailMessage: the header getters an add-on with the message metadata scope may use. */
class GmailMessageFake {
  constructor(private readonly headers: GmailMessageRecord) {}
  getId(): string {
    return this.headers.id;
  }
  getFrom(): string {
    return this.headers.from;
  }
  getTo(): string {
    return this.headers.to.join(', ');
  }
  getCc(): string {
    return this.headers.cc.join(', ');
  }
  getSubject(): string {
    return this.headers.subject;
  }
  getDate(): Date {
    return new Date(this.headers.date);
  }
  toString(): string {
    return 'GmailMessage';
  }
}

/**
 * GmailApp as a Gmail add-on with only `gmail.addons.current.message.*` scopes sees it: the
 * event's per-message token must be set first, then getMessageById reads that message.
 */
function createGmailApp(host: HostCall) {
  let messageToken: string | undefined;
  return Object.freeze({
    setCurrentMessageAccessToken(accessToken: unknown): void {
      if (typeof accessToken !== 'string' || accessToken === '')
        throw scriptException('Invalid argument: accessToken');
      messageToken = accessToken;
    },
    getMessageById(id: unknown): GmailMessageFake {
      if (typeof id !== 'string' || id === '') throw scriptException('Invalid argument: id');
      if (messageToken === undefined)
        throw scriptException('Access denied: : Missing access token for per message scope');
      return new GmailMessageFake(host('gmailMessage', messageToken, id) as GmailMessageRecord);
    },
  });
}

function createSession(identity: ExecutionIdentity) {
  const user = Object.freeze({ getEmail: () => identity.user, toString: () => identity.user });
  return Object.freeze({
    getActiveUser: () => user,
    getEffectiveUser: () => user,
    getActiveUserLocale: () => identity.locale,
    getScriptTimeZone: () => identity.scriptTimeZone,
    getTimeZone: () => identity.timeZone,
    getTemporaryActiveUserKey: () =>
      Buffer.from(`temporary-key:${identity.user}`).toString('base64url'),
  });
}

function createLogging(logs: LogEntry[]) {
  let logText = '';
  const write =
    (level: LogEntry['level']) =>
    (...args: unknown[]) => {
      logs.push({ level, message: format(...args) });
    };
  const logger = {
    log(data: unknown, ...values: unknown[]) {
      const message = values.length > 0 ? format(String(data), ...values) : format(data);
      logs.push({ level: 'info', message });
      logText += `${message}\n`;
      return logger;
    },
    getLog: () => logText,
    clear: () => {
      logText = '';
    },
  };
  const console = Object.freeze({
    log: write('log'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    debug: write('debug'),
  });
  return { Logger: Object.freeze(logger), console };
}

/** Creates the service globals of one execution, bound to the host and the acting user. */
export function createServiceGlobals(
  host: HostCall,
  identity: ExecutionIdentity,
  scriptId: string,
  logs: LogEntry[],
) {
  return {
    PropertiesService: Object.freeze({
      getScriptProperties: () => new Properties(host, 'script'),
      getUserProperties: () => new Properties(host, 'user'),
      getDocumentProperties: () => null,
    }),
    CacheService: Object.freeze({
      getScriptCache: () => new Cache(host, 'script'),
      getUserCache: () => new Cache(host, 'user'),
      getDocumentCache: () => null,
    }),
    LockService: Object.freeze({
      getScriptLock: () => new Lock(host, 'script'),
      getUserLock: () => new Lock(host, 'user'),
      getDocumentLock: () => null,
    }),
    Session: createSession(identity),
    ScriptApp: createScriptApp(host, scriptId),
    UrlFetchApp: createUrlFetchApp(host),
    GmailApp: createGmailApp(host),
    ...createLogging(logs),
  };
}
