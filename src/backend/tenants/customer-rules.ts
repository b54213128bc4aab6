/**
 * This file holds the rules that keep a share inside its customer (DESIGN.md §6): grants name
 * only users, groups and domains of the owner's customer; a group's members are shown, and its
 * members reached through the gateway, only by those who may view its member list (an admin's
 * view is never lent to anyone else); group and domain grants are expanded only for participants
 * who write to others' copies (`edit` and above: an edit reaches everyone in the same action);
 * `view` participants write nothing outside their own account and learn only themselves.
 */
import {
  domainOf,
  levelAllows,
  type Level,
  type Share,
  type ShareGrant,
} from '../../core/sharing-model';
import type { Caller } from '../platform/auth';
import { HttpError, forbidden } from '../platform/errors';
import type { BackendServices } from '../services';

/**
 * True when `viewer` (a user of the tenant) may view the group's member list: an admin of the
 * customer always; otherwise as the group's `whoCanViewMembership` says (anyone in the account,
 * its direct members, or its owners and managers). A group of another account is never viewable.
 */
export async function mayViewMembers(
  services: BackendServices,
  tenant: string,
  groupEmail: string,
  viewer: string,
): Promise<boolean> {
  const group = groupEmail.toLowerCase();
  if (!(await services.tenancy.hasDomain(tenant, domainOf(group)))) return false;
  if (await services.directory.isAdmin(viewer)) return true;
  const visibility = await services.directory.membershipVisibility(group);
  if (visibility === null) return false;
  if (visibility === 'ALL_IN_DOMAIN_CAN_VIEW') return true;
  const who = viewer.toLowerCase();
  if (visibility === 'ALL_MEMBERS_CAN_VIEW')
    return (await services.directory.groupsOf(who)).includes(group);
  return (await services.directory.managersOfGroup(group)).includes(who);
}

/** True when a level lets its holder see the users behind group and domain grants. */
export function levelExpands(level: Level | null): boolean {
  return level !== null && levelAllows(level, 'edit');
}

/**
 * True when the actor may have a group or domain grant expanded into its users: at `edit` or
 * above, and for a group only when they may view its member list.
 */
export async function mayExpand(
  services: BackendServices,
  share: Share,
  actor: string,
  level: Level | null,
  grant: ShareGrant,
): Promise<boolean> {
  if (!levelExpands(level)) return false;
  if (grant.target.kind === 'domain') return true;
  if (grant.target.kind === 'user') return true;
  return mayViewMembers(services, share.domain, grant.target.email, actor);
}

/**
 * Throws when a grant names anyone outside the tenant's customer (a user, group or domain of
 * another organisation: `outside_customer`) or a group whose members the granter may not view
 * (`group_not_visible`: granting it would let them probe its membership).
 */
export async function checkGrantsInCustomer(
  services: BackendServices,
  who: Caller,
  tenant: string,
  grants: ShareGrant[],
  /** Grants the share holds already: their groups are not checked for visibility again. */
  existing: ShareGrant[] = [],
): Promise<void> {
  const had = new Set(existing.map((grant) => JSON.stringify(grant.target)));
  for (const grant of grants) {
    const target = grant.target;
    const inside =
      target.kind === 'domain'
        ? await services.tenancy.hasDomain(tenant, target.domain, who.email)
        : target.kind === 'group'
          ? await services.tenancy.hasDomain(tenant, domainOf(target.email), who.email)
          : await services.tenancy.hasAddress(tenant, target.email, who.email);
    const named = target.kind === 'domain' ? target.domain : target.email;
    if (!inside)
      throw new HttpError(
        403,
        'outside_customer',
        `${named} is outside your organisation: labels can be shared only with people, groups and domains of your own Google Workspace account`,
      );
    if (
      target.kind === 'group' &&
      !had.has(JSON.stringify(target)) &&
      !(await mayViewMembers(services, tenant, target.email, who.email))
    )
      throw forbidden(
        `you may not view the members of ${named}, so you cannot share with it; ask its managers or an admin`,
        'group_not_visible',
      );
  }
}
