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
import { rejectSensitive } from './audit-log';
import type { Caller } from './auth';
import { BACKEND_ONLY_PREFIXES, EVENT, isBackendOnlyType } from './event-types';
import { HttpError, badRequest, conflict, forbidden, notFound } from './errors';
import { refuseShareRequest } from './share-refusal';
import { route, type Route } from './http';
import * as schema from './schemas';
import type { BackendServices } from './services';
import { alerts, normaliseGrants, policies, shares, type Alert } from './stores';
import { buildSupportRoutes } from './support-routes';
import { buildSidebarRoutes } from './sidebar-routes';
import { buildReachedAccountsRoutes } from './reached-accounts-route';
import { buildGatewayRoutes } from './gateway/gateway-routes';
import { buildTransferRoutes } from './share-transfer-routes';
import type { TenantPolicy } from './schemas';

function caller(context: { caller: Caller | null }): Caller {
  if (!context.caller) throw new Error('route declared auth but has no caller');
  return context.caller;
}

/** Throws a 403 when a grant breaks the tenant policy (external sharing, maximum level). */
function checkGrantsAgainstPolicy(
  grants: ShareGrant[],
  domain: string,
  policy: TenantPolicy,
): void {
  for (const grant of grants) {
    if (!levelAllows(policy.maxLevel, grant.level))
      throw forbidden(
        `the domain's policy allows sharing up to "${policy.maxLevel}", not "${grant.level}"`,
        'policy_max_level',
      );
    const targetDomain =
      grant.target.kind === 'domain' ? grant.target.domain : domainOf(grant.target.email);
    if (targetDomain === domain) continue;
    if (!policy.externalSharing)
      throw forbidden(
        `the domain's policy does not allow sharing outside ${domain}`,
        'policy_external_sharing',
      );
    if (
      policy.allowedExternalDomains.length > 0 &&
      !policy.allowedExternalDomains.includes(targetDomain)
    )
      throw forbidden(
        `the domain's policy does not allow sharing with ${targetDomain}`,
        'policy_external_sharing',
      );
  }
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

  const eventScope = async (who: Caller, tenant: string | undefined): Promise<string> => {
    if (who.isSecurityManager) return tenant ?? services.tenantOf(who);
    const own = services.tenantOf(who);
    if (tenant !== undefined && tenant !== own)
      throw forbidden("only vendor security managers may read another tenant's audit log");
    if (!(await services.isAdminOf(who, own)))
      throw forbidden("only the domain's admins may read its audit log", 'not_admin');
    return own;
  };

  /** Records a refused share request in the caller's tenant chain, then throws the refusal. */
  const refuse = (who: Caller, origin: string, shareId: string, error: HttpError): Promise<never> =>
    refuseShareRequest(services, who, origin, shareId, error);

  const visibleShare = async (
    who: Caller,
    id: string,
    origin: string,
  ): Promise<{ share: Share; level: Level | null }> => {
    const share = await shares.get(db, id);
    if (!share) return refuse(who, origin, id, notFound(`no share ${id}`));
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
        const who = caller(context);
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
        const tenant = await eventScope(caller(context), q.tenant);
        const page = await services.audit.query({
          tenant,
          type: q.type,
          actor: q.actor,
          target: q.target,
          since: q.since === undefined ? undefined : new Date(q.since).toISOString(),
          until: q.until === undefined ? undefined : new Date(q.until).toISOString(),
          after: q.pageToken === undefined ? undefined : Number(q.pageToken),
          limit: q.pageSize,
        });
        return { body: page };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/audit/verify',
      summary: "Verifies a tenant's hash chain and reports the first broken link.",
      auth: true,
      query: schema.verifyQuery,
      handle: async (context) => {
        const tenant = await eventScope(caller(context), context.query.tenant);
        return { body: await services.audit.verify(tenant) };
      },
    }),

    route({
      method: 'POST',
      path: '/v1/shares',
      summary: 'Registers a shared label owned by the caller.',
      auth: true,
      body: schema.createShareBody,
      handle: async (context) => {
        const who = caller(context);
        const tenant = services.tenantOf(who);
        const policy = await policies.get(db, tenant);
        if (policy.whoMayShare === 'admins' && !(await services.isAdminOf(who, tenant)))
          throw forbidden(
            "the domain's policy lets only admins share labels",
            'policy_who_may_share',
          );
        const grants = normaliseGrants(context.body.grants);
        checkGrantsAgainstPolicy(grants, tenant, policy);
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
              detail: { grants: grants.length },
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
        'Lists shares: the caller\'s own ("mine"), shared with them, or all of their domain (admins).',
      auth: true,
      query: schema.listSharesQuery,
      handle: async (context) => {
        const who = caller(context);
        const tenant = services.tenantOf(who);
        if (context.query.view === 'mine')
          return { body: { shares: await shares.ownedBy(db, who.email) } };
        if (context.query.view === 'domain') {
          if (!(await services.isAdminOf(who, tenant)))
            throw forbidden("only the domain's admins may list all its shares", 'not_admin');
          return { body: { shares: await shares.ofDomain(db, tenant) } };
        }
        const groups = await services.directory.groupsOf(who.email);
        const candidates = await shares.grantedTo(db, who.email, groups);
        const visible = candidates
          .map((share) => ({ ...share, myLevel: effectiveLevel(share, who.email, groups) }))
          .filter((share) => share.myLevel !== null && share.myLevel !== 'owner');
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
          caller(context),
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
        "Expands a share's group and domain grants into their users (participants and the domain's admins).",
      auth: true,
      handle: async (context) => {
        const { share } = await visibleShare(
          caller(context),
          context.params.id ?? '',
          context.origin,
        );
        const groups: { email: string; members: string[] }[] = [];
        const domains: { domain: string; users: string[] }[] = [];
        for (const grant of share.grants) {
          const target = grant.target;
          if (target.kind === 'group')
            groups.push({
              email: target.email,
              members: await services.directory.membersOfGroup(target.email),
            });
          else if (target.kind === 'domain')
            domains.push({
              domain: target.domain,
              users: await services.directory.usersOfDomain(target.domain),
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
        const who = caller(context);
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
          checkGrantsAgainstPolicy(grants, current.domain, await policies.get(db, current.domain));
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
              detail: { changed: changed.join(',') },
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
        const who = caller(context);
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
      summary: "Reads a tenant's policy (its users; vendor staff).",
      auth: true,
      handle: async (context) => {
        const who = caller(context);
        const domain = (context.params.domain ?? '').toLowerCase();
        if (who.tenant !== domain && !who.isSecurityManager && !who.isSupportAgent)
          throw forbidden("you may read only your own domain's policy");
        return { body: { domain, policy: await policies.get(db, domain) } };
      },
    }),
    route({
      method: 'PUT',
      path: '/v1/tenants/{domain}/policy',
      summary: "Replaces a tenant's policy (its admins); audited.",
      auth: true,
      body: schema.policySchema,
      handle: async (context) => {
        const who = caller(context);
        const domain = (context.params.domain ?? '').toLowerCase();
        if (!(await services.isAdminOf(who, domain)))
          throw forbidden("only the domain's admins may change its policy", 'not_admin');
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
        return { body: { domain, policy } };
      },
    }),

    route({
      method: 'POST',
      path: '/v1/delegated-tokens',
      summary:
        "Retired: no Google token for another person's account leaves the backend (use the share gateway, /v1/shares/{id}/gateway/...). Every request is refused with 410 and audited.",
      auth: true,
      handle: async (context) => {
        const who = caller(context);
        const error = new HttpError(
          410,
          'tokens_not_issued',
          "the backend no longer hands out tokens for other people's accounts; the add-on reads and writes them through the share gateway",
        );
        if (who.tenant) {
          const stored = await services.record(db, who.tenant, who.email, context.origin, [
            {
              type: EVENT.tokenDenied,
              outcome: 'denied',
              detail: { reason: error.code },
            },
          ]);
          await services.afterEvents(stored);
        }
        throw error;
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
        const who = caller(context);
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
        const who = caller(context);
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
        const who = caller(context);
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
      summary: 'Runs the windowed anomaly rules over recent events (Cloud Scheduler).',
      auth: true,
      body: schema.emptyBody,
      handle: async (context) => {
        const who = caller(context);
        if (!who.isSchedulerInvoker && !who.isSecurityManager)
          throw forbidden('only the scheduler or a security manager may run a scan');
        const hits = await services.rules.scan(db, services.clock());
        const raised = await services.raise(hits);
        return { body: { hits: hits.length, alertsRaised: raised.length } };
      },
    }),
    ...buildSupportRoutes(services),
    ...buildSidebarRoutes(services),
    ...buildReachedAccountsRoutes(services),
    ...buildGatewayRoutes(services),
    ...buildTransferRoutes(services),
  ];
}
