/** This file defines how a refused share request is answered: audited in the caller's tenant chain, then thrown. */
import type { Caller } from './auth';
import type { HttpError } from './errors';
import { EVENT } from './event-types';
import type { BackendServices } from './services';

/**
 * Records a refused share request (`share.denied`, with the refusal's code and, when given, the
 * operation) in the caller's tenant chain, runs the anomaly rules on it, then throws the refusal.
 */
export async function refuseShareRequest(
  services: BackendServices,
  who: Caller,
  origin: string,
  shareId: string,
  error: HttpError,
  operation?: string,
): Promise<never> {
  if (who.tenant) {
    const stored = await services.record(services.db, who.tenant, who.email, origin, [
      {
        type: EVENT.shareDenied,
        shareId: shareId.slice(0, 200),
        outcome: 'denied',
        detail: { reason: error.code, ...(operation ? { operation } : {}) },
      },
    ]);
    await services.afterEvents(stored);
  }
  throw error;
}
