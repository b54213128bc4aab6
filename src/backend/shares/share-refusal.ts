/** This file defines how a refused share request is answered: audited in the caller's own chain, then thrown. */
import type { Caller } from '../platform/auth';
import type { HttpError } from '../platform/errors';
import { EVENT } from '../audit/event-types';
import type { BackendServices } from '../services';
import { truncateText } from '../platform/text';

/**
 * Records a refused share request (`share.denied`, with the refusal's code and, when given, the
 * operation) in the chain of the caller (never the share's customer's when they are outside it),
 * runs the anomaly rules on it, then throws the refusal.
 */
export async function refuseShareRequest(
  services: BackendServices,
  who: Caller,
  origin: string,
  shareId: string,
  error: HttpError,
  operation?: string,
): Promise<never> {
  return services.refuse(
    who,
    origin,
    {
      type: EVENT.shareDenied,
      shareId: truncateText(shareId, 200),
      outcome: 'denied',
      detail: { reason: error.code, ...(operation ? { operation } : {}) },
    },
    error,
  );
}
