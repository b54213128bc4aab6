/** This file defines the user's CacheService cache as the small interface the add-on uses. */

/** The part of Apps Script's Cache that the add-on uses. */
export type UserCache = Pick<GoogleAppsScript.Cache.Cache, 'get' | 'getAll' | 'put' | 'putAll'>;

/** The acting user's cache, or null where Apps Script offers none. */
export function userCache(): UserCache | null {
  return CacheService.getUserCache();
}
