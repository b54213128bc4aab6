/**
 * This file runs the KeyValueStore contract against every adapter: MemoryKeyValueStore, and
 * UserPropertiesStore in the emulator's Apps Script runtime over its PropertiesService, with the
 * limits Apps Script documents (9 KB per value, 500 KB per store).
 */
import { MemoryKeyValueStore } from '../../src/core/memory-adapters';
import type { KeyValueStore } from '../../src/core/ports';
import { STORE_LIMITS } from '../../src/emulator/gas/host-state';
import { useAppsScriptAdapters } from './apps-script-adapters';
import { awaitedStore, describeKeyValueStore } from './key-value-store.contract';

describeKeyValueStore('MemoryKeyValueStore', async () => awaitedStore(new MemoryKeyValueStore()));

describe('UserPropertiesStore in the Apps Script runtime', () => {
  const adapters = useAppsScriptAdapters();

  // Each store is a new user's properties.
  describeKeyValueStore(
    'UserPropertiesStore',
    async () =>
      adapters.ofNewUser<KeyValueStore>('UserPropertiesStore', ['get', 'set', 'delete', 'keys']),
    {
      limits: {
        valueBytes: STORE_LIMITS.propertyValueBytes,
        storeBytes: STORE_LIMITS.propertyStoreBytes,
      },
    },
  );
});
