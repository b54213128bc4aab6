/**
 * This file tests the anchoring of the audit chains outside the database, on PGlite and
 * PostgreSQL, with the emulator's Cloud Storage (a bucket with a locked retention policy) and
 * service-account keys: anchors are signed and published on demand and from /v1/scan at the
 * fixed interval; /v1/audit/verify checks a chain against the latest anchor, so a consistent
 * rewrite of a whole chain with recomputed hashes, or events removed from its end, done directly
 * in the database, is detected; a rewritten chain is not anchored again but alerted; an object
 * not signed by the backend in the bucket is reported; IAM signBlob signs when configured so.
 */
import type { StoredEvent } from '../../src/backend/audit/audit-log';
import { chainHash, GENESIS_HASH } from '../../src/backend/audit/event-chain';
import { IamBlobSigner } from '../../src/backend/audit/blob-signer';
import type { Database } from '../../src/backend/platform/db';
import { DATABASES, auditEvent } from './harness';
import { ANCHOR_BUCKET, startEmulatedHarness, type EmulatedHarness } from './emulated';
import { MANAGER, SCHEDULER } from '../fixtures/staff';

/**
 * What an insider with the database does: switches the append-only trigger off, changes one
 * event and recomputes every hash after it and the head, so that the chain verifies again.
 */
async function rewriteChain(
  db: Database,
  events: StoredEvent[],
  change: (event: StoredEvent) => StoredEvent,
): Promise<void> {
  await db.exec('ALTER TABLE audit_events DISABLE TRIGGER USER');
  try {
    let prevHash = events[0]?.prevHash ?? GENESIS_HASH;
    let before = prevHash;
    for (const [index, original] of events.entries()) {
      const { prevHash: _p, hash: _h, ...content } = index === 0 ? change(original) : original;
      const hash = chainHash(prevHash, content);
      await db.query(
        'UPDATE audit_events SET target = $3, prev_hash = $4, hash = $5 WHERE tenant = $1 AND seq = $2',
        [content.tenant, content.seq, content.target, prevHash, hash],
      );
      before = prevHash;
      prevHash = hash;
    }
    const last = events[events.length - 1];
    if (last)
      await db.query('UPDATE audit_heads SET hash = $2, prev_hash = $3 WHERE tenant = $1', [
        last.tenant,
        prevHash,
        before,
      ]);
  } finally {
    await db.exec('ALTER TABLE audit_events ENABLE TRIGGER USER');
  }
}

describe.each(DATABASES)('audit anchors on %s', (kind) => {
  let h: EmulatedHarness;
  const clock = { now: Date.now() };
  beforeAll(async () => {
    h = await startEmulatedHarness(
      kind,
      { anchorIntervalSeconds: 3600 },
      { clock: () => clock.now },
      undefined,
      { anchoring: true },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  /** Moves the backend's clock and the emulator's together (the broker's JWT times). */
  const advance = (ms: number) => {
    clock.now += ms;
    h.emulator.clock.advance(ms);
  };
  const manager = () => h.token(MANAGER, { hostedDomain: 'vendor.example' });
  const scheduler = () => h.token(SCHEDULER, { hostedDomain: undefined });
  const verify = (tenant: string) =>
    h.request('GET', `/v1/audit/verify?tenant=${tenant}`, { token: manager() });
  const ingest = async (tenant: string, count: number) => {
    const response = await h.request('POST', '/v1/events', {
      token: h.token(`writer@${tenant}`),
      body: { events: Array.from({ length: count }, () => auditEvent()) },
    });
    expect(response.status).toBe(200);
  };
  const chainOf = async (tenant: string) =>
    (await h.server.backend.services.audit.query({ tenant, limit: 500 })).events;
  const objects = () => [...(h.emulator.storage.buckets.get(ANCHOR_BUCKET)?.objects.keys() ?? [])];

  it('publishes a signed anchor of every chain to the write-once bucket, and verifies chains against it', async () => {
    await ingest('one.example', 3);
    await ingest('two.example', 2);
    const before = objects().length;
    const published = await h.request('POST', '/v1/audit/anchors', { token: manager(), body: {} });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({
      object: expect.stringMatching(new RegExp(`^gs://${ANCHOR_BUCKET}/audit-anchors/`)),
      mismatched: [],
    });
    expect(objects().length).toBe(before + 1);
    const stored = JSON.parse(
      h.emulator.storage.buckets.get(ANCHOR_BUCKET)?.objects.get(objects().sort().at(-1) ?? '')
        ?.data ?? '{}',
    );
    expect(stored.anchor.chains).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenant: 'one.example', seq: 3 }),
        expect.objectContaining({ tenant: 'two.example', seq: 2, cutSeq: 0 }),
      ]),
    );
    expect(stored.signature).toMatchObject({ algorithm: 'RS256', keyId: expect.any(String) });
    const verified = await verify('one.example');
    expect(verified.body).toMatchObject({
      ok: true,
      checked: 3,
      anchor: { status: 'verified', seq: 3, object: published.body.object },
    });
    await ingest('one.example', 1);
    expect((await verify('one.example')).body).toMatchObject({
      ok: true,
      checked: 4,
      anchor: { status: 'verified', seq: 3 },
    });
    expect(
      (await h.request('GET', '/v1/audit/anchors/latest?tenant=one.example', { token: manager() }))
        .body,
    ).toMatchObject({
      tenant: 'one.example',
      status: 'verified',
      location: `gs://${ANCHOR_BUCKET}/audit-anchors/`,
      intervalSeconds: 3600,
    });
  });

  it('detects a consistent rewrite of a whole chain, done directly in the database, against the anchor', async () => {
    await ingest('rewrite.example', 4);
    await h.request('POST', '/v1/audit/anchors', { token: manager(), body: {} });
    const { db, audit } = h.server.backend.services;
    await rewriteChain(db, await chainOf('rewrite.example'), (event) => ({
      ...event,
      target: 'someone-else@acme.example',
    }));
    // The chain alone verifies: every hash was recomputed.
    expect(await audit.verify('rewrite.example')).toMatchObject({ ok: true, checked: 4 });
    const verified = await verify('rewrite.example');
    expect(verified.body).toMatchObject({
      ok: false,
      anchor: { status: 'mismatch', seq: 4, mismatchAt: 4 },
      firstBroken: { seq: 4, reason: expect.stringMatching(/differs from the anchored head/) },
    });
  });

  it('does not anchor a rewritten chain again: it keeps the anchored head and raises an alert', async () => {
    const published = await h.request('POST', '/v1/audit/anchors', { token: manager(), body: {} });
    expect(published.body.mismatched).toEqual([
      expect.objectContaining({ tenant: 'rewrite.example', seq: 4 }),
    ]);
    expect((await verify('rewrite.example')).body.anchor.status).toBe('mismatch');
    expect((await verify('one.example')).body.anchor.status).toBe('verified');
    const listed = await h.request('GET', '/v1/alerts', { token: manager() });
    expect(listed.body.alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'audit_anchor_mismatch',
          tenant: 'rewrite.example',
          status: 'open',
        }),
      ]),
    );
  });

  it('detects events removed from the end of a chain after the anchor', async () => {
    await ingest('cut-short.example', 3);
    await h.request('POST', '/v1/audit/anchors', { token: manager(), body: {} });
    const { db, audit } = h.server.backend.services;
    const events = await chainOf('cut-short.example');
    await db.exec('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await db.query('DELETE FROM audit_events WHERE tenant = $1 AND seq = 3', ['cut-short.example']);
    await db.exec('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await db.query('UPDATE audit_heads SET seq = 2, hash = $2 WHERE tenant = $1', [
      'cut-short.example',
      events[1]?.hash,
    ]);
    expect(await audit.verify('cut-short.example')).toMatchObject({ ok: true, checked: 2 });
    expect((await verify('cut-short.example')).body).toMatchObject({
      ok: false,
      anchor: { status: 'mismatch', mismatchAt: 3 },
      firstBroken: { reason: expect.stringMatching(/missing: events were removed/) },
    });
  });

  it('reports an object in the anchor bucket that the backend did not sign', async () => {
    const writer = h.emulator.mintAccessToken(h.server.backend.signer.serviceAccountEmail, [
      'cloud-platform',
    ]);
    const name = `audit-anchors/${new Date(clock.now + 1000).toISOString()}-forged.json`;
    const forged = await fetch(
      `${h.emulatorServer.baseUrl}/upload/storage/v1/b/${ANCHOR_BUCKET}/o?uploadType=media&name=${encodeURIComponent(name)}&ifGenerationMatch=0`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          anchor: { kind: 'shared-contacts.audit-anchor', chains: [] },
          signature: { keyId: 'made-up', algorithm: 'RS256', value: 'AAAA' },
        }),
      },
    );
    expect(forged.status).toBe(200);
    expect((await verify('one.example')).body).toMatchObject({
      ok: false,
      anchor: { status: 'invalid_signature', object: `gs://${ANCHOR_BUCKET}/${name}` },
    });
    // The next anchor links to the last one the backend signed, not to the forged object.
    advance(2000);
    const published = await h.request('POST', '/v1/audit/anchors', { token: manager(), body: {} });
    expect(published.status).toBe(201);
    expect((await verify('one.example')).body.anchor.status).toBe('verified');
  });

  it('publishes from /v1/scan once the fixed interval has passed', async () => {
    advance(10_000);
    const first = await h.request('POST', '/v1/scan', { token: scheduler(), body: {} });
    expect(first.status).toBe(200);
    expect(first.body.anchor).toBeNull();
    advance(3_600_000);
    const due = await h.request('POST', '/v1/scan', { token: scheduler(), body: {} });
    expect(due.body.anchor).toMatchObject({ object: expect.stringContaining('audit-anchors/') });
    const again = await h.request('POST', '/v1/scan', { token: scheduler(), body: {} });
    expect(again.body.anchor).toBeNull();
  });

  it('lets only the scheduler and security managers publish, and only admins and managers read', async () => {
    const user = h.token('alice@acme.example');
    expect((await h.request('POST', '/v1/audit/anchors', { token: user, body: {} })).status).toBe(
      403,
    );
    expect((await h.request('GET', '/v1/audit/anchors/latest', { token: user })).status).toBe(403);
    const admin = await h.request('GET', '/v1/audit/anchors/latest', {
      token: h.token('admin@acme.example'),
    });
    expect(admin.status).toBe(200);
    expect(admin.body.tenant).toBe('acme.example');
    expect(
      (
        await h.request('GET', '/v1/audit/anchors/latest?tenant=one.example', {
          token: h.token('admin@acme.example'),
        })
      ).status,
    ).toBe(403);
  });

  it('signs anchors through IAM signBlob when configured so, with no key held by the backend', async () => {
    const signerAccount = 'audit-anchor-signer@test-project.iam.gserviceaccount.com';
    const backendAccount = h.server.backend.signer.serviceAccountEmail;
    h.emulator.createServiceAccount(signerAccount);
    h.emulator.grantTokenCreator(signerAccount, backendAccount);
    const iam = await startEmulatedHarness(
      kind,
      {},
      {
        anchorSigner: new IamBlobSigner(signerAccount, h.emulatorServer.baseUrl, async () =>
          h.emulator.mintAccessToken(backendAccount, ['cloud-platform'], 600),
        ),
      },
      undefined,
      { anchoring: true },
    );
    try {
      await iam.request('POST', '/v1/events', {
        token: iam.token('writer@iam.example'),
        body: { events: [auditEvent()] },
      });
      const published = await iam.request('POST', '/v1/audit/anchors', {
        token: iam.token(MANAGER, { hostedDomain: 'vendor.example' }),
        body: {},
      });
      expect(published.status).toBe(201);
      expect(
        iam.emulator.callCount({ operation: 'iamcredentials.projects.serviceAccounts.signBlob' }),
      ).toBe(0);
      expect(
        h.emulator.callCount({
          operation: 'iamcredentials.projects.serviceAccounts.signBlob',
          status: 200,
        }),
      ).toBe(1);
    } finally {
      await iam.close();
    }
  });
});
