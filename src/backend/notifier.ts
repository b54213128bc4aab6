/**
 * This file defines alert notifications: a POST to a Google Chat incoming webhook, retried with
 * backoff in the background so that it never blocks or fails the request that raised the alert.
 */
import type { Alert } from './stores';
import type { Logger } from './logger';

/** Sends alert notifications; `drain()` waits for deliveries in flight (tests, shutdown). */
export class AlertNotifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly webhookUrl: string | undefined,
    private readonly logger: Logger,
    private readonly attempts = 5,
    private readonly firstDelayMs = 200,
  ) {}

  /** Starts delivering a notification for the alert and returns at once. */
  notify(alert: Alert): void {
    if (!this.webhookUrl) return;
    const delivery = this.deliver(this.webhookUrl, alert).finally(() =>
      this.pending.delete(delivery),
    );
    this.pending.add(delivery);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliver(url: string, alert: Alert): Promise<void> {
    const text = `Shared Contacts security alert (${alert.rule}) for ${alert.actor} in ${alert.tenant}: ${alert.summary}. Alert id ${alert.id}.`;
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=UTF-8' },
          body: JSON.stringify({ text }),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok) return;
        if (response.status < 500 && response.status !== 429) {
          this.logger.log('ERROR', 'alert notification rejected by the webhook', {
            alertId: alert.id,
            status: response.status,
          });
          return;
        }
      } catch {
        // A network error is retried like a 5xx.
      }
      if (attempt < this.attempts)
        await new Promise((resolve) => setTimeout(resolve, this.firstDelayMs * 2 ** (attempt - 1)));
    }
    this.logger.log('ERROR', 'alert notification failed after retries', { alertId: alert.id });
  }
}
