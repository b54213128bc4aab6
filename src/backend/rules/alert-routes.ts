/**
 * This file defines the routes of the alerts the anomaly rules raise (listing, justifying,
 * resolving) and the scheduled scan that runs the windowed rules and the periodic work.
 */
import { EVENT } from '../audit/event-types';
import { runScheduledWork } from '../audit/scheduled';
import type { Caller } from '../platform/auth';
import type { Sql } from '../platform/db';
import { conflict, forbidden, notFound } from '../platform/errors';
import { route, type Route } from '../platform/http';
import { emptyBody } from '../platform/schemas';
import type { BackendServices } from '../services';
import { alerts, type Alert } from './alert-store';
import * as schema from './alert-schemas';

/** Returns the alert and scan routes. */
export function alertRoutes(services: BackendServices): Route[] {
  const { db } = services;

  /**
   * Moves an alert to its next state: locks it (404 when there is none), lets `step` refuse the
   * move, applies it and records `type` about the alert's actor in the same transaction.
   */
  const moveAlert = (
    who: Caller,
    id: string,
    origin: string,
    type: string,
    step: { check: (current: Alert) => void; apply: (tx: Sql) => Promise<void> },
  ): Promise<Alert | null> =>
    services.audited(async (tx, record) => {
      const current = await alerts.get(tx, id, true);
      if (!current) throw notFound(`no alert ${id}`);
      step.check(current);
      await step.apply(tx);
      await record(current.tenant, who.email, origin, [
        { type, target: current.actor, outcome: 'success', detail: { alertId: id } },
      ]);
      return alerts.get(tx, id);
    });

  return [
    route({
      method: 'GET',
      path: '/v1/alerts',
      summary:
        "Lists alerts: all for security managers; otherwise the caller's own and, for admins, their domain's.",
      auth: true,
      query: schema.alertsQuery,
      handle: async (context) => {
        const who = context.caller;
        const q = context.query;
        if (who.isSecurityManager) return { body: { alerts: await alerts.list(db, q) } };
        const own = await alerts.list(db, { status: q.status, actor: who.email });
        const domainAlerts =
          who.tenant && (await services.isAdminOf(who, who.tenant))
            ? await alerts.list(db, { status: q.status, tenant: who.tenant })
            : [];
        const merged = new Map<string, Alert>(
          [...own, ...domainAlerts].map((alert) => [alert.id, alert]),
        );
        const list = [...merged.values()].filter(
          (alert) => q.actor === undefined || alert.actor === q.actor,
        );
        return { body: { alerts: list } };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/alerts/{id}/justify',
      summary: 'The alerted actor explains what they did: open → justified.',
      auth: true,
      body: schema.justifyBody,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const alert = await moveAlert(who, id, context.origin, EVENT.alertJustified, {
          check: (current) => {
            if (current.actor !== who.email && !who.isSecurityManager)
              throw notFound(`no alert ${id}`);
            if (current.actor !== who.email)
              throw forbidden('only the alerted actor may justify an alert');
            if (current.status !== 'open')
              throw conflict(`the alert is ${current.status}, not open`, 'alert_state');
          },
          apply: (tx) => alerts.justify(tx, id, context.body.justification, services.nowIso()),
        });
        return { body: alert };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/alerts/{id}/resolve',
      summary: 'A security manager closes a justified alert: justified → resolved.',
      auth: true,
      body: schema.resolveBody,
      handle: async (context) => {
        const who = context.caller;
        if (!who.isSecurityManager)
          throw forbidden(
            'only vendor security managers may resolve alerts',
            'not_security_manager',
          );
        const id = context.params.id ?? '';
        const alert = await moveAlert(who, id, context.origin, EVENT.alertResolved, {
          check: (current) => {
            if (current.actor === who.email)
              throw forbidden('you may not resolve an alert about yourself');
            if (current.status !== 'justified')
              throw conflict(
                `the alert is ${current.status}; it must be justified by its actor first`,
                'alert_state',
              );
          },
          apply: (tx) =>
            alerts.resolve(tx, id, who.email, context.body.resolution, services.nowIso()),
        });
        return { body: alert };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/scan',
      summary:
        'Runs the windowed anomaly rules over recent events, delivers due alert notifications, purges events past retention and publishes the audit anchor when due (Cloud Scheduler).',
      auth: true,
      body: emptyBody,
      handle: async (context) => {
        const who = context.caller;
        if (!who.isSchedulerInvoker && !who.isSecurityManager)
          throw forbidden('only the scheduler or a security manager may run a scan');
        const hits = await services.rules.scan(db, services.clock());
        const raised = await services.raise(hits);
        const scheduled = await runScheduledWork(services);
        return { body: { hits: hits.length, alertsRaised: raised.length, ...scheduled } };
      },
    }),
  ];
}
