/**
 * This file defines the actions on a shared label's members: opening one, changing their level,
 * removing them (with Undo), and offering, accepting, withdrawing or declining the label's
 * ownership. Every handler re-reads the share and the caller's level from the registry.
 */
import {
  domainOf,
  levelAllows,
  mayPerform,
  type ShareAction,
  type ShareGrant,
} from '../../core/sharing-model';
import { targetAddress, targetText, type UndoOffer } from '../cards/label-card';
import { buildMemberCard, MEMBER_FORM } from '../cards/member-card';
import { grantableLevels } from '../cards/share-form';
import { MSG } from '../messages';
import type { SharingContext } from '../sharing/sharing-context';
import { formValue, pushCard, requireParameter, updateCard, UserFacingError } from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent } from './action-kit';
import {
  checkGrant,
  chosenGrantLevel,
  memberOf,
  readPolicyLimits,
  refuse,
  namedShare,
} from './share-kit';
import type { Shared } from './share-kit';
import { actionDeadline, homeAfter, labelCardFor, peopleNames, syncNotice } from './share-outcomes';
import { readOwnGroups } from './people-data';

function openMember(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'openMember', 'share');
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

/**
 * The share and member an action names, when the caller may do `what` to a member at that
 * member's level (a refusal, audited, otherwise), with the member's words.
 */
function memberInReach(
  context: SharingContext,
  event: AddonEvent,
  action: 'changeLevel' | 'removeMember',
  what: ShareAction,
): { share: Shared; grant: ShareGrant; who: string } {
  const share = namedShare(context, event, action, what);
  const grant = memberOf(share, event);
  const who = targetText(grant.target);
  if (!levelAllows(share.myLevel, grant.level))
    refuse(context, action, share.id, 'level_above_own', MSG.member.aboveYou(who));
  return { share, grant, who };
}

function changeLevel(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const { share, grant, who } = memberInReach(context, event, 'changeLevel', 'share');
  const level = chosenGrantLevel(formValue(event, MEMBER_FORM.level));
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

function removeMember(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const { share, grant, who } = memberInReach(context, event, 'removeMember', 'unshare');
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

/**
 * Offers a label to one of its person members (DESIGN.md §4): it becomes theirs when they accept
 * in their own sidebar. Refusals (not the owner, not a person member, another domain) are audited.
 */
function offerOwnership(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'offerOwnership', 'transferOwnership');
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
function acceptOwnership(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'acceptOwnership', 'read');
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
function endTransferOffer(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const share = namedShare(context, event, 'endTransferOffer', 'read');
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

/** The member and ownership actions by name. */
export const memberActions = {
  openMember,
  changeLevel,
  removeMember,
  offerOwnership,
  acceptOwnership,
  endTransferOffer,
} satisfies ActionTable;
