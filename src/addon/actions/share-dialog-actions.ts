/**
 * This file defines the share dialog's actions: opening it for a label, suggestions, recipients
 * with a level each within the policy's limits, and sharing (or adding members) with the first
 * sync inside the action. Refusals are audited (share-kit.ts).
 */
import { domainOf, type Level, type ShareGrant, type ShareTarget } from '../../core/sharing-model';
import { BackendError } from '../backend-client';
import type { OwnLabel } from '../cards/homepage-card';
import { targetAddress } from '../cards/label-card';
import {
  buildShareDialog,
  groupSuggestion,
  parseRecipientText,
  personSuggestion,
  SHARE_FORM,
  splitRecipientText,
  type DialogEntry,
  type PolicyLimits,
  type ShareSubject,
} from '../cards/share-dialog-card';
import { grantableLevels } from '../cards/share-form';
import { MSG } from '../messages';
import { findShareableLabel } from '../sharing/own-labels';
import { ensureHourlyTrigger, type SharingContext } from '../sharing/sharing-context';
import {
  EMAIL,
  failureText,
  formValue,
  pushCard,
  requireParameter,
  updateCard,
  UserFacingError,
} from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent } from './action-kit';
import {
  checkGrant,
  checkRecipientCount,
  chosenGrantLevel,
  DOMAIN,
  readPolicyLimits,
  refuse,
  shareFor,
} from './share-kit';
import type { Shared } from './share-kit';
import { actionDeadline, labelCardFor, syncNotice } from './share-outcomes';
import { directoryNames } from './directory-names';
import { readOwnGroups } from './people-data';
import { directoryAccess, findInDirectory, suggestPeople } from './recipient-suggestions';

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

/** The kind of target a recipient names; another value comes from a stale card. */
function recipientKind(kind: string | undefined): ShareTarget['kind'] {
  if (kind !== 'user' && kind !== 'group' && kind !== 'domain')
    throw new UserFacingError(MSG.staleButton);
  return kind;
}

/**
 * The dialog an action answers: its subject, the policy's limits, and the recipients carried in
 * its parameters, each checked again.
 */
function dialogState(
  context: SharingContext,
  event: AddonEvent,
  action: string,
): { subject: DialogSubject; policy: PolicyLimits | null; recipients: ShareGrant[] } {
  const subject = dialogSubject(context, event, action);
  const policy = readPolicyLimits(context);
  const text = event.commonEventObject.parameters?.recipients ?? '';
  const entries = text === '' ? [] : text.split(';');
  checkRecipientCount(entries.length);
  const recipients = entries.map((entry) => {
    const [named, address = '', level = ''] = entry.split('|');
    const kind = recipientKind(named);
    const grant: ShareGrant = {
      level: chosenGrantLevel(level),
      target: (kind === 'domain'
        ? { kind, domain: address }
        : { kind, email: address }) as ShareTarget,
    };
    checkGrant(context, action, subject.share?.id ?? null, grant, subject.myLevel, policy);
    return grant;
  });
  return { subject, policy, recipients };
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

function showShareForm(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
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
  checkRecipientCount(entries.length);
  const chosenKind = recipientKind(formValue(event, SHARE_FORM.kind) || 'user');
  const level = chosenGrantLevel(formValue(event, SHARE_FORM.level));
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
  checkRecipientCount(next.length);
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

function addRecipient(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const { subject, policy, recipients } = dialogState(context, event, 'addRecipient');
  try {
    const typed = typedRecipients(context, event, 'addRecipient', subject, policy);
    if (typed.length === 0) throw new UserFacingError(MSG.share.addFirst);
    return updateCard(dialog(context, subject, policy, merged(recipients, typed)));
  } catch (error) {
    return dialogKeeping(context, event, subject, policy, recipients, error);
  }
}

function removeRecipient(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const { subject, policy, recipients } = dialogState(context, event, 'removeRecipient');
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
function suggestRecipients(event: AddonEvent, execution: ActionContext): ActionResponse {
  const text = splitRecipientText(formValue(event, SHARE_FORM.recipients)).pop() ?? '';
  const suggestions = CardService.newSuggestions();
  if (text.length >= 2) {
    const context = execution.sharing;
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
function shareWith(
  event: AddonEvent,
  { sharing: context }: ActionContext,
  action: 'createShare' | 'addMembers',
): ActionResponse {
  const { subject, policy, recipients: added } = dialogState(context, event, action);
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

/** The share dialog's actions by name. */
export const shareDialogActions = {
  showShareForm,
  addRecipient,
  removeRecipient,
  suggestRecipients,
  createShare: (event, context) => shareWith(event, context, 'createShare'),
  addMembers: (event, context) => shareWith(event, context, 'addMembers'),
} satisfies ActionTable;
