/**
 * This file runs the sync engine for the add-on: slices of one share until a deadline, the
 * bounded sync of every label the user takes part in (homepage, Sync now, hourly trigger), the
 * ending of a share (its copies removed, then the share revoked), and the removal of copies left
 * in the user's own account by shares they no longer take part in. Every sync holds the user's
 * execution lock, so that two executions of one user never sync at once; after each sync the
 * share's state is saved for the homepage.
 */
import { linkedShareId } from '../../core/contact-model';
import type { Clock, ExecutionLock, HttpClient, KeyValueStore, Sleeper } from '../../core/ports';
import type { Share } from '../../core/sharing-model';
import { emptySyncResult, SyncEngine, type SyncResult } from '../../core/sync-engine';
import { PeopleClient } from '../../google/people-client';
import { OwnGroupsSeen, RoutedContactsGateway } from '../../google/people-gateway';
import { ShareGatewayCalls } from '../../google/share-gateway-client';
import { GoogleTransport } from '../../google/transport';
import type { BackendClient } from '../backend-client';
import { MSG } from '../messages';
import type { ShareRegistry, VisibleShare } from './share-registry';
import { BackendAuditSink, RegistryShareDirectory, ShareMembersDirectory } from './sync-adapters';
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
  clock: Clock;
  sleeper: Sleeper;
  /** The user's execution lock (LockService's user lock in Apps Script). */
  lock: ExecutionLock;
  ownToken: () => string;
  newId: () => string;
}

/** A slice is not started with less time than this left: a slice re-reads every account first. */
export const MIN_SLICE_MS = 3_000;
/** How long a sync waits for another execution of the same user to let the lock go. */
export const LOCK_WAIT_MS = 1_000;
/** Own labels are searched for copies of shares the user left at most this often from the sidebar. */
export const LEFTOVER_SCAN_INTERVAL_MS = 60 * 60_000;
const LEFTOVER_SCAN_KEY = 'leftovers:at';

/** What the user is told when another execution of theirs is syncing. */
export const SYNC_IN_PROGRESS = MSG.syncNotes.inProgress;

/** The outcome of syncing one share, with what the user should see. */
export interface ShareSyncOutcome {
  shareId: string;
  result: SyncResult | null;
  state: ShareSyncState | null;
  /** The share has gone (ended, or the user no longer takes part): its local state was removed. */
  gone: boolean;
  /**
   * Another execution of the user held the lock: nothing was done, and `result` is a `continue`
   * whose problem is SYNC_IN_PROGRESS.
   */
  busy?: boolean;
}

/** Syncs shares for the acting user. One instance per execution. */
export class ShareSync {
  private readonly transport: GoogleTransport;
  private readonly contacts: RoutedContactsGateway;
  private readonly audit: BackendAuditSink;
  /** The user's own groups as this execution's syncs last listed them (until they wrote there). */
  readonly ownGroupsSeen = new OwnGroupsSeen();

  constructor(private readonly deps: ShareSyncDeps) {
    this.transport = new GoogleTransport({
      http: deps.http,
      clock: deps.clock,
      sleeper: deps.sleeper,
    });
    const endpoint = deps.backend.endpoint;
    this.contacts = new RoutedContactsGateway(
      this.transport,
      (shareId, account) =>
        new ShareGatewayCalls(endpoint, shareId, account, () => deps.clock.now()),
      this.ownGroupsSeen,
    );
    this.audit = new BackendAuditSink(deps.backend, deps.store);
  }

  /** People API requests sent so far in this execution, retries included. */
  get apiRequests(): number {
    return this.transport.requests;
  }

  private engine(membersOf: ShareMembersDirectory): SyncEngine {
    return new SyncEngine({
      actor: this.deps.actor,
      contacts: this.contacts,
      shares: new RegistryShareDirectory(this.deps.registry),
      directory: membersOf,
      ownToken: this.deps.ownToken,
      store: this.deps.store,
      audit: this.audit,
      clock: this.deps.clock,
      newId: this.deps.newId,
    });
  }

  /**
   * Runs `work` holding the user's execution lock, waiting for it no longer than the deadline
   * allows; null when another execution held it throughout.
   */
  private locked<T>(deadline: number, work: () => T): T | null {
    const wait = Math.max(
      0,
      Math.min(LOCK_WAIT_MS, deadline - this.deps.clock.now() - MIN_SLICE_MS),
    );
    if (!this.deps.lock.tryLock(wait)) return null;
    // No back-off or quota wait of the work's calls goes past its deadline.
    this.transport.deadline = deadline;
    try {
      return work();
    } finally {
      this.transport.deadline = Number.POSITIVE_INFINITY;
      this.deps.lock.release();
    }
  }

  private busy(shareId: string): ShareSyncOutcome {
    const result = emptySyncResult(shareId, 'continue', 0, [SYNC_IN_PROGRESS]);
    return {
      shareId,
      result,
      state: readSyncState(this.deps.store, shareId),
      gone: false,
      busy: true,
    };
  }

  /**
   * Runs slices of a share's sync until it is done or the deadline nears, holding the user's
   * lock; when another execution of the user holds it, nothing is done (`busy`). A share that no
   * longer exists for the user (ended, or they left it) is forgotten locally. `reconcile` after
   * the user's own write, which sync listings show only minutes later (SyncOptions.reconcile).
   */
  syncShare(
    shareId: string,
    deadline: number,
    allowMassDeletion = false,
    reconcile = false,
  ): ShareSyncOutcome {
    return (
      this.locked(deadline, () =>
        this.syncShareLocked(shareId, deadline, allowMassDeletion, reconcile),
      ) ?? this.busy(shareId)
    );
  }

  private syncShareLocked(
    shareId: string,
    deadline: number,
    allowMassDeletion: boolean,
    reconcile: boolean,
  ): ShareSyncOutcome {
    if (!this.deps.registry.get(shareId)) {
      forgetShare(this.deps.store, shareId);
      return { shareId, result: null, state: null, gone: true };
    }
    const engine = this.engine(
      new ShareMembersDirectory(() => this.deps.registry.members(shareId)),
    );
    let result: SyncResult;
    do result = engine.syncShare(shareId, { deadline, allowMassDeletion, reconcile });
    while (this.again(result, deadline));
    const state = stateFromResult(result, this.deps.clock.now());
    writeSyncState(this.deps.store, shareId, state);
    return { shareId, result, state, gone: false };
  }

  /**
   * Runs slices of ending a share (the share as it was), holding the user's lock: removes the
   * copies it brought into every account it reached (this user's syncs, its grants, and the
   * accounts the registry says other participants' syncs reached), then revokes it in the
   * registry. When the registry cannot say, nothing is removed and the ending is retried.
   */
  endShare(share: Share, deadline: number): ShareSyncOutcome {
    return this.locked(deadline, () => this.endShareLocked(share, deadline)) ?? this.busy(share.id);
  }

  private endShareLocked(share: Share, deadline: number): ShareSyncOutcome {
    const engine = this.engine(
      new ShareMembersDirectory(() => ({
        groups: share.grants.flatMap((grant) =>
          grant.target.kind === 'group'
            ? [{ email: grant.target.email, members: [], count: 0, complete: true }]
            : [],
        ),
        domains: share.grants.flatMap((grant) =>
          grant.target.kind === 'domain'
            ? [{ domain: grant.target.domain, users: [], count: 0, complete: true }]
            : [],
        ),
      })),
    );
    let reached: string[];
    try {
      reached = this.deps.registry.reachedAccounts(share.id);
    } catch (error) {
      console.error(`reading the accounts share ${share.id} reached failed`, error);
      const result = emptySyncResult(share.id, 'failed', 0, [MSG.syncNotes.reachedUnknown]);
      const state = stateFromResult(result, this.deps.clock.now(), true);
      writeSyncState(this.deps.store, share.id, state);
      return { shareId: share.id, result, state, gone: false };
    }
    let result: SyncResult;
    do result = engine.endShare(share, { deadline }, reached);
    while (this.again(result, deadline));
    if (result.status === 'done' || result.status === 'unchanged') {
      this.deps.registry.revoke(share.id);
      forgetShare(this.deps.store, share.id);
      return { shareId: share.id, result, state: null, gone: true };
    }
    const state = stateFromResult(result, this.deps.clock.now(), true);
    writeSyncState(this.deps.store, share.id, state);
    return { shareId: share.id, result, state, gone: false };
  }

  /** True when another slice may run: the last one left work, met no problem and time remains. */
  private again(result: SyncResult, deadline: number): boolean {
    return (
      result.status === 'continue' &&
      result.problems.length === 0 &&
      result.outOfTime !== true &&
      this.hasTime(deadline)
    );
  }

  /**
   * Removes from the user's own account the copies of shares they no longer take part in (the
   * share ended, or they left it) that no one else's sync removed: it looks for their own labels
   * that carry a share's link, and asks the registry about each share that `current` (the shares
   * the user takes part in) does not hold. Only a share the registry positively says the user
   * takes no part in is cleaned; when the registry cannot answer, nothing is touched. Holds the
   * user's lock. Returns the outcomes of the shares it cleaned.
   */
  removeLeftovers(current: ReadonlySet<string>, deadline: number): ShareSyncOutcome[] {
    return this.locked(deadline, () => this.removeLeftoversLocked(current, deadline)) ?? [];
  }

  private removeLeftoversLocked(
    current: ReadonlySet<string>,
    deadline: number,
  ): ShareSyncOutcome[] {
    this.deps.store.set(LEFTOVER_SCAN_KEY, String(this.deps.clock.now()));
    const groups = this.transport.run(
      new PeopleClient(this.deps.ownToken()).listAllContactGroups('name,clientData'),
    );
    const candidates = new Set<string>();
    for (const group of groups)
      for (const entry of group.clientData ?? []) {
        const shareId = linkedShareId(entry.key);
        if (shareId !== null && !current.has(shareId)) candidates.add(shareId);
      }
    const outcomes: ShareSyncOutcome[] = [];
    const engine = this.engine(new ShareMembersDirectory(() => ({ groups: [], domains: [] })));
    for (const shareId of candidates) {
      if (!this.hasTime(deadline)) break;
      const share = this.deps.registry.get(shareId);
      if (share !== null && share.myLevel !== null) continue;
      let result: SyncResult;
      do result = engine.removeOwnCopies(shareId, { deadline });
      while (this.again(result, deadline));
      if (result.status === 'done') forgetShare(this.deps.store, shareId);
      outcomes.push({ shareId, result, state: null, gone: result.status === 'done' });
    }
    return outcomes;
  }

  /** True when the sidebar should look for leftovers: never yet, or not for an hour. */
  private leftoversDue(): boolean {
    const last = Number(this.deps.store.get(LEFTOVER_SCAN_KEY) ?? 0);
    return this.deps.clock.now() - last >= LEFTOVER_SCAN_INTERVAL_MS;
  }

  /**
   * Syncs, most urgent first, the labels the user takes part in and the shares they are ending,
   * until the deadline, then (hourly from the sidebar) removes copies of shares they left. When
   * another execution of the user is syncing, it stops at the first share it finds busy. Shares synced less than `minIntervalMs` ago (by this execution's clock, which
   * may lag the last one's) and up to date or paused are skipped; 0 syncs them all. `reconcile`
   * when the user asked (Sync now): every account of each share is listed. No share (nor the
   * search for leftovers) is started after `startBy` (default: the deadline), so that the sidebar
   * can answer soon and leave the rest to later syncs.
   */
  syncAll(
    shares: VisibleShare[],
    deadline: number,
    minIntervalMs = 0,
    reconcile = false,
    startBy = deadline,
  ): ShareSyncOutcome[] {
    const outcomes: ShareSyncOutcome[] = [];
    const mayStart = () => this.hasTime(deadline) && this.deps.clock.now() <= startBy;
    for (const share of endingShares(this.deps.store)) {
      if (!mayStart()) return outcomes;
      const outcome = this.endShare(share, deadline);
      outcomes.push(outcome);
      if (outcome.busy) return outcomes;
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
      if (!mayStart()) break;
      try {
        const outcome = this.syncShare(share.id, deadline, false, reconcile);
        outcomes.push(outcome);
        if (outcome.busy) return outcomes;
      } catch (error) {
        console.error(`sync of share ${share.id} failed`, error);
        const state: ShareSyncState = {
          phase: 'failed',
          at: this.deps.clock.now(),
          message: MSG.syncNotes.serviceUnreachable,
        };
        writeSyncState(this.deps.store, share.id, state);
        outcomes.push({ shareId: share.id, result: null, state, gone: false });
      }
    }
    if (mayStart() && (minIntervalMs === 0 || this.leftoversDue()))
      try {
        outcomes.push(...this.removeLeftovers(new Set(shares.map((share) => share.id)), deadline));
      } catch (error) {
        console.error(
          'looking for copies of ended shares failed; the next sync tries again',
          error,
        );
      }
    return outcomes;
  }

  /**
   * Accepts the ownership of a share offered to the user, holding their lock: their copy of the
   * label (made by a first sync when they hold none yet) becomes the label through `register`, then
   * the share is synced under its new owner. 'noCopy' when no copy could be made; nothing changed.
   */
  acceptOwnership(
    shareId: string,
    deadline: number,
    copyGroup: () => string | null,
    register: (label: string) => void,
  ): ShareSyncOutcome | 'noCopy' {
    const work = (): ShareSyncOutcome | 'noCopy' => {
      let label = copyGroup();
      if (label === null) {
        this.syncShareLocked(shareId, deadline, false, false);
        label = copyGroup();
      }
      if (label === null) return 'noCopy';
      register(label);
      // The new owner's own copy is now the label: every account is listed again.
      return this.syncShareLocked(shareId, deadline, false, true);
    };
    return this.locked(deadline, work) ?? this.busy(shareId);
  }

  private hasTime(deadline: number): boolean {
    return deadline - this.deps.clock.now() >= MIN_SLICE_MS;
  }
}
