/**
 * This file defines what every support route shares: the second-factor key ring, audited
 * refusals (`support.denied`), the checks of who may act, and the session and share look-ups.
 */
import { SUPPORT_EVENT } from '../audit/event-types';
import { effectiveLevel, type Level, type Share } from '../../core/sharing-model';
import { GoogleApiError } from '../../google/google-error';
import { PeopleClient } from '../../google/people-client';
import type { ApiCall } from '../../google/transport';
import type { Caller } from '../platform/auth';
import { HttpError, forbidden, notFound } from '../platform/errors';
import type { BackendServices } from '../services';
import { alerts } from '../rules/alert-store';
import { policies } from '../tenants/policy-store';
import { shares } from '../shares/share-store';
import { CONTACTS_SCOPE } from '../../core/google-scopes';
import { runGoogleCall } from '../gateway/google-runner';
import { parseKeyRing, SecretBoxError, type KeyRing } from './secret-box';
import { MAX_SESSION_MINUTES, supportSessions, type SupportSessionRecord } from './support-store';

/** The shared steps of the support routes (supportContext). */
export type SupportContext = ReturnType<typeof supportContext>;

/** Builds the support routes' shared steps over the backend's services. */
export function supportContext(services: BackendServices) {
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

  return {
    keyRing,
    refuse,
    requireAgent,
    requireSecurityManager,
    raiseAlert,
    visibleSession,
    sharesOfUser,
    sessionShare,
    inAccount,
    maxMinutesOf,
    openSessionOf,
  };
}
