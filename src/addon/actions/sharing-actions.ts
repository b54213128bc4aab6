/**
 * This file defines the card actions of shared labels, dispatched by the router: the label card
 * (contacts with search and paging), the share dialog (suggestions, recipients with a level
 * each, policy limits, preview, sharing with the first sync inside the action), members (change
 * a level, remove), leaving, renaming, hidden fields, stopping a share, "Sync now" for a label,
 * the owner's confirmation of a paused mass deletion, and the hourly trigger. Every handler
 * re-reads the share and the caller's level from the registry (which the backend enforces
 * again); parameters only name things, and a refusal is audited.
 */
import type { PolicyAnswer } from '../../core/tenant-policy';
import {
  domainOf,
  HIDEABLE_FIELDS,
  isLevel,
  levelAllows,
  mayPerform,
  type HideableField,
  type Level,
  type ShareAction,
  type ShareGrant,
  type ShareTarget,
} from '../../core/sharing-model';
import { buildHomepageCard, type OwnLabel } from '../cards/homepage-card';
import { buildStoppedCard } from '../cards/confirm-card';
import {
  buildLabelCard,
  LABEL_FORM,
  targetAddress,
  targetText,
  type UndoOffer,
} from '../cards/label-card';
import { buildMemberCard, MEMBER_FORM } from '../cards/member-card';
import {
  buildShareDialog,
  groupSuggestion,
  parseRecipientText,
  personSuggestion,
  splitRecipientText,
  SHARE_FORM,
  type DialogEntry,
  type PolicyLimits,
  type ShareSubject,
} from '../cards/share-dialog-card';
import { grantableLevels } from '../cards/share-form';
import { BackendError } from '../backend-client';
import { newUuid } from '../gas/script-services';
import { listOf, MSG } from '../messages';
import { findShareableLabel } from '../sharing/own-labels';
import type { VisibleShare } from '../sharing/share-registry';
import type { ShareSyncOutcome } from '../sharing/share-sync';
import {
  ensureHourlyTrigger,
  sharingContext,
  type SharingContext,
} from '../sharing/sharing-context';
import { DailyBudget } from '../sharing/daily-budget';
import { BackendAuditSink } from '../sharing/sync-adapters';
import { markEnding, readSyncState, wordedProblem } from '../sharing/sync-state';
import {
  actionTimeLeft,
  failureText,
  formValue,
  formValues,
  pushCard,
  requireParameter,
  updateCard,
  UserFacingError,
  type ActionTable,
} from './action-kit';
import { directoryNames } from './directory-names';
import { ACTION_SYNC_BUDGET_MS, loadHomepage } from './homepage-actions';
import { readContactsPage, readOwnGroups } from './people-data';
import { directoryAccess, findInDirectory, suggestPeople } from './recipient-suggestions';

type AddonEvent = GoogleAppsScript.Addons.EventObject;
type ActionResponse = GoogleAppsScript.Card_Service.ActionResponse;
type Shared = VisibleShare & { myLevel: Level };

/** At most this many recipients per share dialog. */
export const MAX_RECIPIENTS = 50;
/** A trigger run may last 6 minutes; its sync stops starting new calls after this long. */
export const TRIGGER_SYNC_BUDGET_MS = 5 * 60_000;

const EMAIL = /^[^@\s,;<>]+@[a-z0-9.-]+\.[a-z]{2,63}$/i;
const DOMAIN = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Audits a refusal in the caller's tenant (the backend adds who and when), then throws it to the user. */
export function refuse(
  context: SharingContext,
  action: string,
  shareId: string | null,
  reason: string,
  message: string,
): never {
  new BackendAuditSink(context.addon.backend, context.addon.userStore).record([
    {
      id: newUuid(),
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
export function shareFor(
  context: SharingContext,
  shareId: string,
  action: string,
  what: ShareAction,
): Shared {
  const share = context.registry.get(shareId);
  if (!share || share.myLevel === null) throw new UserFacingError(MSG.labelActions.notShared);
  if (!mayPerform(share.myLevel, what))
    refuse(
      context,
      action,
      shareId,
      'insufficient_level',
      MSG.labelActions.levelTooLow(share.labelName, share.myLevel),
    );
  return share as Shared;
}

/**
 * The shares the user takes part in (theirs first), or none and the notice to show when our
 * service cannot be reached: cards that only look shares up stay usable without it.
 */
export function visibleShares(context: SharingContext): {
  shares: VisibleShare[];
  notice?: string;
} {
  try {
    return { shares: [...context.registry.mine(), ...context.registry.sharedWithMe()] };
  } catch (error) {
    console.warn('the share registry could not be read', error);
    return { shares: [], notice: failureText(error, MSG.serviceUnreachable) };
  }
}

/**
 * The tenant policy's limits for the caller, with every domain of their organisation (Workspace
 * customer), or null when it cannot be read.
 */
export function readPolicyLimits(context: SharingContext): PolicyLimits | null {
  const domain = domainOf(context.addon.user);
  try {
    const answer = context.addon.backend.request<PolicyAnswer>(
      'get',
      `/v1/tenants/${encodeURIComponent(domain)}/policy`,
    );
    const domains = (answer.domains ?? []).map((entry) => entry.toLowerCase());
    return {
      domain,
      domains: [domain.toLowerCase(), ...domains.filter((entry) => entry !== domain.toLowerCase())],
      maxLevel: answer.policy.maxLevel,
      adminsOnly: answer.policy.whoMayShare === 'admins',
    };
  } catch (error) {
    console.warn('the tenant policy could not be read', error);
    return null;
  }
}

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

function openLabel(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'openLabel', 'read');
  const parameters = event.commonEventObject.parameters ?? {};
  const page = Math.max(1, Math.min(10_000, Number.parseInt(parameters.page ?? '1', 10) || 1));
  const search = (formValue(event, LABEL_FORM.query) || (parameters.query ?? '')).slice(0, 100);
  const card = labelCardFor(context, share, page, search);
  return parameters.replace === '1' ||
    LABEL_FORM.query in (event.commonEventObject.formInputs ?? {})
    ? updateCard(card)
    : pushCard(card);
}

/** The caller's own shareable label that the action names; a refusal (audited) otherwise. */
function ownLabelFor(context: SharingContext, resourceName: string, action: string): OwnLabel {
  const label = findShareableLabel(context.transport, context.ownPeople(), resourceName);
  if (!label) refuse(context, action, null, 'not_own_label', MSG.share.notOwnLabel);
  return label;
}

interface DialogSubject {
  subject: ShareSubject;
  labelName: string;
  contactCount: number;
  myLevel: Level;
  share: Shared | null;
}

function dialogSubject(context: SharingContext, event: AddonEvent, action: string): DialogSubject {
  const parameters = event.commonEventObject.parameters ?? {};
  if (parameters.shareId) {
    const share = shareFor(context, parameters.shareId, action, 'share');
    const group = readOwnGroups(context).groupOf(share, context.addon.user);
    return {
      subject: { shareId: share.id },
      labelName: share.labelName,
      contactCount: group?.memberCount ?? 0,
      myLevel: share.myLevel,
      share,
    };
  }
  const label = ownLabelFor(context, requireParameter(event, 'labelResourceName'), action);
  return {
    subject: { labelResourceName: label.resourceName },
    labelName: label.name,
    contactCount: label.memberCount,
    myLevel: 'owner',
    share: null,
  };
}

/** Checks one grant against the caller's level and the policy; throws what the user must change. */
function checkGrant(
  context: SharingContext,
  action: string,
  shareId: string | null,
  grant: ShareGrant,
  myLevel: Level,
  policy: PolicyLimits | null,
): void {
  const address = targetAddress(grant.target);
  if (!(grant.target.kind === 'domain' ? DOMAIN : EMAIL).test(address))
    throw new UserFacingError(
      grant.target.kind === 'domain' ? MSG.share.notDomain(address) : MSG.share.notAddress(address),
    );
  if (!levelAllows(myLevel, grant.level) || grant.level === ('owner' as Level))
    refuse(
      context,
      action,
      shareId,
      'level_above_own',
      MSG.share.aboveOwn(grantableLevels(myLevel).slice(-1)[0] ?? 'view'),
    );
  if (!policy) return;
  if (!levelAllows(policy.maxLevel, grant.level))
    throw new UserFacingError(MSG.share.aboveMax(policy.maxLevel));
  // People are checked against the directory when typed (resolveTarget); groups and domains by
  // the organisation's domains. The backend refuses anything outside the customer again.
  if (grant.target.kind !== 'user' && !policy.domains.includes(domainOfTarget(grant.target)))
    refuse(
      context,
      action,
      shareId,
      'outside_customer',
      MSG.shareDialog.outsideCustomer(address.toLowerCase()),
    );
}

function domainOfTarget(target: ShareTarget): string {
  return (target.kind === 'domain' ? target.domain : domainOf(target.email)).toLowerCase();
}

/** Reads the recipients carried in the dialog's parameters, checking each again. */
function recipientsOf(
  context: SharingContext,
  event: AddonEvent,
  action: string,
  subject: DialogSubject,
  policy: PolicyLimits | null,
): ShareGrant[] {
  const text = event.commonEventObject.parameters?.recipients ?? '';
  if (text === '') return [];
  const entries = text.split(';');
  if (entries.length > MAX_RECIPIENTS) throw new UserFacingError(MSG.share.tooMany(MAX_RECIPIENTS));
  return entries.map((entry) => {
    const [kind, address = '', level = ''] = entry.split('|');
    if (kind !== 'user' && kind !== 'group' && kind !== 'domain')
      throw new UserFacingError(MSG.staleButton);
    if (!isLevel(level) || level === 'owner') throw new UserFacingError(MSG.share.chooseLevel);
    const grant: ShareGrant = {
      level,
      target: (kind === 'domain'
        ? { kind, domain: address }
        : { kind, email: address }) as ShareTarget,
    };
    checkGrant(context, action, subject.share?.id ?? null, grant, subject.myLevel, policy);
    return grant;
  });
}

function dialog(
  context: SharingContext,
  subject: DialogSubject,
  policy: PolicyLimits | null,
  recipients: ShareGrant[],
  probeDirectory = false,
  entry?: DialogEntry,
) {
  let access: ReturnType<typeof directoryAccess> = null;
  try {
    access = directoryAccess(context, probeDirectory);
  } catch (error) {
    console.warn('the directory could not be asked what it shows apps', error);
  }
  return buildShareDialog({
    subject: subject.subject,
    labelName: subject.labelName,
    contactCount: subject.contactCount,
    recipients,
    levels: grantableLevels(subject.myLevel, policy?.maxLevel ?? 'manage'),
    policy,
    names: recipientNames(context, recipients),
    ...(entry ? { entry } : {}),
    ...(access === 'hidden'
      ? { notice: MSG.share.directoryHidden }
      : access === 'forbidden'
        ? { notice: MSG.share.directoryForbidden }
        : {}),
  });
}

/** The directory names of the person recipients chosen in the dialog. */
function recipientNames(context: SharingContext, recipients: ShareGrant[]): Record<string, string> {
  try {
    return directoryNames(
      context,
      recipients.flatMap((grant) => (grant.target.kind === 'user' ? [grant.target.email] : [])),
      true,
    );
  } catch (error) {
    console.warn('names could not be read from the directory', error);
    return {};
  }
}

function showShareForm(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const subject = dialogSubject(context, event, 'showShareForm');
  return pushCard(dialog(context, subject, readPolicyLimits(context), [], true));
}

function sameTarget(a: ShareTarget, b: ShareTarget): boolean {
  return a.kind === b.kind && targetAddress(a).toLowerCase() === targetAddress(b).toLowerCase();
}

/** The recipients typed into the dialog's field and not added yet, at the chosen kind and level. */
function typedRecipients(
  context: SharingContext,
  event: AddonEvent,
  action: string,
  subject: DialogSubject,
  policy: PolicyLimits | null,
): ShareGrant[] {
  const entries = splitRecipientText(formValue(event, SHARE_FORM.recipients));
  if (entries.length === 0) return [];
  if (entries.length > MAX_RECIPIENTS) throw new UserFacingError(MSG.share.tooMany(MAX_RECIPIENTS));
  const chosenKind = formValue(event, SHARE_FORM.kind) || 'user';
  if (chosenKind !== 'user' && chosenKind !== 'group' && chosenKind !== 'domain')
    throw new UserFacingError(MSG.staleButton);
  const level = formValue(event, SHARE_FORM.level);
  if (!isLevel(level) || level === 'owner') throw new UserFacingError(MSG.share.chooseLevel);
  return entries.map((entry) => {
    const parsed = parseRecipientText(entry);
    const kind =
      parsed.kind ??
      (chosenKind === 'user' && !parsed.address.includes('@') && DOMAIN.test(parsed.address)
        ? 'domain'
        : chosenKind);
    const grant: ShareGrant = {
      level,
      target: resolveTarget(context, action, subject, parsed.address, kind, policy),
    };
    checkGrant(context, action, subject.share?.id ?? null, grant, subject.myLevel, policy);
    return grant;
  });
}

/**
 * The target a typed entry names: a name is taken when it matches one suggestion; sharing with
 * oneself is refused; a person's address must be in the organisation's directory (a group's
 * address typed as a person becomes the group), or it is refused with the reason.
 */
function resolveTarget(
  context: SharingContext,
  action: string,
  subject: DialogSubject,
  typed: string,
  kind: 'user' | 'group' | 'domain',
  policy: PolicyLimits | null,
): ShareTarget {
  if (kind === 'domain') return { kind, domain: typed };
  const address = kind === 'user' && !typed.includes('@') ? personNamed(context, typed) : typed;
  if (!EMAIL.test(address)) return { kind, email: address };
  const shareId = subject.share?.id ?? null;
  const inside = policy === null || policy.domains.includes(domainOf(address).toLowerCase());
  if (kind === 'group') {
    if (inside && findGroup(context, address) === 'absent')
      refuse(context, action, shareId, 'not_in_directory', MSG.shareDialog.notInDirectory(address));
    return { kind, email: address };
  }
  if (address === context.addon.user.toLowerCase())
    refuse(context, action, shareId, 'own_account', MSG.shareDialog.yourself);
  const listed = findInDirectory(context, address);
  if (listed === 'found') return { kind, email: address };
  if (findGroup(context, address) === 'found') return { kind: 'group', email: address };
  if (!inside)
    refuse(context, action, shareId, 'outside_customer', MSG.shareDialog.outsideCustomer(address));
  if (listed === 'absent')
    refuse(context, action, shareId, 'not_in_directory', MSG.shareDialog.notInDirectory(address));
  return { kind, email: address };
}

/** The address of the one person a typed name matches, or what the user must do instead. */
function personNamed(context: SharingContext, text: string): string {
  const found = suggestPeople(context, text);
  const wanted = text.trim().toLowerCase();
  const exact = found.filter(
    (person) =>
      person.name.toLowerCase() === wanted ||
      person.name.toLowerCase().split(/\s+/).includes(wanted) ||
      person.email.split('@')[0] === wanted,
  );
  const chosen = exact.length === 1 ? exact : found;
  if (chosen.length === 1) return (chosen[0] as { email: string }).email;
  if (chosen.length === 0) throw new UserFacingError(MSG.shareDialog.noOneCalled(text));
  throw new UserFacingError(
    MSG.shareDialog.several(
      text,
      chosen.map((person) => (person.name ? `${person.name} (${person.email})` : person.email)),
    ),
  );
}

/** Whether the organisation's groups (our service lists them) hold this address; `unknown` when they cannot be read. */
function findGroup(context: SharingContext, address: string): 'found' | 'absent' | 'unknown' {
  try {
    const { groups } = context.addon.backend.request<{ groups: { email: string }[] }>(
      'get',
      `/v1/directory/groups?q=${encodeURIComponent(address)}`,
    );
    return groups.some((group) => group.email.toLowerCase() === address) ? 'found' : 'absent';
  } catch (error) {
    console.warn('the groups could not be read', error);
    return 'unknown';
  }
}

/** Adds grants to a list, a later grant of the same target replacing an earlier one. */
function merged(list: ShareGrant[], added: ShareGrant[]): ShareGrant[] {
  const next = [
    ...list.filter((grant) => !added.some((other) => sameTarget(grant.target, other.target))),
    ...added,
  ];
  if (next.length > MAX_RECIPIENTS) throw new UserFacingError(MSG.share.tooMany(MAX_RECIPIENTS));
  return next;
}

/** The dialog again with what was typed and chosen kept, and why it was refused. */
function dialogKeeping(
  context: SharingContext,
  event: AddonEvent,
  subject: DialogSubject,
  policy: PolicyLimits | null,
  recipients: ShareGrant[],
  error: unknown,
): ActionResponse {
  if (!(error instanceof UserFacingError || error instanceof BackendError)) throw error;
  console.warn('the share dialog refused an entry', error);
  const text = failureText(error, MSG.genericFailure);
  const entry = {
    typed: formValue(event, SHARE_FORM.recipients),
    kind: formValue(event, SHARE_FORM.kind),
    level: formValue(event, SHARE_FORM.level),
    error: text,
  };
  return updateCard(dialog(context, subject, policy, recipients, false, entry), text);
}

function addRecipient(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const subject = dialogSubject(context, event, 'addRecipient');
  const policy = readPolicyLimits(context);
  const recipients = recipientsOf(context, event, 'addRecipient', subject, policy);
  try {
    const typed = typedRecipients(context, event, 'addRecipient', subject, policy);
    if (typed.length === 0) throw new UserFacingError(MSG.share.addFirst);
    return updateCard(dialog(context, subject, policy, merged(recipients, typed)));
  } catch (error) {
    return dialogKeeping(context, event, subject, policy, recipients, error);
  }
}

function removeRecipient(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const subject = dialogSubject(context, event, 'removeRecipient');
  const policy = readPolicyLimits(context);
  const recipients = recipientsOf(context, event, 'removeRecipient', subject, policy);
  const index = Number.parseInt(requireParameter(event, 'index'), 10);
  return updateCard(
    dialog(
      context,
      subject,
      policy,
      recipients.filter((_, at) => at !== index),
    ),
  );
}

/** Autocomplete of the recipient field: people of the directory and groups of the domain. */
function suggestRecipients(event: AddonEvent): ActionResponse {
  const text = splitRecipientText(formValue(event, SHARE_FORM.recipients)).pop() ?? '';
  const suggestions = CardService.newSuggestions();
  if (text.length >= 2) {
    const context = sharingContext();
    for (const person of suggestPeople(context, text))
      suggestions.addSuggestion(personSuggestion(person.name, person.email));
    try {
      const { groups } = context.addon.backend.request<{
        groups: { email: string; name: string }[];
      }>('get', `/v1/directory/groups?q=${encodeURIComponent(text)}`);
      for (const group of groups.slice(0, 10))
        suggestions.addSuggestion(groupSuggestion(group.name, group.email));
    } catch (error) {
      console.warn('group suggestions failed', error);
    }
  }
  return CardService.newSuggestionsResponseBuilder()
    .setSuggestions(suggestions)
    .build() as unknown as ActionResponse;
}

/**
 * Shares a label of the user's (`createShare`) or an existing share with more people
 * (`addMembers`): the recipients added in the dialog and those still typed in its field; the
 * first sync runs inside the action.
 */
function shareWith(event: AddonEvent, action: 'createShare' | 'addMembers'): ActionResponse {
  const context = sharingContext();
  const subject = dialogSubject(context, event, action);
  const policy = readPolicyLimits(context);
  const added = recipientsOf(context, event, action, subject, policy);
  let share: Shared;
  let recipients: ShareGrant[] = added;
  try {
    recipients = merged(added, typedRecipients(context, event, action, subject, policy));
    if (recipients.length === 0) throw new UserFacingError(MSG.share.addFirst);
    if (subject.share) {
      share = context.registry.setGrants(
        subject.share,
        merged(subject.share.grants, recipients),
      ) as Shared;
    } else {
      const labelResourceName = (subject.subject as { labelResourceName: string })
        .labelResourceName;
      if (context.registry.mine().some((mine) => mine.labelResourceName === labelResourceName))
        throw new UserFacingError(MSG.share.alreadyShared(subject.labelName));
      share = context.registry.create({
        labelResourceName,
        labelName: subject.labelName,
        grants: recipients,
      }) as Shared;
    }
  } catch (error) {
    if (error instanceof BackendError && error.status >= 500) throw error;
    return dialogKeeping(context, event, subject, policy, recipients, error);
  }
  ensureHourlyTrigger(context);
  const outcome = context.sync.syncShare(share.id, actionDeadline(context));
  const text = subject.share
    ? syncNotice(outcome)
    : MSG.share.shared(subject.labelName, syncNotice(outcome));
  return updateCard(labelCardFor(context, share), text);
}

/** The member (grant) an action names, or a UserFacingError when it is not one. */
export function memberOf(share: Shared, event: AddonEvent): ShareGrant {
  const kind = requireParameter(event, 'targetKind');
  const address = requireParameter(event, 'address');
  const grant = share.grants.find(
    (candidate) =>
      candidate.target.kind === kind &&
      targetAddress(candidate.target).toLowerCase() === address.toLowerCase(),
  );
  if (!grant) throw new UserFacingError(MSG.member.notMember(address, share.labelName));
  return grant;
}

function openMember(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'openMember', 'share');
  const grant = memberOf(share, event);
  const policy = readPolicyLimits(context);
  return pushCard(
    buildMemberCard({
      shareId: share.id,
      labelName: share.labelName,
      target: grant.target,
      level: grant.level,
      grantable: grantableLevels(share.myLevel, policy?.maxLevel ?? 'manage'),
      mayMakeOwner: mayPerform(share.myLevel, 'transferOwnership') && grant.target.kind === 'user',
      names: peopleNames(context, share),
    }),
  );
}

function changeLevel(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'changeLevel', 'share');
  const grant = memberOf(share, event);
  const who = targetText(grant.target);
  if (!levelAllows(share.myLevel, grant.level))
    refuse(context, 'changeLevel', share.id, 'level_above_own', MSG.member.aboveYou(who));
  const level = formValue(event, MEMBER_FORM.level);
  if (!isLevel(level) || level === 'owner') throw new UserFacingError(MSG.share.chooseLevel);
  checkGrant(
    context,
    'changeLevel',
    share.id,
    { ...grant, level },
    share.myLevel,
    readPolicyLimits(context),
  );
  const updated = context.registry.setGrants(
    share,
    share.grants.map((candidate) => (candidate === grant ? { ...grant, level } : candidate)),
  ) as Shared;
  const outcome = context.sync.syncShare(share.id, actionDeadline(context));
  return CardService.newActionResponseBuilder()
    .setNavigation(CardService.newNavigation().popCard().updateCard(labelCardFor(context, updated)))
    .setNotification(
      CardService.newNotification().setText(
        `${MSG.member.saved(who, level)} ${syncNotice(outcome)}`,
      ),
    )
    .build();
}

function removeMember(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'removeMember', 'unshare');
  const grant = memberOf(share, event);
  const who = targetText(grant.target);
  if (!levelAllows(share.myLevel, grant.level))
    refuse(context, 'removeMember', share.id, 'level_above_own', MSG.member.aboveYou(who));
  const updated = context.registry.setGrants(
    share,
    share.grants.filter((candidate) => candidate !== grant),
  ) as Shared;
  const outcome = context.sync.syncShare(share.id, actionDeadline(context));
  const text =
    outcome.result?.status === 'continue'
      ? MSG.member.removedBackground(who)
      : `${MSG.member.removed(who)} ${syncNotice(outcome)}`;
  const undo: UndoOffer = {
    text: MSG.confirm.undoRemoveMember(who),
    action: 'addMembers',
    parameters: {
      shareId: share.id,
      recipients: `${grant.target.kind}|${targetAddress(grant.target)}|${grant.level}`,
    },
  };
  return CardService.newActionResponseBuilder()
    .setNavigation(
      CardService.newNavigation()
        .popToNamedCard('label')
        .updateCard(labelCardFor(context, updated, 1, '', undo)),
    )
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

function homeAfter(context: SharingContext, text: string): ActionResponse {
  const card = buildHomepageCard(loadHomepage(context, { syncDeadline: null, minIntervalMs: 0 }));
  return CardService.newActionResponseBuilder()
    .setNavigation(CardService.newNavigation().popToRoot().updateCard(card))
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

function leaveLabel(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'leaveLabel', 'read');
  context.addon.backend.request('post', `/v1/shares/${encodeURIComponent(share.id)}/leave`);
  return homeAfter(context, MSG.confirm.left(share.labelName));
}

function renameLabel(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'renameLabel', 'rename');
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

function saveHiddenFields(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(
    context,
    requireParameter(event, 'shareId'),
    'saveHiddenFields',
    'hideFields',
  );
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

function stopSharing(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'stopSharing', 'deleteLabel');
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

/**
 * Offers a label to one of its person members (DESIGN.md §4): it becomes theirs when they accept
 * in their own sidebar. Refusals (not the owner, not a person member, another domain) are audited.
 */
function offerOwnership(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(
    context,
    requireParameter(event, 'shareId'),
    'offerOwnership',
    'transferOwnership',
  );
  const address = requireParameter(event, 'address').toLowerCase();
  if (domainOf(address) !== share.domain.toLowerCase())
    refuse(
      context,
      'offerOwnership',
      share.id,
      'transfer_other_domain',
      MSG.transfer.otherDomain(address, share.domain),
    );
  const member = share.grants.some(
    (grant) => grant.target.kind === 'user' && grant.target.email.toLowerCase() === address,
  );
  if (!member || address === share.owner.toLowerCase())
    refuse(
      context,
      'offerOwnership',
      share.id,
      'transfer_not_participant',
      MSG.transfer.notPerson(address),
    );
  const offered = context.registry.offerTransfer(share, address) as Shared;
  return updateCard(labelCardFor(context, offered), MSG.transfer.offered(share.labelName, address));
}

/**
 * Accepts the ownership of a label offered to the user: their copy becomes the label everyone's
 * copies follow (DESIGN.md §4), and the former owner keeps "manage"; the former owner's own next
 * sync turns their contacts into copies.
 */
function acceptOwnership(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'acceptOwnership', 'read');
  const me = context.addon.user.toLowerCase();
  if (share.offeredTo !== me)
    refuse(context, 'acceptOwnership', share.id, 'not_offered', MSG.transfer.notOffered);
  const outcome = context.sync.acceptOwnership(
    share.id,
    actionDeadline(context),
    () => readOwnGroups(context).groupOf({ ...share, owner: '' }, me)?.resourceName ?? null,
    (label) => {
      context.registry.acceptTransfer(share, label);
    },
  );
  if (outcome === 'noCopy') throw new UserFacingError(MSG.transfer.noCopy);
  const done = outcome.result?.status === 'done' || outcome.result?.status === 'unchanged';
  return homeAfter(
    context,
    done
      ? MSG.transfer.accepted(share.labelName)
      : MSG.transfer.acceptedBackground(share.labelName),
  );
}

/** Withdraws an offer of ownership (the owner) or declines it (the member it was offered to). */
function endTransferOffer(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'endTransferOffer', 'read');
  const me = context.addon.user.toLowerCase();
  if (share.myLevel !== 'owner' && share.offeredTo !== me)
    refuse(context, 'endTransferOffer', share.id, 'not_offered', MSG.transfer.notOffered);
  const after = context.registry.endTransferOffer(share) as Shared;
  return updateCard(
    labelCardFor(context, after),
    share.myLevel === 'owner'
      ? MSG.transfer.withdrawn(share.labelName)
      : MSG.transfer.declined(share.labelName),
  );
}

function syncLabel(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'syncLabel', 'read');
  // The user asks to sync: an edit made in Google Contacts minutes ago may not show in the sync
  // listings yet, so every account is listed.
  const outcome = context.sync.syncShare(share.id, actionDeadline(context), false, true);
  return updateCard(labelCardFor(context, share), syncNotice(outcome));
}

function confirmSync(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const share = shareFor(context, requireParameter(event, 'shareId'), 'confirmSync', 'deleteLabel');
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

/** The sharing feature's card actions by name. */
export const sharingActions: ActionTable = {
  openLabel,
  showShareForm,
  addRecipient,
  removeRecipient,
  suggestRecipients,
  createShare: (event) => shareWith(event, 'createShare'),
  addMembers: (event) => shareWith(event, 'addMembers'),
  openMember,
  changeLevel,
  removeMember,
  leaveLabel,
  renameLabel,
  saveHiddenFields,
  stopSharing,
  offerOwnership,
  acceptOwnership,
  endTransferOffer,
  syncLabel,
  confirmSync,
};
