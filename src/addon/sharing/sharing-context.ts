/**
 * This file builds, once per execution, what the sharing feature works with: the registry client,
 * the share sync with its Apps Script pieces (gas/: OAuth token, user lock, UUIDs), the user's own
 * People API client, and the hourly sync trigger.
 */
import { PeopleClient } from '../../google/people-client';
import { GoogleTransport } from '../../google/transport';
import { addonContext, type AddonContext } from '../context';
import { UserLock } from '../gas/adapters';
import { ensureHourlyTriggerOf, newUuid, oauthToken } from '../gas/script-services';
import { ShareRegistry } from './share-registry';
import { ShareSync } from './share-sync';

/** The entry point the hourly trigger runs (index.ts). */
export const SYNC_TRIGGER_FUNCTION = 'onSyncTrigger';
const TRIGGER_INSTALLED_KEY = 'trigger:hourly';

/** What the sharing handlers use. */
export interface SharingContext {
  addon: AddonContext;
  registry: ShareRegistry;
  sync: ShareSync;
  /** Runs People API calls with the user's own token. */
  transport: GoogleTransport;
  ownPeople(): PeopleClient;
}

let current: SharingContext | undefined;

/** Returns this execution's sharing context, creating it on first use. */
export function sharingContext(): SharingContext {
  if (current) return current;
  const addon = addonContext();
  const registry = new ShareRegistry(addon.backend);
  const ownToken = oauthToken;
  current = {
    addon,
    registry,
    sync: new ShareSync({
      actor: addon.user,
      registry,
      backend: addon.backend,
      http: addon.http,
      store: addon.userStore,
      clock: addon.clock,
      sleeper: addon.sleeper,
      lock: new UserLock(),
      ownToken,
      newId: newUuid,
    }),
    transport: new GoogleTransport({
      http: addon.http,
      clock: addon.clock,
      sleeper: addon.sleeper,
    }),
    ownPeople: () => new PeopleClient(ownToken()),
  };
  return current;
}

/** Installs the hourly sync trigger for this user, once (Apps Script runs add-on triggers at most hourly). */
export function ensureHourlyTrigger(context: SharingContext): void {
  const store = context.addon.userStore;
  if (store.get(TRIGGER_INSTALLED_KEY)) return;
  ensureHourlyTriggerOf(SYNC_TRIGGER_FUNCTION);
  store.set(TRIGGER_INSTALLED_KEY, '1');
}
