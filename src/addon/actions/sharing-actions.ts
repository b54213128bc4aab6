/**
 * This file defines the card actions of the sharing feature, dispatched by the router: open a
 * label, share a label (first sync inside the action), add and remove members, stop sharing,
 * "Sync now" for one label or all, and the owner's confirmation of a paused mass deletion. Every
 * handler re-reads the share and the caller's level from the registry (which the backend
 * enforces again); parameters only name things, and a refusal is audited.
 */
import {
  isLevel,
  levelAllows,
  mayPerform,
  type Level,
  type ShareAction,
  type ShareGrant,
  type ShareTarget,
} from '../../core/sharing-model';
import { buildHomepageCard, type OwnLabel } from '../cards/homepage-card';
import { buildLabelCard, targetAddress } from '../cards/label-card';
import { buildNewShareCard } from '../cards/new-share-card';
import { grantableLevels, SHARE_FORM, TARGET_KINDS, type TargetKind } from '../cards/share-form';
import {
  HOMEPAGE_MIN_INTERVAL_MS,
  HOMEPAGE_SYNC_BUDGET_MS,
  loadHomepageView,
} from '../sharing/homepage';
import { findShareableLabel } from '../sharing/own-labels';
import type { VisibleShare } from '../sharing/share-registry';
import type { ShareSyncOutcome } from '../sharing/share-sync';
import {
  ensureHourlyTrigger,
  sharingContext,
  type SharingContext,
} from '../sharing/sharing-context';
import { BackendAuditSink } from '../sharing/sync-adapters';
import { markEnding, readSyncState } from '../sharing/sync-state';
import {
  formValue,
  pushCard,
  requireParameter,
  updateCard,
  UserFacingError,
  type ActionTable,
} from './action-kit';

type AddonEvent = GoogleAppsScript.Addons.EventObject;
type ActionResponse = GoogleAppsScript.Card_Service.ActionResponse;

/** A card action may run 30 s; the sync inside it stops starting new calls after this long. */
export const ACTION_SYNC_BUDGET_MS = 25_000;
/** At most this many addresses per submission of the share form. */
export const MAX_ADDRESSES = 50;

const EMAIL = /^[^@\s,;]+@[a-z0-9.-]+\.[a-z]{2,63}$/i;
const DOMAIN = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Audits a refusal in the caller's tenant (the backend adds who and when), then throws it to the user. */
function refuse(
  context: SharingContext,
  action: string,
  shareId: string | null,
  reason: string,
  message: string,
): never {
  new BackendAuditSink(context.addon.backend, context.addon.userStore).record([
    {
      id: Utilities.getUuid(),
      type: 'sharing.action_denied',
      ...(shareId === null ? {} : { shareId: shareId.slice(0, 200) }),
      outcome: 'denied',
      detail: { action, reason },
      occurredAt: new Date(context.addon.clock.now()).toISOString(),
    },
  ]);
  throw new UserFacingError(message);
}

/** Reads the share an action names and checks that the caller may do `what` on it. */
function shareFor(
  context: SharingContext,
  event: AddonEvent,
  action: string,
  what: ShareAction,
): VisibleShare & { myLevel: Level } {
  const shareId = requireParameter(event, 'shareId');
  const share = context.registry.get(shareId);
  if (!share || share.myLevel === null)
    throw new UserFacingError(
      'This label is not shared with you, or its sharing has ended. Reopen Shared Contacts to see your labels.',
    );
  if (!mayPerform(share.myLevel, what))
    refuse(
      context,
      action,
      shareId,
      'insufficient_level',
      `You may not do that on “${share.labelName}”: your level is “${share.myLevel}”.`,
    );
  return share as VisibleShare & { myLevel: Level };
}

function labelCardFor(context: SharingContext, share: VisibleShare & { myLevel: Level }) {
  return buildLabelCard({
    shareId: share.id,
    name: share.labelName,
    owner: share.owner,
    myLevel: share.myLevel,
    grants: share.grants,
    state: readSyncState(context.addon.userStore, share.id),
    grantable: mayPerform(share.myLevel, 'share') ? grantableLevels(share.myLevel) : [],
    now: context.addon.clock.now(),
  });
}

/** Reads the share form: targets at a level the caller may grant. */
function readShareForm(
  context: SharingContext,
  event: AddonEvent,
  action: string,
  shareId: string | null,
  myLevel: Level,
): ShareGrant[] {
  const kind = formValue(event, SHARE_FORM.kind) || 'user';
  if (!(TARGET_KINDS as readonly string[]).includes(kind))
    throw new UserFacingError('Choose whom to share with: people, a group or a domain.');
  const level = formValue(event, SHARE_FORM.level);
  if (!isLevel(level) || level === 'owner')
    throw new UserFacingError('Choose what they may do with the label.');
  if (!levelAllows(myLevel, level) || !grantableLevels(myLevel).includes(level))
    refuse(
      context,
      action,
      shareId,
      'level_above_own',
      `You may share up to “${grantableLevels(myLevel).slice(-1)[0] ?? 'view'}”, not “${level}”.`,
    );
  const addresses = [
    ...new Set(
      formValue(event, SHARE_FORM.recipients)
        .split(/[\s,;]+/)
        .map((address) => address.trim().toLowerCase())
        .filter((address) => address !== ''),
    ),
  ];
  if (addresses.length === 0) throw new UserFacingError('Enter at least one address.');
  if (addresses.length > MAX_ADDRESSES)
    throw new UserFacingError(`Enter at most ${MAX_ADDRESSES} addresses at a time.`);
  const pattern = (kind as TargetKind) === 'domain' ? DOMAIN : EMAIL;
  const invalid = addresses.filter((address) => !pattern.test(address));
  if (invalid.length > 0)
    throw new UserFacingError(
      `${(kind as TargetKind) === 'domain' ? 'Not a domain name' : 'Not an e-mail address'}: ${invalid.slice(0, 3).join(', ')}.`,
    );
  return addresses.map((address) => ({
    level: level as ShareGrant['level'],
    target: (kind === 'domain'
      ? { kind: 'domain', domain: address }
      : { kind, email: address }) as ShareTarget,
  }));
}

function sameTarget(a: ShareTarget, b: ShareTarget): boolean {
  return a.kind === b.kind && targetAddress(a).toLowerCase() === targetAddress(b).toLowerCase();
}

/** The notification after a sync inside an action. */
function syncNotice(outcome: ShareSyncOutcome): string {
  const result = outcome.result;
  if (!result) return 'This label is no longer shared with you.';
  switch (result.status) {
    case 'unchanged':
      return 'Already up to date.';
    case 'done':
      return `Synced: ${result.created} copied, ${result.updated} updated, ${result.deleted} removed.`;
    case 'continue':
      return 'Synced part of it; the rest continues automatically within the hour, or press Sync now.';
    case 'paused':
      return `Paused: this sync would delete ${result.pendingDeletions} contacts; the owner must confirm.`;
    case 'failed':
      return `The sync failed: ${result.problems[0] ?? 'unknown reason'}. Nothing was lost.`;
  }
}

function deadline(context: SharingContext): number {
  return context.addon.clock.now() + ACTION_SYNC_BUDGET_MS;
}

function openLabel(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  return pushCard(labelCardFor(context, shareFor(context, event, 'openLabel', 'read')));
}

/** The caller's own shareable label that the action names; a refusal (audited) otherwise. */
function ownLabelFor(context: SharingContext, event: AddonEvent, action: string): OwnLabel {
  const label = findShareableLabel(
    context.transport,
    context.ownPeople(),
    requireParameter(event, 'labelResourceName'),
  );
  if (!label)
    refuse(
      context,
      action,
      null,
      'not_own_label',
      'That label is not one of your own contact labels.',
    );
  return label;
}

function showShareForm(event: AddonEvent): ActionResponse {
  return pushCard(buildNewShareCard(ownLabelFor(sharingContext(), event, 'showShareForm')));
}

function createShare(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const label = ownLabelFor(context, event, 'createShare');
  if (context.registry.mine().some((share) => share.labelResourceName === label.resourceName))
    throw new UserFacingError(`“${label.name}” is shared already; open it from the homepage.`);
  const grants = readShareForm(context, event, 'createShare', null, 'owner');
  const share = context.registry.create({
    labelResourceName: label.resourceName,
    labelName: label.name,
    grants,
  }) as VisibleShare & { myLevel: Level };
  ensureHourlyTrigger(context);
  const outcome = context.sync.syncShare(share.id, deadline(context));
  return updateCard(labelCardFor(context, share), `Shared “${label.name}”. ${syncNotice(outcome)}`);
}

function addMembers(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, event, 'addMembers', 'share');
  const added = readShareForm(context, event, 'addMembers', share.id, share.myLevel);
  const kept = share.grants.filter(
    (grant) => !added.some((addition) => sameTarget(grant.target, addition.target)),
  );
  const updated = context.registry.setGrants(share, [...kept, ...added]) as VisibleShare & {
    myLevel: Level;
  };
  ensureHourlyTrigger(context);
  const outcome = context.sync.syncShare(share.id, deadline(context));
  return updateCard(labelCardFor(context, updated), syncNotice(outcome));
}

function removeMember(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, event, 'removeMember', 'unshare');
  const kind = requireParameter(event, 'targetKind');
  const address = requireParameter(event, 'address');
  const grant = share.grants.find(
    (candidate) =>
      candidate.target.kind === kind &&
      targetAddress(candidate.target).toLowerCase() === address.toLowerCase(),
  );
  if (!grant) throw new UserFacingError(`${address} is not a member of “${share.labelName}”.`);
  if (!levelAllows(share.myLevel, grant.level))
    refuse(
      context,
      'removeMember',
      share.id,
      'level_above_own',
      `You may not remove ${address}: their level is above yours.`,
    );
  const updated = context.registry.setGrants(
    share,
    share.grants.filter((candidate) => candidate !== grant),
  ) as VisibleShare & { myLevel: Level };
  const outcome = context.sync.syncShare(share.id, deadline(context));
  return updateCard(
    labelCardFor(context, updated),
    `Removed ${address}. ${outcome.result?.status === 'continue' ? 'Their copies are removed in the background.' : syncNotice(outcome)}`,
  );
}

function stopSharing(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, event, 'stopSharing', 'deleteLabel');
  const { myLevel: _myLevel, ...asItWas } = share;
  markEnding(context.addon.userStore, asItWas);
  if (share.grants.length > 0) context.registry.setGrants(share, []);
  const outcome = context.sync.endShare(asItWas, deadline(context));
  const view = loadHomepageView(context, { syncDeadline: null, minIntervalMs: 0 });
  const card = buildHomepageCard(view);
  const text = outcome.gone
    ? `Stopped sharing “${share.labelName}”; the copies are gone.`
    : `Stopped sharing “${share.labelName}”; the copies are being removed in the background.`;
  return CardService.newActionResponseBuilder()
    .setNavigation(CardService.newNavigation().popToRoot().updateCard(card))
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

function syncLabel(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, event, 'syncLabel', 'read');
  const outcome = context.sync.syncShare(share.id, deadline(context));
  return updateCard(labelCardFor(context, share), syncNotice(outcome));
}

function confirmSync(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, event, 'confirmSync', 'deleteLabel');
  const outcome = context.sync.syncShare(share.id, deadline(context), true);
  return updateCard(labelCardFor(context, share), syncNotice(outcome));
}

function syncNow(_event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const synced: ShareSyncOutcome[] = [];
  const view = loadHomepageView(context, {
    syncDeadline: deadline(context),
    minIntervalMs: 0,
    synced,
  });
  const results = synced.flatMap((outcome) => (outcome.result ? [outcome.result] : []));
  const changed = results.reduce(
    (sum, result) => sum + result.created + result.updated + result.deleted,
    0,
  );
  const waiting = [...view.mine, ...view.shared].filter(
    (row) => row.state && row.state.phase !== 'ok',
  ).length;
  const summary =
    waiting > 0
      ? `${waiting} ${waiting === 1 ? 'label needs' : 'labels need'} attention; see each label's state.`
      : 'Every label is up to date.';
  return updateCard(
    buildHomepageCard(view),
    `Synced ${results.length} ${results.length === 1 ? 'label' : 'labels'}, ${changed} ${changed === 1 ? 'change' : 'changes'}. ${summary}`,
  );
}

/** Renders the homepage after a bounded sync of the labels that are due. */
export function renderHomepage(): GoogleAppsScript.Card_Service.Card {
  const context = sharingContext();
  return buildHomepageCard(
    loadHomepageView(context, {
      syncDeadline: context.addon.clock.now() + HOMEPAGE_SYNC_BUDGET_MS,
      minIntervalMs: HOMEPAGE_MIN_INTERVAL_MS,
    }),
  );
}

/** The time-driven trigger: syncs every label the user takes part in, within a trigger run. */
export function runSyncTrigger(): void {
  const context = sharingContext();
  const start = context.addon.clock.now();
  const shares = [...context.registry.mine(), ...context.registry.sharedWithMe()];
  const outcomes = context.sync.syncAll(shares, start + TRIGGER_SYNC_BUDGET_MS);
  console.log(
    JSON.stringify({
      type: 'syncTrigger',
      shares: outcomes.length,
      statuses: outcomes.map((outcome) => outcome.result?.status ?? 'gone'),
    }),
  );
}

/** A trigger run may last 6 minutes; its sync stops starting new calls after this long. */
export const TRIGGER_SYNC_BUDGET_MS = 5 * 60_000;

/** The sharing feature's card actions by name. */
export const sharingActions: ActionTable = {
  openLabel,
  showShareForm,
  createShare,
  addMembers,
  removeMember,
  stopSharing,
  syncLabel,
  confirmSync,
  syncNow,
};
