/**
 * This file defines the backend's endpoints (DESIGN.md §6): health, OpenAPI, audit events and
 * verification, the share registry, tenant policy, the delegated-token broker, alerts and the
 * scheduled scan. Each handler re-checks the caller's rights from the database.
 */
import {
  domainOf,
  effectiveLevel,
  levelAllows,
  mayPerform,
  type Level,
  type Share,
  type ShareGrant,
} from '../core/sharing-model';
import { rejectSensitive } from './audit/audit-log';
import type { Caller } from './platform/auth';
import { BACKEND_ONLY_PREFIXES, EVENT, isBackendOnlyType } from './audit/event-types';
import { HttpError, badRequest, conflict, forbidden, notFound } from './platform/errors';
import { refuseShareRequest } from './shares/share-refusal';
import { route, type Route } from './platform/http';
import * as schema from './platform/schemas';
import type { BackendServices } from './services';
import { alerts, type Alert } from './rules/alert-store';
import { normaliseGrants, shares } from './shares/share-store';
import { policies } from './tenants/policy-store';
import { buildSupportRoutes } from './support/support-routes';
import { buildSidebarRoutes } from './shares/sidebar-routes';
import { buildOffboardingRoutes } from './admin/offboarding-routes';
import { buildReachedAccountsRoutes } from './shares/reached-accounts-routes';
import { buildGatewayRoutes } from './gateway/gateway-routes';
import { buildTransferRoutes } from './shares/transfer-routes';
import { checkGrantsInCustomer, mayExpand, mayViewMembers } from './tenants/customer-rules';
import type { TenantPolicy } from './platform/schemas';
import { buildAnchorRoutes } from './audit/anchor-routes';
import { runScheduledWork, verifyAgainstAnchor } from './audit/scheduled';

/**
 * Throws a 403 when a grant goes above the tenant policy's maximum level. Grants outside the
 * customer are refused whatever the policy says (customer-rules.ts): `externalSharing` and
 * `allowedExternalDomains` are kept in stored policies but no longer widen anything.
 */
/**
 * The grants of a share as the audit trail keeps them for the activity view, e.g.
 * `group:sales@acme.example=view,user:bob@acme.example=edit` (cut at 1,000 characters).
 */
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

/** The caller's level on a share, looking up their groups only when a group grant exists. */
async function levelOn(
  services: BackendServices,
  share: Share,
  email: string,
): Promise<Level | null> {
  const needsGroups = share.grants.some((grant) => grant.target.kind === 'group');
  return effectiveLevel(share, email, needsGroups ? await services.directory.groupsOf(email) : []);
}

/** Returns the routes of the backend. `openapi` renders the document from the same routes. */
export function buildRoutes(services: BackendServices, openapi: () => unknown): Route[] {
  const { db } = services;

  /**
   * The tenant whose audit log the caller may read: any (named by any of its domains, or a
   * reserved chain) for vendor security managers; their own for its admins.
   */
  const eventScope = async (who: Caller, tenant: string | undefined): Promise<string> => {
    if (who.isSecurityManager)
      return tenant === undefined
        ? services.ownChain(who)
        : services.tenancy.tenantOfDomain(tenant);
    const own = services.tenantOf(who);
    if (tenant !== undefined && (await services.tenancy.tenantNamedBy(tenant, who)) !== own)
      throw forbidden("only vendor security managers may read another organisation's audit log");
    if (!(await services.isAdminOf(who, own)))
      throw forbidden("only your organisation's admins may read its audit log", 'not_admin');
    return own;
  };

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
    const level = await levelOn(services, share, who.email);
    if (level === null && !(await services.isAdminOf(who, share.domain)))
      return refuse(who, origin, id, notFound(`no share ${id}`));
    return { share, level };
  };

  return [
    route({
      method: 'GET',
      path: '/healthz',
      summary: 'Liveness and database check.',
      auth: false,
      handle: async () => {
        await db.query('SELECT 1');
        return { body: { status: 'ok' } };
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document.',
      auth: false,
      handle: async () => ({ body: openapi() }),
    }),

    route({
      method: 'POST',
      path: '/v1/events',
      summary:
        'Ingests a batch of audit events (≤ 500 events, ≤ 1 MB), idempotent by event id. Types the backend alone writes (share., policy., delegated_token., alert., admin., support.) are refused.',
      auth: true,
      body: schema.ingestBody,
      handle: async (context) => {
        const who = context.caller;
        const tenant = services.tenantOf(who);
        if (context.bodyBytes > schema.MAX_BATCH_BYTES)
          throw new HttpError(
            413,
            'body_too_large',
            `a batch may hold at most ${schema.MAX_BATCH_BYTES} bytes`,
          );
        context.body.events.forEach((event, index) => {
          if (isBackendOnlyType(event.type))
            throw badRequest(
              `events[${index}].type: "${event.type}" is written by the backend only (types starting with ${BACKEND_ONLY_PREFIXES.join(', ')}); nothing of this batch was stored`,
              'reserved_event_type',
            );
        });
        context.body.events.forEach(rejectSensitive);
        const result = await services.audit.append(
          { tenant, actor: who.email, origin: context.origin, receivedAt: services.nowIso() },
          context.body.events,
        );
        const raised = await services.afterEvents(result.stored);
        return {
          body: {
            accepted: result.accepted,
            duplicates: result.duplicates,
            alertsRaised: raised.length,
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/events',
      summary:
        "Queries a tenant's audit events (its admins; vendor security managers for any tenant).",
      auth: true,
      query: schema.eventsQuery,
      handle: async (context) => {
        const q = context.query;
        const tenant = await eventScope(context.caller, q.tenant);
        const page = await services.audit.query({
          tenants: await services.tenancy.chainsOf(tenant),
          type: q.type,
          actor: q.actor,
          target: q.target,
          since: q.since === undefined ? undefined : new Date(q.since).toISOString(),
          until: q.until === undefined ? undefined : new Date(q.until).toISOString(),
          pageToken: q.pageToken,
          limit: q.pageSize,
        });
        return { body: page };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/audit/verify',
      summary:
        "Verifies a tenant's hash chain from its retention cut and against the latest signed anchor; reports the first broken link.",
      auth: true,
      query: schema.verifyQuery,
      handle: async (context) => {
        const tenant = await eventScope(context.caller, context.query.tenant);
        return { body: await verifyAgainstAnchor(services, tenant) };
      },
    }),

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
        const { share, stored } = await db.transaction(async (tx) => {
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
          const events = await services.record(tx, tenant, who.email, context.origin, [
            {
              type: EVENT.shareCreated,
              shareId: created.id,
              outcome: 'success',
              detail: { grants: grants.length, audience: audienceOf(grants) },
            },
          ]);
          return { share: created, stored: events };
        });
        await services.afterEvents(stored);
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
        const stored = await db.transaction(async (tx) => {
          const locked = await shares.get(tx, id, true);
          if (!locked || locked.updatedAt !== current.updatedAt)
            throw conflict('the share changed meanwhile; read it again and retry', 'stale_share');
          const next: Share = {
            ...locked,
            labelName: context.body.labelName ?? locked.labelName,
            hiddenFields: context.body.hiddenFields ?? locked.hiddenFields,
            grants,
            updatedAt: services.nowIso(),
          };
          await shares.update(tx, next);
          return services.record(tx, current.domain, who.email, context.origin, [
            {
              type: EVENT.shareUpdated,
              shareId: id,
              outcome: 'success',
              detail: {
                changed: changed.join(','),
                ...(context.body.grants !== undefined ? { audience: audienceOf(grants) } : {}),
              },
            },
          ]);
        });
        await services.afterEvents(stored);
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
        const stored = await db.transaction(async (tx) => {
          await shares.revoke(tx, id, services.nowIso());
          return services.record(tx, share.domain, who.email, context.origin, [
            { type: EVENT.shareRevoked, shareId: id, outcome: 'success' },
          ]);
        });
        await services.afterEvents(stored);
        return { body: { id, revoked: true } };
      },
    }),

    route({
      method: 'GET',
      path: '/v1/tenants/{domain}/policy',
      summary:
        'Reads the policy of an organisation, named by any of its domains, with the domains it covers (its users; vendor staff).',
      auth: true,
      params: schema.domainParams,
      handle: async (context) => {
        const who = context.caller;
        const tenant = await services.tenancy.tenantNamedBy(context.params.domain ?? '', who);
        if (who.tenant !== tenant && !who.isSecurityManager && !who.isSupportAgent)
          return services.refuse(
            who,
            context.origin,
            { type: EVENT.policyDenied, outcome: 'denied', detail: { action: 'read' } },
            forbidden("you may read only your own organisation's policy", 'not_your_tenant'),
          );
        return {
          body: {
            domain: tenant,
            domains: await services.tenancy.domainsOf(tenant),
            policy: await policies.get(db, tenant),
          },
        };
      },
    }),
    route({
      method: 'PUT',
      path: '/v1/tenants/{domain}/policy',
      summary:
        'Replaces the policy of an organisation, named by any of its domains; it covers all of them (its admins); audited.',
      auth: true,
      params: schema.domainParams,
      body: schema.policySchema,
      handle: async (context) => {
        const who = context.caller;
        const domain = await services.tenancy.tenantNamedBy(context.params.domain ?? '', who);
        if (!(await services.isAdminOf(who, domain)))
          return services.refuse(
            who,
            context.origin,
            { type: EVENT.policyDenied, outcome: 'denied', detail: { action: 'change' } },
            forbidden("only your organisation's admins may change its policy", 'not_admin'),
          );
        if (context.body.externalSharing || context.body.allowedExternalDomains.length > 0)
          throw badRequest(
            'labels can be shared only inside your own organisation; externalSharing must be false and allowedExternalDomains empty',
            'external_sharing_unavailable',
          );
        const policy = {
          ...context.body,
          allowedExternalDomains: context.body.allowedExternalDomains.map((d) => d.toLowerCase()),
        };
        const stored = await db.transaction(async (tx) => {
          const before = await policies.get(tx, domain);
          await policies.put(tx, domain, policy, who.email, services.nowIso());
          const changed = (Object.keys(policy) as (keyof TenantPolicy)[]).filter(
            (key) => JSON.stringify(before[key]) !== JSON.stringify(policy[key]),
          );
          return services.record(tx, domain, who.email, context.origin, [
            {
              type: EVENT.policyChanged,
              outcome: 'success',
              detail: {
                changed: changed.join(','),
                externalSharing: policy.externalSharing,
                allowedExternalDomains: policy.allowedExternalDomains.join(','),
                whoMayShare: policy.whoMayShare,
                maxLevel: policy.maxLevel,
                supportAccess: policy.supportAccess,
              },
            },
          ]);
        });
        await services.afterEvents(stored);
        return { body: { domain, domains: await services.tenancy.domainsOf(domain), policy } };
      },
    }),

    route({
      method: 'POST',
      path: '/v1/delegated-tokens',
      summary:
        "Retired: no Google token for another person's account leaves the backend (use the share gateway, /v1/shares/{id}/gateway/...). Every request is refused with 410 and audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const error = new HttpError(
          410,
          'tokens_not_issued',
          "the backend no longer hands out tokens for other people's accounts; the add-on reads and writes them through the share gateway",
        );
        return services.refuse(
          who,
          context.origin,
          { type: EVENT.tokenDenied, outcome: 'denied', detail: { reason: error.code } },
          error,
        );
      },
    }),

    route({
      method: 'GET',
      path: '/v1/alerts',
      summary:
        "Lists alerts: all for security managers; otherwise the caller's own and, for admins, their domain's.",
      auth: true,
      query: schema.alertsQuery,
      handle: async (context) => {
        const who = context.caller;
        const q = context.query;
        if (who.isSecurityManager) return { body: { alerts: await alerts.list(db, q) } };
        const own = await alerts.list(db, { status: q.status, actor: who.email });
        const domainAlerts =
          who.tenant && (await services.isAdminOf(who, who.tenant))
            ? await alerts.list(db, { status: q.status, tenant: who.tenant })
            : [];
        const merged = new Map<string, Alert>(
          [...own, ...domainAlerts].map((alert) => [alert.id, alert]),
        );
        const list = [...merged.values()].filter(
          (alert) => q.actor === undefined || alert.actor === q.actor,
        );
        return { body: { alerts: list } };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/alerts/{id}/justify',
      summary: 'The alerted actor explains what they did: open → justified.',
      auth: true,
      body: schema.justifyBody,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const alert = await db.transaction(async (tx) => {
          const current = await alerts.get(tx, id, true);
          if (!current || (current.actor !== who.email && !who.isSecurityManager))
            throw notFound(`no alert ${id}`);
          if (current.actor !== who.email)
            throw forbidden('only the alerted actor may justify an alert');
          if (current.status !== 'open')
            throw conflict(`the alert is ${current.status}, not open`, 'alert_state');
          await alerts.justify(tx, id, context.body.justification, services.nowIso());
          await services.record(tx, current.tenant, who.email, context.origin, [
            {
              type: EVENT.alertJustified,
              target: current.actor,
              outcome: 'success',
              detail: { alertId: id },
            },
          ]);
          return alerts.get(tx, id);
        });
        return { body: alert };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/alerts/{id}/resolve',
      summary: 'A security manager closes a justified alert: justified → resolved.',
      auth: true,
      body: schema.resolveBody,
      handle: async (context) => {
        const who = context.caller;
        if (!who.isSecurityManager)
          throw forbidden(
            'only vendor security managers may resolve alerts',
            'not_security_manager',
          );
        const id = context.params.id ?? '';
        const alert = await db.transaction(async (tx) => {
          const current = await alerts.get(tx, id, true);
          if (!current) throw notFound(`no alert ${id}`);
          if (current.actor === who.email)
            throw forbidden('you may not resolve an alert about yourself');
          if (current.status !== 'justified')
            throw conflict(
              `the alert is ${current.status}; it must be justified by its actor first`,
              'alert_state',
            );
          await alerts.resolve(tx, id, who.email, context.body.resolution, services.nowIso());
          await services.record(tx, current.tenant, who.email, context.origin, [
            {
              type: EVENT.alertResolved,
              target: current.actor,
              outcome: 'success',
              detail: { alertId: id },
            },
          ]);
          return alerts.get(tx, id);
        });
        return { body: alert };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/scan',
      summary:
        'Runs the windowed anomaly rules over recent events, delivers due alert notifications, purges events past retention and publishes the audit anchor when due (Cloud Scheduler).',
      auth: true,
      body: schema.emptyBody,
      handle: async (context) => {
        const who = context.caller;
        if (!who.isSchedulerInvoker && !who.isSecurityManager)
          throw forbidden('only the scheduler or a security manager may run a scan');
        const hits = await services.rules.scan(db, services.clock());
        const raised = await services.raise(hits);
        const scheduled = await runScheduledWork(services);
        return { body: { hits: hits.length, alertsRaised: raised.length, ...scheduled } };
      },
    }),
    ...buildSupportRoutes(services),
    ...buildSidebarRoutes(services),
    ...buildOffboardingRoutes(services),
    ...buildReachedAccountsRoutes(services),
    ...buildGatewayRoutes(services),
    ...buildTransferRoutes(services),
    ...buildAnchorRoutes(services),
  ];
}
