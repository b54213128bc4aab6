/**
 * This file defines GET /v1/shares/{id}/reached-accounts: every account a share reached (sync
 * tokens issued for it, participants who synced it themselves, current group and domain members),
 * which the owner's stop-sharing cleans. It keeps answering once the grants are emptied and for a
 * while after the share is revoked.
 */
import { domainOf, effectiveLevel, type Level, type Share } from '../../core/sharing-model';
import type { Caller } from '../platform/auth';
import { EVENT } from '../audit/event-types';
import { HttpError, forbidden, notFound } from '../platform/errors';
import { refuseShareRequest } from './share-refusal';
import { route, type Route } from '../platform/http';
import type { BackendServices } from '../services';
import { shares } from './share-store';
import { mayReach, roleOf } from '../gateway/gateway-routes';

/** How long after its revocation a share's reached accounts may still be read. */
export const REACHED_ACCOUNTS_AFTER_REVOCATION_MS = 7 * 86_400_000;

/** The users behind the share's group and domain grants (the members expansion), lower-case. */
async function currentMembers(services: BackendServices, share: Share): Promise<string[]> {
  const members: string[] = [];
  for (const grant of share.grants) {
    const target = grant.target;
    // A grant outside the customer (kept from before customers were known) reaches no one.
    const domain = target.kind === 'domain' ? target.domain : domainOf(target.email);
    if (target.kind === 'user' || !(await services.tenancy.hasDomain(share.domain, domain)))
      continue;
    if (target.kind === 'group')
      members.push(...(await services.directory.membersOfGroup(target.email)));
    else if (target.kind === 'domain')
      members.push(...(await services.directory.usersOfDomain(target.domain)));
  }
  return members.map((member) => member.toLowerCase());
}

/** Returns the reached-accounts route, listed by routes.ts. */
export function reachedAccountsRoutes(services: BackendServices): Route[] {
  const { db } = services;

  /** Records a refused share request in the caller's tenant chain, then throws the refusal. */
  const refuse = (who: Caller, origin: string, shareId: string, error: HttpError): Promise<never> =>
    refuseShareRequest(services, who, origin, shareId, error, 'reached_accounts');

  return [
    route({
      method: 'GET',
      path: '/v1/shares/{id}/reached-accounts',
      summary:
        "The accounts a share reached, which ending it must clean (its owner, manage participants, the domain's admins; also for 7 days after revocation); audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const found = await shares.getWithRevocation(db, id);
        const expired =
          found?.revokedAt != null &&
          services.clock() - Date.parse(found.revokedAt) > REACHED_ACCOUNTS_AFTER_REVOCATION_MS;
        if (!found || expired || found.share.domain !== who.tenant)
          return refuse(who, context.origin, id, notFound(`no share ${id}`));
        const { share } = found;
        const needsGroups = share.grants.some((grant) => grant.target.kind === 'group');
        const level: Level | null = effectiveLevel(
          share,
          who.email,
          needsGroups ? await services.directory.groupsOf(who.email) : [],
        );
        const admin = await services.isAdminOf(who, share.domain);
        if (level === null && !admin)
          return refuse(who, context.origin, id, notFound(`no share ${id}`));
        if (level !== 'owner' && level !== 'manage' && !admin)
          return refuse(
            who,
            context.origin,
            id,
            forbidden(
              "only the share's owner, its manage participants and the domain's admins may list the accounts it reached",
              'insufficient_level',
            ),
          );
        const owner = share.owner.toLowerCase();
        const candidates = [
          ...new Set([
            ...(await shares.syncedAccounts(db, share)),
            ...(await currentMembers(services, share)),
          ]),
        ]
          .filter((account) => account !== owner)
          .sort();
        // Only accounts the caller may reach through the gateway: inside the customer, and
        // members of groups they may view (an admin sees all of their organisation).
        const accounts: string[] = [];
        for (const account of candidates) {
          const role = (await roleOf(services, share, account)) ?? 'former';
          if (await mayReach(services, share, who.email, level ?? 'manage', account, role))
            accounts.push(account);
        }
        await services.recordNow(share.domain, who.email, context.origin, [
          {
            type: EVENT.shareReachedAccountsListed,
            shareId: id,
            outcome: 'success',
            detail: { accounts: accounts.length, revoked: found.revokedAt !== null },
          },
        ]);
        return { body: { accounts } };
      },
    }),
  ];
}
