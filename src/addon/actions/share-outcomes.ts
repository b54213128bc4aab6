/**
 * This file defines what the sharing actions show after they act: the label card of a share, the
 * directory names on it, the words of a sync inside an action and its deadline, and the homepage.
 */
import { mayPerform } from '../../core/sharing-model';
import { buildHomepageCard } from '../cards/homepage-card';
import { buildLabelCard, type UndoOffer } from '../cards/label-card';
import { grantableLevels } from '../cards/share-form';
import { listOf, MSG } from '../messages';
import type { ShareSyncOutcome } from '../sharing/share-sync';
import type { SharingContext } from '../sharing/sharing-context';
import { readSyncState, wordedProblem } from '../sharing/sync-state';
import { actionTimeLeft } from './action-kit';
import type { ActionResponse } from './action-kit';
import type { Shared } from './share-kit';
import { directoryNames } from './directory-names';
import { loadHomepage } from './homepage-data';
import { readContactsPage, readOwnGroups } from './people-data';

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
