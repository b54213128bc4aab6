/**
 * This file defines the support endpoints (/v1/support/..., DESIGN.md §6–§7): an agent's second
 * factor (enrolment, verification, a security manager's reset, key rotation), support sessions
 * (open, approve or refuse, close, the user's shares, repairs) and access transparency for the
 * tenant's admins. Every step and every refusal is an audit event that feeds the anomaly rules.
 */
import { SUPPORT_EVENT } from '../audit/event-types';
import { effectiveLevel, type Level, type Share } from '../../core/sharing-model';
import { GoogleApiError } from '../../google/google-error';
import { PeopleClient } from '../../google/people-client';
import type { ApiCall } from '../../google/transport';
import type { Caller } from '../platform/auth';
import { z } from 'zod';
import { HttpError, badRequest, conflict, forbidden, notFound } from '../platform/errors';
import { route, type Route } from '../platform/http';
import { agentParams, emptyBody } from '../platform/schemas';
import type { BackendServices, ServerEvent } from '../services';
import { alerts } from '../rules/alert-store';
import { policies } from '../tenants/policy-store';
import { shares } from '../shares/share-store';
import { CONTACTS_SCOPE } from '../../core/google-scopes';
import { runGoogleCall } from '../gateway/google-runner';
import { renderQrCodeDataUrl } from './qr-code';
import { readLabelContacts, readLabelStates, repairCopyGroup } from './support-browse';
import { backupCodesLeft, describeRefusal } from './second-factor';
import {
  enrolAgent,
  loadSecondFactor,
  resetSecondFactor,
  rotateSecondFactorKeys,
  verifyAgentCode,
} from './second-factor-store';
import { parseKeyRing, SecretBoxError, type KeyRing } from './secret-box';
import { DEFAULT_THROTTLE_POLICY, assessAttempt } from './throttle';
import * as schema from './support-schemas';
import {
  MAX_SESSION_MINUTES,
  supportAuth,
  supportSessions,
  type SupportSessionRecord,
} from './support-store';
import { truncateText } from '../platform/text';

/** Rules of alerts the support endpoints raise themselves. */
export const SUPPORT_RULES = {
  backupCodeUsed: 'backup_code_used',
  otpLockout: 'otp_lockout',
} as const;

const REFUSAL_CODES: Record<string, { status: number; code: string }> = {
  'not-enrolled': { status: 409, code: 'not_enrolled' },
  'locked-out': { status: 403, code: 'otp_locked' },
  throttled: { status: 429, code: 'otp_throttled' },
  malformed: { status: 403, code: 'otp_malformed' },
  wrong: { status: 403, code: 'otp_wrong' },
  replayed: { status: 403, code: 'otp_wrong' },
  reused: { status: 403, code: 'otp_reused' },
  'not-confirmed': { status: 403, code: 'otp_not_confirmed' },
};

/** A page position in a listing, as an opaque token. */
function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The page position a token holds; a 400 for anything a previous answer did not give. */
function decodeCursor<T extends z.ZodType>(
  token: string | undefined,
  shape: T,
): z.infer<T> | undefined {
  if (token === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = shape.safeParse(parsed);
  if (!result.success) throw badRequest('pageToken: must be a page token from a previous answer');
  return result.data;
}

const sessionCursor = z.strictObject({ c: z.string().max(40), i: z.string().max(100) });
const transparencyCursor = z.strictObject({
  s: sessionCursor.nullable(),
  a: z
    .strictObject({ r: z.string().max(40), t: z.string().max(260), q: z.number().int() })
    .nullable(),
  sd: z.boolean(),
  ad: z.boolean(),
});

/** Returns the support routes. */
export function supportRoutes(services: BackendServices): Route[] {
  const { db, config } = services;
  let ring: KeyRing | undefined;

  const keyRing = (): KeyRing => {
    if (ring) return ring;
    if (!config.otpEncryptionKeys)
      throw new HttpError(
        503,
        'support_not_configured',
        'support second factors are not configured: set OTP_ENCRYPTION_KEYS',
      );
    try {
      ring = parseKeyRing(config.otpEncryptionKeys);
    } catch (error) {
      if (error instanceof SecretBoxError)
        throw new HttpError(503, 'support_not_configured', error.message);
      throw error;
    }
    return ring;
  };

  /**
   * Audits a refusal (`support.denied`) in the chain of whoever caused it (the vendor's for
   * staff, never the target customer's: `where.tenant` only says whose the target is) and throws.
   */
  const refuse = async (
    who: Caller,
    origin: string,
    action: string,
    error: HttpError,
    where: { tenant?: string; target?: string; detail?: Record<string, string | number> } = {},
  ): Promise<never> =>
    services.refuse(
      who,
      origin,
      {
        type: SUPPORT_EVENT.denied,
        target: where.target,
        targetTenant: where.tenant ?? null,
        outcome: 'denied',
        detail: { action, reason: error.code, ...where.detail },
      },
      error,
    );

  const requireAgent = async (who: Caller, origin: string, action: string): Promise<void> => {
    if (!who.isSupportAgent)
      await refuse(
        who,
        origin,
        action,
        forbidden('only Shared Contacts support agents may do this', 'not_support_agent'),
      );
  };

  const requireSecurityManager = async (
    who: Caller,
    origin: string,
    action: string,
  ): Promise<void> => {
    if (!who.isSecurityManager)
      await refuse(
        who,
        origin,
        action,
        forbidden('only vendor security managers may do this', 'not_security_manager'),
      );
  };

  const raiseAlert = async (agent: string, tenant: string, rule: string, summary: string) =>
    services.raise([{ tenant, actor: agent, rule, summary }]);

  /** The session an admin of its tenant, its agent or a security manager may see; 404 otherwise. */
  const visibleSession = async (who: Caller, id: string): Promise<SupportSessionRecord> => {
    const session = await supportSessions.get(db, id, services.nowIso());
    if (
      !session ||
      (session.agent !== who.email &&
        !who.isSecurityManager &&
        !(await services.isAdminOf(who, session.tenant)))
    )
      throw notFound(`no support session ${id}`);
    return session;
  };

  /** The shares of the tenant a user takes part in: owned, and granted to them (with their level). */
  const sharesOfUser = async (
    user: string,
    tenant: string,
  ): Promise<(Share & { myLevel: Level | null })[]> => {
    const groups = await services.groupsOrNone(user);
    const owned = (await shares.ownedBy(db, user)).filter((share) => share.domain === tenant);
    const granted = (await shares.grantedTo(db, tenant, user, groups))
      .map((share) => ({ ...share, myLevel: effectiveLevel(share, user, groups) }))
      .filter((share) => share.myLevel !== null && share.owner !== user);
    return [...owned.map((share) => ({ ...share, myLevel: 'owner' as Level })), ...granted];
  };

  /** One of the session user's shares, or an audited refusal: no other label may be named. */
  const sessionShare = async (
    who: Caller,
    session: SupportSessionRecord,
    shareId: string,
    origin: string,
  ): Promise<Share> => {
    const share = (await sharesOfUser(session.targetUser, session.tenant)).find(
      (candidate) => candidate.id === shareId,
    );
    if (!share)
      return refuse(
        who,
        origin,
        'use_share',
        notFound(`${session.targetUser} takes no part in a share ${shareId}`),
        { tenant: session.tenant, target: session.targetUser },
      );
    return share;
  };

  /** Runs calls in a customer user's account with a delegated token that stays in the backend. */
  const inAccount = async <T>(
    user: string,
    call: (client: PeopleClient) => ApiCall<T>,
  ): Promise<T> => {
    const token = await services.minter.tokenFor(user, [CONTACTS_SCOPE]);
    try {
      return await runGoogleCall(
        call(new PeopleClient(token.accessToken)),
        services.config.peopleApiUrl,
      );
    } catch (error) {
      if (error instanceof GoogleApiError)
        throw new HttpError(
          502,
          'upstream_error',
          `Google answered ${error.httpStatus} ${error.status} in ${error.operation}`,
        );
      throw error;
    }
  };

  const maxMinutesOf = async (tenant: string): Promise<number> =>
    Math.min(
      MAX_SESSION_MINUTES,
      (await policies.get(db, tenant)).supportSessionMaxMinutes ?? MAX_SESSION_MINUTES,
    );

  return [
    route({
      method: 'GET',
      path: '/v1/support/me',
      summary:
        "The caller's support roles; for agents their second factor, proof, sessions and open alerts.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const now = services.nowIso();
        const admin = who.tenant !== null && (await services.isAdminOf(who, who.tenant));
        const base = {
          email: who.email,
          tenant: who.tenant,
          agent: who.isSupportAgent,
          securityManager: who.isSecurityManager,
          admin,
        };
        if (!who.isSupportAgent) return { body: base };
        const factor = await loadSecondFactor(db, who.email);
        const throttle = factor
          ? assessAttempt(factor.failures, services.clock(), DEFAULT_THROTTLE_POLICY)
          : null;
        const ownAlerts = (await alerts.list(db, { actor: who.email })).filter(
          (alert) => alert.status !== 'resolved',
        );
        return {
          body: {
            ...base,
            factor: {
              state: factor === null ? 'none' : factor.confirmed ? 'confirmed' : 'pending',
              backupCodesLeft: factor ? backupCodesLeft(factor) : 0,
              lockedOut: throttle?.lockedOut ?? false,
            },
            verifiedUntil: await supportAuth.validUntil(db, who.email, now),
            blockedByAlert: ownAlerts.length > 0,
            alerts: ownAlerts,
            sessions: (await supportSessions.list(db, { agent: who.email }, now)).slice(0, 20),
          },
        };
      },
    }),

    route({
      method: 'POST',
      path: '/v1/support/enrolment',
      summary:
        'Enrols the calling agent: returns the otpauth:// URI, grouped secret, QR image and ten backup codes, once.',
      auth: true,
      body: emptyBody,
      handle: async (context) => {
        const who = context.caller;
        await requireAgent(who, context.origin, 'enrol');
        const enrolment = await enrolAgent(db, keyRing(), who.email, services.clock());
        if (enrolment === 'already-enrolled')
          return refuse(
            who,
            context.origin,
            'enrol',
            conflict(
              'you are enrolled already; a security manager must reset your factor before you enrol again',
              'already_enrolled',
            ),
          );
        await services.recordNow(services.ownChain(who), who.email, context.origin, [
          { type: SUPPORT_EVENT.enrolmentStarted, target: who.email, outcome: 'success' },
        ]);
        return {
          status: 201,
          body: {
            otpauthUri: enrolment.uri,
            secretGroups: enrolment.groupedBase32,
            qrDataUrl: await renderQrCodeDataUrl(enrolment.uri),
            backupCodes: enrolment.backupCodes,
          },
        };
      },
    }),

    route({
      method: 'POST',
      path: '/v1/support/verify',
      summary:
        "Checks the agent's code (TOTP, or a single-use backup code); success lets them open sessions for 30 minutes.",
      auth: true,
      body: schema.verifyCodeBody,
      handle: async (context) => {
        const who = context.caller;
        await requireAgent(who, context.origin, 'verify');
        const tenant = services.ownChain(who);
        const nowMs = services.clock();
        let attempt;
        try {
          attempt = await verifyAgentCode(db, {
            ring: keyRing(),
            agentId: who.email,
            code: context.body.code.trim(),
            nowMs,
          });
        } catch (error) {
          if (!(error instanceof SecretBoxError)) throw error;
          services.logger.log('ERROR', 'a support agent secret cannot be opened', {
            agent: who.email,
            reason: error.code,
          });
          await services.recordNow(tenant, who.email, context.origin, [
            {
              type: SUPPORT_EVENT.otpVerify,
              target: who.email,
              outcome: 'failure',
              detail: { reason: 'secret_unreadable' },
            },
          ]);
          throw new HttpError(
            503,
            'support_misconfigured',
            'your second factor cannot be read; a security manager must check the OTP keys',
          );
        }
        const { outcome } = attempt;
        if (!outcome.ok) {
          await services.recordNow(tenant, who.email, context.origin, [
            {
              type: SUPPORT_EVENT.otpVerify,
              target: who.email,
              outcome: outcome.countsAsFailure ? 'failure' : 'denied',
              detail: {
                reason: outcome.reason,
                consecutiveFailures: attempt.failuresAfter.consecutiveFailures,
              },
            },
          ]);
          const lockedNow =
            outcome.countsAsFailure &&
            attempt.failuresAfter.consecutiveFailures >= DEFAULT_THROTTLE_POLICY.lockoutFailures;
          if (lockedNow)
            await raiseAlert(
              who.email,
              tenant,
              SUPPORT_RULES.otpLockout,
              `second factor locked after ${attempt.failuresAfter.consecutiveFailures} failed codes`,
            );
          const mapped = REFUSAL_CODES[outcome.reason] ?? { status: 403, code: 'otp_refused' };
          throw new HttpError(
            mapped.status,
            mapped.code,
            describeRefusal(outcome.reason, outcome.retryAfterSeconds),
            outcome.retryAfterSeconds === null
              ? {}
              : { 'retry-after': String(outcome.retryAfterSeconds) },
          );
        }
        const at = services.nowIso();
        const verifiedUntil = await services.audited(async (tx, record) => {
          const until = await supportAuth.grant(tx, who.email, outcome.method, at);
          const events: ServerEvent[] = [
            {
              type: SUPPORT_EVENT.otpVerify,
              target: who.email,
              outcome: 'success',
              detail:
                outcome.method === 'totp'
                  ? { method: 'totp', drift: outcome.drift }
                  : { method: 'backup-code', remaining: outcome.remaining },
            },
          ];
          if (outcome.method === 'totp' && outcome.confirmsEnrolment)
            events.push({
              type: SUPPORT_EVENT.enrolmentConfirmed,
              target: who.email,
              outcome: 'success',
            });
          if (outcome.method === 'backup-code')
            events.push({
              type: SUPPORT_EVENT.backupCodeUsed,
              target: who.email,
              outcome: 'success',
              detail: { remaining: outcome.remaining },
            });
          await record(tenant, who.email, context.origin, events);
          return until;
        });
        if (outcome.method === 'backup-code')
          await raiseAlert(
            who.email,
            tenant,
            SUPPORT_RULES.backupCodeUsed,
            `signed in with a backup code (${outcome.remaining} left): the authenticator may be lost`,
          );
        return {
          body: {
            method: outcome.method,
            verifiedUntil,
            confirmedEnrolment: outcome.method === 'totp' && outcome.confirmsEnrolment,
            backupCodesLeft: outcome.method === 'backup-code' ? outcome.remaining : undefined,
          },
        };
      },
    }),

    route({
      method: 'POST',
      path: '/v1/support/factors/{agent}/reset',
      summary:
        "A security manager removes an agent's second factor (and its proofs); the agent enrols again.",
      auth: true,
      params: agentParams,
      body: schema.resetFactorBody,
      handle: async (context) => {
        const who = context.caller;
        await requireSecurityManager(who, context.origin, 'reset_factor');
        const agent = (context.params.agent ?? '').toLowerCase();
        if (agent === who.email)
          await refuse(
            who,
            context.origin,
            'reset_factor',
            forbidden('another security manager must reset your own factor', 'self_reset'),
            { target: agent },
          );
        const removed = await services.audited(async (tx, record) => {
          const existed = await resetSecondFactor(tx, agent);
          const revoked = await supportAuth.revokeAll(tx, agent, services.nowIso());
          await record(services.ownChain(who), who.email, context.origin, [
            {
              type: SUPPORT_EVENT.factorReset,
              target: agent,
              outcome: existed ? 'success' : 'failure',
              detail: {
                reason: truncateText(context.body.reason, 500),
                proofsRevoked: revoked,
              },
            },
          ]);
          return existed;
        });
        if (!removed) throw notFound(`${agent} has no second factor`);
        return { body: { agent, reset: true } };
      },
    }),

    route({
      method: 'POST',
      path: '/v1/support/keys/rotate',
      summary:
        'A security manager re-encrypts every OTP secret under the first key of OTP_ENCRYPTION_KEYS.',
      auth: true,
      body: emptyBody,
      handle: async (context) => {
        const who = context.caller;
        await requireSecurityManager(who, context.origin, 'rotate_keys');
        const current = keyRing();
        const report = await rotateSecondFactorKeys(db, current);
        await services.recordNow(services.ownChain(who), who.email, context.origin, [
          {
            type: SUPPORT_EVENT.keysRotated,
            outcome: report.failed.length === 0 ? 'success' : 'failure',
            detail: {
              keyId: current.currentKeyId,
              rotated: report.rotated,
              failed: report.failed.length,
            },
          },
        ]);
        return {
          body: {
            currentKeyId: current.currentKeyId,
            rotated: report.rotated,
            failed: report.failed.map((item) => ({
              agent: item.agentId,
              column: item.column,
              reason: item.error.code,
            })),
          },
        };
      },
    }),

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
    route({
      method: 'GET',
      path: '/v1/support/sessions/{id}/shares',
      summary:
        "The session user's shares (owned and shared with them), read through an open session; audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        await requireAgent(who, context.origin, 'read_shares');
        const session = await openSessionOf(who, context.params.id ?? '', context.origin);
        const user = session.targetUser;
        const found = await sharesOfUser(user, session.tenant);
        await services.recordNow(session.tenant, who.email, context.origin, [
          {
            type: SUPPORT_EVENT.sharesRead,
            target: user,
            outcome: 'success',
            detail: { sessionId: session.id, shares: found.length },
          },
        ]);
        return { body: { user, shares: found } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/support/sessions/{id}/labels',
      summary:
        "The state of each shared label in the session user's account (its label or copy group, member and linked counts), read by the backend within the shares' footprints; audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        await requireAgent(who, context.origin, 'read_labels');
        const session = await openSessionOf(who, context.params.id ?? '', context.origin);
        const user = session.targetUser;
        const found = await sharesOfUser(user, session.tenant);
        const labels = await inAccount(user, (client) => readLabelStates(client, user, found));
        await services.recordNow(session.tenant, who.email, context.origin, [
          {
            type: SUPPORT_EVENT.labelsRead,
            target: user,
            outcome: 'success',
            detail: { sessionId: session.id, shares: found.length },
          },
        ]);
        return { body: { user, labels } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/support/sessions/{id}/shares/{shareId}/contacts',
      summary:
        "Names and addresses of the contacts of one of the session user's shared labels (its footprint in their account, at most 50), read by the backend; audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        await requireAgent(who, context.origin, 'read_contacts');
        const session = await openSessionOf(who, context.params.id ?? '', context.origin);
        const share = await sessionShare(
          who,
          session,
          context.params.shareId ?? '',
          context.origin,
        );
        const user = session.targetUser;
        const read = await inAccount(user, (client) => readLabelContacts(client, user, share));
        await services.recordNow(session.tenant, who.email, context.origin, [
          {
            type: SUPPORT_EVENT.contactsRead,
            target: user,
            shareId: share.id,
            outcome: 'success',
            detail: { sessionId: session.id, contacts: read.contacts.length },
          },
        ]);
        return { body: { labelName: share.labelName, ...read } };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/support/sessions/{id}/repairs',
      summary:
        "Repairs one of the session user's shared labels in a session with a repair scope: the contacts linked to the share are put back into its copy group, by the backend; audited.",
      auth: true,
      body: schema.repairBody,
      handle: async (context) => {
        const who = context.caller;
        await requireAgent(who, context.origin, 'repair');
        const session = await openSessionOf(who, context.params.id ?? '', context.origin);
        if (!session.repair)
          await refuse(
            who,
            context.origin,
            'repair',
            forbidden('this support session is read-only', 'support_read_only'),
            { tenant: session.tenant, target: session.targetUser },
          );
        const share = await sessionShare(who, session, context.body.shareId, context.origin);
        const user = session.targetUser;
        let relinked: number | null;
        try {
          relinked = await inAccount(user, (client) => repairCopyGroup(client, user, share));
        } catch (error) {
          await services.recordNow(session.tenant, who.email, context.origin, [
            {
              type: SUPPORT_EVENT.repair,
              target: user,
              shareId: share.id,
              outcome: 'failure',
              detail: { sessionId: session.id, relinked: 0 },
            },
          ]);
          throw error;
        }
        if (relinked === null)
          throw conflict(
            'the user has no copy of this label yet: their next sync makes it',
            'no_copy_group',
          );
        await services.recordNow(session.tenant, who.email, context.origin, [
          {
            type: SUPPORT_EVENT.repair,
            target: user,
            shareId: share.id,
            outcome: 'success',
            detail: { sessionId: session.id, relinked },
          },
        ]);
        return { status: 201, body: { relinked } };
      },
    }),

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

  /** The caller's open session with that id; a refused (and audited) 403 otherwise. */
  async function openSessionOf(
    who: Caller,
    id: string,
    origin: string,
  ): Promise<SupportSessionRecord> {
    const session = await supportSessions.get(db, id, services.nowIso());
    if (!session || session.agent !== who.email || session.status !== 'open')
      return refuse(
        who,
        origin,
        'use_session',
        forbidden(
          session && session.agent === who.email
            ? `the support session is ${session.status}`
            : 'no open support session with this id',
          'no_support_session',
        ),
        session ? { tenant: session.tenant, target: session.targetUser } : {},
      );
    if (await alerts.blocks(db, who.email))
      await refuse(
        who,
        origin,
        'use_session',
        forbidden(
          'an unresolved alert blocks your support access; justify it first',
          'blocked_by_alert',
        ),
        { tenant: session.tenant, target: session.targetUser },
      );
    if ((await policies.get(db, session.tenant)).supportAccess === 'disabled')
      await refuse(
        who,
        origin,
        'use_session',
        forbidden(`${session.tenant} has disabled support access`, 'support_disabled'),
        { tenant: session.tenant, target: session.targetUser },
      );
    return session;
  }
}
