/**
 * This file defines the storage service fakes of the script's worker: PropertiesService,
 * CacheService and LockService, each scoped to the script or the user and kept by the host.
 */
import type { Provides } from './card-objects';
import { scriptException } from './script-errors';
import type { HostCall } from './services';

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

/** Creates PropertiesService, CacheService and LockService over the host's shared state. */
export function createStorageServices(host: HostCall) {
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
  };
}
