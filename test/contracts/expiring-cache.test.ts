/**
 * This file runs the ExpiringCache contract against every adapter: MemoryExpiringCache on a
 * ManualClock, and the add-on's userCache() in the emulator's Apps Script runtime over its
 * CacheService, with the limits Apps Script documents (250-character keys, 100 KB values, 6 h).
 */
import { ManualClock, MemoryExpiringCache } from '../../src/core/memory-adapters';
import type { ExpiringCache } from '../../src/core/ports';
import { STORE_LIMITS } from '../../src/emulator/gas/host-state';
import { useAppsScriptAdapters } from './apps-script-adapters';
import { awaitedCache, describeExpiringCache } from './expiring-cache.contract';

describeExpiringCache('MemoryExpiringCache', async () => {
  const clock = new ManualClock();
  return {
    cache: awaitedCache(new MemoryExpiringCache(clock)),
    advance: (milliseconds) => clock.advance(milliseconds),
  };
});

describe('userCache() in the Apps Script runtime', () => {
  const adapters = useAppsScriptAdapters();

  // Each cache is a new user's cache.
  describeExpiringCache(
    'userCache()',
    async () => ({
      cache: adapters.ofNewUser<ExpiringCache>('userCache', ['get', 'getAll', 'put', 'putAll']),
      advance: (milliseconds) => adapters.advanceClock(milliseconds),
    }),
    {
      limits: {
        keyChars: STORE_LIMITS.cacheKeyChars,
        valueBytes: STORE_LIMITS.cacheValueBytes,
        maxTtlSeconds: STORE_LIMITS.cacheMaxTtlSeconds,
      },
    },
  );
});
