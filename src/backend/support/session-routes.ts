/**
 * This file defines the routes of support sessions: an agent opens one (or asks for it), the
 * customer's admins approve or refuse it, and the agent closes it.
 */
import { SUPPORT_EVENT } from '../audit/event-types';
import { conflict, forbidden, notFound } from '../platform/errors';
import { route, type Route } from '../platform/http';
import { emptyBody } from '../platform/schemas';
import type { BackendServices } from '../services';
import { alerts } from '../rules/alert-store';
import { policies } from '../tenants/policy-store';
import * as schema from './support-schemas';
import { MAX_SESSION_MINUTES, supportAuth, supportSessions } from './support-store';
import type { SupportContext } from './support-context';
import { decodeCursor, encodeCursor, sessionCursor } from './page-cursor';

/** Returns the support session routes. */
export function sessionRoutes(services: BackendServices, support: SupportContext): Route[] {
  const { db } = services;
  const { refuse, requireAgent, visibleSession, maxMinutesOf } = support;
  return [
    route({
      method: 'POST',
      path: '/v1/support/sessions',
      summary:
        'Opens a support session for one user of one tenant (ticket, justification; ≤ 60 min; read-only unless a repair is justified). Pending when the tenant requires approval.',
      auth: true,
      body: schema.openSessionBody,
      handle: async (context) => {
        const who = context.caller;
        const request = context.body;
        const named = await services.tenancy.tenantOfDomain(request.tenant);
        const target = request.targetUser.toLowerCase();
        await requireAgent(who, context.origin, 'open_session');
        // The user's organisation is Google's answer (their domain's customer), not the request's.
        const tenant = await services.tenancy.tenantOfUser(target);
        const where = { tenant: tenant ?? undefined, target, detail: { ticket: request.ticket } };
        if (tenant === null)
          return refuse(
            who,
            context.origin,
            'open_session',
            forbidden(
              `Google does not confirm which organisation ${target} belongs to (unknown user, or domain-wide delegation not granted)`,
              'tenant_unknown',
            ),
            where,
          );
        if (named !== tenant)
          await refuse(
            who,
            context.origin,
            'open_session',
            forbidden(`${target} is not a user of ${request.tenant}`, 'tenant_mismatch'),
            where,
          );
        const now = services.nowIso();
        if ((await supportAuth.validUntil(db, who.email, now)) === null)
          await refuse(
            who,
            context.origin,
            'open_session',
            forbidden(
              'enter a code from your authenticator first (valid for 30 minutes)',
              'second_factor_required',
            ),
            where,
          );
        if (await alerts.blocks(db, who.email))
          await refuse(
            who,
            context.origin,
            'open_session',
            forbidden(
              'an unresolved alert blocks your support access; justify it first',
              'blocked_by_alert',
            ),
            where,
          );
        const policy = await policies.get(db, tenant);
        if (policy.supportAccess === 'disabled')
          await refuse(
            who,
            context.origin,
            'open_session',
            forbidden(`${tenant} has disabled support access`, 'support_disabled'),
            where,
          );
        const minutes = Math.min(
          request.minutes ?? MAX_SESSION_MINUTES,
          await maxMinutesOf(tenant),
        );
        const pending = policy.supportAccess === 'approval_required';
        const session = await services.audited(async (tx, record) => {
          const created = await supportSessions.create(
            tx,
            {
              agent: who.email,
              tenant,
              targetUser: target,
              ticket: request.ticket,
              justification: request.justification,
              repairJustification: request.repairJustification ?? null,
              minutes,
              status: pending ? 'pending' : 'open',
            },
            now,
          );
          await record(tenant, who.email, context.origin, [
            {
              type: pending ? SUPPORT_EVENT.sessionRequested : SUPPORT_EVENT.sessionOpened,
              target,
              outcome: 'success',
              detail: {
                sessionId: created.id,
                ticket: created.ticket,
                repair: created.repair,
                minutes,
              },
            },
          ]);
          return created;
        });
        const blocked = await alerts.blocks(db, who.email);
        return { status: 201, body: { ...session, blockedByAlert: blocked } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/support/sessions',
      summary:
        "Lists support sessions: an agent's own, a tenant's for its admins (pending ones to approve), all for security managers.",
      auth: true,
      query: schema.sessionsQuery,
      handle: async (context) => {
        const who = context.caller;
        const q = context.query;
        const now = services.nowIso();
        const tenant =
          q.tenant === undefined ? undefined : await services.tenancy.tenantNamedBy(q.tenant, who);
        const page = async (filter: { tenant?: string; agent?: string }) => {
          const before = decodeCursor(q.pageToken, sessionCursor);
          const found = await supportSessions.page(
            db,
            { ...filter, status: q.status },
            now,
            q.pageSize,
            before && { createdAt: before.c, id: before.i },
          );
          const last = found.sessions[found.sessions.length - 1];
          return {
            body: {
              sessions: found.sessions,
              ...(found.more && last
                ? { nextPageToken: encodeCursor({ c: last.createdAt, i: last.id }) }
                : {}),
            },
          };
        };
        if (who.isSecurityManager) return page({ tenant });
        if (tenant !== undefined) {
          if (!(await services.isAdminOf(who, tenant)))
            await refuse(
              who,
              context.origin,
              'list_sessions',
              forbidden(
                "only your organisation's admins may list its support sessions",
                'not_admin',
              ),
              { tenant },
            );
          return page({ tenant });
        }
        if (!who.isSupportAgent) await requireAgent(who, context.origin, 'list_sessions');
        return page({ agent: who.email });
      },
    }),
    route({
      method: 'GET',
      path: '/v1/support/sessions/{id}',
      summary: 'Reads one support session (its agent, its tenant admins, security managers).',
      auth: true,
      handle: async (context) => ({
        body: await visibleSession(context.caller, context.params.id ?? ''),
      }),
    }),
    route({
      method: 'POST',
      path: '/v1/support/sessions/{id}/close',
      summary: 'Ends a session early (its agent, its tenant admins, security managers).',
      auth: true,
      body: emptyBody,
      handle: async (context) => {
        const who = context.caller;
        const session = await visibleSession(who, context.params.id ?? '');
        if (session.status !== 'open' && session.status !== 'pending')
          throw conflict(`the session is ${session.status} already`, 'session_state');
        await services.audited(async (tx, record) => {
          await supportSessions.close(tx, session.id, who.email, services.nowIso());
          await record(session.tenant, who.email, context.origin, [
            {
              type: SUPPORT_EVENT.sessionClosed,
              target: session.targetUser,
              outcome: 'success',
              detail: { sessionId: session.id, agent: session.agent },
            },
          ]);
          return null;
        });
        return { body: await supportSessions.get(db, session.id, services.nowIso()) };
      },
    }),
    ...(['approve', 'refuse'] as const).map((decision) =>
      route({
        method: 'POST',
        path: `/v1/support/sessions/{id}/${decision}`,
        summary:
          decision === 'approve'
            ? "An admin of the session's tenant approves a pending session; its clock starts now."
            : "An admin of the session's tenant refuses a pending session, with a reason.",
        auth: true,
        body: decision === 'approve' ? emptyBody : schema.refuseBody,
        handle: async (context) => {
          const who = context.caller;
          const id = context.params.id ?? '';
          const found = await supportSessions.get(db, id, services.nowIso());
          if (!found) throw notFound(`no support session ${id}`);
          if (!(await services.isAdminOf(who, found.tenant)) || found.agent === who.email)
            await refuse(
              who,
              context.origin,
              `${decision}_session`,
              forbidden(
                `only an admin of ${found.tenant} may ${decision} this session`,
                'not_admin',
              ),
              { tenant: found.tenant, target: found.targetUser },
            );
          const minutes = Math.min(found.minutes, await maxMinutesOf(found.tenant));
          const reason =
            'reason' in context.body && typeof context.body.reason === 'string'
              ? context.body.reason
              : null;
          await services.audited(async (tx, record) => {
            const current = await supportSessions.get(tx, id, services.nowIso(), true);
            if (!current || current.status !== 'pending')
              throw conflict(
                `the session is ${current?.status ?? 'gone'}, not pending`,
                'session_state',
              );
            const approved = decision === 'approve';
            await supportSessions.decide(
              tx,
              id,
              { approved, by: who.email, reason, minutes },
              services.nowIso(),
            );
            await record(current.tenant, who.email, context.origin, [
              {
                type: approved ? SUPPORT_EVENT.sessionApproved : SUPPORT_EVENT.sessionRefused,
                target: current.targetUser,
                outcome: 'success',
                detail: { sessionId: id, agent: current.agent, ticket: current.ticket },
              },
            ]);
            if (!approved) return;
            await record(current.tenant, current.agent, context.origin, [
              {
                type: SUPPORT_EVENT.sessionOpened,
                target: current.targetUser,
                outcome: 'success',
                detail: {
                  sessionId: id,
                  ticket: current.ticket,
                  repair: current.repair,
                  minutes,
                  approvedBy: who.email,
                },
              },
            ]);
          });
          return { body: await supportSessions.get(db, id, services.nowIso()) };
        },
      }),
    ),
  ];
}
