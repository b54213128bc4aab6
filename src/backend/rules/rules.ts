/**
 * This file defines the anomaly rules of DESIGN.md §7 over the audit log: one actor opening many
 * distinct users of one domain, support access outside an open session, bursts of failed second-
 * factor checks, mass revocation or deletion, and one actor reaching unusually many accounts
 * through the share gateway. Rules run on ingest (for the actors and event types of the new
 * events) and on a schedule (/v1/scan).
 */
import type { StoredEvent } from '../audit/audit-log';
import type { RuleThresholds } from '../platform/config';
import type { Sql } from '../platform/db';
import { EVENT, REVOCATION_TYPES, SUPPORT_ACCESS_PREFIX } from '../audit/event-types';
import type { SupportSessions } from '../support/support-store';

/** A rule that fired: an alert to raise. */
export interface RuleHit {
  tenant: string;
  actor: string;
  rule: string;
  summary: string;
}

export const RULES = {
  distinctUsers: 'support_distinct_users',
  withoutSession: 'support_without_session',
  otpFailures: 'otp_failures',
  massRevocation: 'mass_revocation',
  tokenVolume: 'token_volume',
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** Which windowed rules to evaluate for an actor. */
export interface Wanted {
  distinctUsers: boolean;
  otpFailures: boolean;
  revocations: boolean;
  tokenVolume: boolean;
}

/** Every windowed rule (the scheduled scan). */
export const ALL_RULES: Readonly<Wanted> = {
  distinctUsers: true,
  otpFailures: true,
  revocations: true,
  tokenVolume: true,
};

/** Evaluates the rules against the audit log. */
export class RuleEngine {
  constructor(
    private readonly thresholds: RuleThresholds,
    private readonly sessions: SupportSessions,
  ) {}

  /** Rules triggered by newly stored events: only the rules their types concern are evaluated. */
  async onIngest(sql: Sql, events: StoredEvent[], now: number): Promise<RuleHit[]> {
    const hits: RuleHit[] = [];
    const wanted = new Map<string, Wanted & { tenant: string }>();
    for (const event of events) {
      const access = event.type.startsWith(SUPPORT_ACCESS_PREFIX);
      const otp = event.type === EVENT.otpVerify;
      const revocation = REVOCATION_TYPES.includes(event.type);
      const token = event.type === EVENT.gatewayCall && event.outcome === 'success';
      if (!access && !otp && !revocation && !token) continue;
      const entry = wanted.get(event.actor) ?? {
        tenant: event.tenant,
        distinctUsers: false,
        otpFailures: false,
        revocations: false,
        tokenVolume: false,
      };
      entry.distinctUsers ||= access;
      entry.otpFailures ||= otp;
      entry.revocations ||= revocation;
      entry.tokenVolume ||= token;
      wanted.set(event.actor, entry);
      if (access && event.outcome === 'success') {
        const sessionId =
          typeof event.detail.sessionId === 'string' ? event.detail.sessionId : undefined;
        if (!(await this.sessions.openSession(event.actor, sessionId)))
          hits.push({
            tenant: event.tenant,
            actor: event.actor,
            rule: RULES.withoutSession,
            summary: `support access (${event.type}) without an open support session`,
          });
      }
    }
    for (const [actor, entry] of wanted)
      hits.push(...(await this.evaluate(sql, actor, entry.tenant, entry, now)));
    return hits;
  }

  /** Evaluates every windowed rule for every actor active within the longest window. */
  async scan(sql: Sql, now: number): Promise<RuleHit[]> {
    const t = this.thresholds;
    const longest = Math.max(
      t.distinctUsersWindowSeconds,
      t.otpFailuresWindowSeconds,
      t.massRevocationsWindowSeconds,
      t.tokenVolumeWindowSeconds,
    );
    const actors = await sql.query<{ actor: string; tenant: string }>(
      'SELECT actor, min(tenant) AS tenant FROM audit_events WHERE received_at >= $1 GROUP BY actor',
      [iso(now - longest * 1000)],
    );
    const hits: RuleHit[] = [];
    for (const { actor, tenant } of actors)
      hits.push(...(await this.evaluate(sql, actor, tenant, ALL_RULES, now)));
    return hits;
  }

  /**
   * Evaluates the windowed rules for one actor. Accesses before a security manager resolved the
   * actor's last distinct-users alert are not counted again: they were reviewed.
   */
  async evaluate(
    sql: Sql,
    actor: string,
    tenant: string,
    wanted: Wanted,
    now: number,
  ): Promise<RuleHit[]> {
    const t = this.thresholds;
    const hits: RuleHit[] = [];
    if (wanted.distinctUsers) {
      const rows = await sql.query<{ domain: string; users: number }>(
        `SELECT tenant AS domain, count(DISTINCT lower(target))::int AS users
         FROM audit_events
         WHERE actor = $1 AND received_at >= $2 AND starts_with(type, $3) AND outcome = 'success' AND target LIKE '%@%'
           AND received_at > coalesce((SELECT max(resolved_at) FROM alerts WHERE actor = $1 AND rule = $5), '')
         GROUP BY 1 HAVING count(DISTINCT lower(target)) >= $4`,
        [
          actor,
          iso(now - t.distinctUsersWindowSeconds * 1000),
          SUPPORT_ACCESS_PREFIX,
          t.distinctUsers,
          RULES.distinctUsers,
        ],
      );
      for (const row of rows)
        hits.push({
          tenant: row.domain,
          actor,
          rule: RULES.distinctUsers,
          summary: `opened ${row.users} distinct users of ${row.domain} within ${t.distinctUsersWindowSeconds} s`,
        });
    }
    const counted = [
      ...(wanted.otpFailures ? [EVENT.otpVerify] : []),
      ...(wanted.revocations ? REVOCATION_TYPES : []),
      ...(wanted.tokenVolume ? [EVENT.gatewayCall] : []),
    ];
    if (counted.length > 0) {
      const windows = [
        wanted.otpFailures ? t.otpFailuresWindowSeconds : 0,
        wanted.revocations ? t.massRevocationsWindowSeconds : 0,
        wanted.tokenVolume ? t.tokenVolumeWindowSeconds : 0,
      ];
      const since = (seconds: number) => iso(now - seconds * 1000);
      // Only the wanted types are read, through the (actor, type, received_at) index.
      const [row] = await sql.query<{ otp: number; revocations: number; tokens: number }>(
        `SELECT
           count(*) FILTER (WHERE type = $2 AND outcome = 'failure' AND received_at >= $3)::int AS otp,
           count(*) FILTER (WHERE type = ANY($4::text[]) AND outcome = 'success' AND received_at >= $5)::int AS revocations,
           count(DISTINCT target) FILTER (WHERE type = $6 AND outcome = 'success' AND received_at >= $7)::int AS tokens
         FROM audit_events WHERE actor = $1 AND type = ANY($9::text[]) AND received_at >= $8`,
        [
          actor,
          EVENT.otpVerify,
          since(t.otpFailuresWindowSeconds),
          REVOCATION_TYPES,
          since(t.massRevocationsWindowSeconds),
          EVENT.gatewayCall,
          since(t.tokenVolumeWindowSeconds),
          since(Math.max(...windows)),
          counted,
        ],
      );
      if (wanted.otpFailures && row && row.otp >= t.otpFailures)
        hits.push({
          tenant,
          actor,
          rule: RULES.otpFailures,
          summary: `${row.otp} failed second-factor checks`,
        });
      if (wanted.revocations && row && row.revocations >= t.massRevocations)
        hits.push({
          tenant,
          actor,
          rule: RULES.massRevocation,
          summary: `${row.revocations} revocations or deletions`,
        });
      if (wanted.tokenVolume && row && row.tokens >= t.tokenVolume)
        hits.push({
          tenant,
          actor,
          rule: RULES.tokenVolume,
          summary: `reached ${row.tokens} distinct accounts through the share gateway`,
        });
    }
    return hits;
  }
}
