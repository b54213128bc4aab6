/**
 * This file defines the share registry's routes: creating, listing, reading, changing and
 * revoking shares, and listing the users behind a share's grants. Each handler re-checks the
 * caller's rights from the database.
 */
import {
  domainOf,
  effectiveLevel,
  levelAllows,
  mayPerform,
  type Level,
  type Share,
  type ShareGrant,
} from '../../core/sharing-model';
import type { TenantPolicy } from '../../core/tenant-policy';
import { EVENT } from '../audit/event-types';
import type { Caller } from '../platform/auth';
import { HttpError, forbidden, notFound } from '../platform/errors';
import { route, type Route } from '../platform/http';
import type { BackendServices } from '../services';
import { checkGrantsInCustomer, mayExpand, mayViewMembers } from '../tenants/customer-rules';
import { policies } from '../tenants/policy-store';
import { auditedShareChange, lockedShareChange } from './share-change';
import { refuseShareRequest } from './share-refusal';
import * as schema from './share-schemas';
import { normaliseGrants, shares } from './share-store';

export function audienceOf(grants: ShareGrant[]): string {
  return grants
    .map(
      (grant) =>
        `${grant.target.kind}:${grant.target.kind === 'domain' ? grant.target.domain : grant.target.email}=${grant.level}`,
    )
    .join(',')
    .slice(0, 1000);
}

function checkGrantsAgainstPolicy(grants: ShareGrant[], policy: TenantPolicy): void {
  for (const grant of grants)
    if (!levelAllows(policy.maxLevel, grant.level))
      throw forbidden(
        `your organisation's policy allows sharing up to "${policy.maxLevel}", not "${grant.level}"`,
        'policy_max_level',
      );
}

/** Returns the routes of the share registry. */
export function shareRoutes(services: BackendServices): Route[] {
  const { db } = services;

  /** Records a refused share request in the caller's own chain, then throws the refusal. */
  const refuse = (who: Caller, origin: string, shareId: string, error: HttpError): Promise<never> =>
    refuseShareRequest(services, who, origin, shareId, error);

  /** Refuses (audited, no outside address recorded) grants that leave the customer. */
  const grantsInCustomer = async (
    who: Caller,
    origin: string,
    shareId: string | null,
    tenant: string,
    grants: ShareGrant[],
    existing: ShareGrant[] = [],
  ): Promise<void> => {
    try {
      await checkGrantsInCustomer(services, who, tenant, grants, existing);
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 403) throw error;
      await refuseShareRequest(services, who, origin, shareId ?? 'new', error, 'grant');
    }
  };

  /**
   * The share and the caller's level on it, for participants (and admins) of the share's own
   * customer; anyone else, whatever grant names them, is answered 404 and audited in their chain.
   */
  const visibleShare = async (
    who: Caller,
    id: string,
    origin: string,
  ): Promise<{ share: Share; level: Level | null }> => {
    const share = await shares.get(db, id);
    if (!share || who.tenant !== share.domain)
      return refuse(who, origin, id, notFound(`no share ${id}`));
    const level = await services.levelOf(share, who.email);
    if (level === null && !(await services.isAdminOf(who, share.domain)))
      return refuse(who, origin, id, notFound(`no share ${id}`));
    return { share, level };
  };

  return [
    route({
      method: 'POST',
      path: '/v1/shares',
      summary: 'Registers a shared label owned by the caller.',
      auth: true,
      body: schema.createShareBody,
      handle: async (context) => {
        const who = context.caller;
        const tenant = services.tenantOf(who);
        const policy = await policies.get(db, tenant);
        if (policy.whoMayShare === 'admins' && !(await services.isAdminOf(who, tenant)))
          throw forbidden(
            "your organisation's policy lets only admins share labels",
            'policy_who_may_share',
          );
        const grants = normaliseGrants(context.body.grants);
        checkGrantsAgainstPolicy(grants, policy);
        await grantsInCustomer(who, context.origin, null, tenant, grants);
        const share = await services.audited(async (tx, record) => {
          const created = await shares.create(
            tx,
            {
              domain: tenant,
              owner: who.email,
              labelResourceName: context.body.labelResourceName,
              labelName: context.body.labelName,
              grants,
              hiddenFields: context.body.hiddenFields,
            },
            services.nowIso(),
          );
          await record(tenant, who.email, context.origin, [
            {
              type: EVENT.shareCreated,
              shareId: created.id,
              outcome: 'success',
              detail: { grants: grants.length, audience: audienceOf(grants) },
            },
          ]);
          return created;
        });
        return { status: 201, body: share };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/shares',
      summary:
        'Lists shares: the caller\'s own ("mine"), shared with them ("sharedWithMe"), both ("participating": {mine, sharedWithMe}), or all of their domain (admins).',
      auth: true,
      query: schema.listSharesQuery,
      handle: async (context) => {
        const who = context.caller;
        const tenant = services.tenantOf(who);
        if (context.query.view === 'mine')
          return { body: { shares: await shares.ownedBy(db, who.email) } };
        if (context.query.view === 'domain') {
          if (!(await services.isAdminOf(who, tenant)))
            throw forbidden("only the domain's admins may list all its shares", 'not_admin');
          return { body: { shares: await shares.ofDomain(db, tenant) } };
        }
        const groups = await services.groupsOrNone(who.email);
        const candidates = await shares.grantedTo(db, tenant, who.email, groups);
        const visible = candidates
          .map((share) => ({ ...share, myLevel: effectiveLevel(share, who.email, groups) }))
          .filter((share) => share.myLevel !== null && share.myLevel !== 'owner');
        // The sidebar's homepage needs both lists: one request instead of two.
        if (context.query.view === 'participating')
          return { body: { mine: await shares.ownedBy(db, who.email), sharedWithMe: visible } };
        return { body: { shares: visible } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/shares/{id}',
      summary: "Reads one share (participants and the domain's admins).",
      auth: true,
      handle: async (context) => {
        const { share, level } = await visibleShare(
          context.caller,
          context.params.id ?? '',
          context.origin,
        );
        return { body: { ...share, myLevel: level } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/shares/{id}/members',
      summary:
        "The users behind a share's group and domain grants: listed for its owner and participants at edit or above (groups only when they may view its members), counted for others (view participants and the organisation's admins).",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const { share, level } = await visibleShare(who, context.params.id ?? '', context.origin);
        const me = who.email.toLowerCase();
        const groups: {
          email: string;
          members: string[];
          count: number | null;
          complete: boolean;
        }[] = [];
        const domains: { domain: string; users: string[]; count: number; complete: boolean }[] = [];
        for (const grant of share.grants) {
          const target = grant.target;
          if (target.kind === 'user') continue;
          // A grant outside the customer (kept from before customers were known) reaches no one.
          const grantDomain = target.kind === 'domain' ? target.domain : domainOf(target.email);
          if (!(await services.tenancy.hasDomain(share.domain, grantDomain))) continue;
          const expand = await mayExpand(services, share, who.email, level, grant);
          if (target.kind === 'domain') {
            const users = await services.directory.usersOfDomain(target.domain);
            domains.push({
              domain: target.domain,
              users: expand ? users : users.filter((user) => user === me),
              count: users.length,
              complete: expand,
            });
            continue;
          }
          const visible =
            expand || (await mayViewMembers(services, share.domain, target.email, who.email));
          const members = visible ? await services.directory.membersOfGroup(target.email) : [];
          const mine = visible
            ? members.includes(me)
            : (await services.directory.groupsOf(me)).includes(target.email);
          groups.push({
            email: target.email,
            members: expand ? members : mine ? [me] : [],
            count: visible ? members.length : null,
            complete: expand,
          });
        }
        return { body: { groups, domains } };
      },
    }),
    route({
      method: 'PATCH',
      path: '/v1/shares/{id}',
      summary: 'Changes grants (manage), or the label name and hidden fields (owner).',
      auth: true,
      body: schema.updateShareBody,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const { share: current, level } = await visibleShare(who, id, context.origin);
        if (level === null)
          return refuse(
            who,
            context.origin,
            id,
            forbidden('only participants may change a share', 'insufficient_level'),
          );
        const changed = Object.keys(context.body).sort();
        if (
          (context.body.labelName !== undefined || context.body.hiddenFields !== undefined) &&
          !mayPerform(level, 'rename')
        )
          return refuse(
            who,
            context.origin,
            id,
            forbidden('only the owner may rename a share or hide fields', 'insufficient_level'),
          );
        let grants = current.grants;
        if (context.body.grants !== undefined) {
          if (!mayPerform(level, 'share'))
            return refuse(
              who,
              context.origin,
              id,
              forbidden('changing grants needs the "manage" level', 'insufficient_level'),
            );
          grants = normaliseGrants(context.body.grants);
          if (grants.some((grant) => !levelAllows(level, grant.level)))
            return refuse(
              who,
              context.origin,
              id,
              forbidden(`you may grant up to your own level ("${level}")`, 'insufficient_level'),
            );
          checkGrantsAgainstPolicy(grants, await policies.get(db, current.domain));
          await grantsInCustomer(who, context.origin, id, current.domain, grants, current.grants);
        }
        await lockedShareChange(services, current, who, context.origin, async (tx, locked) => {
          await shares.update(tx, {
            ...locked,
            labelName: context.body.labelName ?? locked.labelName,
            hiddenFields: context.body.hiddenFields ?? locked.hiddenFields,
            grants,
            updatedAt: services.nowIso(),
          });
          return {
            type: EVENT.shareUpdated,
            detail: {
              changed: changed.join(','),
              ...(context.body.grants !== undefined ? { audience: audienceOf(grants) } : {}),
            },
          };
        });
        return { body: await shares.get(db, id) };
      },
    }),
    route({
      method: 'DELETE',
      path: '/v1/shares/{id}',
      summary: "Revokes a share (its owner or the domain's admins).",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const { share, level } = await visibleShare(who, id, context.origin);
        if (level !== 'owner' && !(await services.isAdminOf(who, share.domain)))
          return refuse(
            who,
            context.origin,
            id,
            forbidden('only the owner or an admin may revoke a share', 'insufficient_level'),
          );
        await auditedShareChange(services, share, who, context.origin, async (tx) => {
          await shares.revoke(tx, id, services.nowIso());
          return { type: EVENT.shareRevoked };
        });
        return { body: { id, revoked: true } };
      },
    }),
  ];
}
