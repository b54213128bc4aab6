/**
 * This file runs the KeyValueStore contract against every adapter: MemoryKeyValueStore, and
 * UserPropertiesStore in the emulator's Apps Script runtime over its PropertiesService, with the
 * limits Apps Script documents (9 KB per value, 500 KB per store).
 */
import { MemoryKeyValueStore } from '../../src/core/memory-adapters';
import { STORE_LIMITS } from '../../src/emulator/gas/host-state';
import { startAppsScriptAdapters, type AppsScriptAdapters } from './apps-script-adapters';
import {
  awaitedStore,
  describeKeyValueStore,
  type KeyValueStoreUnderTest,
} from './key-value-store.contract';

describeKeyValueStore('MemoryKeyValueStore', async () => awaitedStore(new MemoryKeyValueStore()));

describe('UserPropertiesStore in the Apps Script runtime', () => {
  let adapters: AppsScriptAdapters;
  beforeAll(() => {
    adapters = startAppsScriptAdapters();
  });
  afterAll(() => adapters.close());

  /** Each store is a new user's properties; every call runs in its own execution. */
  async function userPropertiesStore(): Promise<KeyValueStoreUnderTest> {
    const user = adapters.newUser();
    const call = (method: string, ...args: string[]) =>
      adapters.call(user, 'UserPropertiesStore', method, args);
    return {
      get: async (key) => (await call('get', key)) as string | null,
      set: async (key, value) => void (await call('set', key, value)),
      delete: async (key) => void (await call('delete', key)),
      keys: async () => (await call('keys')) as string[],
    };
  }

  describeKeyValueStore('UserPropertiesStore', userPropertiesStore, {
    limits: {
      valueBytes: STORE_LIMITS.propertyValueBytes,
      storeBytes: STORE_LIMITS.propertyStoreBytes,
    },
  });
});
