/**
 * This file defines the routes of a support agent's second factor: who they are to support,
 * enrolment, verification, a security manager's reset, and the rotation of the keys that seal it.
 */
import { SUPPORT_EVENT } from '../audit/event-types';
import { HttpError, conflict, forbidden, notFound } from '../platform/errors';
import { truncateText } from '../platform/text';
import { route, type Route } from '../platform/http';
import { agentParams, emptyBody } from '../platform/schemas';
import type { BackendServices, ServerEvent } from '../services';
import { alerts } from '../rules/alert-store';
import { renderQrCodeDataUrl } from './qr-code';
import { backupCodesLeft, describeRefusal } from './second-factor';
import { secondFactors } from './second-factor-store';
import { SecretBoxError } from './secret-box';
import { DEFAULT_THROTTLE_POLICY, assessAttempt } from './throttle';
import * as schema from './support-schemas';
import { supportAuth, supportSessions } from './support-store';
import type { SupportContext } from './support-context';

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

/** Returns the second-factor routes of support agents. */
export function factorRoutes(services: BackendServices, support: SupportContext): Route[] {
  const { db } = services;
  const { keyRing, refuse, requireAgent, requireSecurityManager, raiseAlert } = support;
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
        const factor = await secondFactors.load(db, who.email);
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
        const enrolment = await secondFactors.enrol(db, keyRing(), who.email, services.clock());
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
          attempt = await secondFactors.verify(db, {
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
          const existed = await secondFactors.reset(tx, agent);
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
        const report = await secondFactors.rotateKeys(db, current);
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
  ];
}
