/**
 * This file defines the confirmations asked before the actions that take contacts off people's
 * phones: stopping a share, leaving a label and removing a member. Each re-checks the caller's
 * right, counts what will go ("312 contacts will be removed from 48 people's contacts") and says
 * whether the action can be undone; its button runs the action itself (sharing-actions.ts,
 * member-actions.ts).
 */
import { buildConfirmCard } from '../cards/confirm-card';
import { personText, targetAddress, targetText } from '../cards/label-card';
import { MSG } from '../messages';
import type { SharingContext } from '../sharing/sharing-context';
import type { VisibleShare } from '../sharing/share-registry';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent } from './action-kit';
import { popCard, pushCard } from './action-kit';
import { memberOf, namedShare } from './share-kit';
import { peopleNames } from './share-outcomes';
import { readOwnGroups } from './people-data';

/** The contacts of the user's own group of a share (their master or their copy). */
function contactsOf(context: SharingContext, share: VisibleShare): number {
  return readOwnGroups(context).groupOf(share, context.addon.user)?.memberCount ?? 0;
}

/**
 * The accounts other than the owner's that hold copies of the share (the registry's reached
 * accounts: syncs made, group and domain members); without the registry's answer, its person
 * members.
 */
function otherAccounts(context: SharingContext, share: VisibleShare): string[] {
  const owner = share.owner.toLowerCase();
  try {
    return context.registry
      .reachedAccounts(share.id)
      .map((account) => account.toLowerCase())
      .filter((account) => account !== owner);
  } catch (error) {
    console.warn('the accounts a share reached could not be read', error);
    return share.grants.flatMap((grant) =>
      grant.target.kind === 'user' && grant.target.email.toLowerCase() !== owner
        ? [grant.target.email.toLowerCase()]
        : [],
    );
  }
}

function confirmStopSharing(
  event: AddonEvent,
  { sharing: context }: ActionContext,
): ActionResponse {
  const share = namedShare(context, event, 'confirmStopSharing', 'deleteLabel');
  const people = otherAccounts(context, share).length;
  return pushCard(
    buildConfirmCard({
      title: MSG.confirm.stopTitle(share.labelName),
      lines: [
        MSG.confirm.stopWhat(contactsOf(context, share), people),
        MSG.confirm.stopMerged,
        share.hiddenFields.length > 0 ? MSG.confirm.stopNoUndoHidden : MSG.confirm.stopUndo,
      ],
      confirm: {
        text: MSG.confirm.stopButton,
        action: 'stopSharing',
        parameters: { shareId: share.id },
      },
    }),
  );
}

function confirmLeave(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'confirmLeave', 'read');
  return pushCard(
    buildConfirmCard({
      title: MSG.confirm.leaveTitle(share.labelName),
      lines: [
        MSG.confirm.leaveWhat(contactsOf(context, share)),
        MSG.confirm.stopMerged,
        MSG.confirm.leaveNoUndo,
      ],
      confirm: {
        text: MSG.confirm.leaveButton,
        action: 'leaveLabel',
        parameters: { shareId: share.id },
      },
    }),
  );
}

function confirmRemoveMember(
  event: AddonEvent,
  { sharing: context }: ActionContext,
): ActionResponse {
  const share = namedShare(context, event, 'confirmRemoveMember', 'unshare');
  const grant = memberOf(share, event);
  const contacts = contactsOf(context, share);
  const names = peopleNames(context, share);
  let what: string;
  if (grant.target.kind === 'user')
    what = MSG.confirm.removePerson(contacts, personText(grant.target.email, names));
  else {
    const direct = new Set(
      share.grants.flatMap((other) =>
        other.target.kind === 'user' ? [other.target.email.toLowerCase()] : [],
      ),
    );
    const me = context.addon.user.toLowerCase();
    const people = otherAccounts(context, share).filter(
      (account) => !direct.has(account) && account !== me,
    ).length;
    what = MSG.confirm.removeMany(contacts, people, targetText(grant.target));
  }
  return pushCard(
    buildConfirmCard({
      title: MSG.confirm.removeTitle(targetText(grant.target, names)),
      lines: [what, MSG.confirm.stopMerged, MSG.confirm.removeUndo],
      confirm: {
        text: MSG.confirm.removeButton,
        action: 'removeMember',
        parameters: {
          shareId: share.id,
          targetKind: grant.target.kind,
          address: targetAddress(grant.target),
        },
      },
    }),
  );
}

/** The confirmations' card actions by name. */
export const confirmActions = {
  confirmStopSharing,
  confirmLeave,
  confirmRemoveMember,
  /** Goes back one card (Cancel on a confirmation, Back on the stopped card). */
  cancelConfirm: () => popCard(),
} satisfies ActionTable;
