/**
 * This file checks, on PGlite and PostgreSQL, that the audit log hashes exactly what it stores:
 * fast-check appends events whose every string is arbitrary Unicode (all code points, with lone
 * surrogates and NULs injected, which PostgreSQL text cannot hold) through both append paths — a
 * client batch and a single server event hashed by the database — and the chain verifies, with
 * each stored string the canonical form (platform/text.ts) of what was sent.
 */
import fc from 'fast-check';
import { canonicalText } from '../../src/backend/platform/text';
import type { AuditEventInput } from '../../src/backend/audit/audit-log';
import { DATABASES, startHarness, type Harness } from './harness';
import { serveForSuite } from '../fixtures/suite-server';

/** Arbitrary Unicode with lone surrogates and NULs mixed in. */
const anyText = (maxLength: number) =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
        { weight: 1, arbitrary: fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0000') },
        { weight: 1, arbitrary: fc.constantFrom('😀', '\uD83D', '\uDE00', 'e\u0301', '\uFEFF') },
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join('').slice(0, maxLength));

const detailKey = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/);

const eventArbitrary = fc.record({
  id: anyText(60).filter((id) => id.length > 0),
  target: fc.option(anyText(80), { nil: undefined }),
  shareId: fc.option(anyText(60), { nil: undefined }),
  outcome: fc.constantFrom('success' as const, 'failure' as const, 'denied' as const),
  detail: fc.dictionary(detailKey, fc.oneof(anyText(80), fc.double(), fc.boolean()), {
    maxKeys: 4,
  }),
});

describe.each(DATABASES)('audit chain over arbitrary Unicode on %s', (kind) => {
  let h: Harness;
  serveForSuite(async () => (h = await startHarness(kind)));

  it('appends client batches and server events of any text, and the chain verifies', async () => {
    const { audit, db } = h.server.backend.services;
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArbitrary, { minLength: 1, maxLength: 4 }),
        eventArbitrary,
        anyText(40),
        anyText(40),
        async (batch, single, actor, origin) => {
          round += 1;
          const tenant = `t${round}-${canonicalText(actor).length}.example`;
          const occurredAt = new Date().toISOString();
          const inputs: AuditEventInput[] = batch.map((event, index) => ({
            ...event,
            id: `${round}-${index}-${event.id}`,
            type: 'contact.updated',
            occurredAt,
          }));
          const context = { tenant, actor, origin, receivedAt: new Date().toISOString() };
          const appended = await audit.append(context, inputs);
          expect(appended.accepted).toBe(new Set(inputs.map((e) => canonicalText(e.id))).size);
          // The same batch again is a retry, not a conflict: the digest is of the canonical form.
          expect((await audit.append(context, inputs)).accepted).toBe(0);
          await audit.appendServerEvent(db, context, {
            ...single,
            id: `${round}-server-${single.id}`,
            type: 'share.denied',
            occurredAt,
          });
          const verified = await audit.verify(tenant);
          expect(verified).toEqual({ tenant, ok: true, checked: appended.accepted + 1 });
          const { events } = await audit.query({ tenant, limit: 100 });
          const stored = events.find((e) => e.id === canonicalText(inputs[0]?.id ?? ''));
          const first = inputs[0];
          if (!first || !stored) throw new Error('the first event was not stored');
          expect(stored.actor).toBe(canonicalText(actor));
          expect(stored.origin).toBe(canonicalText(origin));
          expect(stored.target).toBe(
            first.target === undefined ? null : canonicalText(first.target),
          );
          expect(stored.shareId).toBe(
            first.shareId === undefined ? null : canonicalText(first.shareId),
          );
          for (const [key, value] of Object.entries(first.detail ?? {}))
            expect(stored.detail[key]).toEqual(
              typeof value === 'string' ? canonicalText(value) : JSON.parse(JSON.stringify(value)),
            );
          const server = events.find((e) => e.type === 'share.denied');
          expect(server?.target).toBe(
            single.target === undefined ? null : canonicalText(single.target),
          );
        },
      ),
      { numRuns: kind === 'pglite' ? 60 : 40 },
    );
  });
});
