/** This file turns a share's sync state into the short text the homepage and label card show. */
import { MSG } from '../messages';
import type { ShareSyncState } from '../sharing/sync-state';

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(at: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - at) / 60_000);
  if (minutes < 1) return MSG.sync.justNow;
  if (minutes < 60) return MSG.sync.minutesAgo(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return MSG.sync.hoursAgo(hours);
  return MSG.sync.daysAgo(Math.floor(hours / 24));
}

/**
 * One line for a share's state: what it is and, when it needs it, why and what to do. `copied`
 * is how many contacts the user's own copy holds, shown as the progress of a running sync.
 * Problems only the owner or a manager can act on are shown when `mayAct`.
 */
export function describeSyncState(
  state: ShareSyncState | null,
  now: number,
  copied: number | null = null,
  mayAct = false,
): string {
  if (!state) return MSG.sync.never;
  const when = ago(state.at, now);
  const notes = [state.message, mayAct ? state.ownerNote : undefined].filter(Boolean);
  const detail = notes.length > 0 ? ` ${notes.join(' ')}` : '';
  switch (state.phase) {
    case 'ok':
      return `${MSG.sync.ok(when)}.${detail}`;
    case 'running':
      return `${MSG.sync.running(when, copied)}.${detail}`;
    case 'paused':
      return `${MSG.sync.paused}.${detail}`;
    case 'failed':
      return `${MSG.sync.failed(when)}.${detail}`;
    case 'ending':
      return `${MSG.sync.ending(when)}.${detail}`;
  }
}
