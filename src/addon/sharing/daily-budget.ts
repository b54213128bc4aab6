/**
 * This file budgets Apps Script's daily quotas for the add-on: it keeps, in the user's
 * properties, what the user's executions spent today (URL Fetch calls, trigger runtime), and
 * tells the hourly sync to defer when its run would cross a quota, so that the user's own cards
 * keep working for the rest of the day.
 */
import type { Clock, KeyValueStore } from '../../core/ports';

/** One account kind's daily quotas the add-on budgets. */
export interface DailyLimits {
  urlFetchCalls: number;
  triggerRuntimeMs: number;
}

/**
 * "URL Fetch calls 20,000 / day (consumer) | 100,000 / day (Google Workspace)" and "Triggers
 * total runtime 90 min / day | 6 hr / day"; "Quotas are per user and reset 24 hours after the
 * first request" (developers.google.com/apps-script/guides/services/quotas).
 */
export const DAILY_LIMITS: Record<'consumer' | 'workspace', DailyLimits> = {
  consumer: { urlFetchCalls: 20_000, triggerRuntimeMs: 90 * 60_000 },
  workspace: { urlFetchCalls: 100_000, triggerRuntimeMs: 6 * 3600_000 },
};

/** The share of the URL Fetch quota kept for the user's cards: the hourly sync never uses it. */
export const CARD_RESERVE = 0.1;
/** What an hourly run is assumed to cost before one has run today (its own 5-minute budget). */
export const FIRST_RUN_ESTIMATE = { urlFetchCalls: 1_000, triggerRuntimeMs: 5 * 60_000 };

const DAY_MS = 24 * 3600_000;
const KEY = 'budget:v1';
const DEFERRED_KEY = 'budget:deferred';

interface DayRecord {
  since: number;
  fetches: number;
  triggerMs: number;
  runs: number;
  /** The most any hourly run cost today. */
  runFetches: number;
  runMs: number;
}

/** Why the hourly sync waits, and until when. */
export interface Deferral {
  quota: 'urlFetchCalls' | 'triggerRuntimeMs';
  /** When the quota's day ends (epoch ms). */
  until: number;
}

/** The daily budget of one user. */
export class DailyBudget {
  private readonly limits: DailyLimits;

  constructor(
    user: string,
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
  ) {
    const domain = user.toLowerCase().split('@')[1] ?? '';
    this.limits =
      domain === 'gmail.com' || domain === 'googlemail.com'
        ? DAILY_LIMITS.consumer
        : DAILY_LIMITS.workspace;
  }

  /** Adds what one execution spent: its URL Fetch calls, and its runtime when it was a trigger. */
  note(fetches: number, trigger?: { runtimeMs: number }): void {
    const day = this.day();
    day.fetches += fetches;
    if (trigger) {
      day.triggerMs += trigger.runtimeMs;
      day.runs++;
      day.runFetches = Math.max(day.runFetches, fetches);
      day.runMs = Math.max(day.runMs, trigger.runtimeMs);
    }
    this.store.set(KEY, JSON.stringify(day));
  }

  /**
   * Whether an hourly run may start: null when it may, or the quota it would cross. A run is
   * taken to cost as much as the costliest run of the day (the first, its whole budget); the URL
   * Fetch calls kept for cards are not spent by it.
   */
  hourlyDeferral(): Deferral | null {
    const day = this.day();
    const fetches = day.runs > 0 ? day.runFetches : FIRST_RUN_ESTIMATE.urlFetchCalls;
    const runtime = day.runs > 0 ? day.runMs : FIRST_RUN_ESTIMATE.triggerRuntimeMs;
    const until = day.since + DAY_MS;
    if (day.fetches + fetches > this.limits.urlFetchCalls * (1 - CARD_RESERVE))
      return { quota: 'urlFetchCalls', until };
    if (day.triggerMs + runtime > this.limits.triggerRuntimeMs)
      return { quota: 'triggerRuntimeMs', until };
    return null;
  }

  /** Records that the hourly sync deferred (for the homepage to say so), or that it ran again. */
  recordDeferral(deferral: Deferral | null): void {
    if (deferral) this.store.set(DEFERRED_KEY, JSON.stringify(deferral));
    else if (this.store.get(DEFERRED_KEY) !== null) this.store.delete(DEFERRED_KEY);
  }

  /** The hourly sync's deferral still in force, if any. */
  deferral(): Deferral | null {
    const text = this.store.get(DEFERRED_KEY);
    if (!text) return null;
    const deferral = JSON.parse(text) as Deferral;
    return deferral.until > this.clock.now() ? deferral : null;
  }

  private day(): DayRecord {
    const now = this.clock.now();
    const text = this.store.get(KEY);
    const day = text ? (JSON.parse(text) as DayRecord) : null;
    if (day && now - day.since < DAY_MS) return day;
    return { since: now, fetches: 0, triggerMs: 0, runs: 0, runFetches: 0, runMs: 0 };
  }
}
