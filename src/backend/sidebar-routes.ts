/**
 * This file defines the backend endpoints the add-on's cards need beyond the registry: the admin
 * card's onboarding checks and audit export, the domain's groups for the share dialog's
 * suggestions, and leaving a label shared with one. Each re-checks the caller's rights.
 */
import { z } from 'zod';
import { DIRECTORY_GROUP_SCOPE, DIRECTORY_USER_SCOPE } from './google-access';
import type { Caller } from './auth';
import { HttpError, conflict, forbidden } from './errors';
import { route, type Route } from './http';
import { text } from './schemas';
import type { BackendServices } from './services';
import { policies, shares } from './stores';

/** At most this many audit events go into one export. */
export const MAX_EXPORT_ROWS = 5_000;

/** The scopes domain-wide delegation must grant for sync and group expansion. */
export const DELEGATION_SCOPES = [
  'https://www.googleapis.com/auth/contacts',
  DIRECTORY_USER_SCOPE,
  DIRECTORY_GROUP_SCOPE,
];

const groupsQuery = z.strictObject({ q: text(100).default('') });
const exportQuery = z.strictObject({
  since: z.iso.datetime().optional(),
});

function caller(context: { caller: Caller | null }): Caller {
  if (!context.caller) throw new Error('route declared auth but has no caller');
  return context.caller;
}

/** One CSV field (RFC 4180), with formula-leading characters neutralised for spreadsheets. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Returns the sidebar routes, to be added to buildRoutes' list. */
export function buildSidebarRoutes(services: BackendServices): Route[] {
  const { db } = services;

  const requireAdmin = async (who: Caller): Promise<string> => {
    const tenant = services.tenantOf(who);
    if (!(await services.isAdminOf(who, tenant)))
      throw forbidden("only the domain's admins may open the admin card", 'not_admin');
    return tenant;
  };

  return [
    route({
      method: 'GET',
      path: '/v1/admin/overview',
      summary:
        "The admin card's onboarding checks (delegation test-minted per scope), policy and chain state (admins).",
      auth: true,
      handle: async (context) => {
        const who = caller(context);
        const tenant = await requireAdmin(who);
        const delegation: { scope: string; granted: boolean; reason?: string }[] = [];
        for (const scope of DELEGATION_SCOPES) {
          try {
            await services.minter.tokenFor(who.email, [scope]);
            delegation.push({ scope, granted: true });
          } catch (error) {
            delegation.push({
              scope,
              granted: false,
              reason: error instanceof Error ? error.message.slice(0, 300) : String(error),
            });
          }
        }
        const since = new Date(services.clock() - 30 * 86_400_000).toISOString();
        const seen = await db.query<{ users: string | number }>(
          'SELECT count(DISTINCT actor) AS users FROM audit_events WHERE tenant = $1 AND received_at >= $2',
          [tenant, since],
        );
        const verify = await services.audit.verify(tenant);
        const stored = await services.record(db, tenant, who.email, context.origin, [
          {
            type: 'admin.onboarding_checked',
            outcome: 'success',
            detail: { delegationGranted: delegation.every((entry) => entry.granted) },
          },
        ]);
        await services.afterEvents(stored);
        return {
          body: {
            domain: tenant,
            policy: await policies.get(db, tenant),
            directoryAdmin: (await policies.directoryAdmin(db, tenant)) ?? null,
            delegation,
            serviceAccount: services.config.serviceAccountEmail,
            activeUsers30d: Number(seen[0]?.users ?? 0),
            chain: verify,
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/admin/audit-export',
      summary: "The domain's audit trail as CSV text inside JSON, newest last (admins; audited).",
      auth: true,
      query: exportQuery,
      handle: async (context) => {
        const who = caller(context);
        const tenant = await requireAdmin(who);
        const rows: string[] = [
          'seq,received_at,occurred_at,type,actor,target,share_id,outcome,origin,detail',
        ];
        let after: number | undefined;
        let truncated = false;
        for (;;) {
          const page = await services.audit.query({
            tenant,
            since: context.query.since,
            after,
            limit: 500,
          });
          for (const event of page.events) {
            if (rows.length > MAX_EXPORT_ROWS) {
              truncated = true;
              break;
            }
            rows.push(
              [
                String(event.seq),
                event.receivedAt,
                event.occurredAt,
                event.type,
                event.actor,
                event.target ?? '',
                event.shareId ?? '',
                event.outcome,
                event.origin,
                JSON.stringify(event.detail),
              ]
                .map(csvField)
                .join(','),
            );
          }
          if (truncated || !page.nextPageToken) break;
          after = Number(page.nextPageToken);
        }
        const stored = await services.record(db, tenant, who.email, context.origin, [
          {
            type: 'admin.audit_exported',
            outcome: 'success',
            detail: { rows: rows.length - 1, truncated },
          },
        ]);
        await services.afterEvents(stored);
        return {
          body: {
            filename: `audit-${tenant}-${services.nowIso().slice(0, 10)}.csv`,
            rows: rows.length - 1,
            truncated,
            csv: `${rows.join('\r\n')}\r\n`,
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/directory/groups',
      summary:
        "The caller's domain's groups whose address or name contains q (read as the domain's directory admin).",
      auth: true,
      query: groupsQuery,
      handle: async (context) => {
        const who = caller(context);
        const tenant = services.tenantOf(who);
        const admin = await policies.directoryAdmin(db, tenant);
        if (!admin) return { body: { groups: [], reason: 'no_directory_admin' } };
        const token = await services.minter.tokenFor(admin, [DIRECTORY_GROUP_SCOPE]);
        const url = new URL('/admin/directory/v1/groups', services.config.adminDirectoryUrl);
        url.searchParams.set('domain', tenant);
        url.searchParams.set('maxResults', '200');
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${token.accessToken}` },
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok)
          throw new HttpError(502, 'directory_unavailable', 'the Directory API did not answer');
        const body = (await response.json()) as { groups?: { email?: string; name?: string }[] };
        const needle = context.query.q.toLowerCase();
        const groups = (body.groups ?? [])
          .filter((group) => group.email)
          .map((group) => ({ email: (group.email ?? '').toLowerCase(), name: group.name ?? '' }))
          .filter(
            (group) => group.email.includes(needle) || group.name.toLowerCase().includes(needle),
          )
          .slice(0, 20);
        return { body: { groups } };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/shares/{id}/leave',
      summary: "Removes the caller's own grant from a share shared with them; audited.",
      auth: true,
      handle: async (context) => {
        const who = caller(context);
        const id = context.params.id ?? '';
        const email = who.email.toLowerCase();
        const stored = await db.transaction(async (tx) => {
          const share = await shares.get(tx, id, true);
          if (!share) throw new HttpError(404, 'not_found', `no share ${id}`);
          if (share.owner.toLowerCase() === email)
            throw conflict('the owner cannot leave a label; stop sharing it instead', 'owner');
          const grants = share.grants.filter(
            (grant) => !(grant.target.kind === 'user' && grant.target.email === email),
          );
          if (grants.length === share.grants.length)
            throw conflict(
              'you have this label through a group or your domain; ask its owner to remove you',
              'inherited_access',
            );
          await shares.update(tx, { ...share, grants, updatedAt: services.nowIso() });
          return services.record(tx, share.domain, who.email, context.origin, [
            { type: 'share.left', shareId: id, outcome: 'success' },
          ]);
        });
        await services.afterEvents(stored);
        return { body: { id, left: true } };
      },
    }),
  ];
}
