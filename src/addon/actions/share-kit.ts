/**
 * This file holds the checks the sharing actions share: reading the share or member an action
 * names with the caller's level (refusals audited), the shares the user sees, and the tenant
 * policy's limits on grants.
 */
import {
  domainOf,
  isLevel,
  type Level,
  levelAllows,
  mayPerform,
  type ShareAction,
  type ShareGrant,
  type ShareTarget,
} from '../../core/sharing-model';
import type { PolicyAnswer } from '../../core/tenant-policy';
import { targetAddress } from '../cards/label-card';
import type { PolicyLimits } from '../cards/share-dialog-card';
import { grantableLevels } from '../cards/share-form';
import { newUuid } from '../gas/script-services';
import { MSG } from '../messages';
import type { VisibleShare } from '../sharing/share-registry';
import type { SharingContext } from '../sharing/sharing-context';
import { BackendAuditSink } from '../sharing/sync-adapters';
import {
  type AddonEvent,
  EMAIL,
  failureText,
  requireParameter,
  UserFacingError,
} from './action-kit';

/** A share the caller takes part in, with their level. */
export type Shared = VisibleShare & { myLevel: Level };

/** At most this many recipients per share dialog. */
export const MAX_RECIPIENTS = 50;

/** Refuses more recipients than one share dialog takes. */
export function checkRecipientCount(count: number): void {
  if (count > MAX_RECIPIENTS) throw new UserFacingError(MSG.share.tooMany(MAX_RECIPIENTS));
}

/** The level chosen for a grant: any but owner, or the user is asked to choose one. */
export function chosenGrantLevel(level: string): ShareGrant['level'] {
  if (!isLevel(level) || level === 'owner') throw new UserFacingError(MSG.share.chooseLevel);
  return level;
}

/** A domain name as a recipient of a share. */
export const DOMAIN = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

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

/** Reads the share named by the action's `shareId` parameter; see shareFor. */
export function namedShare(
  context: SharingContext,
  event: AddonEvent,
  action: string,
  what: ShareAction,
): Shared {
  return shareFor(context, requireParameter(event, 'shareId'), action, what);
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

/** Checks one grant against the caller's level and the policy; throws what the user must change. */
export function checkGrant(
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
