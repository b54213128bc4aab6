/**
 * This file defines the share gateway's decision on a call, as a pure function of the facts the
 * handler loaded: whether the share is the caller's customer's, the caller's level, and what
 * the account is to the share. What each level may then do in the account is core's footprint
 * table (src/core/footprint.ts).
 */
import type { AccountRole } from '../../core/footprint';
import type { Level } from '../../core/sharing-model';
import { badRequest, forbidden, notFound, type HttpError } from '../platform/errors';

/**
 * What the gateway knows of a call, in the order it loads it: a fact after the first refusal
 * is never needed, so the handler loads it only when the earlier facts allow the call.
 */
export interface GatewayCallFacts {
  shareId: string;
  /** The caller's customer, or null when they are of none. */
  callerTenant: string | null;
  /** The caller's address, lower case. */
  caller: string;
  /** The share's customer, or null when there is no such share. */
  shareTenant: string | null;
  /** The caller's level in the share, or null when they take no part in it. */
  level: Level | null;
  /** The account the call is for, lower case. */
  account: string;
  /** What the account is to the share, or null when it never took part. */
  role: AccountRole | null;
  /** Whether the caller may reach that account (gateway-routes.ts mayReach). */
  reachable: boolean;
}

/** A refusal, and whether it belongs in the share's chain (false: another customer's share). */
export interface GatewayRefusal {
  error: HttpError;
  inShareChain: boolean;
}

/** Decides a gateway call: null when it may go on, else the refusal to audit and answer. */
export function gatewayRefusal(facts: GatewayCallFacts): GatewayRefusal | null {
  const noShare = notFound(`no share ${facts.shareId}`);
  // A share of another customer is, to the caller, no share at all.
  if (facts.shareTenant === null || facts.shareTenant !== facts.callerTenant)
    return { error: noShare, inShareChain: false };
  if (facts.level === null) return { error: noShare, inShareChain: true };
  if (facts.account === facts.caller)
    return {
      error: badRequest(
        'your own contacts are read and written with your own token, not through the gateway',
        'own_account',
      ),
      inShareChain: true,
    };
  if (facts.role === null || !facts.reachable)
    return {
      error: forbidden(`${facts.account} takes no part in this share`, 'target_not_participant'),
      inShareChain: true,
    };
  return null;
}
