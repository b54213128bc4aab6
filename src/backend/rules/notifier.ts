/**
 * This file defines alert notifications, delivered at least once by whichever instance is alive:
 * a notification is written to the `alert_outbox` table (migration 007) in the transaction that
 * raises its alert; any instance then claims due rows (FOR UPDATE SKIP LOCKED, for a lease),
 * POSTs each to the Google Chat incoming webhook, and marks it delivered, or due again after a
 * growing delay. The raising instance starts at once in the background, so the request is never
 * held up; if it dies, the lease runs out and the next `/v1/scan` (Cloud Scheduler) or any other
 * instance's delivery run takes the row over. A notification can thus arrive twice (the instance
 * died after the webhook accepted it), never not at all while the webhook comes back within the
 * retry budget; each carries the alert id, so the receiver can tell.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../platform/db';
import type { Logger } from '../platform/logger';
import type { Alert } from './alert-store';

/** Timing of deliveries. */
export interface DeliveryOptions {
  /** First retry delay; each failure doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts before a notification is given up (and an ERROR logged). */
  maxAttempts: number;
  /** How long a claimed notification is left to its claimer before another may take it. */
  leaseMs: number;
  /** Timeout of one POST to the webhook (below the lease). */
  timeoutMs: number;
}

/** 200 ms doubling up to an hour, 30 attempts (about a day), a 30 s lease, 10 s per POST. */
export const DEFAULT_DELIVERY: DeliveryOptions = {
  baseDelayMs: 200,
  maxDelayMs: 3_600_000,
  maxAttempts: 30,
  leaseMs: 30_000,
  timeoutMs: 10_000,
};

interface OutboxRow {
  alert_id: string;
  payload: string;
  attempts: number;
}

/** What one delivery run did. */
export interface DeliveryReport {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
}

/** The Chat message of an alert: who, what and where, with the alert id (no contact data). */
export function alertMessage(alert: Alert): string {
  return JSON.stringify({
    text: `Shared Contacts security alert (${alert.rule}) for ${alert.actor} in ${alert.tenant}: ${alert.summary}. Alert id ${alert.id}.`,
  });
}

/** Queues and delivers alert notifications through the shared outbox. */
export class AlertNotifier {
  /** This instance's name in `claimed_by`. */
  readonly instanceId = randomUUID();
  private readonly inflight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    private readonly db: Sql,
    private readonly webhookUrl: string | undefined,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    options: DeliveryOptions = DEFAULT_DELIVERY,
  ) {
    // A POST must end well within the lease, or another instance could take the row meanwhile.
    this.options = {
      ...options,
      timeoutMs: Math.min(options.timeoutMs, Math.max(1000, options.leaseMs - 500)),
    };
  }

  private readonly options: DeliveryOptions;

  /** Queues the alert's notification in the transaction that raised it (nothing without a webhook). */
  async enqueue(tx: Sql, alert: Alert): Promise<void> {
    if (!this.webhookUrl) return;
    await tx.query(
      `INSERT INTO alert_outbox (alert_id, payload, created_at, next_attempt_ms)
       VALUES ($1, $2, $3, $4) ON CONFLICT (alert_id) DO NOTHING`,
      [alert.id, alertMessage(alert), new Date(this.clock()).toISOString(), this.clock()],
    );
  }

  /** Starts a delivery run in the background (after the raising transaction committed). */
  kick(): void {
    if (!this.webhookUrl || this.closed) return;
    this.track(this.deliverDue());
  }

  /**
   * Claims the notifications due now (at most `limit`), delivers them in parallel and records
   * each outcome. Used by the background runs and by /v1/scan, on any instance.
   */
  async deliverDue(limit = 20): Promise<DeliveryReport> {
    const report: DeliveryReport = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
    const url = this.webhookUrl;
    if (!url) return report;
    const now = this.clock();
    const claimed = await this.db.query<OutboxRow>(
      `UPDATE alert_outbox SET claimed_by = $2, claimed_until_ms = $3, attempts = attempts + 1
       WHERE alert_id IN (
         SELECT alert_id FROM alert_outbox
         WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_ms <= $1
           AND (claimed_until_ms IS NULL OR claimed_until_ms <= $1)
         ORDER BY next_attempt_ms LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING alert_id, payload, attempts`,
      [now, this.instanceId, now + this.options.leaseMs, limit],
    );
    report.claimed = claimed.length;
    await Promise.all(
      claimed.map(async (row) => {
        const outcome = await this.deliver(url, row);
        report[outcome] += 1;
      }),
    );
    return report;
  }

  /** Waits for background runs and scheduled retries of this instance (tests, shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.inflight.size > 0) {
        await Promise.allSettled([...this.inflight]);
        continue;
      }
      if (this.timer === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, this.timerAt - Date.now())));
    }
  }

  /** Stops scheduling retries; deliveries in flight finish. Other instances take over the rest. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async deliver(url: string, row: OutboxRow): Promise<keyof DeliveryReport> {
    let status = 0;
    let error = '';
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: row.payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (cause) {
      error = cause instanceof Error ? cause.name : 'network error';
    }
    const at = new Date(this.clock()).toISOString();
    if (status >= 200 && status < 300) {
      await this.db.query(
        'UPDATE alert_outbox SET delivered_at = $2, claimed_until_ms = NULL WHERE alert_id = $1',
        [row.alert_id, at],
      );
      return 'delivered';
    }
    const reason = status ? `HTTP ${status}` : error;
    const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
    if (permanent || row.attempts >= this.options.maxAttempts) {
      await this.db.query(
        'UPDATE alert_outbox SET failed_at = $2, claimed_until_ms = NULL, last_error = $3 WHERE alert_id = $1',
        [row.alert_id, at, reason],
      );
      this.logger.log(
        'ERROR',
        permanent
          ? 'alert notification rejected by the webhook'
          : 'alert notification failed after retries',
        { alertId: row.alert_id, status, attempts: row.attempts },
      );
      return 'failed';
    }
    const delay = Math.min(
      this.options.maxDelayMs,
      this.options.baseDelayMs * 2 ** Math.max(0, row.attempts - 1),
    );
    const next = this.clock() + delay;
    await this.db.query(
      'UPDATE alert_outbox SET next_attempt_ms = $2, claimed_until_ms = NULL, last_error = $3 WHERE alert_id = $1',
      [row.alert_id, next, reason],
    );
    this.schedule(delay);
    return 'retrying';
  }

  /** Runs a delivery on this instance once `delay` has passed (while the instance lives). */
  private schedule(delay: number): void {
    if (this.closed) return;
    const at = Date.now() + delay;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.kick();
    }, delay);
    this.timer.unref();
  }

  private track(run: Promise<unknown>): void {
    const tracked = run
      .catch((error: unknown) =>
        this.logger.log('WARNING', 'alert notification run failed; the next run retries', {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }
}
