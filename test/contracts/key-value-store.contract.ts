/**
 * This file defines the contract suite of the KeyValueStore port (src/core/ports.ts): one set of
 * behaviours that every adapter must show, run by key-value-store.test.ts against each of them.
 */
import type { KeyValueStore } from '../../src/core/ports';
import type { AwaitedPort } from './awaited-port';

/** A KeyValueStore seen from the test: its calls may cross to a script's worker, so they are awaited. */
export type KeyValueStoreUnderTest = AwaitedPort<KeyValueStore>;

/** The limits of the service behind an adapter, which the suite checks it keeps. */
export interface KeyValueStoreLimits {
  /** The largest value, in UTF-8 bytes. */
  valueBytes: number;
  /** The largest store, keys and values, in UTF-8 bytes. */
  storeBytes: number;
}

/** Options of one run of the suite. */
export interface KeyValueStoreContractOptions {
  /** Limits the adapter's service enforces; without them the suite checks none. */
  limits?: KeyValueStoreLimits;
}

/** The value size every adapter must hold: the Apps Script limit the add-on writes within. */
export const PORTABLE_VALUE_BYTES = 9 * 1024;

/** Wraps an in-process KeyValueStore for the suite. */
export function awaitedStore(store: KeyValueStore): KeyValueStoreUnderTest {
  return {
    get: async (key) => store.get(key),
    set: async (key, value) => store.set(key, value),
    delete: async (key) => store.delete(key),
    keys: async () => store.keys(),
  };
}

/** A string of exactly `bytes` UTF-8 bytes made of three-byte characters (and ASCII to pad). */
function utf8Text(bytes: number): string {
  return '€'.repeat(Math.floor(bytes / 3)) + 'x'.repeat(bytes % 3);
}

/**
 * Declares the KeyValueStore contract for one adapter. `makeStore` gives a new, empty store each
 * time it is called; two stores from it must not see each other's keys.
 */
export function describeKeyValueStore(
  name: string,
  makeStore: () => Promise<KeyValueStoreUnderTest>,
  options: KeyValueStoreContractOptions = {},
): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let store: KeyValueStoreUnderTest;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('answers null for a key never set, and lists no keys when empty', async () => {
      expect(await store.get('missing')).toBeNull();
      expect(await store.keys()).toEqual([]);
    });

    it('gives back what was set, and the last value after an overwrite', async () => {
      await store.set('share:1', 'first');
      expect(await store.get('share:1')).toBe('first');
      await store.set('share:1', 'second');
      expect(await store.get('share:1')).toBe('second');
      expect(await store.keys()).toEqual(['share:1']);
    });

    it('forgets a deleted key, keeps the others, and ignores deleting a missing key', async () => {
      await store.set('a', '1');
      await store.set('b', '2');
      await store.delete('a');
      await store.delete('never-set');
      expect(await store.get('a')).toBeNull();
      expect(await store.get('b')).toBe('2');
      expect(await store.keys()).toEqual(['b']);
    });

    it('lists every key once', async () => {
      for (const key of ['sync.cursor', 'sync.state', 'prefs']) await store.set(key, key);
      await store.set('prefs', 'changed');
      expect((await store.keys()).sort()).toEqual(['prefs', 'sync.cursor', 'sync.state']);
    });

    it('keeps Unicode keys and values exactly, JSON included', async () => {
      const value = JSON.stringify({ name: 'Zoë Ørsted 张伟 😀', note: 'line\nbreak\t"quoted"' });
      await store.set('clé-😀', value);
      expect(await store.get('clé-😀')).toBe(value);
      expect(JSON.parse((await store.get('clé-😀')) as string)).toEqual({
        name: 'Zoë Ørsted 张伟 😀',
        note: 'line\nbreak\t"quoted"',
      });
      expect(await store.keys()).toEqual(['clé-😀']);
    });

    it(`holds a value of ${PORTABLE_VALUE_BYTES} UTF-8 bytes`, async () => {
      const value = utf8Text(PORTABLE_VALUE_BYTES);
      expect(Buffer.byteLength(value, 'utf8')).toBe(PORTABLE_VALUE_BYTES);
      await store.set('big', value);
      expect(await store.get('big')).toBe(value);
    });

    it('keeps two stores apart', async () => {
      const other = await makeStore();
      await store.set('shared-name', 'mine');
      await other.set('shared-name', 'theirs');
      await other.set('only-theirs', 'x');
      expect(await store.get('shared-name')).toBe('mine');
      expect(await store.get('only-theirs')).toBeNull();
      expect(await store.keys()).toEqual(['shared-name']);
      await other.delete('shared-name');
      expect(await store.get('shared-name')).toBe('mine');
    });

    const limits = options.limits;
    if (limits) {
      it(`refuses a value over ${limits.valueBytes} bytes and keeps the value it had`, async () => {
        await store.set('big', 'before');
        await expect(store.set('big', utf8Text(limits.valueBytes + 1))).rejects.toThrow(
          'Argument too large: value',
        );
        expect(await store.get('big')).toBe('before');
        await store.set('big', utf8Text(limits.valueBytes));
        expect(Buffer.byteLength((await store.get('big')) as string, 'utf8')).toBe(
          limits.valueBytes,
        );
      });

      it(`refuses a write that would take the store over ${limits.storeBytes} bytes`, async () => {
        const value = utf8Text(limits.valueBytes - 8);
        const key = (index: number) => `k${String(index).padStart(6, '0')}`;
        const fits = Math.floor(
          limits.storeBytes / (Buffer.byteLength(key(0)) + Buffer.byteLength(value)),
        );
        let written = 0;
        let refusal: unknown;
        for (; written <= fits + 1; written += 1) {
          try {
            await store.set(key(written), value);
          } catch (error) {
            refusal = error;
            break;
          }
        }
        expect(String(refusal)).toMatch(/exceeded the property storage quota/);
        expect(written).toBe(fits);
        expect(await store.keys()).toHaveLength(written);
        await store.delete(key(0));
        await store.set('after-room-was-made', 'fits');
        expect(await store.get('after-room-was-made')).toBe('fits');
      });
    }
  });
}
