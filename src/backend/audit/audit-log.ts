/**
 * This file defines the audit log: appending batches of events to a tenant's hash chain
 * (`hash = SHA-256(prev_hash ‖ canonical event)`), idempotently by event id; verifying a chain
 * and reporting its first broken link; and querying events. A single server-written event is
 * appended in one statement that the database hashes itself. Every string is stored and hashed in
 * one canonical form (canonicalEvent). The database rejects UPDATE, DELETE and TRUNCATE on the
 * events, except the retention purge's controlled DELETE (migrations/007).
 */
import type { AuditEvent } from '../../core/ports';
import type { Database, Sql } from '../platform/db';
import { conflict } from '../platform/errors';
import {
  GENESIS_HASH,
  canonicalContext,
  canonicalEvent,
  canonicalJson,
  chainHash,
  chainParts,
  contentDigest,
  eventContent,
} from './event-chain';

/**
 * An event as a client sends it in a batch (audit-schemas.ts checks it), before it is chained: the
 * add-on's AuditEvent (core/ports.ts).
 */
export type AuditEventInput = AuditEvent;

/** An event as stored: the client's fields plus tenant, actor, receive time, origin and chain. */
export interface StoredEvent {
  tenant: string;
  seq: number;
  id: string;
  type: string;
  actor: string;
  target: string | null;
  shareId: string | null;
  outcome: AuditEvent['outcome'];
  detail: Record<string, string | number | boolean>;
  occurredAt: string;
  receivedAt: string;
  origin: string;
  prevHash: string;
  hash: string;
}

/** Who sent a batch, for which tenant, from where and when: set by the server, never the body. */
export interface AppendContext {
  tenant: string;
  actor: string;
  origin: string;
  receivedAt: string;
}

/** The outcome of an append: how many events were new, how many were retries. */
export interface AppendResult {
  accepted: number;
  duplicates: number;
  stored: StoredEvent[];
}

/** What /v1/audit/verify reports. */
export interface VerifyResult {
  tenant: string;
  ok: boolean;
  checked: number;
  /** The chains verified, when the tenant has more than its own. */
  chains?: string[];
  /** The joined chain that is broken, when it is not the tenant's own. */
  chain?: string;
  /** The retention cut verification started from, when events were purged. */
  cut?: { seq: number; hash: string };
  firstBroken?: { seq: number; eventId: string | null; reason: string };
}

/** Filters of an event query; `after` is the last sequence number of the previous page. */
export interface EventFilter {
  tenant?: string;
  type?: string;
  actor?: string;
  target?: string;
  since?: string;
  until?: string;
  after?: number;
  limit: number;
}

interface EventRow {
  tenant: string;
  seq: string;
  event_id: string;
  type: string;
  actor: string;
  target: string | null;
  share_id: string | null;
  outcome: StoredEvent['outcome'];
  detail: string;
  occurred_at: string;
  received_at: string;
  origin: string;
  prev_hash: string;
  hash: string;
}

const EVENT_COLUMNS =
  'tenant, seq::text AS seq, event_id, type, actor, target, share_id, outcome, detail, occurred_at, received_at, origin, prev_hash, hash';

function fromRow(row: EventRow): StoredEvent {
  return {
    tenant: row.tenant,
    seq: Number(row.seq),
    id: row.event_id,
    type: row.type,
    actor: row.actor,
    target: row.target,
    shareId: row.share_id,
    outcome: row.outcome,
    detail: JSON.parse(row.detail) as StoredEvent['detail'],
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    origin: row.origin,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The audit log over the database. */
export class AuditLog {
  constructor(private readonly db: Database) {}

  /**
   * Appends a batch to the tenant's chain in one transaction. Events whose id is already stored
   * with the same content are skipped (a retry); the same id with other content is a 409 and
   * nothing of the batch is stored. With `within`, the append joins that transaction.
   */
  async append(
    sentContext: AppendContext,
    sentEvents: AuditEventInput[],
    within?: Sql,
  ): Promise<AppendResult> {
    const context = canonicalContext(sentContext);
    const events = sentEvents.map(canonicalEvent);
    const digests = new Map<string, string>();
    const unique: AuditEventInput[] = [];
    events.forEach((event, index) => {
      const digest = contentDigest(context.actor, event);
      const seen = digests.get(event.id);
      if (seen === undefined) {
        digests.set(event.id, digest);
        unique.push(event);
      } else if (seen !== digest)
        throw conflict(
          `events[${index}]: event id "${event.id}" appears twice with different content`,
          'event_id_conflict',
        );
    });
    if (within) return this.appendLocked(within, context, unique, digests, events.length);
    return this.db.transaction((tx) =>
      this.appendLocked(tx, context, unique, digests, events.length),
    );
  }

  private async appendLocked(
    tx: Sql,
    context: AppendContext,
    events: AuditEventInput[],
    digests: Map<string, string>,
    sent: number,
  ): Promise<AppendResult> {
    const head = await this.lockHead(tx, context.tenant);
    const existing = await tx.query<{ event_id: string; content_digest: string }>(
      'SELECT event_id, content_digest FROM audit_events WHERE tenant = $1 AND event_id = ANY($2::text[])',
      [context.tenant, events.map((event) => event.id)],
    );
    const stored = new Map(existing.map((row) => [row.event_id, row.content_digest]));
    for (const [id, digest] of stored)
      if (digests.get(id) !== digest)
        throw conflict(
          `event id "${id}" is already stored with different content`,
          'event_id_conflict',
        );
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const fresh: StoredEvent[] = [];
    for (const event of events) {
      if (stored.has(event.id)) continue;
      seq += 1;
      const { tenant, ...content } = eventContent(context, event);
      const base = { tenant, seq, ...content };
      const hash = chainHash(prevHash, base);
      fresh.push({ ...base, prevHash, hash });
      prevHash = hash;
    }
    const last = fresh[fresh.length - 1];
    if (last) {
      const column = <K extends keyof StoredEvent>(key: K) => fresh.map((event) => event[key]);
      await tx.query(
        `WITH appended AS (
           INSERT INTO audit_events (tenant, seq, event_id, type, actor, target, share_id, outcome, detail,
             occurred_at, received_at, origin, content_digest, prev_hash, hash)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[]))
         UPDATE audit_heads SET seq = $16, prev_hash = $17, hash = $18 WHERE tenant = $1`,
        [
          context.tenant,
          column('seq'),
          column('id'),
          column('type'),
          column('actor'),
          column('target'),
          column('shareId'),
          column('outcome'),
          fresh.map((event) => canonicalJson(event.detail)),
          column('occurredAt'),
          column('receivedAt'),
          column('origin'),
          fresh.map((event) => digests.get(event.id)),
          column('prevHash'),
          column('hash'),
          last.seq,
          last.prevHash,
          last.hash,
        ],
      );
    }
    return { accepted: fresh.length, duplicates: sent - fresh.length, stored: fresh };
  }

  /** Locks the tenant's chain head for this transaction, creating it at the genesis hash. */
  private async lockHead(tx: Sql, tenant: string): Promise<{ seq: string; hash: string }> {
    const select = () =>
      tx.query<{ seq: string; hash: string }>(
        'SELECT seq::text AS seq, hash FROM audit_heads WHERE tenant = $1 FOR UPDATE',
        [tenant],
      );
    const [head] = await select();
    if (head) return head;
    await tx.query(
      'INSERT INTO audit_heads (tenant, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant) DO NOTHING',
      [tenant, GENESIS_HASH],
    );
    const [created] = await select();
    if (!created) throw new Error(`audit head of ${tenant} vanished`);
    return created;
  }

  /**
   * Appends one server-written event (its id chosen by the server, so never a retry) in a single
   * statement: the head row is created or advanced under its row lock, the event hashed by the
   * database from the locked head, and stored. Being one statement it is atomic by itself, so
   * `sql` may be the database or a transaction; concurrent appends to the tenant queue on the
   * head's row lock as `append` does, so the chain stays linear.
   */
  async appendServerEvent(
    sql: Sql,
    sentContext: AppendContext,
    sentEvent: AuditEventInput,
  ): Promise<StoredEvent> {
    const context = canonicalContext(sentContext);
    const event = canonicalEvent(sentEvent);
    const content = eventContent(context, event);
    const { prefix, suffix } = chainParts(content);
    // hash = SHA-256(prev_hash ‖ prefix ‖ seq ‖ suffix), the same bytes chainHash hashes.
    const [row] = await sql.query<{ seq: string; prev_hash: string; hash: string }>(
      `WITH head AS (
         INSERT INTO audit_heads AS h (tenant, seq, prev_hash, hash)
         VALUES ($1, 1, $2::text,
           encode(sha256(convert_to($2::text, 'UTF8') || $3::bytea || convert_to('1', 'UTF8') || $4::bytea), 'hex'))
         ON CONFLICT (tenant) DO UPDATE SET seq = h.seq + 1, prev_hash = h.hash,
           hash = encode(sha256(convert_to(h.hash, 'UTF8') || $3::bytea || convert_to((h.seq + 1)::text, 'UTF8') || $4::bytea), 'hex')
         RETURNING seq, prev_hash, hash)
       INSERT INTO audit_events (tenant, seq, event_id, type, actor, target, share_id, outcome, detail,
         occurred_at, received_at, origin, content_digest, prev_hash, hash)
       SELECT $1, head.seq, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, head.prev_hash, head.hash
       FROM head
       RETURNING seq::text AS seq, prev_hash, hash`,
      [
        context.tenant,
        GENESIS_HASH,
        Buffer.from(prefix, 'utf8'),
        Buffer.from(suffix, 'utf8'),
        content.id,
        content.type,
        content.actor,
        content.target,
        content.shareId,
        content.outcome,
        canonicalJson(content.detail),
        content.occurredAt,
        content.receivedAt,
        content.origin,
        contentDigest(context.actor, event),
      ],
    );
    if (!row) throw new Error(`the audit event ${event.id} of ${context.tenant} was not stored`);
    return { ...content, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
  }

  /** The tenant's latest retention cut (sequence number and hash), or the genesis. */
  async cutOf(tenant: string, sql: Sql = this.db): Promise<{ seq: number; hash: string }> {
    const [cut] = await sql.query<{ seq: string; hash: string }>(
      'SELECT seq::text AS seq, hash FROM audit_cuts WHERE tenant = $1 ORDER BY seq DESC LIMIT 1',
      [tenant],
    );
    return cut ? { seq: Number(cut.seq), hash: cut.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Walks a tenant's chain in order from its retention cut (the genesis when nothing was purged)
   * and reports the first changed, removed or reordered row.
   */
  async verify(tenant: string): Promise<VerifyResult> {
    const [head] = await this.db.query<{ seq: string; hash: string }>(
      'SELECT seq::text AS seq, hash FROM audit_heads WHERE tenant = $1',
      [tenant],
    );
    const cut = await this.cutOf(tenant);
    let expectedSeq = cut.seq + 1;
    let prevHash = cut.hash;
    let checked = 0;
    const broken = (seq: number, eventId: string | null, reason: string): VerifyResult => ({
      tenant,
      ok: false,
      checked,
      ...(cut.seq > 0 ? { cut } : {}),
      firstBroken: { seq, eventId, reason },
    });
    for (;;) {
      const rows = await this.db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE tenant = $1 AND seq >= $2 ORDER BY audit_events.seq LIMIT 2000`,
        [tenant, expectedSeq],
      );
      for (const row of rows) {
        const event = fromRow(row);
        if (event.seq !== expectedSeq)
          return broken(expectedSeq, null, 'missing event (sequence gap)');
        if (event.prevHash !== prevHash)
          return broken(
            event.seq,
            event.id,
            'previous-hash link does not match the preceding event',
          );
        const { prevHash: _p, hash: _h, ...content } = event;
        if (chainHash(prevHash, content) !== event.hash)
          return broken(event.seq, event.id, 'event content does not match its hash');
        prevHash = event.hash;
        expectedSeq += 1;
        checked += 1;
      }
      if (rows.length < 2000) break;
    }
    const headSeq = head ? Number(head.seq) : 0;
    const lastSeq = cut.seq + checked;
    if (headSeq !== lastSeq || (head && head.hash !== prevHash))
      return broken(
        lastSeq + 1,
        null,
        `chain ends at ${lastSeq} but the head records ${headSeq} events`,
      );
    return { tenant, ok: true, checked, ...(cut.seq > 0 ? { cut } : {}) };
  }

  /**
   * Returns events matching the filter in sequence order, one page at a time. With `tenants`
   * (a tenant and the chains that joined it) the chains are read one after the other; the page
   * token then names the chain (`index.seq`) after the first.
   */
  async query(
    filter: EventFilter & { tenants?: string[]; pageToken?: string },
  ): Promise<{ events: StoredEvent[]; nextPageToken?: string }> {
    const chains = filter.tenants ?? (filter.tenant !== undefined ? [filter.tenant] : [undefined]);
    const token = /^(?:(\d{1,3})\.)?(\d{1,15})$/.exec(filter.pageToken ?? '');
    let index = token?.[1] !== undefined ? Number(token[1]) : 0;
    let after = token ? Number(token[2]) : filter.after;
    const events: StoredEvent[] = [];
    for (; index < chains.length; index++) {
      const wanted = filter.limit - events.length;
      const page = await this.queryChain({
        ...filter,
        tenant: chains[index],
        after,
        limit: wanted,
      });
      events.push(...page.events);
      const last = events[events.length - 1];
      if (page.more && last)
        return { events, nextPageToken: index === 0 ? String(last.seq) : `${index}.${last.seq}` };
      after = undefined;
      if (events.length >= filter.limit) {
        const next = index + 1;
        return next < chains.length ? { events, nextPageToken: `${next}.0` } : { events };
      }
    }
    return { events };
  }

  private async queryChain(filter: EventFilter): Promise<{ events: StoredEvent[]; more: boolean }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.tenant !== undefined) add('tenant = ?', filter.tenant);
    if (filter.type !== undefined) add('type = ?', filter.type);
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.target !== undefined) add('target = ?', filter.target);
    if (filter.since !== undefined) add('received_at >= ?', filter.since);
    if (filter.until !== undefined) add('received_at < ?', filter.until);
    if (filter.after !== undefined) add('seq > ?', filter.after);
    params.push(filter.limit + 1);
    const rows = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY audit_events.seq LIMIT $${params.length}`,
      params,
    );
    return { events: rows.slice(0, filter.limit).map(fromRow), more: rows.length > filter.limit };
  }

  /** Verifies a tenant's chain and the chains that joined it; the first broken one is reported. */
  async verifyAll(tenant: string, chains: string[]): Promise<VerifyResult> {
    let checked = 0;
    for (const chain of chains) {
      const result = await this.verify(chain);
      checked += result.checked;
      if (!result.ok) return { ...result, tenant, checked, ...(chain !== tenant ? { chain } : {}) };
    }
    return { tenant, ok: true, checked, ...(chains.length > 1 ? { chains } : {}) };
  }
}
