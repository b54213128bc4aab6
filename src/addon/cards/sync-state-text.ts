/** This file turns a share's sync state into the short text the homepage and label card show. */
import { listOf, MSG } from '../messages';
import { levelAllows, type Level } from '../../core/sharing-model';
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
 * `unreached` says how recipients not reached are mentioned: `named` for those who can do
 * something about them (the owner, a manager), `anonymous` for everyone else (only that not
 * everyone has their copies), `below` when the card lists them itself (describeUnreached).
 * Problems only the owner or a manager can act on (`ownerNote`) are shown only to them.
 */
export function describeSyncState(
  state: ShareSyncState | null,
  now: number,
  copied: number | null = null,
  unreachedAs: 'named' | 'anonymous' | 'below' = 'anonymous',
): string {
  if (!state) return MSG.sync.never;
  const when = ago(state.at, now);
  const mayAct = unreachedAs !== 'anonymous';
  const detail = [
    state.message,
    mayAct ? state.ownerNote : undefined,
    unreachedMention(state, unreachedAs),
  ]
    .filter((text): text is string => Boolean(text))
    .map((text) => ` ${text}`)
    .join('');
  switch (state.phase) {
    case 'incomplete':
      return `${MSG.unreached.state(when)}.${detail}`;
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

/** The sentence on recipients not reached that goes after the state, if any. */
function unreachedMention(
  state: ShareSyncState,
  as: 'named' | 'anonymous' | 'below',
): string | undefined {
  const unreached = state.unreached ?? [];
  if (unreached.length === 0 || as === 'below') return undefined;
  return as === 'named'
    ? MSG.unreached.who(listOf(unreached.map((each) => each.account)))
    : MSG.unreached.member;
}

/** For whoever may act on them: each recipient not reached, why, and what to do; then the retry. */
export function describeUnreached(state: ShareSyncState | null): string[] {
  const unreached = state?.unreached ?? [];
  if (unreached.length === 0) return [];
  return [
    ...unreached.map((each) => MSG.unreached.person(each.account, each.reason)),
    MSG.unreached.retry,
  ];
}

/** Who is told who was not reached, and why: the owner and those who manage the sharing. */
export function mayActOnRecipients(level: Level): boolean {
  return levelAllows(level, 'manage');
}
