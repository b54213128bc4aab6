/**
 * This file runs the ExpiringCache contract against every adapter: MemoryExpiringCache on a
 * ManualClock, and the add-on's userCache() in the emulator's Apps Script runtime over its
 * CacheService, with the limits Apps Script documents (250-character keys, 100 KB values, 6 h).
 */
import { ManualClock, MemoryExpiringCache } from '../../src/core/memory-adapters';
import { STORE_LIMITS } from '../../src/emulator/gas/host-state';
import { startAppsScriptAdapters, type AppsScriptAdapters } from './apps-script-adapters';
import {
  awaitedCache,
  describeExpiringCache,
  type ExpiringCacheFixture,
} from './expiring-cache.contract';

describeExpiringCache('MemoryExpiringCache', async () => {
  const clock = new ManualClock();
  return {
    cache: awaitedCache(new MemoryExpiringCache(clock)),
    advance: (milliseconds) => clock.advance(milliseconds),
  };
});

describe('userCache() in the Apps Script runtime', () => {
  let adapters: AppsScriptAdapters;
  beforeAll(() => {
    adapters = startAppsScriptAdapters();
  });
  afterAll(() => adapters.close());

  /** Each cache is a new user's cache; every call runs in its own execution. */
  async function userCache(): Promise<ExpiringCacheFixture> {
    const user = adapters.newUser();
    const call = (method: string, ...args: unknown[]) =>
      adapters.call(user, 'userCache', method, args);
    return {
      cache: {
        get: async (key) => (await call('get', key)) as string | null,
        getAll: async (keys) => (await call('getAll', keys)) as Record<string, string>,
        put: async (key, value, ttlSeconds) => void (await call('put', key, value, ttlSeconds)),
        putAll: async (values, ttlSeconds) => void (await call('putAll', values, ttlSeconds)),
      },
      advance: (milliseconds) => adapters.advanceClock(milliseconds),
    };
  }

  describeExpiringCache('userCache()', userCache, {
    limits: {
      keyChars: STORE_LIMITS.cacheKeyChars,
      valueBytes: STORE_LIMITS.cacheValueBytes,
      maxTtlSeconds: STORE_LIMITS.cacheMaxTtlSeconds,
    },
  });
});
