/**
 * This file loads the homepage's view (the registry's two lists, a bounded sync of the labels
 * that are due, one read of the user's groups) and the user's settings that it honours.
 */
import { describeAudience } from '../cards/audience';
import type { HomepageView, LabelRow } from '../cards/homepage-card';
import { personText } from '../cards/label-card';
import type { UserSettings } from '../cards/settings-card';
import { MSG } from '../messages';
import { DailyBudget } from '../sharing/daily-budget';
import type { VisibleShare } from '../sharing/share-registry';
import type { ShareSyncOutcome } from '../sharing/share-sync';
import type { SharingContext } from '../sharing/sharing-context';
import { endingShares, readSyncState } from '../sharing/sync-state';
import { failureText } from './action-kit';
import { directoryNames } from './directory-names';
import { readOwnGroups } from './people-data';

/** Where the user's settings are kept in their properties. */
export const SETTINGS_KEY = 'settings:v1';

/** The user's settings (sync on open and attention notices are on unless turned off). */
export function readSettings(context: SharingContext): UserSettings {
  const text = context.addon.userStore.get(SETTINGS_KEY);
  const saved = text ? (JSON.parse(text) as Partial<UserSettings>) : {};
  return { syncOnOpen: saved.syncOnOpen ?? true, notify: saved.notify ?? true };
}

/** Loads the homepage's view; with `syncDeadline`, syncs the labels that are due first. */
export function loadHomepage(
  context: SharingContext,
  options: {
    syncDeadline: number | null;
    /** No label is started after this time (default: the deadline). */
    syncStartBy?: number;
    minIntervalMs: number;
    synced?: ShareSyncOutcome[];
    /** List every account (Sync now): recent edits may not show in sync listings yet. */
    reconcile?: boolean;
  },
): HomepageView {
  const now = () => context.addon.clock.now();
  const settings = readSettings(context);
  let mine: VisibleShare[];
  let shared: VisibleShare[];
  try {
    mine = context.registry.mine();
    shared = context.registry.sharedWithMe();
  } catch (error) {
    console.warn('the share registry could not be read', error);
    return {
      mine: [],
      shared: [],
      ownLabels: [],
      now: now(),
      notice: failureText(error, MSG.serviceUnreachable),
    };
  }
  const gone = new Set<string>();
  context.sync.ownGroupsSeen.forget();
  if (options.syncDeadline !== null)
    for (const outcome of context.sync.syncAll(
      [...mine, ...shared],
      options.syncDeadline,
      options.minIntervalMs,
      options.reconcile,
      options.syncStartBy,
    )) {
      options.synced?.push(outcome);
      if (outcome.gone) gone.add(outcome.shareId);
    }
  // Right after the sync: the groups it listed, if it wrote nothing since, spare a listing.
  const groups = readOwnGroups(
    context,
    options.syncDeadline !== null ? context.sync.ownGroupsSeen.take() : null,
  );
  const ending = new Set(endingShares(context.addon.userStore).map((share) => share.id));
  // People by name: names the directory gave earlier (cached), so that opening costs no call.
  const names = directoryNames(
    context,
    shared.map((share) => share.owner),
    false,
  );
  const toRow = (share: VisibleShare): LabelRow => {
    const state = readSyncState(context.addon.userStore, share.id);
    const group = groups.groupOf(share, context.addon.user);
    return {
      shareId: share.id,
      name: share.labelName,
      owner: personText(share.owner, names),
      myLevel: share.myLevel ?? 'view',
      audience: describeAudience(share.grants.map((grant) => grant.target)),
      members: share.grants.length,
      contacts: group ? (group.memberCount ?? 0) : null,
      state:
        ending.has(share.id) && state?.phase !== 'ending'
          ? { phase: 'ending', at: state?.at ?? now() }
          : state,
    };
  };
  const notices = [
    ...(settings.syncOnOpen || options.syncDeadline !== null ? [] : [MSG.home.syncOff]),
    ...deferralNotice(context),
  ];
  return {
    mine: mine.filter((share) => !gone.has(share.id)).map(toRow),
    shared: shared.filter((share) => !gone.has(share.id)).map(toRow),
    ownLabels: groups.shareable(new Set(mine.map((share) => share.labelResourceName))),
    now: now(),
    flagAttention: settings.notify,
    ...(notices.length > 0 ? { notice: notices.join(' ') } : {}),
  };
}

/** The homepage's word on an hourly sync deferred for a daily quota, if one is. */
function deferralNotice(context: SharingContext): string[] {
  const { addon } = context;
  const deferral = new DailyBudget(addon.user, addon.userStore, addon.clock).deferral();
  if (!deferral) return [];
  const hours = Math.max(1, Math.ceil((deferral.until - addon.clock.now()) / 3_600_000));
  return [MSG.home.hourlyDeferred(deferral.quota, hours)];
}
