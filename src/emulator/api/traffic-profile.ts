/**
 * This file defines the emulator's production-like traffic profile: Google as strict as it is in
 * production (quotas, latency, propagation delay with reordering, a stale search cache,
 * occasional 429/500/503), which `npm start`, the end-to-end stacks and the property tests can
 * switch on, and `off` to go back to the emulator's kind defaults.
 */
import { unlimitedQuotas } from './traffic-model';
import type { WorkspaceEmulator } from './workspace-emulator';

/** The profiles: `production-like`, or `off` (no quotas, latency, delays or faults). */
export type TrafficProfileName = 'production-like' | 'off';

/** The names the profiles are chosen by (control API, EMULATOR_TRAFFIC_PROFILE). */
export const TRAFFIC_PROFILES: readonly TrafficProfileName[] = ['production-like', 'off'];

/**
 * The production-like settings. Every People quota value is unconfirmed (see TrafficSettings
 * .quotas): the conservative 90 a minute per user of the reports is used for every bucket; the
 * first page of full syncs gets 5 a minute per user, an assumption stricter than any observed
 * behaviour. Latency is 300 ms a call plus 1 ms a contact (the bench's model). Writes take 30 s
 * to 3 min to reach sync results ("a propagation delay of several minutes for sync requests"),
 * drawn per write so that they can arrive out of order. One call in 200 fails with 429, 500 or
 * 503. The search cache serves what it held for a minute. Overlapping mutations of one user cost
 * 500 ms each ("to avoid increased latency and failures").
 */
export const PRODUCTION_LIKE = {
  traffic: {
    latency: { fixedMs: 300, perItemMs: 1 },
    quotas: {
      criticalReadsPerMinutePerUser: 90,
      readsPerMinutePerUser: 90,
      writesPerMinutePerUser: 90,
      fullSyncFirstPagesPerMinutePerUser: 5,
      directoryQueriesPerMinutePerUser: 2400,
    },
    concurrentMutations: { mode: 'latency' as const, extraLatencyMs: 500 },
    randomFaults: { rate: 0.005, statuses: [429, 500, 503] as (429 | 500 | 503)[] },
  },
  syncVisibilityDelayMs: 30_000,
  syncVisibilityJitterMs: 150_000,
  searchCacheStalenessMs: 60_000,
};

/** Applies a profile to an emulator. */
export function applyTrafficProfile(emulator: WorkspaceEmulator, name: TrafficProfileName): void {
  if (name === 'off') {
    emulator.configureTraffic({
      latency: { fixedMs: 0, perItemMs: 0 },
      quotas: unlimitedQuotas(),
      concurrentMutations: { mode: 'off', extraLatencyMs: 0 },
      randomFaults: { rate: 0 },
    });
    emulator.setSyncVisibilityDelay(0, 0);
    emulator.setSearchCacheStaleness(0);
    return;
  }
  emulator.configureTraffic(PRODUCTION_LIKE.traffic);
  emulator.setSyncVisibilityDelay(
    PRODUCTION_LIKE.syncVisibilityDelayMs,
    PRODUCTION_LIKE.syncVisibilityJitterMs,
  );
  emulator.setSearchCacheStaleness(PRODUCTION_LIKE.searchCacheStalenessMs);
}

/** The profile an environment variable names (EMULATOR_TRAFFIC_PROFILE), or `off`. */
export function profileFromEnvironment(value: string | undefined): TrafficProfileName {
  if (value === undefined || value === '') return 'off';
  if ((TRAFFIC_PROFILES as readonly string[]).includes(value)) return value as TrafficProfileName;
  throw new Error(
    `EMULATOR_TRAFFIC_PROFILE must be one of ${TRAFFIC_PROFILES.join(', ')}; got "${value}".`,
  );
}
