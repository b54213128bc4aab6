/**
 * This file anchors the audit chains outside the database: at a fixed interval (from /v1/scan,
 * which Cloud Scheduler calls) the head of every tenant's chain and its retention cut are written
 * into one signed anchor object (IAM signBlob, blob-signer.ts) in a write-once bucket (a locked
 * retention policy, anchor-store.ts). `/v1/audit/verify` then checks the chain against the latest
 * anchor: someone who rewrites a whole chain directly in the database, recomputing every hash,
 * cannot rewrite the anchor, so the anchored head no longer matches. Each anchor names the
 * previous one and its SHA-256, so the anchors form a chain of their own; before publishing, the
 * database is checked against the previous anchor, and a chain that no longer matches keeps its
 * old anchored head (and raises an alert) instead of having the rewrite anchored.
 *
 * What an anchor cannot show: a change to events appended after the latest anchor (at most one
 * interval); docs/security.md says so.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GENESIS_HASH, canonicalJson } from './event-chain';
import type { Sql } from '../platform/db';
import type { AnchorStore } from './anchor-store';
import { SigningUnavailableError, type BlobSigner, type PublishedKeys } from './blob-signer';

/** Where anchors live in the bucket; names sort by time. */
export const ANCHOR_PREFIX = 'audit-anchors/';

/** One chain as anchored: its head and its retention cut (0 and the genesis hash when none). */
export interface ChainAnchor {
  tenant: string;
  seq: number;
  hash: string;
  cutSeq: number;
  cutHash: string;
}

/** The signed content of an anchor. */
export interface AnchorDocument {
  kind: 'shared-contacts.audit-anchor';
  version: 1;
  publishedAt: string;
  signer: string;
  previous: { name: string; sha256: string } | null;
  chains: ChainAnchor[];
}

/** An anchor object as stored: the document and its signature over canonicalJson(document). */
interface SignedAnchor {
  anchor: AnchorDocument;
  signature: { keyId: string; algorithm: 'RS256'; value: string };
}

/** An anchor read back whose signature is the signer's. */
export interface LoadedAnchor {
  name: string;
  sha256: string;
  document: AnchorDocument;
}

/** How a chain stands against the latest anchor. */
export interface AnchorCheck {
  status:
    | 'verified'
    | 'not_configured'
    | 'none'
    | 'not_in_anchor'
    | 'mismatch'
    | 'invalid_signature'
    | 'unavailable';
  object?: string;
  publishedAt?: string;
  /** The anchored head's sequence number. */
  seq?: number;
  /** Where the chain first departs from the anchor, for a mismatch. */
  mismatchAt?: number;
  reason?: string;
}

/** What a publication did. */
export interface PublishReport {
  object: string;
  publishedAt: string;
  chains: number;
  /** Tenants whose chain no longer matched the previous anchor: their old anchored head is kept. */
  mismatched: { tenant: string; seq: number; reason: string }[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A retention cut: the last purged event's sequence number and hash. */
export interface Cut {
  seq: number;
  hash: string;
}

/**
 * Compares one chain in the database with its anchored entry. `hashes` holds the stored hash of
 * each event asked for (missing when there is no such event); `cut` is the database's cut.
 * Returns null when the database holds what was anchored.
 */
export function departure(
  entry: ChainAnchor,
  cut: Cut,
  hashes: Map<number, string>,
): { seq: number; reason: string } | null {
  const hashAt = (seq: number): string | null | undefined =>
    seq === cut.seq ? cut.hash : seq < cut.seq ? undefined : (hashes.get(seq) ?? null);
  if (entry.cutSeq < cut.seq)
    return {
      seq: cut.seq,
      reason: `the retention cut at ${cut.seq} is not anchored (the anchor's cut is at ${entry.cutSeq})`,
    };
  if (entry.cutSeq > 0) {
    const stored = hashAt(entry.cutSeq);
    if (stored !== entry.cutHash)
      return {
        seq: entry.cutSeq,
        reason:
          stored === null
            ? `event ${entry.cutSeq}, the anchored retention cut, is missing`
            : `event ${entry.cutSeq} differs from the anchored retention cut`,
      };
  }
  if (entry.seq > 0) {
    const stored = hashAt(entry.seq);
    if (stored !== entry.hash)
      return {
        seq: entry.seq,
        reason:
          stored === null
            ? `event ${entry.seq}, the anchored head, is missing: events were removed`
            : `event ${entry.seq} differs from the anchored head: the chain was rewritten`,
      };
  }
  return null;
}

/** Publishes anchors and checks chains against the latest one. */
export class AuditAnchoring {
  constructor(
    private readonly db: Sql,
    private readonly store: AnchorStore,
    private readonly signer: BlobSigner,
    private readonly keys: PublishedKeys,
    /** The fixed interval between anchors. */
    readonly intervalMs: number,
    private readonly clock: () => number,
  ) {}

  /** Where anchors are published, e.g. gs://bucket/audit-anchors/. */
  get location(): string {
    return `${this.store.location}/${ANCHOR_PREFIX}`;
  }

  /**
   * Reads the newest anchor whose signature is the signer's (null when there is none), and names
   * any newer objects that are not: someone other than the backend wrote into the anchor bucket.
   */
  async latest(): Promise<{ anchor: LoadedAnchor | null; foreign: string[] }> {
    const lookback = Math.max(2 * this.intervalMs, 2 * 86_400_000);
    const since = `${ANCHOR_PREFIX}${new Date(this.clock() - lookback).toISOString()}`;
    let names = await this.store.list(ANCHOR_PREFIX, since);
    if (names.length === 0) names = await this.store.list(ANCHOR_PREFIX);
    const foreign: string[] = [];
    for (const name of names.sort().reverse().slice(0, 50)) {
      const text = await this.store.read(name);
      if (text === null) continue;
      const document = await this.signedDocument(text);
      if (document) return { anchor: { name, sha256: sha256(text), document }, foreign };
      foreign.push(name);
    }
    return { anchor: null, foreign };
  }

  /** The document of an anchor object when its signature is the signer's, else null. */
  private async signedDocument(text: string): Promise<AnchorDocument | null> {
    let signed: Partial<SignedAnchor>;
    try {
      signed = JSON.parse(text) as Partial<SignedAnchor>;
    } catch {
      return null;
    }
    const { anchor: document, signature } = signed;
    if (
      document?.kind !== 'shared-contacts.audit-anchor' ||
      !Array.isArray(document.chains) ||
      typeof signature?.keyId !== 'string' ||
      typeof signature.value !== 'string'
    )
      return null;
    const valid = await this.keys.verify(
      Buffer.from(canonicalJson(document), 'utf8'),
      signature.keyId,
      signature.value,
    );
    return valid ? document : null;
  }

  /**
   * Publishes an anchor of every chain's head now. `pendingCuts` are retention cuts about to be
   * made (retention.ts anchors a cut before it deletes anything). Chains that no longer match
   * the previous anchor keep its entry and are reported.
   */
  async publish(pendingCuts: Map<string, Cut> = new Map()): Promise<PublishReport> {
    const { anchor: previous } = await this.latest();
    const heads = await this.db.query<{ tenant: string; seq: string; hash: string }>(
      'SELECT tenant, seq::text AS seq, hash FROM audit_heads ORDER BY tenant',
    );
    const cuts = await this.cuts();
    const before = new Map<string, ChainAnchor>(
      previous ? previous.document.chains.map((entry) => [entry.tenant, entry]) : [],
    );
    const hashes = await this.hashesAt(
      [...before.values()].flatMap((e) => [
        { tenant: e.tenant, seq: e.seq },
        { tenant: e.tenant, seq: e.cutSeq },
      ]),
    );
    const mismatched: PublishReport['mismatched'] = [];
    const chains: ChainAnchor[] = [];
    for (const head of heads) {
      const earlier = before.get(head.tenant);
      const cut = cuts.get(head.tenant) ?? { seq: 0, hash: GENESIS_HASH };
      const away = earlier
        ? departure(earlier, cut, hashes.get(head.tenant) ?? new Map<number, string>())
        : null;
      if (earlier && away) {
        mismatched.push({ tenant: head.tenant, ...away });
        chains.push(earlier);
        continue;
      }
      const next = pendingCuts.get(head.tenant) ?? cut;
      chains.push({
        tenant: head.tenant,
        seq: Number(head.seq),
        hash: head.hash,
        cutSeq: next.seq,
        cutHash: next.hash,
      });
    }
    // Names sort by time: a new anchor is named after the previous one even if clocks disagree.
    const publishedAt = new Date(
      Math.max(this.clock(), previous ? Date.parse(previous.document.publishedAt) + 1 : 0),
    ).toISOString();
    const document: AnchorDocument = {
      kind: 'shared-contacts.audit-anchor',
      version: 1,
      publishedAt,
      signer: this.signer.serviceAccountEmail,
      previous: previous ? { name: previous.name, sha256: previous.sha256 } : null,
      chains,
    };
    const signature = await this.signer.signBlob(Buffer.from(canonicalJson(document), 'utf8'));
    const signed: SignedAnchor = {
      anchor: document,
      signature: { keyId: signature.keyId, algorithm: 'RS256', value: signature.signature },
    };
    const name = `${ANCHOR_PREFIX}${publishedAt}-${randomBytes(4).toString('hex')}.json`;
    await this.store.create(name, JSON.stringify(signed));
    return {
      object: `${this.store.location}/${name}`,
      publishedAt,
      chains: chains.length,
      mismatched,
    };
  }

  /** Publishes when the latest anchor is older than the interval (or there is none). */
  async publishIfDue(): Promise<PublishReport | null> {
    const { anchor: latest } = await this.latest();
    if (latest) {
      const age = this.clock() - Date.parse(latest.document.publishedAt);
      if (age >= 0 && age < this.intervalMs) return null;
    }
    return this.publish();
  }

  /**
   * Checks one chain against the latest anchor; `cut` is the database's retention cut. Objects in
   * the anchor bucket not signed by the signer are reported as `invalid_signature`.
   */
  async check(tenant: string, cut: Cut): Promise<AnchorCheck> {
    let found: { anchor: LoadedAnchor | null; foreign: string[] };
    try {
      found = await this.latest();
    } catch (error) {
      if (error instanceof SigningUnavailableError)
        return { status: 'unavailable', reason: error.message };
      throw error;
    }
    const { anchor: latest, foreign } = found;
    if (!latest && foreign.length === 0) return { status: 'none' };
    const forged = (): AnchorCheck => ({
      status: 'invalid_signature',
      object: `${this.store.location}/${foreign[0]}`,
      reason: `${foreign.length} object(s) in the anchor bucket, newest ${this.store.location}/${foreign[0]}, are not verifiable with the published keys of ${this.signer.serviceAccountEmail}: not written by the backend, or older than Google keeps the key`,
    });
    if (!latest) return forged();
    const object = `${this.store.location}/${latest.name}`;
    const { publishedAt } = latest.document;
    const entry = latest.document.chains.find((chain) => chain.tenant === tenant);
    if (entry) {
      const hashes = await this.hashesAt([
        { tenant, seq: entry.seq },
        { tenant, seq: entry.cutSeq },
      ]);
      const away = departure(entry, cut, hashes.get(tenant) ?? new Map<number, string>());
      if (away)
        return {
          status: 'mismatch',
          object,
          publishedAt,
          seq: entry.seq,
          mismatchAt: away.seq,
          reason: `${away.reason} (anchor ${object} of ${publishedAt})`,
        };
    }
    if (foreign.length > 0) return forged();
    if (!entry) return { status: 'not_in_anchor', object, publishedAt };
    return { status: 'verified', object, publishedAt, seq: entry.seq };
  }

  /** Every tenant's latest retention cut. */
  private async cuts(): Promise<Map<string, Cut>> {
    const rows = await this.db.query<{ tenant: string; seq: string; hash: string }>(
      'SELECT DISTINCT ON (tenant) tenant, seq::text AS seq, hash FROM audit_cuts ORDER BY tenant, seq DESC',
    );
    return new Map(rows.map((row) => [row.tenant, { seq: Number(row.seq), hash: row.hash }]));
  }

  /** The stored hashes of the given events, per tenant and sequence number. */
  private async hashesAt(
    wanted: { tenant: string; seq: number }[],
  ): Promise<Map<string, Map<number, string>>> {
    const found = new Map<string, Map<number, string>>();
    const asked = wanted.filter((item) => item.seq > 0);
    if (asked.length === 0) return found;
    const rows = await this.db.query<{ tenant: string; seq: string; hash: string }>(
      `SELECT e.tenant, e.seq::text AS seq, e.hash FROM audit_events e
       JOIN unnest($1::text[], $2::bigint[]) AS w(tenant, seq) ON e.tenant = w.tenant AND e.seq = w.seq`,
      [asked.map((item) => item.tenant), asked.map((item) => item.seq)],
    );
    for (const row of rows) {
      const byTenant = found.get(row.tenant) ?? new Map<number, string>();
      byTenant.set(Number(row.seq), row.hash);
      found.set(row.tenant, byTenant);
    }
    return found;
  }
}
