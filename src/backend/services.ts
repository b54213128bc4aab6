/**
 * This file defines the backend's services: the objects every route uses (database, audit log,
 * rules, directory, token minter, notifier) and the shared steps built from them — recording
 * audit events in a transaction, raising alerts from rule hits, checking who is an admin.
 */
import { randomUUID } from 'node:crypto';
import { AuditLog, type StoredEvent } from './audit-log';
import type { Caller } from './auth';
import type { BackendConfig } from './config';
import type { Database, Sql } from './db';
import { EVENT, isBackendOnlyType } from './event-types';
import { forbidden } from './errors';
import type { DelegatedTokenMinter, Directory, Signer } from './google-access';
import type { Logger } from './logger';
import type { AlertNotifier } from './notifier';
import type { RuleEngine, RuleHit } from './rules';
import { alerts, type Alert } from './stores';
import type { SupportSessions } from './support-sessions';

/** A server-written audit event: the backend chooses its id and time. */
export interface ServerEvent {
  type: string;
  target?: string;
  shareId?: string;
  outcome: 'success' | 'failure' | 'denied';
  detail?: Record<string, string | number | boolean>;
}

/** Everything the routes need. */
export class BackendServices {
  readonly audit: AuditLog;

  constructor(
    readonly config: BackendConfig,
    readonly db: Database,
    readonly rules: RuleEngine,
    readonly directory: Directory,
    readonly minter: DelegatedTokenMinter,
    readonly signer: Signer,
    readonly notifier: AlertNotifier,
    readonly sessions: SupportSessions,
    readonly logger: Logger,
    readonly clock: () => number,
  ) {
    this.audit = new AuditLog(db);
  }

  /** The current time as an ISO-8601 UTC string. */
  nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  /** The caller's tenant; a 403 for accounts outside any Workspace domain. */
  tenantOf(caller: Caller): string {
    if (!caller.tenant)
      throw forbidden(
        'a Google Workspace account is required (the ID token has no hd claim)',
        'no_tenant',
      );
    return caller.tenant;
  }

  /** True when the caller is an administrator of `domain` (Directory API, cached briefly). */
  async isAdminOf(caller: Caller, domain: string): Promise<boolean> {
    return caller.tenant === domain && (await this.directory.isAdmin(caller.email));
  }

  /**
   * Records server-written events in the tenant's chain. Several events need `sql` to be a
   * transaction; a single event is one atomic statement, so `sql` may then be the database itself.
   * Every type must be backend-only (event-types.ts), so that no client can send a look-alike.
   */
  async record(
    sql: Sql,
    tenant: string,
    actor: string,
    origin: string,
    events: ServerEvent[],
  ): Promise<StoredEvent[]> {
    for (const event of events)
      if (!isBackendOnlyType(event.type))
        throw new Error(`"${event.type}" is not a backend-only event type; see event-types.ts`);
    const at = this.nowIso();
    const context = { tenant, actor, origin, receivedAt: at };
    const inputs = events.map((event) => ({ ...event, id: randomUUID(), occurredAt: at }));
    const [only] = inputs;
    if (only && inputs.length === 1)
      return [await this.audit.appendServerEvent(sql, context, only)];
    return (await this.audit.append(context, inputs, sql)).stored;
  }

  /** Runs the rules for newly stored events and raises alerts; a failure is logged, not thrown. */
  async afterEvents(events: StoredEvent[]): Promise<Alert[]> {
    if (events.length === 0) return [];
    try {
      const hits = await this.rules.onIngest(this.db, events, this.clock());
      return await this.raise(hits);
    } catch (error) {
      this.logger.log('ERROR', 'anomaly rules failed on ingest; the next scan re-evaluates them', {
        error: error instanceof Error ? error.message : String(error),
      });
      return [];
    }
  }

  /** Raises an alert for each hit (unless one is unresolved already), audits and notifies it. */
  async raise(hits: RuleHit[]): Promise<Alert[]> {
    const raised: Alert[] = [];
    for (const hit of hits) {
      const alert = await this.db.transaction(async (tx) => {
        const created = await alerts.raise(tx, hit, this.nowIso());
        if (created)
          await this.record(tx, created.tenant, this.config.serviceAccountEmail, 'backend', [
            {
              type: EVENT.alertRaised,
              target: created.actor,
              outcome: 'success',
              detail: { alertId: created.id, rule: created.rule },
            },
          ]);
        return created;
      });
      if (alert) {
        raised.push(alert);
        this.logger.log('WARNING', 'alert raised', {
          alertId: alert.id,
          rule: alert.rule,
          tenant: alert.tenant,
        });
        this.notifier.notify(alert);
      }
    }
    return raised;
  }
}
