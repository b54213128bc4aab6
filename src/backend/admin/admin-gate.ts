/**
 * This file defines the gate of the admin card's routes: the caller's organisation when they are
 * one of its admins; otherwise the refusal is audited in the caller's own chain (never in the
 * organisation they aimed at) and thrown.
 */
import type { Caller } from '../platform/auth';
import { forbidden } from '../platform/errors';
import { EVENT } from '../audit/event-types';
import type { BackendServices } from '../services';

/** The caller's tenant, once checked to be one of its admins; an audited 403 otherwise. */
export async function adminTenant(
  services: BackendServices,
  who: Caller,
  origin: string,
  action: string,
): Promise<string> {
  if (!who.tenant)
    return services.refuse(
      who,
      origin,
      { type: EVENT.adminDenied, outcome: 'denied', detail: { action, reason: 'no_tenant' } },
      who.tenantProblem ??
        forbidden(
          'a Google Workspace account is required (the ID token has no hd claim)',
          'no_tenant',
        ),
    );
  if (!(await services.isAdminOf(who, who.tenant)))
    return services.refuse(
      who,
      origin,
      { type: EVENT.adminDenied, outcome: 'denied', detail: { action, reason: 'not_admin' } },
      forbidden("only your organisation's admins may do this", 'not_admin'),
    );
  return who.tenant;
}
