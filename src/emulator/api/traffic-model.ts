/**
 * This file defines the emulator's traffic model: call counters, the per-user per-minute quotas,
 * the latency of a call (fixed + per item) on the virtual clock, the penalty for one user's
 * overlapping mutations, and the fault schedule that injects 429/500/503 errors and timeouts.
 * Everything is off by default.
 */
import { GoogleApiError, legacyError } from './google-errors';
import type { QuotaKind } from './route-context';

/** The configurable part of the model; every field is optional when configuring. */
export interface TrafficSettings {
  /** Modelled time of every call. */
  latency: { fixedMs: number; perItemMs: number };
  /**
   * Per-user per-minute quota buckets; `null` = none. Google publishes none of the People values
   * (FACTS.md People API v1, Quotas): the Cloud console lists "Critical read requests (Contact and
   * Profile Reads)", "Read requests" and "Write requests" per minute per user, and reports give
   * 90 and 180 a minute (github.com/MrCaspan/GAS-Gmail-Signature-Templator/pull/1: "a quota limit
   * of 90 requests/user/minute"; github.com/onmyway133/notes/issues/517: "up to 180 per minute").
   * Which methods count where is unconfirmed too; the emulator's assumption is in QUOTA_BUCKETS of
   * people-api.ts. The first page of a full sync draws on a bucket of its own ("The first page of
   * a full sync request has an additional quota. If the quota is exceeded, a 429 error will be
   * returned. This quota is fixed and can not be increased.", people.connections.list reference);
   * its size and period are unpublished: modelled per user per minute. Directory: 2,400 queries
   * a minute per user (developers.google.com/admin-sdk/directory/v1/limits).
   */
  quotas: {
    criticalReadsPerMinutePerUser: number | null;
    readsPerMinutePerUser: number | null;
    writesPerMinutePerUser: number | null;
    fullSyncFirstPagesPerMinutePerUser: number | null;
    directoryQueriesPerMinutePerUser: number | null;
  };
  /**
   * One user's mutations that overlap (FACTS.md: "Mutations for the same user should be sent
   * sequentially"), whether sent in one fetchAll or by two executions at once (two access tokens
   * of the user whose calls overlap on the virtual clock): `latency` adds `extraLatencyMs` per
   * overlapping mutation, `fail` answers every overlapping mutation with 409 ABORTED.
   */
  concurrentMutations: { mode: 'off' | 'latency' | 'fail'; extraLatencyMs: number };
  /** How long a call that times out takes (UrlFetchApp gives up after 60 s). */
  timeoutMs: number;
  /**
   * Occasional failures of People and Directory calls, besides the schedule: each call fails with
   * probability `rate`, with one of `statuses` drawn at random. A failed call changes nothing
   * (the emulator fails it before doing it; Google may also fail after: unmodelled).
   */
  randomFaults: { rate: number; statuses: (429 | 500 | 503)[] };
}

/** A partial update of the settings. */
export interface TrafficSettingsPatch {
  latency?: Partial<TrafficSettings['latency']>;
  quotas?: Partial<TrafficSettings['quotas']>;
  concurrentMutations?: Partial<TrafficSettings['concurrentMutations']>;
  timeoutMs?: number;
  randomFaults?: Partial<TrafficSettings['randomFaults']>;
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

/** Quotas that never run out: every per-minute limit off. */
export function unlimitedQuotas(): TrafficSettings['quotas'] {
  return {
    criticalReadsPerMinutePerUser: null,
    readsPerMinutePerUser: null,
    writesPerMinutePerUser: null,
    fullSyncFirstPagesPerMinutePerUser: null,
    directoryQueriesPerMinutePerUser: null,
  };
}

/** Default settings: no latency, no quotas, no concurrency penalty. */
export function defaultTrafficSettings(): TrafficSettings {
  return {
    latency: { fixedMs: 0, perItemMs: 0 },
    quotas: unlimitedQuotas(),
    concurrentMutations: { mode: 'off', extraLatencyMs: 0 },
    timeoutMs: 60_000,
    randomFaults: { rate: 0, statuses: [429, 500, 503] },
  };
}

/** The seed of the emulator's random draws (faults, propagation delays): runs repeat exactly. */
const RANDOM_SEED = 0x5eed;

/** Counters, quotas and faults of one emulator. */
export class TrafficModel {
  settings: TrafficSettings = defaultTrafficSettings();
  private readonly counts = new Map<string, number>();
  private readonly windows = new Map<string, { minute: number; used: number }>();
  private faults: ScheduledFault[] = [];
  /** Per user: each access token's last mutation, as the virtual time it ends. */
  private readonly inFlight = new Map<string, Map<string, number>>();
  private seed = RANDOM_SEED;

  /** A number in [0, 1) from the emulator's seeded generator (mulberry32). */
  random(): number {
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let value = this.seed;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** Changes some settings, keeping the others. */
  configure(patch: TrafficSettingsPatch): void {
    const current = this.settings;
    this.settings = {
      latency: { ...current.latency, ...patch.latency },
      quotas: { ...current.quotas, ...patch.quotas },
      concurrentMutations: { ...current.concurrentMutations, ...patch.concurrentMutations },
      timeoutMs: patch.timeoutMs ?? current.timeoutMs,
      randomFaults: { ...current.randomFaults, ...patch.randomFaults },
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
    const { rate, statuses } = this.settings.randomFaults;
    if (
      rate > 0 &&
      statuses.length > 0 &&
      (operation.startsWith('people.') || operation.startsWith('admin.')) &&
      this.random() < rate
    )
      return statuses[Math.floor(this.random() * statuses.length)];
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

  /**
   * Counts a call against the user's buckets; throws Google's quota error, charging nothing, when
   * one of them is spent for this minute.
   */
  chargeQuota(kinds: QuotaKind[], user: string, now: number, service: string): void {
    const minute = Math.floor(now / 60_000);
    const charged: { key: string; window: { minute: number; used: number } }[] = [];
    for (const kind of kinds) {
      const limit = this.limitOf(kind);
      if (limit === null) continue;
      const key = `${kind}|${user}`;
      const known = this.windows.get(key);
      const window = known && known.minute === minute ? known : { minute, used: 0 };
      if (window.used >= limit) throw quotaError(kind, service, limit);
      charged.push({ key, window });
    }
    for (const { key, window } of charged) {
      window.used++;
      this.windows.set(key, window);
    }
  }

  private limitOf(kind: QuotaKind): number | null {
    const { quotas } = this.settings;
    switch (kind) {
      case 'criticalRead':
        return quotas.criticalReadsPerMinutePerUser;
      case 'read':
        return quotas.readsPerMinutePerUser;
      case 'write':
        return quotas.writesPerMinutePerUser;
      case 'fullSyncFirstPage':
        return quotas.fullSyncFirstPagesPerMinutePerUser;
      case 'directory':
        return quotas.directoryQueriesPerMinutePerUser;
      case 'none':
        return null;
    }
  }

  /**
   * The number of the user's mutations, sent with other access tokens (other executions), that
   * are still in flight at `now` on the virtual clock.
   */
  overlappingMutations(user: string, token: string, now: number): number {
    let overlapping = 0;
    for (const [other, endsAt] of this.inFlight.get(user) ?? [])
      if (other !== token && endsAt > now) overlapping++;
    return overlapping;
  }

  /** Records a mutation of the user with a token, in flight until `now + latencyMs`. */
  recordMutation(user: string, token: string, now: number, latencyMs: number): void {
    const byToken = this.inFlight.get(user) ?? new Map<string, number>();
    for (const [other, endsAt] of byToken) if (endsAt <= now) byToken.delete(other);
    byToken.set(token, Math.max(byToken.get(token) ?? 0, now + latencyMs));
    this.inFlight.set(user, byToken);
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
    this.inFlight.clear();
  }

  /** Back to defaults: settings, counters, quota windows and faults. */
  reset(): void {
    this.settings = defaultTrafficSettings();
    this.resetCounters();
    this.clearFaults();
    this.seed = RANDOM_SEED;
  }
}

/** The metric and limit names Google gives each People bucket in its quota errors. */
const QUOTA_METRICS: Record<string, { metric: string; limit: string }> = {
  criticalRead: {
    metric: 'Critical read requests (Contact and Profile Reads)',
    limit: 'Critical read requests (Contact and Profile Reads) per minute per user',
  },
  read: { metric: 'Read requests', limit: 'Read requests per minute per user' },
  write: { metric: 'Write requests', limit: 'Write requests per minute per user' },
};

/**
 * The error of an exceeded quota. The Admin SDK answers 403 userRateLimitExceeded
 * (developers.google.com/admin-sdk/directory/v1/limits). People answers 429 RESOURCE_EXHAUSTED
 * with an ErrorInfo naming the metric and limit (the wording of Google's quota errors, e.g.
 * github.com/onmyway133/notes/issues/517: "Quota exceeded for quota metric
 * 'people.googleapis.com/read_requests'") and a google.rpc.QuotaFailure. The first-page quota of
 * full syncs is the one without a published metric name: its body is the one reported for a
 * People write (github.com/rapidwebltd/php-google-people-api/issues/45: "Resource has been
 * exhausted (e.g. check quota).", a QuotaFailure with subject QUOTA_EXCEEDED); its description is
 * an assumption. No Retry-After header: Google promises none on quota errors (assumption).
 */
export function quotaError(kind: QuotaKind, service: string, limit = 0): GoogleApiError {
  if (kind === 'directory') {
    const message =
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'.";
    return new GoogleApiError(403, message, 'PERMISSION_DENIED', undefined, {
      message,
      domain: 'usageLimits',
      reason: 'userRateLimitExceeded',
    });
  }
  if (kind === 'fullSyncFirstPage')
    return new GoogleApiError(
      429,
      'Resource has been exhausted (e.g. check quota).',
      'RESOURCE_EXHAUSTED',
      undefined,
      undefined,
      {},
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              subject: 'QUOTA_EXCEEDED',
              description: 'Full sync first page quota exceeded: this quota is fixed.',
            },
          ],
        },
      ],
    );
  const names =
    QUOTA_METRICS[kind] ?? (QUOTA_METRICS.criticalRead as { metric: string; limit: string });
  return new GoogleApiError(
    429,
    `Quota exceeded for quota metric '${names.metric}' and limit '${names.limit}' of service '${service}' for consumer 'project_number:000000000000'.`,
    'RESOURCE_EXHAUSTED',
    {
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: {
        service,
        consumer: 'projects/000000000000',
        quota_metric: names.metric,
        quota_limit: names.limit,
        quota_limit_value: String(limit),
        quota_location: 'global',
      },
    },
    { message: 'Quota exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' },
    {},
    [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            subject: `project_number:000000000000`,
            description: `Quota exceeded for quota metric '${names.metric}' and limit '${names.limit}'.`,
          },
        ],
      },
    ],
  );
}

/** The error body of an injected fault status. */
export function faultError(status: 429 | 500 | 503, service: string): GoogleApiError {
  if (status === 429) return quotaError('criticalRead', service, 0);
  if (status === 500)
    return legacyError(500, 'Internal error encountered.', 'INTERNAL', 'backendError');
  return legacyError(503, 'The service is currently unavailable.', 'UNAVAILABLE', 'backendError');
}
