/**
 * This file defines the state that outlives one execution and is shared by every user of the
 * add-on, held by the host (main thread): property stores, caches, locks and triggers, with
 * Apps Script's documented limits (FACTS.md, "Apps Script and Workspace add-ons").
 */
import { ScriptFacingError } from './sync-rpc';

/** Apps Script's documented limits that these stores enforce. */
export const STORE_LIMITS = {
  propertyValueBytes: 9 * 1024,
  propertyStoreBytes: 500 * 1024,
  cacheKeyChars: 250,
  cacheValueBytes: 100 * 1024,
  cacheItems: 1000,
  /** When a cache overflows, Apps Script keeps the 900 items farthest from expiring. */
  cacheItemsAfterEviction: 900,
  cacheDefaultTtlSeconds: 600,
  cacheMaxTtlSeconds: 21600,
  triggersPerUser: 20,
  minimumTriggerIntervalHours: 1,
} as const;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** PropertiesService's stores: "script" (one for everyone) and one per user ("user:<email>"). */
export class PropertyStores {
  private readonly stores = new Map<string, Map<string, string>>();

  private store(scope: string): Map<string, string> {
    let store = this.stores.get(scope);
    if (!store) {
      store = new Map();
      this.stores.set(scope, store);
    }
    return store;
  }

  get(scope: string, key: string): string | null {
    return this.store(scope).get(key) ?? null;
  }

  getAll(scope: string): Record<string, string> {
    return Object.fromEntries(this.store(scope));
  }

  /** Writes entries all or nothing: a value over 9 KB or a store over 500 KB changes nothing. */
  set(scope: string, entries: Record<string, string>, deleteAllOthers: boolean): void {
    for (const value of Object.values(entries)) {
      if (utf8Bytes(value) > STORE_LIMITS.propertyValueBytes)
        throw new ScriptFacingError('Argument too large: value');
    }
    const next = new Map(deleteAllOthers ? [] : this.store(scope));
    for (const [key, value] of Object.entries(entries)) next.set(key, value);
    let total = 0;
    for (const [key, value] of next) total += utf8Bytes(key) + utf8Bytes(value);
    if (total > STORE_LIMITS.propertyStoreBytes) {
      throw new ScriptFacingError(
        'You have exceeded the property storage quota. Please remove some properties and try again.',
      );
    }
    this.stores.set(scope, next);
  }

  delete(scope: string, key: string | null): void {
    if (key === null) this.stores.delete(scope);
    else this.store(scope).delete(key);
  }
}

interface CacheEntry {
  value: string;
  expiresAt: number;
}

/** CacheService's caches: "script" and one per user, expiring on the emulator's virtual clock. */
export class CacheStores {
  private readonly caches = new Map<string, Map<string, CacheEntry>>();

  constructor(private readonly now: () => number) {}

  private cache(scope: string): Map<string, CacheEntry> {
    let cache = this.caches.get(scope);
    if (!cache) {
      cache = new Map();
      this.caches.set(scope, cache);
    }
    const now = this.now();
    for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
    return cache;
  }

  get(scope: string, keys: string[]): Record<string, string> {
    const cache = this.cache(scope);
    const found: Record<string, string> = {};
    for (const key of keys) {
      checkCacheKey(key);
      const entry = cache.get(key);
      if (entry) found[key] = entry.value;
    }
    return found;
  }

  /** Stores entries; the TTL defaults to 10 minutes and is capped at 6 hours, as documented. */
  put(scope: string, entries: Record<string, string>, ttlSeconds: number | null): void {
    for (const [key, value] of Object.entries(entries)) {
      checkCacheKey(key);
      if (utf8Bytes(value) > STORE_LIMITS.cacheValueBytes)
        throw new ScriptFacingError('Argument too large: value');
    }
    const ttl = Math.min(
      ttlSeconds ?? STORE_LIMITS.cacheDefaultTtlSeconds,
      STORE_LIMITS.cacheMaxTtlSeconds,
    );
    if (!(ttl >= 1)) throw new ScriptFacingError('Invalid argument: expirationInSeconds');
    const cache = this.cache(scope);
    const expiresAt = this.now() + ttl * 1000;
    for (const [key, value] of Object.entries(entries)) {
      cache.delete(key);
      cache.set(key, { value, expiresAt });
    }
    if (cache.size > STORE_LIMITS.cacheItems) {
      const kept = [...cache.entries()]
        .sort(([, a], [, b]) => b.expiresAt - a.expiresAt)
        .slice(0, STORE_LIMITS.cacheItemsAfterEviction);
      this.caches.set(scope, new Map(kept));
    }
  }

  remove(scope: string, keys: string[]): void {
    const cache = this.cache(scope);
    for (const key of keys) cache.delete(key);
  }

  size(scope: string): number {
    return this.cache(scope).size;
  }
}

function checkCacheKey(key: string): void {
  if (key.length > STORE_LIMITS.cacheKeyChars)
    throw new ScriptFacingError('Argument too large: key');
}

interface LockState {
  holder: string | null;
  waiters: { execution: string; grant: () => void }[];
}

/** LockService's locks: the script lock (shared by all users) and one lock per user. */
export class LockManager {
  private readonly locks = new Map<string, LockState>();

  private lock(scope: string): LockState {
    let lock = this.locks.get(scope);
    if (!lock) {
      lock = { holder: null, waiters: [] };
      this.locks.set(scope, lock);
    }
    return lock;
  }

  /** Takes the lock for an execution, waiting up to timeoutMs of real time for its holder. */
  acquire(scope: string, execution: string, timeoutMs: number): Promise<boolean> {
    const lock = this.lock(scope);
    if (lock.holder === null || lock.holder === execution) {
      lock.holder = execution;
      return Promise.resolve(true);
    }
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        execution,
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        lock.waiters = lock.waiters.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs);
      lock.waiters.push(waiter);
    });
  }

  holds(scope: string, execution: string): boolean {
    return this.lock(scope).holder === execution;
  }

  release(scope: string, execution: string): void {
    const lock = this.lock(scope);
    if (lock.holder !== execution) return;
    const next = lock.waiters.shift();
    lock.holder = next ? next.execution : null;
    next?.grant();
  }

  /** Releases every lock an execution holds, as Apps Script does when a script ends. */
  releaseAll(execution: string): void {
    for (const scope of this.locks.keys()) this.release(scope, execution);
  }
}

/** A time-driven trigger an add-on installed for a user. */
export interface TriggerRecord {
  id: string;
  user: string;
  handlerFunction: string;
  eventType: 'CLOCK';
  /** How often it runs, in hours (at least 1 for add-ons). */
  everyHours: number;
  atHour?: number;
  nearMinute?: number;
}

/** The triggers that users installed through ScriptApp.newTrigger. */
export class TriggerStore {
  private readonly triggers: TriggerRecord[] = [];
  private nextId = 1;

  create(user: string, spec: Omit<TriggerRecord, 'id' | 'user' | 'eventType'>): TriggerRecord {
    if (this.list(user).length >= STORE_LIMITS.triggersPerUser) {
      throw new ScriptFacingError(
        'This add-on has created too many time-based triggers in this document for this Google user account.',
      );
    }
    if (!(spec.everyHours >= STORE_LIMITS.minimumTriggerIntervalHours)) {
      throw new ScriptFacingError(
        'Add-ons may not create time-based triggers that run more often than once per hour.',
      );
    }
    const trigger: TriggerRecord = { ...spec, id: String(this.nextId++), user, eventType: 'CLOCK' };
    this.triggers.push(trigger);
    return { ...trigger };
  }

  list(user?: string): TriggerRecord[] {
    return this.triggers
      .filter((trigger) => user === undefined || trigger.user === user)
      .map((t) => ({ ...t }));
  }

  delete(user: string, id: string): void {
    const index = this.triggers.findIndex((trigger) => trigger.id === id && trigger.user === user);
    if (index >= 0) this.triggers.splice(index, 1);
  }
}
