/**
 * This file gathers what the homepage shows: the user's shares and those shared with them (after
 * a bounded sync of the labels that are due), each with its sync state, and their own labels
 * that they may share.
 */
import type { ShareTarget } from '../../core/sharing-model';
import { BackendError } from '../backend-client';
import type { HomepageView, LabelRow } from '../cards/homepage-card';
import { listShareableLabels } from './own-labels';
import type { VisibleShare } from './share-registry';
import type { ShareSyncOutcome } from './share-sync';
import type { SharingContext } from './sharing-context';
import { endingShares, readSyncState } from './sync-state';

/** How long opening the sidebar may spend syncing. */
export const HOMEPAGE_SYNC_BUDGET_MS = 5_000;
/** Labels synced this recently (and up to date) are not synced again when the sidebar opens. */
export const HOMEPAGE_MIN_INTERVAL_MS = 2 * 60_000;

/** "bob@example.com", "bob@example.com and 2 more", "nobody yet". */
export function describeAudience(targets: ShareTarget[]): string {
  const names = targets.map((target) =>
    target.kind === 'domain' ? `everyone at ${target.domain}` : target.email,
  );
  if (names.length === 0) return 'nobody yet';
  if (names.length === 1) return names[0] as string;
  return `${names[0]} and ${names.length - 1} more`;
}

function toRow(share: VisibleShare, context: SharingContext): LabelRow {
  return {
    shareId: share.id,
    name: share.labelName,
    owner: share.owner,
    myLevel: share.myLevel ?? 'view',
    audience: describeAudience(share.grants.map((grant) => grant.target)),
    state: readSyncState(context.addon.userStore, share.id),
  };
}

/**
 * Returns the homepage's view. With a `syncDeadline`, the labels that are due are synced first,
 * until then, and their outcomes are added to `synced`; labels that turn out to have ended for
 * the user are left out.
 */
export function loadHomepageView(
  context: SharingContext,
  options: { syncDeadline: number | null; minIntervalMs: number; synced?: ShareSyncOutcome[] },
): HomepageView {
  const now = () => context.addon.clock.now();
  let mine: VisibleShare[];
  let shared: VisibleShare[];
  try {
    mine = context.registry.mine();
    shared = context.registry.sharedWithMe();
  } catch (error) {
    // UrlFetchApp throws when the service cannot be reached at all; the backend answers errors.
    console.warn('the share registry could not be read', error);
    const reason = error instanceof BackendError ? ` (${error.message})` : '';
    return {
      mine: [],
      shared: [],
      ownLabels: [],
      now: now(),
      notice: `Shared Contacts could not reach its service${reason}. Your contacts are not affected; try again in a minute.`,
    };
  }
  const gone = new Set<string>();
  if (options.syncDeadline !== null)
    for (const outcome of context.sync.syncAll(
      [...mine, ...shared],
      options.syncDeadline,
      options.minIntervalMs,
    )) {
      options.synced?.push(outcome);
      if (outcome.gone) gone.add(outcome.shareId);
    }
  const ending = new Set(endingShares(context.addon.userStore).map((share) => share.id));
  const ownLabels = listShareableLabels(
    context.transport,
    context.ownPeople(),
    new Set(mine.map((share) => share.labelResourceName)),
  );
  return {
    mine: mine
      .filter((share) => !gone.has(share.id))
      .map((share) => {
        const row = toRow(share, context);
        return ending.has(share.id) && row.state?.phase !== 'ending'
          ? { ...row, state: { phase: 'ending' as const, at: row.state?.at ?? now() } }
          : row;
      }),
    shared: shared.filter((share) => !gone.has(share.id)).map((share) => toRow(share, context)),
    ownLabels,
    now: now(),
  };
}
