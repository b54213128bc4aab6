/**
 * This file defines the emulator's traffic model: call counters, the per-user per-minute quotas,
 * the latency of a call (fixed + per item) on the virtual clock, the penalty for one user's
 * overlapping mutations, and the fault schedule that injects 429/500/503 errors and timeouts.
 * Everything is off by default.
 */
import { GoogleApiError } from './google-errors';
import type { QuotaKind } from './route-context';

/** The configurable part of the model; every field is optional when configuring. */
export interface TrafficSettings {
  /** Modelled time of every call. */
  latency: { fixedMs: number; perItemMs: number };
  /**
   * Per-user per-minute quotas (FACTS.md: People "Critical read requests" per minute per user,
   * default unconfirmed, one report 180/min; Directory 2,400 queries/min per user). `null` = none.
   */
  quotas: {
    readsPerMinutePerUser: number | null;
    writesPerMinutePerUser: number | null;
    directoryQueriesPerMinutePerUser: number | null;
  };
  /**
   * One user's mutations sent in parallel (FACTS.md: "Mutations for the same user should be sent
   * sequentially"): `latency` adds `extraLatencyMs` per earlier overlapping mutation, `fail`
   * answers every overlapping mutation after the first with 409 ABORTED.
   */
  concurrentMutations: { mode: 'off' | 'latency' | 'fail'; extraLatencyMs: number };
  /** How long a call that times out takes (UrlFetchApp gives up after 60 s). */
  timeoutMs: number;
}

/** A partial update of the settings. */
export interface TrafficSettingsPatch {
  latency?: Partial<TrafficSettings['latency']>;
  quotas?: Partial<TrafficSettings['quotas']>;
  concurrentMutations?: Partial<TrafficSettings['concurrentMutations']>;
  timeoutMs?: number;
}

/** A scheduled fault: which calls it hits and what they get instead of an answer. */
export interface FaultRule {
  /** Operation id, e.g. `people.people.connections.list`; omitted = any. */
  operation?: string;
  /** Acting user (token principal); omitted = any. */
  user?: string;
  /** Matching calls to let through before the fault fires (default 0). */
  skip?: number;
  /** How many calls it hits (default 1; `null` = every call from then on). */
  times?: number | null;
  status: 429 | 500 | 503 | 'timeout';
}

/** What the counters are filtered by. */
export interface CallFilter {
  operation?: string;
  user?: string;
  status?: number;
}

interface ScheduledFault {
  rule: FaultRule;
  seen: number;
  fired: number;
}

/** Default settings: no latency, no quotas, no concurrency penalty. */
export function defaultTrafficSettings(): TrafficSettings {
  return {
    latency: { fixedMs: 0, perItemMs: 0 },
    quotas: {
      readsPerMinutePerUser: null,
      writesPerMinutePerUser: null,
      directoryQueriesPerMinutePerUser: null,
    },
    concurrentMutations: { mode: 'off', extraLatencyMs: 0 },
    timeoutMs: 60_000,
  };
}

/** Counters, quotas and faults of one emulator. */
export class TrafficModel {
  settings: TrafficSettings = defaultTrafficSettings();
  private readonly counts = new Map<string, number>();
  private readonly windows = new Map<string, { minute: number; used: number }>();
  private faults: ScheduledFault[] = [];

  /** Changes some settings, keeping the others. */
  configure(patch: TrafficSettingsPatch): void {
    const current = this.settings;
    this.settings = {
      latency: { ...current.latency, ...patch.latency },
      quotas: { ...current.quotas, ...patch.quotas },
      concurrentMutations: { ...current.concurrentMutations, ...patch.concurrentMutations },
      timeoutMs: patch.timeoutMs ?? current.timeoutMs,
    };
  }

  /** Adds a fault to the schedule. */
  injectFault(rule: FaultRule): void {
    this.faults.push({ rule, seen: 0, fired: 0 });
  }

  /** Empties the fault schedule. */
  clearFaults(): void {
    this.faults = [];
  }

  /** Returns the fault that hits this call, if any, and advances the schedule. */
  takeFault(operation: string, user: string): FaultRule['status'] | undefined {
    for (const fault of this.faults) {
      const { rule } = fault;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.user !== undefined && rule.user.toLowerCase() !== user) continue;
      fault.seen++;
      if (fault.seen <= (rule.skip ?? 0)) continue;
      const times = rule.times === undefined ? 1 : rule.times;
      if (times !== null && fault.fired >= times) continue;
      fault.fired++;
      return rule.status;
    }
    return undefined;
  }

  /** Counts a call against the user's quota of its kind; throws Google's quota error when over. */
  chargeQuota(kind: QuotaKind, user: string, now: number, service: string): void {
    const limit =
      kind === 'read'
        ? this.settings.quotas.readsPerMinutePerUser
        : kind === 'write'
          ? this.settings.quotas.writesPerMinutePerUser
          : kind === 'directory'
            ? this.settings.quotas.directoryQueriesPerMinutePerUser
            : null;
    if (limit === null) return;
    const minute = Math.floor(now / 60_000);
    const key = `${kind}|${user}`;
    const window = this.windows.get(key);
    const current = window && window.minute === minute ? window : { minute, used: 0 };
    if (current.used >= limit) throw quotaError(kind, service);
    current.used++;
    this.windows.set(key, current);
  }

  /** Records a finished call. */
  count(operation: string, user: string, status: number): void {
    const key = `${operation}\u0000${user}\u0000${status}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The number of calls matching a filter. */
  callCount(filter: CallFilter = {}): number {
    let total = 0;
    for (const [key, count] of this.counts) {
      const [operation, user, status] = key.split('\u0000');
      if (filter.operation !== undefined && filter.operation !== operation) continue;
      if (filter.user !== undefined && filter.user.toLowerCase() !== user) continue;
      if (filter.status !== undefined && String(filter.status) !== status) continue;
      total += count;
    }
    return total;
  }

  /** Calls per operation, for the control API. */
  callsByOperation(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [key, count] of this.counts) {
      const operation = key.split('\u0000')[0] ?? '';
      result[operation] = (result[operation] ?? 0) + count;
    }
    return result;
  }

  /** Zeroes counters and quota windows (settings and faults stay). */
  resetCounters(): void {
    this.counts.clear();
    this.windows.clear();
  }

  /** Back to defaults: settings, counters, quota windows and faults. */
  reset(): void {
    this.settings = defaultTrafficSettings();
    this.resetCounters();
    this.clearFaults();
  }
}

/** The error of an exceeded quota: People answers 429 RESOURCE_EXHAUSTED, the Admin SDK 403 userRateLimitExceeded. */
export function quotaError(kind: QuotaKind, service: string): GoogleApiError {
  if (kind === 'directory') {
    const message =
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'.";
    return new GoogleApiError(403, message, 'PERMISSION_DENIED', undefined, {
      message,
      domain: 'usageLimits',
      reason: 'userRateLimitExceeded',
    });
  }
  const metric =
    kind === 'read' ? 'Critical read requests (Contact and Profile Reads)' : 'Write requests';
  return new GoogleApiError(
    429,
    `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute per user' of service '${service}'.`,
    'RESOURCE_EXHAUSTED',
    {
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: { service, quota_metric: metric, quota_limit: `${metric} per minute per user` },
    },
    { message: 'Quota exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' },
  );
}

/** The error body of an injected fault status. */
export function faultError(status: 429 | 500 | 503, service: string): GoogleApiError {
  if (status === 429) return quotaError('read', service);
  if (status === 500)
    return new GoogleApiError(500, 'Internal error encountered.', 'INTERNAL', undefined, {
      message: 'Internal error encountered.',
      domain: 'global',
      reason: 'backendError',
    });
  return new GoogleApiError(
    503,
    'The service is currently unavailable.',
    'UNAVAILABLE',
    undefined,
    { message: 'The service is currently unavailable.', domain: 'global', reason: 'backendError' },
  );
}
