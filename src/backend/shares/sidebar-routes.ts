/**
 * This file defines the backend endpoints the add-on's cards need beyond the registry: the admin
 * card's onboarding checks and audit export, the domain's groups for the share dialog's
 * suggestions, and leaving a label shared with one. Each re-checks the caller's rights.
 */
import { DELEGATION_SCOPES, DIRECTORY_USER_SCOPE } from '../../core/google-scopes';
import { z } from 'zod';
import { UpstreamError } from '../platform/google-fetch';
import { adminTenant } from '../admin/admin-gate';
import type { Caller } from '../platform/auth';
import { HttpError, conflict, forbidden } from '../platform/errors';
import { EVENT } from '../audit/event-types';
import { route, type Route } from '../platform/http';
import { text } from '../platform/schemas';
import type { BackendServices } from '../services';
import { policies } from '../tenants/policy-store';
import { shares } from './share-store';
import { truncateText } from '../platform/text';
import { verifyAgainstAnchor } from '../audit/scheduled';

/** At most this many audit events go into one export. */
export const MAX_EXPORT_ROWS = 5_000;

/** One scope of domain-wide delegation as test-minted in a user's name, and why it failed. */
interface DelegationCheck {
  scope: string;
  granted: boolean;
  cause?: 'not_granted' | 'clock';
  reason?: string;
}

const groupsQuery = z.strictObject({ q: text(100).default('') });
const exportQuery = z.strictObject({
  since: z.iso.datetime().optional(),
});
const downloadQuery = z.strictObject({
  tenant: text(253),
  admin: text(320),
  since: z.iso.datetime().optional(),
  expires: z.coerce.number().int().positive(),
  signature: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/** One CSV field (RFC 4180), with formula-leading characters neutralised for spreadsheets. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Returns the sidebar routes, listed by routes.ts. */
export function sidebarRoutes(services: BackendServices): Route[] {
  const { db } = services;

  /**
   * Test-mints a delegated token in the user's name for each scope, one at a time. A scope Google
   * refuses is reported with the reason (`clock` when Google finds the token's times off, which
   * is the backend's problem, not the customer's); any other failure (signing, Google
   * unreachable) throws.
   */
  const testDelegation = async (
    email: string,
    scopes: readonly string[] = DELEGATION_SCOPES,
  ): Promise<DelegationCheck[]> => {
    const delegation: DelegationCheck[] = [];
    for (const scope of scopes) {
      try {
        await services.minter.tokenFor(email, [scope]);
        delegation.push({ scope, granted: true });
      } catch (error) {
        if (!(error instanceof UpstreamError) || error.code !== 'delegation_denied') throw error;
        delegation.push({
          scope,
          granted: false,
          // Google's words when the signed times are off: the backend's clock, not the customer.
          cause: /iat and exp/.test(error.message) ? 'clock' : 'not_granted',
          reason: truncateText(error.message, 300),
        });
      }
    }
    return delegation;
  };

  /**
   * Whether the caller is an admin of the tenant, or `unverifiable` when Google refuses to answer
   * in their name (delegation of the directory scope not granted yet, or refused, as when the
   * signer's clock and Google's disagree). An unverifiable caller is never taken for an admin;
   * other failures to ask (signing, Google unreachable) are thrown as they are.
   */
  const checkAdminship = async (
    who: Caller,
    tenant: string,
  ): Promise<'admin' | 'not_admin' | 'unverifiable'> => {
    try {
      if (await services.isAdminOf(who, tenant)) return 'admin';
    } catch (error) {
      if (error instanceof UpstreamError && error.code === 'delegation_denied')
        return 'unverifiable';
      throw error;
    }
    const [probe] = await testDelegation(who.email, [DIRECTORY_USER_SCOPE]);
    return probe?.granted ? 'not_admin' : 'unverifiable';
  };

  const exportFilename = (tenant: string): string =>
    `audit-${tenant}-${services.nowIso().slice(0, 10)}.csv`;

  /** The tenant's audit trail as CSV (RFC 4180), newest last, at most MAX_EXPORT_ROWS rows. */
  const auditCsv = async (
    tenant: string,
    since: string | undefined,
  ): Promise<{ csv: string; rows: number; truncated: boolean }> => {
    const rows: string[] = [
      'seq,received_at,occurred_at,type,actor,target,share_id,outcome,origin,detail',
    ];
    let pageToken: string | undefined;
    let truncated = false;
    const chains = await services.tenancy.chainsOf(tenant);
    for (;;) {
      const page = await services.audit.query({ tenants: chains, since, pageToken, limit: 500 });
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
      pageToken = page.nextPageToken;
    }
    return { csv: `${rows.join('\r\n')}\r\n`, rows: rows.length - 1, truncated };
  };

  return [
    route({
      method: 'GET',
      path: '/v1/admin/overview',
      summary:
        "The admin card: onboarding checks (delegation test-minted per scope), policy, the organisation's domains and chain state (admins). A user of the organisation whose adminship cannot be checked (delegation not granted, or refused) gets the onboarding checks alone.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const tenant = services.tenantOf(who);
        const adminship = await checkAdminship(who, tenant);
        if (adminship === 'not_admin')
          return services.refuse(
            who,
            context.origin,
            {
              type: EVENT.adminDenied,
              outcome: 'denied',
              detail: { action: 'overview', reason: 'not_admin' },
            },
            forbidden("only the domain's admins may open the admin card", 'not_admin'),
          );
        const delegation = await testDelegation(who.email);
        if (adminship === 'unverifiable') {
          await services.recordNow(tenant, who.email, context.origin, [
            {
              type: 'admin.onboarding_checked',
              outcome: 'success',
              detail: { adminVerified: false, delegationGranted: false },
            },
          ]);
          return {
            body: {
              adminVerified: false,
              domain: tenant,
              delegation,
              serviceAccount: services.config.serviceAccountEmail,
            },
          };
        }
        const since = new Date(services.clock() - 30 * 86_400_000).toISOString();
        const seen = await db.query<{ users: string | number }>(
          'SELECT count(DISTINCT actor) AS users FROM audit_events WHERE tenant = $1 AND received_at >= $2',
          [tenant, since],
        );
        const verify = await verifyAgainstAnchor(services, tenant);
        // This admin reads the customer's domains now; any admin seen can read the directory later.
        await services.tenancy.refreshDomains(tenant, who.email);
        const organisation = await services.tenancy.overview(tenant);
        await services.recordNow(tenant, who.email, context.origin, [
          {
            type: 'admin.onboarding_checked',
            outcome: 'success',
            detail: {
              adminVerified: true,
              delegationGranted: delegation.every((entry) => entry.granted),
            },
          },
        ]);
        return {
          body: {
            adminVerified: true,
            domain: tenant,
            customerId: organisation.customerId,
            domains: organisation.domains,
            policy: await policies.get(db, tenant),
            policyChosen: await policies.isSet(db, tenant),
            directoryAdmin: organisation.admins.usable > 0 ? who.email : null,
            directoryAdmins: organisation.admins,
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
      summary:
        "A short-lived signed link to the organisation's audit trail as a CSV file (admins); the download is audited.",
      auth: true,
      query: exportQuery,
      handle: async (context) => {
        const who = context.caller;
        const tenant = await adminTenant(services, who, context.origin, 'audit_export');
        const expiresAt = services.clock() + services.downloads.lifetimeSeconds * 1000;
        const query = services.downloads.sign({
          tenant,
          admin: who.email.toLowerCase(),
          ...(context.query.since ? { since: context.query.since } : {}),
          expiresAt,
        });
        return {
          body: {
            path: `/v1/admin/audit-export/download?${query}`,
            expiresAt: new Date(expiresAt).toISOString(),
            filename: exportFilename(tenant),
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/admin/audit-export/download',
      summary:
        "The organisation's audit trail as a CSV file (text/csv, newest last), fetched through a signed link from /v1/admin/audit-export while it is valid and its admin still is one; audited.",
      auth: false,
      query: downloadQuery,
      handle: async (context) => {
        const grant = services.downloads.check(context.query, services.clock());
        if (grant === 'invalid') throw forbidden('this download link is not valid', 'link_invalid');
        if (grant === 'expired')
          throw new HttpError(
            410,
            'link_expired',
            'this download link has expired; export the audit trail again from the admin card',
          );
        // The link outlives no admin role: the one who asked must still be an admin.
        if (!(await services.directory.isAdmin(grant.admin)))
          throw forbidden("only the domain's admins may download its audit trail", 'not_admin');
        const { csv, rows, truncated } = await auditCsv(grant.tenant, grant.since);
        await services.recordNow(grant.tenant, grant.admin, context.origin, [
          { type: 'admin.audit_exported', outcome: 'success', detail: { rows, truncated } },
        ]);
        return {
          body: null,
          file: {
            contentType: 'text/csv; charset=utf-8',
            filename: exportFilename(grant.tenant),
            text: csv,
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/directory/groups',
      summary:
        "The groups of the caller's organisation (every domain of it) whose address or name contains q (read as any current admin of it).",
      auth: true,
      query: groupsQuery,
      handle: async (context) => {
        const who = context.caller;
        const tenant = services.tenantOf(who);
        let all: { email: string; name: string }[];
        try {
          all = await services.directory.groupsOfAccount(tenant);
        } catch (error) {
          if (error instanceof HttpError && error.code === 'no_directory_admin')
            return { body: { groups: [], reason: 'no_directory_admin' } };
          throw error;
        }
        const needle = context.query.q.toLowerCase();
        const groups = all
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
        const who = context.caller;
        const id = context.params.id ?? '';
        const email = who.email.toLowerCase();
        await services.audited(async (tx, record) => {
          const share = await shares.get(tx, id, true);
          if (!share || share.domain !== who.tenant)
            throw new HttpError(404, 'not_found', `no share ${id}`);
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
          await record(share.domain, who.email, context.origin, [
            { type: 'share.left', shareId: id, outcome: 'success' },
          ]);
        });
        return { body: { id, left: true } };
      },
    }),
  ];
}
