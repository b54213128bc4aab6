/**
 * This file defines access transparency: the support sessions and accesses that concern a
 * customer, for its admins (and vendor security managers).
 */
import { forbidden } from '../platform/errors';
import { route, type Route } from '../platform/http';
import type { BackendServices } from '../services';
import * as schema from './support-schemas';
import { supportSessions } from './support-store';
import type { SupportContext } from './support-context';
import { decodeCursor, encodeCursor, transparencyCursor } from './page-cursor';

/** Returns the access transparency route. */
export function transparencyRoutes(services: BackendServices, support: SupportContext): Route[] {
  const { db } = services;
  const { refuse } = support;
  return [
    route({
      method: 'GET',
      path: '/v1/support/transparency',
      summary:
        'Access transparency: every support session and access of an organisation (all its domains), with ticket and justification, newest first, one page at a time (its admins; security managers).',
      auth: true,
      query: schema.transparencyQuery,
      handle: async (context) => {
        const who = context.caller;
        const named = context.query.tenant ?? who.tenant;
        const tenant = named ? await services.tenancy.tenantNamedBy(named, who) : '';
        if (!who.isSecurityManager && !(tenant && (await services.isAdminOf(who, tenant))))
          await refuse(
            who,
            context.origin,
            'transparency',
            forbidden(
              "only your organisation's admins may see its access transparency",
              'not_admin',
            ),
          );
        const now = services.nowIso();
        const size = context.query.pageSize;
        const cursor = decodeCursor(context.query.pageToken, transparencyCursor) ?? {
          s: null,
          a: null,
          sd: false,
          ad: false,
        };
        const sessionPage = cursor.sd
          ? { sessions: [], more: false }
          : await supportSessions.page(
              db,
              { tenant },
              now,
              size,
              cursor.s ? { createdAt: cursor.s.c, id: cursor.s.i } : undefined,
            );
        const sessions = sessionPage.sessions;
        const chains = await services.tenancy.chainsOf(tenant);
        const rows = cursor.ad
          ? []
          : await db.query<{
              tenant: string;
              seq: string;
              type: string;
              actor: string;
              target: string | null;
              share_id: string | null;
              outcome: string;
              detail: string;
              received_at: string;
            }>(
              `SELECT tenant, seq, type, actor, target, share_id, outcome, detail, received_at
               FROM audit_events WHERE tenant = ANY($1::text[])
                 AND (starts_with(type, 'delegated_token.') OR starts_with(type, 'support.'))
                 AND ($2::text IS NULL OR (received_at, tenant, seq) < ($2, $3, $4))
               ORDER BY received_at DESC, tenant DESC, seq DESC LIMIT $5`,
              [chains, cursor.a?.r ?? null, cursor.a?.t ?? '', cursor.a?.q ?? 0, size + 1],
            );
        const moreAccesses = rows.length > size;
        const pageRows = rows.slice(0, size);
        const lastSession = sessions[sessions.length - 1];
        const lastRow = pageRows[pageRows.length - 1];
        const next = {
          s: lastSession ? { c: lastSession.createdAt, i: lastSession.id } : cursor.s,
          a: lastRow
            ? { r: lastRow.received_at, t: lastRow.tenant, q: Number(lastRow.seq) }
            : cursor.a,
          sd: cursor.sd || !sessionPage.more,
          ad: cursor.ad || !moreAccesses,
        };
        // A session an access of this page belongs to may be on another page of sessions.
        const sessionIds = new Set(sessions.map((session) => session.id));
        const referenced = pageRows
          .map((row) => (JSON.parse(row.detail) as { sessionId?: unknown }).sessionId)
          .filter((id): id is string => typeof id === 'string' && !sessionIds.has(id));
        const known = [...sessions];
        for (const id of new Set(referenced)) {
          const found = await supportSessions.get(db, id, now);
          if (found && found.tenant === tenant) known.push(found);
        }
        const accesses = pageRows.map((row) => {
          const detail = JSON.parse(row.detail) as Record<string, string | number | boolean>;
          const sessionId =
            typeof detail.sessionId === 'string'
              ? detail.sessionId
              : detail.purpose === 'support'
                ? known.find(
                    (session) =>
                      session.agent === row.actor &&
                      session.targetUser === row.target &&
                      session.openedAt !== null &&
                      session.openedAt <= row.received_at &&
                      row.received_at <= (session.closedAt ?? session.expiresAt ?? now),
                  )?.id
                : undefined;
          const session = known.find((candidate) => candidate.id === sessionId);
          return {
            at: row.received_at,
            type: row.type,
            actor: row.actor,
            target: row.target,
            shareId: row.share_id,
            outcome: row.outcome,
            purpose: typeof detail.purpose === 'string' ? detail.purpose : undefined,
            sessionId: session?.id,
            ticket: session?.ticket,
            justification: session?.justification,
          };
        });
        return {
          body: {
            tenant,
            sessions,
            accesses,
            ...(next.sd && next.ad ? {} : { nextPageToken: encodeCursor(next) }),
          },
        };
      },
    }),
  ];
}
