/**
 * This file defines what `/v1/scan` (Cloud Scheduler, every few minutes, any instance) does
 * besides the anomaly rules, and the anchored form of `/v1/audit/verify`: deliver due alert
 * notifications (also those an instance that died left behind), forget idle rate-limit buckets,
 * purge events past their retention period (anchoring the cut first), and publish the chains'
 * anchor when the interval has passed. Each step's failure is logged and reported without
 * stopping the others.
 */
import type { VerifyResult } from './audit-log';
import { pruneRateLimitBuckets } from '../platform/rate-limit';
import type { BackendServices } from '../services';
import type { AnchorCheck, PublishReport } from './anchoring';
import { purgeExpiredEvents, type PurgeReport } from './retention';

/** A chain verified from its cut and checked against the latest anchor. */
export type AnchoredVerifyResult = VerifyResult & { anchor: AnchorCheck };

/**
 * Verifies a tenant's chain (audit-log.ts) and checks it against the latest anchor: a mismatch or
 * an anchor not signed by the backend makes the result not ok.
 */
export async function verifyAgainstAnchor(
  services: BackendServices,
  tenant: string,
): Promise<AnchoredVerifyResult> {
  // A tenant's chains: its own and those of domains that joined its customer (tenancy.ts).
  const chains = await services.tenancy.chainsOf(tenant);
  let checked = 0;
  let own: AnchoredVerifyResult | undefined;
  for (const name of chains) {
    const result = await verifyChainAgainstAnchor(services, name);
    checked += result.checked;
    if (!result.ok)
      return { ...result, tenant, checked, ...(name !== tenant ? { chain: name } : {}) };
    own ??= result;
  }
  if (!own) throw new Error(`no chain named for ${tenant}`);
  return { ...own, tenant, checked, ...(chains.length > 1 ? { chains } : {}) };
}

/** Verifies one chain and checks it against its latest anchor. */
async function verifyChainAgainstAnchor(
  services: BackendServices,
  tenant: string,
): Promise<AnchoredVerifyResult> {
  const chain = await services.audit.verify(tenant);
  if (!services.anchoring) return { ...chain, anchor: { status: 'not_configured' } };
  const anchor = await services.anchoring.check(tenant, await services.audit.cutOf(tenant));
  if (anchor.status !== 'mismatch' && anchor.status !== 'invalid_signature')
    return { ...chain, anchor };
  return {
    ...chain,
    ok: false,
    firstBroken: chain.firstBroken ?? {
      seq: anchor.mismatchAt ?? 0,
      eventId: null,
      reason: anchor.reason ?? 'the chain does not match the latest anchor',
    },
    anchor,
  };
}

/** What the scheduled work did, step by step (`error` when a step failed). */
export interface ScheduledReport {
  notifications: { delivered: number; retrying: number; failed: number } | { error: string };
  rateLimitBucketsPruned: number | { error: string };
  retention: PurgeReport | { error: string };
  anchor: PublishReport | null | { error: string };
}

/** Runs the scheduled steps; raises an alert for each chain that no longer matches its anchor. */
export async function runScheduledWork(services: BackendServices): Promise<ScheduledReport> {
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T | { error: string }> => {
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      services.logger.log('ERROR', `scheduled ${name} failed`, { error: message });
      return { error: message };
    }
  };
  const notifications = await step('alert notifications', async () => {
    const { delivered, retrying, failed } = await services.notifier.deliverDue(100);
    return { delivered, retrying, failed };
  });
  const rateLimitBucketsPruned = await step('rate-limit pruning', () =>
    pruneRateLimitBuckets(services.db, services.clock()),
  );
  const retention = await step('retention purge', () => purgeExpiredEvents(services));
  const anchor = await step('anchoring', async () => {
    if (!services.anchoring) return null;
    const published = await services.anchoring.publishIfDue();
    if (published) await raiseMismatches(services, published);
    return published;
  });
  return { notifications, rateLimitBucketsPruned, retention, anchor };
}

/** Publishes an anchor now (POST /v1/audit/anchors) and alerts on chains that departed from it. */
export async function publishAnchorNow(services: BackendServices): Promise<PublishReport> {
  if (!services.anchoring) throw new Error('anchoring is not configured');
  const published = await services.anchoring.publish();
  await raiseMismatches(services, published);
  return published;
}

async function raiseMismatches(services: BackendServices, report: PublishReport): Promise<void> {
  if (report.mismatched.length === 0) return;
  for (const { tenant, seq, reason } of report.mismatched)
    services.logger.log('ERROR', 'an audit chain no longer matches its anchor', {
      tenant,
      seq,
      reason,
    });
  await services.raise(
    report.mismatched.map(({ tenant, seq, reason }) => ({
      tenant,
      // One open alert per chain: the actor names the chain, not a person.
      actor: `audit-anchor@${tenant}`,
      rule: 'audit_anchor_mismatch',
      summary: `the audit chain departs from its anchor at event ${seq}: ${reason}`,
    })),
  );
}
