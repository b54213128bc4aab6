/**
 * This file defines the backend's services: the objects every route uses (database, audit log,
 * rules, directory, token minter, notifier) and the shared steps built from them — recording
 * audit events in a transaction, raising alerts from rule hits, checking who is an admin.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../core/ports';
import { effectiveLevel, type Level, type Share } from '../core/sharing-model';
import { DownloadLinks, downloadLinkKey } from './admin/download-links';
import { AuditLog, type StoredEvent } from './audit/audit-log';
import type { AuditAnchoring } from './audit/anchoring';
import type { Caller } from './platform/auth';
import type { BackendConfig } from './platform/config';
import type { Database, Sql } from './platform/db';
import { EVENT, isBackendOnlyType } from './audit/event-types';
import { HttpError, forbidden } from './platform/errors';
import type { DelegatedTokenMinter } from './platform/delegated-token-minter';
import type { Directory } from './platform/directory';
import type { Signer } from './platform/signer';
import { SharedRateLimiter } from './platform/rate-limit';
import type { Logger } from './platform/logger';
import type { AlertNotifier } from './rules/notifier';
import type { RuleEngine, RuleHit } from './rules/rules';
import { alerts, type Alert } from './rules/alert-store';
import type { SupportSessions } from './support/support-store';
import { OUTSIDE_CHAIN, Tenancy, VENDOR_CHAIN } from './tenants/tenancy';

/** A server-written audit event: the backend chooses its id and time. */
export type ServerEvent = Omit<AuditEvent, 'id' | 'occurredAt'>;

/** A refused request's event: where it lands is decided by who caused it (refusalChain). */
export interface RefusalEvent extends ServerEvent {
  /** The tenant of `target`, when known: the address is kept only in that tenant's chain. */
  targetTenant?: string | null;
}

/** Records server-written events in the transaction of the change in progress (`audited`). */
export type Recorder = (
  tenant: string,
  actor: string,
  origin: string,
  events: ServerEvent[],
) => Promise<void>;

/** Everything the routes need. */
export class BackendServices {
  readonly audit: AuditLog;
  readonly tenancy: Tenancy;
  /**
   * Audited refusals per caller, across instances; a caller past it is answered 429 without being
   * audited (each instance refuses them at once from its own copy of the bucket).
   */
  readonly refusals: SharedRateLimiter;
  /** Signs the admin card's short-lived download links. */
  readonly downloads: DownloadLinks;
  /** Publishes and checks audit anchors outside the database; absent when not configured. */
  anchoring?: AuditAnchoring;

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
    this.tenancy = new Tenancy(
      db,
      () => this.directory,
      clock,
      { cacheSeconds: config.adminCacheSeconds, refreshSeconds: config.tenantRefreshSeconds },
      (tenant, events) => this.recordNow(tenant, config.serviceAccountEmail, 'backend', events),
      logger,
    );
    this.refusals = new SharedRateLimiter(db, config.refusalsPerMinute, clock);
    this.downloads = new DownloadLinks(downloadLinkKey(config), config.downloadLinkSeconds);
  }

  /** The current time as an ISO-8601 UTC string. */
  nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  /**
   * The caller's tenant (their Workspace customer); a 403 for accounts outside any customer or
   * whose `hd` is not their customer's, a 503 when Google could not be asked.
   */
  tenantOf(caller: Caller): string {
    if (caller.tenant) return caller.tenant;
    throw (
      caller.tenantProblem ??
      forbidden(
        'a Google Workspace account is required (the ID token has no hd claim)',
        'no_tenant',
      )
    );
  }

  /**
   * True when the caller is an administrator of the tenant (Directory API, cached briefly). An
   * admin seen is remembered: any of them may later read the customer's directory, and their
   * first check of the day reads the customer's domains again.
   */
  async isAdminOf(caller: Caller, tenant: string): Promise<boolean> {
    if (caller.tenant !== tenant || !(await this.directory.isAdmin(caller.email))) return false;
    await this.tenancy.adminSeen(caller.customerId, caller.email);
    return true;
  }

  /**
   * The groups a user belongs to, for listings: none (logged) when no admin of their
   * organisation can be used to read them, so that their other shares still list.
   */
  async groupsOrNone(email: string): Promise<string[]> {
    try {
      return await this.directory.groupsOf(email);
    } catch (error) {
      if (!(error instanceof HttpError) || error.code !== 'no_directory_admin') throw error;
      this.logger.log('WARNING', 'group shares are not listed: no usable directory admin', {});
      return [];
    }
  }

  /** The user's level on a share, looking up their groups only when a group grant exists. */
  async levelOf(share: Share, email: string): Promise<Level | null> {
    const needsGroups = share.grants.some((grant) => grant.target.kind === 'group');
    return effectiveLevel(share, email, needsGroups ? await this.directory.groupsOf(email) : []);
  }

  /** True for the vendor's own staff (support agents, security managers, the scheduler). */
  isStaff(caller: Caller): boolean {
    return caller.isSupportAgent || caller.isSecurityManager || caller.isSchedulerInvoker;
  }

  /**
   * The chain a caller's own events and refusals go to: their tenant's; the vendor's for staff
   * outside any customer; `outside.invalid` for anyone else (no `hd`, or an unconfirmed one), so
   * that nobody outside a customer writes into its chain.
   */
  ownChain(caller: Caller): string {
    return caller.tenant ?? (this.isStaff(caller) ? VENDOR_CHAIN : OUTSIDE_CHAIN);
  }

  /**
   * Records a refused request in the chain of whoever caused it (ownChain), never the target
   * customer's, without the target's address unless it belongs there; runs the rules; then throws
   * the refusal. A caller past their refusal budget gets 429 instead, unaudited.
   */
  async refuse(
    caller: Caller,
    origin: string,
    event: RefusalEvent,
    error: HttpError,
  ): Promise<never> {
    const chain = this.ownChain(caller);
    try {
      await this.refusals.take(`refusal:${caller.email}`);
    } catch (throttled) {
      this.logger.log('WARNING', 'refusals past the budget are not audited', { chain });
      throw throttled;
    }
    const { targetTenant, ...stored } = event;
    const keepsTarget =
      stored.target === undefined ||
      !stored.target.includes('@') ||
      chain === VENDOR_CHAIN ||
      chain === OUTSIDE_CHAIN ||
      this.isStaff(caller) ||
      targetTenant === chain ||
      (await this.tenancy.knownIn(chain, stored.target));
    await this.recordNow(chain, caller.email, origin, [
      keepsTarget
        ? stored
        : {
            ...stored,
            target: undefined,
            detail: { ...stored.detail, targetOutside: true },
          },
    ]);
    throw error;
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

  /**
   * Makes a change and records its audit events in one transaction (`record` writes them with
   * the change, so that both commit or neither does), then runs the anomaly rules on the events
   * recorded; returns what the change returns.
   */
  async audited<T>(change: (tx: Sql, record: Recorder) => Promise<T>): Promise<T> {
    const stored: StoredEvent[] = [];
    const result = await this.db.transaction((tx) =>
      change(tx, async (tenant, actor, origin, events) => {
        stored.push(...(await this.record(tx, tenant, actor, origin, events)));
      }),
    );
    await this.afterEvents(stored);
    return result;
  }

  /**
   * Records events that go with no change (one event is one statement; several share a
   * transaction), then runs the anomaly rules on them.
   */
  async recordNow(
    tenant: string,
    actor: string,
    origin: string,
    events: ServerEvent[],
  ): Promise<void> {
    if (events.length > 1)
      return this.audited((_tx, record) => record(tenant, actor, origin, events));
    await this.afterEvents(await this.record(this.db, tenant, actor, origin, events));
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

  /**
   * Raises an alert for each hit (unless one is unresolved already), audits it and queues its
   * notification in the same transaction, then starts delivering (notifier.ts: at least once).
   */
  async raise(hits: RuleHit[]): Promise<Alert[]> {
    const raised: Alert[] = [];
    for (const hit of hits) {
      const alert = await this.db.transaction(async (tx) => {
        const created = await alerts.raise(tx, hit, this.nowIso());
        if (created) {
          await this.record(tx, created.tenant, this.config.serviceAccountEmail, 'backend', [
            {
              type: EVENT.alertRaised,
              target: created.actor,
              outcome: 'success',
              detail: { alertId: created.id, rule: created.rule },
            },
          ]);
          await this.notifier.enqueue(tx, created);
        }
        return created;
      });
      if (alert) {
        raised.push(alert);
        this.logger.log('WARNING', 'alert raised', {
          alertId: alert.id,
          rule: alert.rule,
          tenant: alert.tenant,
        });
        this.notifier.kick();
      }
    }
    return raised;
  }
}
