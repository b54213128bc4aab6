/** This file turns a share's sync state into the short text the homepage and label card show. */
import type { ShareSyncState } from '../sharing/sync-state';

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(at: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - at) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** One line for a share's state: what it is and, when it needs it, why and what to do. */
export function describeSyncState(state: ShareSyncState | null, now: number): string {
  if (!state) return 'Not synced yet: it syncs when you open Shared Contacts or press Sync now.';
  const when = ago(state.at, now);
  const detail = state.message ? ` ${state.message}` : '';
  switch (state.phase) {
    case 'ok':
      return `Up to date · synced ${when}.${detail}`;
    case 'running':
      return `Sync in progress (last step ${when}).${detail}`;
    case 'paused':
      return `Paused.${detail}`;
    case 'failed':
      return `Sync failed ${when}.${detail}`;
    case 'ending':
      return `Stopping sharing (last step ${when}).${detail}`;
  }
}
