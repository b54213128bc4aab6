/**
 * This file defines the sync state the homepage shows for each share, kept in the user's
 * properties after every sync (`ss:<shareId>`), and the record of a share being ended
 * (`se:<shareId>`: the share as it was, until every copy is gone).
 */
import type { KeyValueStore } from '../../core/ports';
import type { Share } from '../../core/sharing-model';
import type { SyncResult, UnreachedAccount } from '../../core/sync-engine';

/**
 * What the user sees: up to date, in progress, paused (and why), failed (and what to do),
 * ending, or incomplete (synced, but some recipients could not be reached: not up to date).
 */
export type SyncPhase = 'ok' | 'running' | 'paused' | 'failed' | 'ending' | 'incomplete';

/**
 * The state of one share for this user. `at` is when it was last synced (epoch ms); `unreached`
 * the recipients the last pass could not reach (the next sync tries them again).
 */
export interface ShareSyncState {
  phase: SyncPhase;
  at: number;
  message?: string;
  unreached?: UnreachedAccount[];
}

const stateKey = (shareId: string) => `ss:${shareId}`;
const endingKey = (shareId: string) => `se:${shareId}`;

/** Reads a share's sync state, or null when it was never synced by this user. */
export function readSyncState(store: KeyValueStore, shareId: string): ShareSyncState | null {
  const text = store.get(stateKey(shareId));
  return text ? (JSON.parse(text) as ShareSyncState) : null;
}

/** Saves a share's sync state. */
export function writeSyncState(store: KeyValueStore, shareId: string, state: ShareSyncState): void {
  store.set(stateKey(shareId), JSON.stringify(state));
}

/** Forgets everything this user keeps about a share: state, checkpoints, ending record. */
export function forgetShare(store: KeyValueStore, shareId: string): void {
  for (const key of store.keys())
    if (
      key === stateKey(shareId) ||
      key === endingKey(shareId) ||
      key === `sc:${shareId}` ||
      key.startsWith(`sc:${shareId}:`)
    )
      store.delete(key);
}

/** Remembers a share being ended, so that its clean-up can continue in later executions. */
export function markEnding(store: KeyValueStore, share: Share): void {
  store.set(endingKey(share.id), JSON.stringify(share));
}

/** The shares this user is ending. */
export function endingShares(store: KeyValueStore): Share[] {
  return store
    .keys()
    .filter((key) => key.startsWith('se:'))
    .map((key) => JSON.parse(store.get(key) as string) as Share);
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** Turns a slice's result into the state the user sees. */
export function stateFromResult(result: SyncResult, at: number, ending = false): ShareSyncState {
  const state = phaseFromResult(result, at, ending);
  if (!result.unreached?.length || state.phase === 'ending') return state;
  return {
    ...state,
    phase: state.phase === 'ok' ? 'incomplete' : state.phase,
    unreached: result.unreached.slice(0, MAX_UNREACHED_KEPT),
  };
}

/** At most this many unreached recipients are kept in a state (a property value holds 9 KB). */
const MAX_UNREACHED_KEPT = 20;

function phaseFromResult(result: SyncResult, at: number, ending: boolean): ShareSyncState {
  switch (result.status) {
    case 'unchanged':
    case 'done': {
      if (ending) return { phase: 'ending', at, message: 'Copies removed.' };
      const notes: string[] = [];
      if (result.reverts.length > 0)
        notes.push(
          `${plural(result.reverts.length, 'edit')} by people who may only view the label ${result.reverts.length === 1 ? 'was' : 'were'} undone`,
        );
      if (result.conflicts.length > 0)
        notes.push(
          `${plural(result.conflicts.length, 'conflicting edit')}: the later one was kept`,
        );
      if (result.problems.length > 0) notes.push(result.problems[0] as string);
      return { phase: 'ok', at, ...(notes.length > 0 ? { message: `${notes.join('. ')}.` } : {}) };
    }
    case 'continue':
      return {
        phase: ending ? 'ending' : 'running',
        at,
        message:
          result.problems.length > 0
            ? `${result.problems[0]} It is retried automatically.`
            : ending
              ? 'Removing the copies; this continues automatically.'
              : 'More to copy; this continues automatically.',
      };
    case 'paused':
      return {
        phase: 'paused',
        at,
        message: `This sync would delete ${plural(result.pendingDeletions, 'contact')} from the label, so it waits for the owner to confirm.`,
      };
    case 'failed':
      return {
        phase: 'failed',
        at,
        message: `${result.problems[0] ?? 'The sync failed.'} Nothing was lost; use Sync now to try again.`,
      };
  }
}
