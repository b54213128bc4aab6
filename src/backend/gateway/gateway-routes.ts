/**
 * This file defines the share gateway's endpoints (DESIGN.md §6): the add-on reads and writes
 * another person's account only through them, within one share's footprint and as the caller's
 * level allows. The delegated tokens stay here. Each call loads the facts (the share, the
 * caller's level, what the account is to the share), decides (gateway-decision.ts), acts
 * through footprint-calls.ts, and records one audit event; every refusal is recorded too.
 */
import { CONTACTS_SCOPE } from '../../core/google-scopes';
import { domainOf, type Level, type Share } from '../../core/sharing-model';
import type { AccountRole } from '../../core/footprint';
import {
  FootprintRefusal,
  GROUP_RECHECK_MS,
  listFootprintContacts,
  listFootprintGroups,
  writeFootprint,
  type FootprintFacts,
  type FootprintOutcome,
} from '../../google/footprint-calls';
import { GoogleApiError } from '../../google/google-error';
import { PeopleClient } from '../../google/people-client';
import type { ApiCall } from '../../google/transport';
import type { Caller } from '../platform/auth';
import { HttpError } from '../platform/errors';
import { EVENT } from '../audit/event-types';
import { route, type Route } from '../platform/http';
import type { BackendServices } from '../services';
import { shares } from '../shares/share-store';
import { levelExpands, mayViewMembers } from '../tenants/customer-rules';
import { shareAccounts } from './gateway-store';
import { listContactsBody, listGroupsBody, writeBody } from './gateway-schemas';
import { gatewayRefusal } from './gateway-decision';
import { runGoogleCall } from './google-runner';
import { truncateText } from '../platform/text';

/** The largest gateway request body: 200 contacts, or the people of a 25,000-contact label. */
export const GATEWAY_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** What an account is to a share, or null when the share never reached it and does not now. */
export async function roleOf(
  services: BackendServices,
  share: Share,
  account: string,
): Promise<AccountRole | null> {
  if (account === share.owner.toLowerCase()) return 'master';
  if ((await services.levelOf(share, account)) !== null) return 'copy';
  if (await shares.wasSyncedFor(services.db, share, account)) return 'former';
  return null;
}

/**
 * True when the actor may reach the account through the gateway: the master always; any other
 * account only inside the share's customer, and a participant's copy only through a user grant
 * or through a group or domain grant the actor may have expanded (customer-rules.ts), so that
 * the gateway never tells anyone who is in a group they may not view.
 */
export async function mayReach(
  services: BackendServices,
  share: Share,
  actor: string,
  level: Level,
  account: string,
  role: AccountRole,
): Promise<boolean> {
  if (role === 'master') return true;
  if (!(await services.tenancy.hasAddress(share.domain, account))) return false;
  if (role === 'former') return true;
  if (share.grants.some((grant) => grant.target.kind === 'user' && grant.target.email === account))
    return true;
  if (!levelExpands(level)) return false;
  for (const grant of share.grants) {
    const target = grant.target;
    if (target.kind === 'domain' && domainOf(account) === target.domain) return true;
    if (
      target.kind === 'group' &&
      (await services.directory.groupsOf(account)).includes(target.email) &&
      (await mayViewMembers(services, share.domain, target.email, actor))
    )
      return true;
  }
  return false;
}

/** Google's failure in the account, answered to the caller with Google's status and reason. */
function upstreamError(error: GoogleApiError): HttpError {
  const code = error.reason || error.status.toLowerCase() || 'upstream_error';
  const message = `Google answered ${error.httpStatus} ${error.status} in ${error.operation}`;
  if (error.httpStatus === 429 || error.httpStatus === 503)
    return new HttpError(error.httpStatus, code, message, {
      // A per-minute quota of that account: wait for its window to move on.
      'retry-after': error.httpStatus === 429 ? '20' : '2',
    });
  if (error.httpStatus === 401 || error.httpStatus === 403)
    return new HttpError(403, code, message);
  if (error.httpStatus >= 400 && error.httpStatus < 500)
    return new HttpError(error.httpStatus, code, message);
  return new HttpError(502, code, message);
}

/** Returns the share gateway's routes. */
export function gatewayRoutes(services: BackendServices): Route[] {
  const { db } = services;

  /**
   * Records a refused gateway call in the caller's own chain (the share's, when they are of its
   * customer), with the account only when it is of that customer, then throws.
   */
  const refuse = async (
    who: Caller,
    origin: string,
    tenant: string | null,
    shareId: string,
    operation: string,
    account: string,
    error: HttpError,
  ): Promise<never> =>
    services.refuse(
      who,
      origin,
      {
        type: EVENT.gatewayDenied,
        target: truncateText(account, 320),
        targetTenant: tenant,
        shareId: truncateText(shareId, 200),
        outcome: 'denied',
        detail: { operation, reason: error.code },
      },
      error,
    );

  /**
   * Loads the facts of a call, runs it in the account with a delegated token, remembers what it
   * learnt of the account, and records the call.
   */
  const act = async <T>(
    context: {
      caller: Caller;
      params: Record<string, string>;
      origin: string;
      trace?: string;
      timing?: { upstreamMs: number };
    },
    operation: string,
    account: string,
    run: (client: PeopleClient, facts: FootprintFacts) => ApiCall<FootprintOutcome<T>>,
    after: (facts: FootprintFacts, outcome: FootprintOutcome<T>) => Promise<void>,
  ): Promise<T> => {
    const who = context.caller;
    const shareId = context.params.id ?? '';
    const target = account.toLowerCase();
    const caller = who.email.toLowerCase();
    // The facts are loaded in the decision's order, each only when the earlier ones allow it.
    const found = await shares.get(db, shareId);
    const share = found && found.domain === who.tenant ? found : null;
    const level = share ? await services.levelOf(share, who.email) : null;
    if (share && level !== null && caller !== share.owner.toLowerCase())
      await shareAccounts.recordOwnSync(db, share.id, caller, services.nowIso());
    const role =
      share && level !== null && target !== caller ? await roleOf(services, share, target) : null;
    const reachable =
      share !== null &&
      level !== null &&
      role !== null &&
      (await mayReach(services, share, who.email, level, target, role));
    const refusal = gatewayRefusal({
      shareId,
      callerTenant: who.tenant,
      caller,
      shareTenant: found?.domain ?? null,
      level,
      account: target,
      role,
      reachable,
    });
    if (refusal)
      return refuse(
        who,
        context.origin,
        refusal.inShareChain ? (found?.domain ?? null) : null,
        shareId,
        operation,
        target,
        refusal.error,
      );
    if (!share || level === null || role === null)
      throw new Error('the gateway decision allowed a call without its facts');
    const deny = (error: HttpError): Promise<never> =>
      refuse(who, context.origin, share.domain, shareId, operation, target, error);
    const known =
      role === 'master'
        ? { group: share.labelResourceName, checkedAt: null, reached: true }
        : await shareAccounts.copyGroup(db, share.id, target);
    const facts: FootprintFacts = {
      share,
      account: target,
      role,
      level,
      group: known.group,
      noGroupLately:
        known.group === null &&
        known.checkedAt !== null &&
        services.clock() - Date.parse(known.checkedAt) < GROUP_RECHECK_MS,
      reached: known.reached,
    };
    let outcome: FootprintOutcome<T>;
    try {
      const token = await services.minter.tokenFor(target, [CONTACTS_SCOPE]);
      const started = performance.now();
      try {
        outcome = await runGoogleCall(
          run(new PeopleClient(token.accessToken), facts),
          services.config.peopleApiUrl,
          context.trace,
        );
      } finally {
        if (context.timing) context.timing.upstreamMs += performance.now() - started;
      }
    } catch (error) {
      if (error instanceof FootprintRefusal)
        return deny(
          new HttpError(error.code === 'insufficient_level' ? 403 : 400, error.code, error.message),
        );
      if (error instanceof HttpError && error.status === 403) return deny(error);
      const failure =
        error instanceof GoogleApiError
          ? upstreamError(error)
          : error instanceof HttpError
            ? error
            : null;
      if (!failure) throw error;
      await services.recordNow(share.domain, who.email, context.origin, [
        {
          type: EVENT.gatewayCall,
          target,
          shareId,
          outcome: 'failure',
          detail: { operation, role, level, reason: truncateText(failure.code, 100) },
        },
      ]);
      throw failure;
    }
    await after(facts, outcome);
    await services.recordNow(share.domain, who.email, context.origin, [
      {
        type: EVENT.gatewayCall,
        target,
        shareId,
        outcome: 'success',
        detail: { operation, role, level, ...outcome.counts },
      },
    ]);
    return outcome.value;
  };

  /** Remembers the copy group a call found or made, and that the share wrote to the account. */
  const remember = async (
    facts: FootprintFacts,
    outcome: FootprintOutcome<unknown>,
    wrote: boolean,
  ): Promise<void> => {
    if (facts.role === 'master') return;
    const looked = outcome.looked === true;
    const found = outcome.group !== null && outcome.group !== facts.group;
    if (found || looked || wrote)
      await shareAccounts.record(
        db,
        facts.share.id,
        facts.account,
        { group: outcome.group, looked, wrote },
        services.nowIso(),
      );
  };

  return [
    route({
      method: 'POST',
      path: '/v1/delegated-tokens',
      summary:
        "Retired: no Google token for another person's account leaves the backend (use the share gateway, /v1/shares/{id}/gateway/...). Every request is refused with 410 and audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const error = new HttpError(
          410,
          'tokens_not_issued',
          "the backend no longer hands out tokens for other people's accounts; the add-on reads and writes them through the share gateway",
        );
        return services.refuse(
          who,
          context.origin,
          { type: EVENT.tokenDenied, outcome: 'denied', detail: { reason: error.code } },
          error,
        );
      },
    }),
    route({
      method: 'POST',
      path: '/v1/shares/{id}/gateway/list-contacts',
      summary:
        "The share gateway: one page of another participant's contacts (all, or the changes since a sync token), reduced to the share's footprint: the label's or copy group's contacts and those linked to the share, without hidden fields; with `match`, the account's own contacts for the master's people, reduced to the match (contribute and above). Audited.",
      auth: true,
      maxBodyBytes: GATEWAY_MAX_BODY_BYTES,
      body: listContactsBody,
      handle: async (context) => {
        const { account, ...request } = context.body;
        const body = await act(
          context,
          'list-contacts',
          account,
          (client, facts) => listFootprintContacts(client, facts, request),
          (facts, outcome) => remember(facts, outcome, false),
        );
        return { body };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/shares/{id}/gateway/list-groups',
      summary:
        "The share gateway: the groups of another participant's account that belong to the share (the label, or the copy group). Audited.",
      auth: true,
      body: listGroupsBody,
      handle: async (context) => {
        const body = await act(
          context,
          'list-groups',
          context.body.account,
          (client, facts) => listFootprintGroups(client, facts),
          (facts, outcome) => remember(facts, outcome, false),
        );
        return { body };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/shares/{id}/gateway/write',
      summary:
        "The share gateway: one write of the sync engine in another participant's account, within the share's footprint and as the caller's level allows (view: none; edit: fields of masters and copies; contribute: adding and removing contacts, copy groups, merges; manage: cleaning former participants; owner: all). Audited.",
      auth: true,
      maxBodyBytes: GATEWAY_MAX_BODY_BYTES,
      body: writeBody,
      handle: async (context) => {
        const { account, write } = context.body;
        const body = await act(
          context,
          `write.${write.kind}`,
          account,
          (client, facts) => writeFootprint(client, facts, write),
          async (facts, outcome) => {
            if (write.kind === 'deleteGroup')
              await shareAccounts.forgetGroup(db, facts.share.id, facts.account);
            else await remember(facts, outcome, true);
          },
        );
        return { body };
      },
    }),
  ];
}
