/**
 * This file defines the audit chain's canonical form and hashes: canonical JSON, the canonical
 * text of an event, and `hash = SHA-256(prev_hash ‖ canonical event)`.
 */
import { createHash } from 'node:crypto';
import { canonicalText } from '../platform/text';
import type { AppendContext, AuditEventInput, StoredEvent } from './audit-log';

/** The previous hash of a chain's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so that equal content always serialises the same way. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

/**
 * The canonical form of an event's text: every string (detail keys and values included) in the
 * form PostgreSQL stores (platform/text.ts canonicalText), the detail's key order and numbers as
 * canonical JSON gives them back. The chain hashes this, the rows hold this, so they always agree.
 */
export function canonicalEvent(event: AuditEventInput): AuditEventInput {
  const text = (value: string | undefined) =>
    value === undefined ? undefined : canonicalText(value);
  const detail = Object.fromEntries(
    Object.entries(event.detail ?? {}).map(([key, value]) => [
      canonicalText(key),
      typeof value === 'string' ? canonicalText(value) : value,
    ]),
  );
  return {
    id: canonicalText(event.id),
    type: canonicalText(event.type),
    target: text(event.target),
    shareId: text(event.shareId),
    outcome: event.outcome,
    detail: JSON.parse(canonicalJson(detail)) as AuditEventInput['detail'],
    occurredAt: canonicalText(event.occurredAt),
  };
}

export function canonicalContext(context: AppendContext): AppendContext {
  return {
    tenant: canonicalText(context.tenant),
    actor: canonicalText(context.actor),
    origin: canonicalText(context.origin),
    receivedAt: canonicalText(context.receivedAt),
  };
}

/** The digest of what a client sent for an event, used to tell a retry from a conflicting reuse. */
export function contentDigest(actor: string, event: AuditEventInput): string {
  return sha256(
    canonicalJson([
      actor,
      event.id,
      event.type,
      event.target ?? null,
      event.shareId ?? null,
      event.outcome,
      event.detail ?? {},
      event.occurredAt,
    ]),
  );
}

/**
 * The canonical form of a stored event's content split around its sequence number:
 * `prefix + seq + suffix` is what the chain hashes after the previous hash. The split lets the
 * database hash an event whose sequence number it assigns itself (`appendServerEvent`).
 */
export function chainParts(event: Omit<StoredEvent, 'seq' | 'prevHash' | 'hash'>): {
  prefix: string;
  suffix: string;
} {
  const rest = [
    event.id,
    event.type,
    event.actor,
    event.target,
    event.shareId,
    event.outcome,
    event.detail,
    event.occurredAt,
    event.receivedAt,
    event.origin,
  ];
  return {
    prefix: `[${canonicalJson(event.tenant)},`,
    suffix: `,${rest.map(canonicalJson).join(',')}]`,
  };
}

/** The chain hash of a stored event given the previous hash. */
export function chainHash(prevHash: string, event: Omit<StoredEvent, 'prevHash' | 'hash'>): string {
  const { prefix, suffix } = chainParts(event);
  return sha256(`${prevHash}${prefix}${canonicalJson(event.seq)}${suffix}`);
}

/** What the chain holds of an event besides its place (seq and hashes), detail in canonical JSON. */
export function eventContent(
  context: AppendContext,
  event: AuditEventInput,
): Omit<StoredEvent, 'seq' | 'prevHash' | 'hash'> {
  return {
    tenant: context.tenant,
    id: event.id,
    type: event.type,
    actor: context.actor,
    target: event.target ?? null,
    shareId: event.shareId ?? null,
    outcome: event.outcome,
    detail: JSON.parse(canonicalJson(event.detail ?? {})) as StoredEvent['detail'],
    occurredAt: event.occurredAt,
    receivedAt: context.receivedAt,
    origin: context.origin,
  };
}
