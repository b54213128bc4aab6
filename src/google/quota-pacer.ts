/**
 * This file defines the People API's per-user quota buckets as the product budgets them, and the
 * pacer that keeps one execution's calls for an account within them: a call that would pass its
 * bucket's budget for the last minute waits instead of drawing a 429.
 */

/** The People API's per-user quota buckets (FACTS.md People API v1: Quotas). */
export type QuotaBucket = 'criticalRead' | 'read' | 'write' | 'fullSyncFirstPage';

/**
 * Calls a minute per user the product allows itself in each bucket. Google publishes none of
 * these values; reports give 90 and 180 a minute (FACTS.md People API v1: Quotas): the lower one
 * is used. The first page of a full sync has an extra quota that "is fixed and can not be
 * increased" (people.connections.list reference), of unpublished size: 5 a minute is assumed.
 * Unconfirmed: change them here.
 */
export const QUOTA_BUDGET_PER_MINUTE: Record<QuotaBucket, number> = {
  criticalRead: 90,
  read: 90,
  write: 90,
  fullSyncFirstPage: 5,
};

const WINDOW_MS = 60_000;

/**
 * The buckets a People API call draws on, by operation (an assumption, as Google does not say:
 * contact and profile reads and updateContact are critical reads, contact groups and the
 * directory other reads, every mutation a write); a connections.list that asks for a sync token
 * without giving one also draws on the first-page bucket, when it is a first page.
 */
export function peopleBucketsOf(operation: string, url: string): QuotaBucket[] {
  switch (operation) {
    case 'people.connections.list': {
      // Read with patterns: Apps Script has no URLSearchParams.
      const firstPageOfFullSync =
        /[?&]requestSyncToken=true(&|$)/.test(url) &&
        !/[?&]syncToken=[^&]/.test(url) &&
        !/[?&]pageToken=[^&]/.test(url);
      return firstPageOfFullSync ? ['criticalRead', 'fullSyncFirstPage'] : ['criticalRead'];
    }
    case 'people.people.getBatchGet':
    case 'people.people.searchContacts':
    case 'people.people.get':
      return ['criticalRead'];
    case 'people.people.updateContact':
    case 'people.people.batchUpdateContacts':
      return ['criticalRead', 'write'];
    case 'people.contactGroups.list':
    case 'people.contactGroups.get':
    case 'people.contactGroups.batchGet':
    case 'people.people.listDirectoryPeople':
    case 'people.people.searchDirectoryPeople':
      return ['read'];
    default:
      return ['write'];
  }
}

/**
 * Paces calls per account (one access token) and bucket over a sliding minute. One per
 * transport: it sees this execution's calls only, so other executions' calls can still draw a
 * 429, which the transport then backs off from.
 */
export class QuotaPacer {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly budgets: Record<QuotaBucket, number> = QUOTA_BUDGET_PER_MINUTE) {}

  /** How long a call must wait (ms) before it may be sent at `now`: 0 when at once. */
  waitFor(account: string, buckets: readonly QuotaBucket[], now: number): number {
    let wait = 0;
    for (const bucket of buckets) {
      const times = this.recent(account, bucket, now);
      const budget = this.budgets[bucket];
      if (times.length >= budget)
        wait = Math.max(wait, (times[times.length - budget] as number) + WINDOW_MS - now);
    }
    return wait;
  }

  /** Records a call sent at `now`. */
  record(account: string, buckets: readonly QuotaBucket[], now: number): void {
    for (const bucket of buckets) this.recent(account, bucket, now).push(now);
  }

  private recent(account: string, bucket: QuotaBucket, now: number): number[] {
    const key = `${bucket}|${account}`;
    const times = (this.sent.get(key) ?? []).filter((time) => time > now - WINDOW_MS);
    this.sent.set(key, times);
    return times;
  }
}
