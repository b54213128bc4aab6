/**
 * This file defines the audited step every share change ends with: the change and its success
 * event in the share's customer's chain, in one transaction (optionally on the share locked as read).
 */
import type { Share } from '../../core/sharing-model';
import type { Caller } from '../platform/auth';
import type { Sql } from '../platform/db';
import { conflict } from '../platform/errors';
import type { BackendServices, ServerEvent } from '../services';
import { shares } from './share-store';

/** What a share change tells its success event: the type, and any target and detail. */
export type ShareChangeEvent = Pick<ServerEvent, 'type' | 'target' | 'detail'>;

/**
 * Runs `change` and records the success event it describes (by the caller, on the share, in the
 * share's customer's chain) in one transaction, then runs the anomaly rules on it.
 */
export async function auditedShareChange(
  services: BackendServices,
  share: Share,
  who: Caller,
  origin: string,
  change: (tx: Sql) => Promise<ShareChangeEvent>,
): Promise<void> {
  await services.audited(async (tx, record) => {
    const event = await change(tx);
    await record(share.domain, who.email, origin, [
      { ...event, shareId: share.id, outcome: 'success' },
    ]);
  });
}

/**
 * Like {@link auditedShareChange}, on the share locked in the transaction; answers 409
 * `stale_share` when it changed (or went) since `share` was read.
 */
export async function lockedShareChange(
  services: BackendServices,
  share: Share,
  who: Caller,
  origin: string,
  change: (tx: Sql, locked: Share) => Promise<ShareChangeEvent>,
): Promise<void> {
  await auditedShareChange(services, share, who, origin, async (tx) => {
    const locked = await shares.get(tx, share.id, true);
    if (!locked || locked.updatedAt !== share.updatedAt)
      throw conflict('the share changed meanwhile; read it again and retry', 'stale_share');
    return change(tx, locked);
  });
}
