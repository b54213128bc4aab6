/**
 * This file defines what the sharing actions show after they act: the label card of a share, the
 * directory names on it, the words of a sync inside an action and its deadline, and the homepage
 * (the registry's two lists, a bounded sync of the labels that are due, one read of the user's
 * groups) with the user's settings that it honours.
 */
import { mayPerform } from '../../core/sharing-model';
import { buildHomepageCard } from '../cards/homepage-card';
import { buildLabelCard, personText, type UndoOffer } from '../cards/label-card';
import { grantableLevels } from '../cards/share-form';
import { listOf, MSG } from '../messages';
import type { ShareSyncOutcome } from '../sharing/share-sync';
import type { SharingContext } from '../sharing/sharing-context';
import { endingShares, readSyncState, wordedProblem } from '../sharing/sync-state';
import { actionTimeLeft, failureText } from './action-kit';
import type { ActionResponse } from './action-kit';
import type { Shared } from './share-kit';
import { directoryNames } from './directory-names';
import { readContactsPage, readOwnGroups } from './people-data';
import { describeAudience } from '../cards/audience';
import type { HomepageView, LabelRow } from '../cards/homepage-card';
import type { UserSettings } from '../cards/settings-card';
import { DailyBudget } from '../sharing/daily-budget';
import type { VisibleShare } from '../sharing/share-registry';

/** A card action may run 30 s; the sync inside it stops starting new calls after this long. */
export const ACTION_SYNC_BUDGET_MS = 25_000;

/** Reading a page of contacts takes three calls; with less time left the card goes without. */
const CONTACTS_PAGE_MIN_MS = 5_000;

/**
 * The label card of a share, with a page of the contacts of the user's own copy (left out when
 * the action has too little time left, e.g. after a long sync).
 */
export function labelCardFor(
  context: SharingContext,
  share: Shared,
  page = 1,
  search = '',
  undo: UndoOffer | null = null,
): GoogleAppsScript.Card_Service.Card {
  const group =
    actionTimeLeft() > CONTACTS_PAGE_MIN_MS
      ? readOwnGroups(context).groupOf(share, context.addon.user)
      : null;
  const user = context.addon.user.toLowerCase();
  return buildLabelCard({
    shareId: share.id,
    name: share.labelName,
    owner: share.owner,
    myLevel: share.myLevel,
    grants: share.grants,
    hiddenFields: share.hiddenFields,
    state: readSyncState(context.addon.userStore, share.id),
    grantable: mayPerform(share.myLevel, 'share') ? grantableLevels(share.myLevel) : [],
    contacts: group?.resourceName
      ? readContactsPage(context, group.resourceName, page, search)
      : null,
    directGrant: share.grants.some(
      (grant) => grant.target.kind === 'user' && grant.target.email.toLowerCase() === user,
    ),
    offeredTo: share.offeredTo ?? null,
    offeredToMe: share.offeredTo === user,
    now: context.addon.clock.now(),
    names: peopleNames(context, share),
    undo,
  });
}

/** The directory names of a share's owner and person members (looked up when not cached). */
export function peopleNames(context: SharingContext, share: Shared): Record<string, string> {
  try {
    return directoryNames(
      context,
      [
        share.owner,
        ...share.grants.flatMap((grant) =>
          grant.target.kind === 'user' ? [grant.target.email] : [],
        ),
      ],
      true,
    );
  } catch (error) {
    console.warn('names could not be read from the directory', error);
    return {};
  }
}

/** The notification after a sync inside an action. */
export function syncNotice(outcome: ShareSyncOutcome): string {
  const result = outcome.result;
  if (!result) return MSG.sync.gone;
  switch (result.status) {
    case 'unchanged':
      return MSG.sync.upToDate;
    case 'done':
      return result.unreached?.length
        ? `${MSG.sync.done(result.created, result.updated, result.deleted)} ${MSG.unreached.notice(
            listOf(result.unreached.map((each) => each.account)),
          )}`
        : MSG.sync.done(result.created, result.updated, result.deleted);
    case 'continue':
      return MSG.sync.continues;
    case 'paused':
      return MSG.sync.pausedNotice(result.pendingDeletions);
    case 'failed':
      return wordedProblem(result) ?? MSG.syncNotes.failedRetry;
  }
}

/** The deadline of a sync inside a card action. */
export function actionDeadline(context: SharingContext): number {
  return context.addon.clock.now() + ACTION_SYNC_BUDGET_MS;
}

/** Returns to the homepage, reloaded without a sync, with a notification. */
export function homeAfter(context: SharingContext, text: string): ActionResponse {
  const card = buildHomepageCard(loadHomepage(context, { syncDeadline: null, minIntervalMs: 0 }));
  return CardService.newActionResponseBuilder()
    .setNavigation(CardService.newNavigation().popToRoot().updateCard(card))
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

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
