/**
 * This file defines the audit log's routes: ingesting the add-on's events, querying a tenant's
 * events, and verifying its hash chain against the latest signed anchor.
 */
import type { Caller } from '../platform/auth';
import { HttpError, badRequest, forbidden } from '../platform/errors';
import { route, type Route } from '../platform/http';
import type { BackendServices } from '../services';
import { rejectSensitive } from './sensitive-content';
import * as schema from './audit-schemas';
import { BACKEND_ONLY_PREFIXES, isBackendOnlyType } from './event-types';
import { verifyAgainstAnchor } from './scheduled';

/** Returns the routes of the audit log. */
export function auditRoutes(services: BackendServices): Route[] {
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

  return [
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
  ];
}
