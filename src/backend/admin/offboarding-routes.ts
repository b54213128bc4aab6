/**
 * This file defines the admin card's offboarding routes: handing every label of a person who
 * leaves over to a colleague (each share is offered to the colleague, made a member first when
 * they are not one; they accept in their own sidebar), and the organisation's recent activity
 * with the labels' names, filtered by person and kind. Admins of the caller's own organisation
 * only; every change and every refusal is audited.
 */
import { z } from 'zod';
import { LEVELS, type Level, type Share } from '../../core/sharing-model';
import type { Caller } from '../platform/auth';
import { badRequest, forbidden } from '../platform/errors';
import { adminTenant as checkAdmin } from './admin-gate';
import { EVENT } from '../audit/event-types';
import { route, type Route } from '../platform/http';
import { emailSchema } from '../platform/schemas';
import type { StoredEvent } from '../audit/audit-log';
import type { BackendServices } from '../services';
import { policies } from '../tenants/policy-store';
import { shares } from '../shares/share-store';

/** Kinds of activity the admin card filters by, each a set of event-type prefixes. */
export const ACTIVITY_KINDS: Record<string, readonly string[]> = {
  sharing: ['share.'],
  policy: ['policy.', 'tenant.'],
  support: ['support.'],
  admin: ['admin.', 'alert.'],
};

/** At most this many events of one day are read for the activity. */
const ACTIVITY_SCAN = 5_000;
/** The newest events of this many days make up the activity. */
const ACTIVITY_DAYS = 30;

const handOverBody = z.strictObject({ from: emailSchema, to: emailSchema });
const activityQuery = z.strictObject({
  person: emailSchema.optional(),
  kind: z.enum(['all', 'sharing', 'policy', 'support', 'admin']).default('all'),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

const levelRank = (level: Level): number => LEVELS.indexOf(level);

/** Returns the offboarding routes. */
export function offboardingRoutes(services: BackendServices): Route[] {
  const { db } = services;

  const adminTenant = (who: Caller, origin: string, action: string): Promise<string> =>
    checkAdmin(services, who, origin, action);

  return [
    route({
      method: 'POST',
      path: '/v1/admin/hand-over',
      summary:
        'Hands every label a person owns over to a colleague of the same organisation (admins): each share is offered to the colleague, who is made a member first when needed and accepts in their own sidebar. Audited per share.',
      auth: true,
      body: handOverBody,
      handle: async (context) => {
        const who = context.caller;
        const tenant = await adminTenant(who, context.origin, 'hand_over');
        const from = context.body.from.toLowerCase();
        const to = context.body.to.toLowerCase();
        if (from === to)
          throw badRequest('choose a colleague other than the person who leaves', 'same_person');
        for (const [address, role] of [
          [from, 'from'],
          [to, 'to'],
        ] as const)
          if (!(await services.tenancy.hasAddress(tenant, address, who.email)))
            return services.refuse(
              who,
              context.origin,
              {
                type: EVENT.adminDenied,
                target: address,
                outcome: 'denied',
                detail: { action: 'hand_over', reason: 'outside_customer', role },
              },
              forbidden(
                `${address} is not in your organisation; labels pass only between its own people`,
                'outside_customer',
              ),
            );
        const policy = await policies.get(db, tenant);
        const grantLevel: Exclude<Level, 'owner'> = policy.maxLevel;
        const handed = await services.audited(async (tx, record) => {
          const owned = (await shares.ofDomain(tx, tenant)).filter(
            (share) => share.owner.toLowerCase() === from,
          );
          const events = [];
          const handedOver: string[] = [];
          for (const listed of owned) {
            const share = await shares.get(tx, listed.id, true);
            if (!share || share.domain !== tenant) continue;
            const isTo = (grant: Share['grants'][number]): boolean =>
              grant.target.kind === 'user' && grant.target.email.toLowerCase() === to;
            const member = share.grants.find(isTo);
            const grants =
              member && levelRank(member.level) >= levelRank(grantLevel)
                ? share.grants
                : [
                    ...share.grants.filter((grant) => !isTo(grant)),
                    { target: { kind: 'user' as const, email: to }, level: grantLevel },
                  ];
            const at = services.nowIso();
            if (grants !== share.grants)
              await shares.update(tx, { ...share, grants, updatedAt: at });
            await shares.offer(tx, share.id, to, at);
            handedOver.push(share.id);
            events.push({
              type: EVENT.shareOwnershipOffered,
              shareId: share.id,
              target: to,
              outcome: 'success' as const,
              detail: { byAdmin: true, formerOwner: from, memberAdded: grants !== share.grants },
            });
          }
          events.push({
            type: EVENT.adminSharesHandedOver,
            target: from,
            outcome: 'success' as const,
            detail: { to, shares: handedOver.length },
          });
          await record(tenant, who.email, context.origin, events);
          return handedOver;
        });
        return { body: { from, to, offered: handed.length, shareIds: handed } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/admin/activity',
      summary:
        "The organisation's activity of the last 30 days, newest first, with the labels' names: optionally only what a person did or was the target of, and one kind (sharing, policy, support, admin). Admins.",
      auth: true,
      query: activityQuery,
      handle: async (context) => {
        const who = context.caller;
        const tenant = await adminTenant(who, context.origin, 'activity');
        const { person, kind, pageSize } = context.query;
        const prefixes = kind === 'all' ? null : (ACTIVITY_KINDS[kind] ?? []);
        const wanted = person?.toLowerCase();
        const chains = await services.tenancy.chainsOf(tenant);
        const matches = (event: StoredEvent): boolean =>
          (prefixes === null || prefixes.some((prefix) => event.type.startsWith(prefix))) &&
          (wanted === undefined ||
            event.actor.toLowerCase() === wanted ||
            event.target?.toLowerCase() === wanted);
        // The audit log pages oldest first: read one day at a time, from today backwards, until
        // a page of matching events is found (at most ACTIVITY_SCAN events read per day).
        const found: StoredEvent[] = [];
        let complete = true;
        for (let day = 0; day < ACTIVITY_DAYS && found.length < pageSize; day++) {
          const until = new Date(services.clock() - day * 86_400_000).toISOString();
          const since = new Date(services.clock() - (day + 1) * 86_400_000).toISOString();
          const ofDay: StoredEvent[] = [];
          let pageToken: string | undefined;
          let read = 0;
          do {
            const page = await services.audit.query({
              tenants: chains,
              since,
              until: day === 0 ? undefined : until,
              pageToken,
              limit: 500,
            });
            read += page.events.length;
            ofDay.push(...page.events.filter(matches));
            pageToken = page.nextPageToken;
          } while (pageToken && read < ACTIVITY_SCAN);
          if (pageToken) complete = false;
          found.push(
            ...ofDay.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.seq - a.seq),
          );
        }
        const matching = found.slice(0, pageSize);
        const names = new Map<string, string>();
        for (const event of matching)
          if (event.shareId && !names.has(event.shareId)) {
            const found = await shares.getWithRevocation(db, event.shareId);
            if (found && found.share.domain === tenant)
              names.set(event.shareId, found.share.labelName);
          }
        return {
          body: {
            events: matching.map((event) => ({
              seq: event.seq,
              type: event.type,
              actor: event.actor,
              target: event.target ?? null,
              shareId: event.shareId ?? null,
              labelName: event.shareId ? (names.get(event.shareId) ?? null) : null,
              outcome: event.outcome,
              receivedAt: event.receivedAt,
              detail: event.detail,
            })),
            complete,
          },
        };
      },
    }),
  ];
}
