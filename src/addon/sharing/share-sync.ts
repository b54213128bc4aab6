/**
 * This file runs the sync engine for the add-on: slices of one share until a deadline, the
 * bounded sync of every label the user takes part in (homepage, Sync now, hourly trigger), and
 * the ending of a share (its copies removed, then the share revoked). After each slice the share's
 * state is saved for the homepage.
 */
import type { Clock, HttpClient, KeyValueStore, Sleeper } from '../../core/ports';
import type { Share } from '../../core/sharing-model';
import { SyncEngine, type SyncResult } from '../../core/sync-engine';
import { PeopleContactsGateway } from '../../google/people-gateway';
import { GoogleTransport } from '../../google/transport';
import type { BackendClient } from '../backend-client';
import type { ShareRegistry, VisibleShare } from './share-registry';
import {
  BackendAuditSink,
  BrokerTokenProvider,
  RegistryShareDirectory,
  ShareMembersDirectory,
  type ExpiringCache,
} from './sync-adapters';
import {
  endingShares,
  forgetShare,
  readSyncState,
  stateFromResult,
  writeSyncState,
  type ShareSyncState,
} from './sync-state';

/** What the sync needs from the execution. */
export interface ShareSyncDeps {
  actor: string;
  registry: ShareRegistry;
  backend: BackendClient;
  http: HttpClient;
  store: KeyValueStore;
  cache: ExpiringCache;
  clock: Clock;
  sleeper: Sleeper;
  ownToken: () => string;
  newId: () => string;
}

/** A slice is not started with less time than this left: a slice re-reads every account first. */
export const MIN_SLICE_MS = 3_000;

/** The outcome of syncing one share, with what the user should see. */
export interface ShareSyncOutcome {
  shareId: string;
  result: SyncResult | null;
  state: ShareSyncState | null;
  /** The share has gone (ended, or the user no longer takes part): its local state was removed. */
  gone: boolean;
}

/** Syncs shares for the acting user. One instance per execution. */
export class ShareSync {
  private readonly transport: GoogleTransport;
  private readonly tokens: BrokerTokenProvider;
  private readonly audit: BackendAuditSink;

  constructor(private readonly deps: ShareSyncDeps) {
    this.transport = new GoogleTransport({
      http: deps.http,
      clock: deps.clock,
      sleeper: deps.sleeper,
    });
    this.tokens = new BrokerTokenProvider(deps.backend, deps.ownToken, deps.cache, deps.clock);
    this.audit = new BackendAuditSink(deps.backend, deps.store);
  }

  /** People API requests sent so far in this execution, retries included. */
  get apiRequests(): number {
    return this.transport.requests;
  }

  private engine(membersOf: ShareMembersDirectory): SyncEngine {
    return new SyncEngine({
      actor: this.deps.actor,
      contacts: new PeopleContactsGateway(this.transport),
      shares: new RegistryShareDirectory(this.deps.registry),
      directory: membersOf,
      tokens: this.tokens,
      store: this.deps.store,
      audit: this.audit,
      clock: this.deps.clock,
      newId: this.deps.newId,
    });
  }

  /**
   * Runs slices of a share's sync until it is done or the deadline nears. A share that no longer
   * exists for the user (ended, or they left it) is forgotten locally.
   */
  syncShare(shareId: string, deadline: number, allowMassDeletion = false): ShareSyncOutcome {
    if (!this.deps.registry.get(shareId)) {
      forgetShare(this.deps.store, shareId);
      return { shareId, result: null, state: null, gone: true };
    }
    const engine = this.engine(
      new ShareMembersDirectory(() => this.deps.registry.members(shareId)),
    );
    let result: SyncResult;
    do result = engine.syncShare(shareId, { deadline, allowMassDeletion });
    while (result.status === 'continue' && result.problems.length === 0 && this.hasTime(deadline));
    const state = stateFromResult(result, this.deps.clock.now());
    writeSyncState(this.deps.store, shareId, state);
    return { shareId, result, state, gone: false };
  }

  /**
   * Runs slices of ending a share (the share as it was): removes the copies it brought into
   * every account this user synced or it named, then revokes it in the registry.
   */
  endShare(share: Share, deadline: number): ShareSyncOutcome {
    const engine = this.engine(
      new ShareMembersDirectory(() => ({
        groups: share.grants.flatMap((grant) =>
          grant.target.kind === 'group' ? [{ email: grant.target.email, members: [] }] : [],
        ),
        domains: share.grants.flatMap((grant) =>
          grant.target.kind === 'domain' ? [{ domain: grant.target.domain, users: [] }] : [],
        ),
      })),
    );
    let result: SyncResult;
    do result = engine.endShare(share, { deadline });
    while (result.status === 'continue' && result.problems.length === 0 && this.hasTime(deadline));
    if (result.status === 'done' || result.status === 'unchanged') {
      this.deps.registry.revoke(share.id);
      forgetShare(this.deps.store, share.id);
      return { shareId: share.id, result, state: null, gone: true };
    }
    const state = stateFromResult(result, this.deps.clock.now(), true);
    writeSyncState(this.deps.store, share.id, state);
    return { shareId: share.id, result, state, gone: false };
  }

  /**
   * Syncs, most urgent first, the labels the user takes part in and the shares they are ending,
   * until the deadline. Shares synced less than `minIntervalMs` ago (by this execution's clock, which
   * may lag the last one's) and up to date or paused are skipped; 0 syncs them all.
   */
  syncAll(shares: VisibleShare[], deadline: number, minIntervalMs = 0): ShareSyncOutcome[] {
    const outcomes: ShareSyncOutcome[] = [];
    for (const share of endingShares(this.deps.store)) {
      if (!this.hasTime(deadline)) return outcomes;
      outcomes.push(this.endShare(share, deadline));
    }
    const now = this.deps.clock.now();
    const urgency = (state: ShareSyncState | null): number =>
      state === null ? 0 : state.phase === 'running' ? 1 : state.phase === 'failed' ? 2 : 3;
    const due = shares
      .map((share) => ({ share, state: readSyncState(this.deps.store, share.id) }))
      .filter(
        ({ state }) =>
          minIntervalMs === 0 ||
          state === null ||
          (state.phase !== 'ok' && state.phase !== 'paused') ||
          now - state.at >= minIntervalMs,
      )
      .filter(({ state }) => state?.phase !== 'ending')
      .sort(
        (a, b) => urgency(a.state) - urgency(b.state) || (a.state?.at ?? 0) - (b.state?.at ?? 0),
      );
    for (const { share } of due) {
      if (!this.hasTime(deadline)) break;
      try {
        outcomes.push(this.syncShare(share.id, deadline));
      } catch (error) {
        console.error(`sync of share ${share.id} failed`, error);
        const state: ShareSyncState = {
          phase: 'failed',
          at: this.deps.clock.now(),
          message: 'Our service could not be reached. Nothing was lost; use Sync now to try again.',
        };
        writeSyncState(this.deps.store, share.id, state);
        outcomes.push({ shareId: share.id, result: null, state, gone: false });
      }
    }
    return outcomes;
  }

  private hasTime(deadline: number): boolean {
    return deadline - this.deps.clock.now() >= MIN_SLICE_MS;
  }
}
