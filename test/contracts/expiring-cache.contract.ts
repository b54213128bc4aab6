/**
 * This file defines the contract suite of the ExpiringCache port (src/core/ports.ts): one set of
 * behaviours that every adapter must show, run by expiring-cache.test.ts against each of them.
 */
import type { ExpiringCache } from '../../src/core/ports';
import type { AwaitedPort } from './awaited-port';

/** An ExpiringCache seen from the test: its calls may cross to a script's worker, so they are awaited. */
export type ExpiringCacheUnderTest = AwaitedPort<ExpiringCache>;

/** A cache under test and the clock its entries expire by. */
export interface ExpiringCacheFixture {
  cache: ExpiringCacheUnderTest;
  /** Moves the adapter's clock on; no real time passes. */
  advance(milliseconds: number): void;
}

/** The limits of the service behind an adapter, which the suite checks it keeps. */
export interface ExpiringCacheLimits {
  /** The longest key, in characters. */
  keyChars: number;
  /** The largest value, in UTF-8 bytes. */
  valueBytes: number;
  /** The longest an entry lives, in seconds, whatever TTL it was given. */
  maxTtlSeconds: number;
}

/** Options of one run of the suite. */
export interface ExpiringCacheContractOptions {
  /** Limits the adapter's service enforces; without them the suite checks none. */
  limits?: ExpiringCacheLimits;
}

/** Wraps an in-process ExpiringCache for the suite. */
export function awaitedCache(cache: ExpiringCache): ExpiringCacheUnderTest {
  return {
    get: async (key) => cache.get(key),
    getAll: async (keys) => cache.getAll(keys),
    put: async (key, value, ttlSeconds) => cache.put(key, value, ttlSeconds),
    putAll: async (values, ttlSeconds) => cache.putAll(values, ttlSeconds),
  };
}

/**
 * Declares the ExpiringCache contract for one adapter. `makeCache` gives a new, empty cache each
 * time it is called; two caches from it must not see each other's keys.
 */
export function describeExpiringCache(
  name: string,
  makeCache: () => Promise<ExpiringCacheFixture>,
  options: ExpiringCacheContractOptions = {},
): void {
  describe(`ExpiringCache contract: ${name}`, () => {
    let cache: ExpiringCacheUnderTest;
    let advance: (milliseconds: number) => void;
    beforeEach(async () => {
      ({ cache, advance } = await makeCache());
    });

    it('answers null for a key never put, and nothing for getAll of missing keys', async () => {
      expect(await cache.get('missing')).toBeNull();
      expect(await cache.getAll(['missing', 'also-missing'])).toEqual({});
    });

    it('gives back what was put, and the last value after an overwrite', async () => {
      await cache.put('directory:access', 'shared', 600);
      expect(await cache.get('directory:access')).toBe('shared');
      await cache.put('directory:access', 'hidden', 600);
      expect(await cache.get('directory:access')).toBe('hidden');
    });

    it('answers getAll with the keys it holds only', async () => {
      await cache.put('dirname:ann@a.example', 'Ann Lee', 600);
      expect(await cache.getAll(['dirname:ann@a.example', 'dirname:bob@a.example'])).toEqual({
        'dirname:ann@a.example': 'Ann Lee',
      });
    });

    it('puts several entries at once with putAll', async () => {
      await cache.putAll({ a: '1', b: '2', 'clé-😀': 'Zoë 张伟 😀' }, 600);
      expect(await cache.getAll(['a', 'b', 'clé-😀', 'c'])).toEqual({
        a: '1',
        b: '2',
        'clé-😀': 'Zoë 张伟 😀',
      });
      expect(await cache.get('b')).toBe('2');
    });

    it('forgets an entry once its TTL has passed, on the clock, and keeps the others', async () => {
      await cache.put('short', 's', 60);
      await cache.putAll({ long: 'l' }, 600);
      advance(59_999);
      expect(await cache.get('short')).toBe('s');
      advance(1);
      expect(await cache.get('short')).toBeNull();
      expect(await cache.getAll(['short', 'long'])).toEqual({ long: 'l' });
      advance(540_000);
      expect(await cache.get('long')).toBeNull();
    });

    it('starts a new TTL when an entry is overwritten', async () => {
      await cache.put('key', 'first', 60);
      advance(50_000);
      await cache.put('key', 'second', 60);
      advance(50_000);
      expect(await cache.get('key')).toBe('second');
      advance(10_000);
      expect(await cache.get('key')).toBeNull();
    });

    it('keeps two caches apart', async () => {
      const other = (await makeCache()).cache;
      await cache.put('shared-name', 'mine', 600);
      await other.putAll({ 'shared-name': 'theirs', 'only-theirs': 'x' }, 600);
      expect(await cache.get('shared-name')).toBe('mine');
      expect(await cache.getAll(['shared-name', 'only-theirs'])).toEqual({ 'shared-name': 'mine' });
    });

    const limits = options.limits;
    if (limits) {
      it(`holds a key of ${limits.keyChars} characters and refuses a longer one`, async () => {
        const key = 'k'.repeat(limits.keyChars);
        await cache.put(key, 'fits', 600);
        expect(await cache.get(key)).toBe('fits');
        await expect(cache.put(`${key}k`, 'too long', 600)).rejects.toThrow(
          'Argument too large: key',
        );
        await expect(cache.putAll({ [`${key}k`]: 'too long' }, 600)).rejects.toThrow(
          'Argument too large: key',
        );
      });

      it(`refuses a value over ${limits.valueBytes} bytes and keeps the value it had`, async () => {
        await cache.put('big', 'before', 600);
        await expect(cache.put('big', 'x'.repeat(limits.valueBytes + 1), 600)).rejects.toThrow(
          'Argument too large: value',
        );
        expect(await cache.get('big')).toBe('before');
        await cache.put('big', 'x'.repeat(limits.valueBytes), 600);
        expect(await cache.get('big')).toHaveLength(limits.valueBytes);
      });

      it(`keeps an entry ${limits.maxTtlSeconds} s at most, whatever its TTL`, async () => {
        await cache.put('capped', 'v', limits.maxTtlSeconds * 2);
        advance(limits.maxTtlSeconds * 1000 - 1);
        expect(await cache.get('capped')).toBe('v');
        advance(1);
        expect(await cache.get('capped')).toBeNull();
      });
    }
  });
}
