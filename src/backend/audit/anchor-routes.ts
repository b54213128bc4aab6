/**
 * This file defines the audit-anchor endpoints: publishing an anchor of every chain now (Cloud
 * Scheduler's invoker or a vendor security manager; `/v1/scan` also publishes when the interval
 * has passed) and reading how a tenant's chain stands against the latest anchor (the tenant's
 * admins, vendor security managers). Refusals are audited in the caller's own chain.
 */
import type { Caller } from '../platform/auth';
import { EVENT } from './event-types';
import { HttpError, forbidden } from '../platform/errors';
import { route, type Route } from '../platform/http';
import { domainSchema, emptyBody } from '../platform/schemas';
import type { BackendServices } from '../services';
import { z } from 'zod';
import { publishAnchorNow } from './scheduled';

const latestQuery = z.strictObject({ tenant: domainSchema.optional() });

function notConfigured(): HttpError {
  return new HttpError(
    409,
    'anchoring_not_configured',
    'audit anchoring is not configured: set ANCHOR_BUCKET',
  );
}

/** Returns the anchor routes, listed by routes.ts. */
export function anchorRoutes(services: BackendServices): Route[] {
  /**
   * Audits a refusal (`audit.anchor_denied`) in the caller's own tenant chain, never one they
   * name, then throws it; an account without a Workspace domain has no chain to write to.
   */
  const refuse = async (
    who: Caller,
    origin: string,
    operation: string,
    error: HttpError,
  ): Promise<never> => {
    if (who.tenant) {
      await services.recordNow(who.tenant, who.email, origin, [
        {
          type: EVENT.anchorDenied,
          outcome: 'denied',
          detail: { operation, reason: error.code },
        },
      ]);
    }
    throw error;
  };

  return [
    route({
      method: 'POST',
      path: '/v1/audit/anchors',
      summary:
        "Publishes a signed anchor of every audit chain's head to the write-once bucket now (the scheduler, security managers).",
      auth: true,
      body: emptyBody,
      handle: async (context) => {
        const who = context.caller;
        if (!who.isSchedulerInvoker && !who.isSecurityManager)
          return refuse(
            who,
            context.origin,
            'publish',
            forbidden('only the scheduler or a security manager may publish an anchor'),
          );
        if (!services.anchoring) throw notConfigured();
        return { status: 201, body: await publishAnchorNow(services) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/audit/anchors/latest',
      summary:
        "How a tenant's chain stands against the latest signed anchor (its admins; security managers for any tenant).",
      auth: true,
      query: latestQuery,
      handle: async (context) => {
        const who = context.caller;
        const tenant = who.isSecurityManager
          ? (context.query.tenant ?? services.tenantOf(who))
          : services.tenantOf(who);
        if (!who.isSecurityManager) {
          if (context.query.tenant !== undefined && context.query.tenant.toLowerCase() !== tenant)
            return refuse(
              who,
              context.origin,
              'read',
              forbidden("only vendor security managers may read another tenant's anchor"),
            );
          if (!(await services.isAdminOf(who, tenant)))
            return refuse(
              who,
              context.origin,
              'read',
              forbidden("only the domain's admins may read its anchor", 'not_admin'),
            );
        }
        if (!services.anchoring) throw notConfigured();
        return {
          body: {
            tenant,
            location: services.anchoring.location,
            intervalSeconds: services.anchoring.intervalMs / 1000,
            ...(await services.anchoring.check(tenant, await services.audit.cutOf(tenant))),
          },
        };
      },
    }),
  ];
}
