/**
 * This file defines the card actions of a shared label, dispatched by the router: the label card
 * (contacts with search and paging), leaving, renaming, hidden fields, stopping a share, "Sync
 * now" for a label, the owner's confirmation of a paused mass deletion, and the hourly trigger.
 * Every handler re-reads the share and the caller's level from the registry (which the backend
 * enforces again); parameters only name things, and a refusal is audited.
 */
import { HIDEABLE_FIELDS, type HideableField } from '../../core/sharing-model';
import { buildStoppedCard } from '../cards/confirm-card';
import { buildHomepageCard } from '../cards/homepage-card';
import { LABEL_FORM, targetAddress, type UndoOffer } from '../cards/label-card';
import { MSG } from '../messages';
import { DailyBudget } from '../sharing/daily-budget';
import type { VisibleShare } from '../sharing/share-registry';
import { sharingContext } from '../sharing/sharing-context';
import { markEnding } from '../sharing/sync-state';
import { formValue, formValues, pushCard, updateCard, UserFacingError } from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent } from './action-kit';
import { MAX_RECIPIENTS, namedShare } from './share-kit';
import type { Shared } from './share-kit';
import {
  actionDeadline,
  homeAfter,
  labelCardFor,
  loadHomepage,
  syncNotice,
} from './share-outcomes';

/** A trigger run may last 6 minutes; its sync stops starting new calls after this long. */
export const TRIGGER_SYNC_BUDGET_MS = 5 * 60_000;

function openLabel(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'openLabel', 'read');
  const parameters = event.commonEventObject.parameters ?? {};
  const page = Math.max(1, Math.min(10_000, Number.parseInt(parameters.page ?? '1', 10) || 1));
  const search = (formValue(event, LABEL_FORM.query) || (parameters.query ?? '')).slice(0, 100);
  const card = labelCardFor(context, share, page, search);
  return parameters.replace === '1' ||
    LABEL_FORM.query in (event.commonEventObject.formInputs ?? {})
    ? updateCard(card)
    : pushCard(card);
}

function leaveLabel(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'leaveLabel', 'read');
  context.addon.backend.request('post', `/v1/shares/${encodeURIComponent(share.id)}/leave`);
  return homeAfter(context, MSG.confirm.left(share.labelName));
}

function renameLabel(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'renameLabel', 'rename');
  const name = formValue(event, LABEL_FORM.rename);
  if (name === '' || name.length > 200) throw new UserFacingError(MSG.share.nameFirst);
  const people = context.ownPeople();
  const group = context.transport.run(people.getContactGroup(share.labelResourceName, 'name'));
  context.transport.run(
    people.updateContactGroup(share.labelResourceName, { name, etag: group.etag }, 'name'),
  );
  const updated = {
    ...(context.addon.backend.request('patch', `/v1/shares/${encodeURIComponent(share.id)}`, {
      labelName: name,
    }) as VisibleShare),
    myLevel: share.myLevel,
  } as Shared;
  return updateCard(labelCardFor(context, updated), MSG.labelActions.renamed(name));
}

function saveHiddenFields(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'saveHiddenFields', 'hideFields');
  const chosen = formValues(event, LABEL_FORM.hidden);
  const hiddenFields = HIDEABLE_FIELDS.filter((field) => chosen.includes(field)) as HideableField[];
  const updated = {
    ...(context.addon.backend.request('patch', `/v1/shares/${encodeURIComponent(share.id)}`, {
      hiddenFields,
    }) as VisibleShare),
    myLevel: share.myLevel,
  } as Shared;
  const outcome = context.sync.syncShare(share.id, actionDeadline(context));
  return updateCard(
    labelCardFor(context, updated),
    MSG.labelActions.hiddenSaved(syncNotice(outcome)),
  );
}

function stopSharing(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'stopSharing', 'deleteLabel');
  const { myLevel: _myLevel, ...asItWas } = share;
  markEnding(context.addon.userStore, asItWas);
  if (share.grants.length > 0) context.registry.setGrants(share, []);
  const outcome = context.sync.endShare(asItWas, actionDeadline(context));
  const text = MSG.confirm.stopped(share.labelName, !outcome.gone);
  // Undo shares the label again with the same grants, unless that would first copy hidden fields.
  const undoable =
    outcome.gone &&
    share.hiddenFields.length === 0 &&
    share.grants.length > 0 &&
    share.grants.length <= MAX_RECIPIENTS;
  const undo: UndoOffer | null = undoable
    ? {
        text,
        action: 'createShare',
        parameters: {
          labelResourceName: share.labelResourceName,
          recipients: share.grants
            .map((grant) => `${grant.target.kind}|${targetAddress(grant.target)}|${grant.level}`)
            .join(';'),
        },
      }
    : null;
  const home = buildHomepageCard(loadHomepage(context, { syncDeadline: null, minIntervalMs: 0 }));
  return CardService.newActionResponseBuilder()
    .setNavigation(
      CardService.newNavigation()
        .popToRoot()
        .updateCard(home)
        .pushCard(
          buildStoppedCard(
            share.labelName,
            text,
            undo,
            share.hiddenFields.length > 0 ? MSG.confirm.stopNoUndoHidden : null,
          ),
        ),
    )
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

function syncLabel(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'syncLabel', 'read');
  // The user asks to sync: an edit made in Google Contacts minutes ago may not show in the sync
  // listings yet, so every account is listed.
  const outcome = context.sync.syncShare(share.id, actionDeadline(context), false, true);
  return updateCard(labelCardFor(context, share), syncNotice(outcome));
}

function confirmSync(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'confirmSync', 'deleteLabel');
  const outcome = context.sync.syncShare(share.id, actionDeadline(context), true);
  return updateCard(labelCardFor(context, share), syncNotice(outcome));
}

/**
 * The time-driven trigger: syncs every label the user takes part in, within a trigger run, unless
 * the run would cross one of Apps Script's daily quotas (daily-budget.ts): then it defers, and the
 * homepage says so, until the quota's day is over.
 */
export function runSyncTrigger(): void {
  const context = sharingContext();
  const { addon } = context;
  const start = addon.clock.now();
  const budget = new DailyBudget(addon.user, addon.userStore, addon.clock);
  const deferral = budget.hourlyDeferral();
  budget.recordDeferral(deferral);
  if (deferral) {
    console.log(JSON.stringify({ type: 'syncTrigger', deferred: deferral.quota }));
    return;
  }
  try {
    const shares = [...context.registry.mine(), ...context.registry.sharedWithMe()];
    const outcomes = context.sync.syncAll(shares, start + TRIGGER_SYNC_BUDGET_MS);
    console.log(
      JSON.stringify({
        type: 'syncTrigger',
        shares: outcomes.length,
        statuses: outcomes.map((outcome) => outcome.result?.status ?? 'gone'),
      }),
    );
  } finally {
    budget.note(addon.http.calls, { runtimeMs: addon.clock.now() - start });
  }
}

/** The shared label card's actions by name. */
export const sharingActions = {
  openLabel,
  leaveLabel,
  renameLabel,
  saveHiddenFields,
  stopSharing,
  syncLabel,
  confirmSync,
} satisfies ActionTable;
