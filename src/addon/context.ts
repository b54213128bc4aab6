/**
 * This file builds, once per execution, what handlers need: the Apps Script adapters, the backend
 * client and the acting user. It is the seam between handlers and Apps Script services.
 */
import { BackendClient } from './backend-client';
import { getAddonConfig } from './config';
import {
  appsScriptClock,
  appsScriptSleeper,
  UrlFetchHttpClient,
  UserPropertiesStore,
} from './gas/adapters';
import { effectiveUserEmail, identityToken } from './gas/script-services';

/** What one execution of the add-on works with. */
export interface AddonContext {
  user: string;
  http: UrlFetchHttpClient;
  backend: BackendClient;
  userStore: UserPropertiesStore;
  clock: typeof appsScriptClock;
  sleeper: typeof appsScriptSleeper;
}

let current: AddonContext | undefined;

/** Returns this execution's context, creating it on first use. */
export function addonContext(): AddonContext {
  if (!current) {
    const http = new UrlFetchHttpClient();
    current = {
      user: effectiveUserEmail(),
      http,
      backend: new BackendClient(http, getAddonConfig().backendUrl, identityToken),
      userStore: new UserPropertiesStore(),
      clock: appsScriptClock,
      sleeper: appsScriptSleeper,
    };
  }
  return current;
}
