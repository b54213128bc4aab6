/** This file defines the per-environment settings (config/<env>.json) that the build injects. */

/** What differs between environments: where the backend is and which OAuth client the script uses. */
export interface AddonConfig {
  environment: string;
  backendUrl: string;
  oauthClientId: string;
  scriptId: string;
}

declare const __ADDON_CONFIG__: AddonConfig | undefined;

/** Returns the environment's settings, injected at build time by webpack's DefinePlugin. */
export function getAddonConfig(): AddonConfig {
  if (typeof __ADDON_CONFIG__ === 'undefined') {
    throw new Error('The add-on was built without an environment config (see webpack.config.js).');
  }
  return __ADDON_CONFIG__;
}
