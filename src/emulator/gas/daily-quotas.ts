/**
 * This file defines Apps Script's daily quotas as the runtime enforces them, per user: URL Fetch
 * calls, properties reads and writes, and the total runtime of triggers. "Quotas are per user and
 * reset 24 hours after the first request" (developers.google.com/apps-script/guides/services/quotas).
 */
import { ScriptFacingError } from './sync-rpc';

/** One account kind's daily quotas. */
export interface DailyQuotaValues {
  urlFetchCalls: number;
  propertiesReadWrites: number;
  triggerRuntimeMs: number;
}

/**
 * The quotas page's values: URL Fetch calls 20,000 / day (consumer) and 100,000 / day (Google
 * Workspace); properties read/write 50,000 and 500,000; triggers total runtime 90 min and 6 h
 * (developers.google.com/apps-script/guides/services/quotas, "Current quotas"). Each request of a
 * fetchAll counts as one call (an assumption: the stricter reading).
 */
export const DAILY_QUOTAS: Record<'consumer' | 'workspace', DailyQuotaValues> = {
  consumer: { urlFetchCalls: 20_000, propertiesReadWrites: 50_000, triggerRuntimeMs: 90 * 60_000 },
  workspace: {
    urlFetchCalls: 100_000,
    propertiesReadWrites: 500_000,
    triggerRuntimeMs: 6 * 3600_000,
  },
};

/** The quotas' window: a day from the first request. */
const DAY_MS = 24 * 3600_000;

/** Consumer accounts are those of Google's own mail domains; every other domain is a Workspace. */
const CONSUMER_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** Google's words when a daily quota is spent (as scripts see them). */
export const DAILY_QUOTA_MESSAGES = {
  urlFetchCalls: 'Service invoked too many times for one day: urlfetch.',
  propertiesReadWrites: 'Service invoked too many times for one day: properties.',
  triggerRuntimeMs: 'Service using too much computer time for one day.',
} as const;

interface Usage {
  since: number;
  urlFetchCalls: number;
  propertiesReadWrites: number;
  triggerRuntimeMs: number;
}

/** Each user's use of the day, on the emulator's virtual clock. */
export class DailyQuotas {
  private readonly usage = new Map<string, Usage>();

  constructor(
    private readonly now: () => number,
    /** Replaces quota values, for tests of the quotas themselves. */
    private readonly overrides: Partial<DailyQuotaValues> = {},
  ) {}

  /** The quotas of a user's account. */
  quotasOf(user: string): DailyQuotaValues {
    const domain = user.toLowerCase().split('@')[1] ?? '';
    const base = CONSUMER_DOMAINS.has(domain) ? DAILY_QUOTAS.consumer : DAILY_QUOTAS.workspace;
    return { ...base, ...this.overrides };
  }

  /** What a user has used of each quota in the current window. */
  used(user: string): Omit<Usage, 'since'> {
    const { since: _since, ...counts } = this.window(user);
    return counts;
  }

  /** Counts `amount` against a quota; throws Google's error, counting nothing, when it would pass it. */
  charge(user: string, kind: 'urlFetchCalls' | 'propertiesReadWrites', amount = 1): void {
    const window = this.window(user);
    if (window[kind] + amount > this.quotasOf(user)[kind])
      throw new ScriptFacingError(DAILY_QUOTA_MESSAGES[kind]);
    window[kind] += amount;
  }

  /** Trigger runtime left today, in ms (0 when spent). */
  triggerTimeLeft(user: string): number {
    return Math.max(0, this.quotasOf(user).triggerRuntimeMs - this.window(user).triggerRuntimeMs);
  }

  /** Adds the runtime of a finished trigger execution. */
  addTriggerRuntime(user: string, milliseconds: number): void {
    this.window(user).triggerRuntimeMs += Math.max(0, milliseconds);
  }

  private window(user: string): Usage {
    const key = user.toLowerCase();
    const now = this.now();
    const current = this.usage.get(key);
    if (current && now - current.since < DAY_MS) return current;
    const fresh: Usage = {
      since: now,
      urlFetchCalls: 0,
      propertiesReadWrites: 0,
      triggerRuntimeMs: 0,
    };
    this.usage.set(key, fresh);
    return fresh;
  }
}
