/**
 * This file tests the retention of audit events on PGlite and PostgreSQL: /v1/scan purges events
 * older than the tenant's retention period (400 days by default, the policy's
 * `auditRetentionDays` otherwise), anchoring the cut before deleting, and what remains verifies
 * from the cut's hash against the anchor; the database lets events go only through
 * `audit_purge` below a recorded cut, never by an ordinary DELETE; a cut made in the database
 * without its anchor is detected.
 */
import { DATABASES, auditEvent } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';
import { OPEN_POLICY } from '../fixtures/policy';
import { MANAGER, SCHEDULER } from '../fixtures/staff';

const DAY = 86_400_000;

describe.each(DATABASES)('retention of audit events on %s', (kind) => {
  let h: EmulatedHarness;
  const start = Date.now();
  const clock = { now: start - 500 * DAY };
  beforeAll(async () => {
    h = await startEmulatedHarness(kind, {}, { clock: () => clock.now }, undefined, {
      anchoring: true,
    });
    h.emulator.clock.advance(Math.max(0, clock.now - h.emulator.clock.now()));
  });
  afterAll(async () => {
    await h.close();
  });

  /** Moves the backend's clock and the emulator's (the broker's JWT times) to `at`. */
  const moveTo = (at: number) => {
    if (at > h.emulator.clock.now()) h.emulator.clock.advance(at - h.emulator.clock.now());
    clock.now = at;
  };
  const manager = () => h.token(MANAGER, { hostedDomain: 'vendor.example' });
  const ingest = async (email: string, count: number) => {
    const response = await h.request('POST', '/v1/events', {
      token: h.token(email),
      body: {
        events: Array.from({ length: count }, () =>
          auditEvent({ occurredAt: new Date(clock.now).toISOString() }),
        ),
      },
    });
    expect(response.status).toBe(200);
  };
  const verify = async (tenant: string) =>
    (await h.request('GET', `/v1/audit/verify?tenant=${tenant}`, { token: manager() })).body;
  const seqs = async (tenant: string) =>
    (await h.server.backend.services.audit.query({ tenant, limit: 500 })).events.map((e) => e.seq);

  it('purges events past 400 days from /v1/scan, anchoring the cut, and what remains verifies from it', async () => {
    moveTo(start - 500 * DAY);
    await ingest('writer@old.example', 3);
    moveTo(start - 401 * DAY);
    await ingest('writer@old.example', 2);
    moveTo(start - 399 * DAY);
    await ingest('writer@old.example', 2);
    moveTo(start - 100 * DAY);
    await ingest('writer@short.example', 2);
    moveTo(start);
    await ingest('writer@old.example', 1);
    await ingest('writer@short.example', 1);
    const scan = await h.request('POST', '/v1/scan', {
      token: h.token(SCHEDULER, { hostedDomain: undefined }),
      body: {},
    });
    expect(scan.status).toBe(200);
    expect(scan.body.retention).toEqual({
      anchored: true,
      cuts: [{ tenant: 'old.example', seq: 5, deleted: 5 }],
    });
    expect(await seqs('old.example')).toEqual([6, 7, 8]);
    expect(await verify('old.example')).toMatchObject({
      ok: true,
      checked: 3,
      cut: { seq: 5 },
      anchor: { status: 'verified', seq: 8 },
    });
    expect(await seqs('short.example')).toEqual([1, 2, 3]);
    const again = await h.request('POST', '/v1/scan', {
      token: h.token(SCHEDULER, { hostedDomain: undefined }),
      body: {},
    });
    expect(again.body.retention).toEqual({ anchored: false, cuts: [] });
  });

  it("follows the tenant policy's retention period", async () => {
    const admin = h.token('admin@acme.example');
    moveTo(start - 100 * DAY);
    await ingest('writer@acme.example', 2);
    moveTo(start);
    const policy = await h.request('PUT', '/v1/tenants/acme.example/policy', {
      token: admin,
      body: { ...OPEN_POLICY, auditRetentionDays: 30 },
    });
    expect(policy.status).toBe(200);
    expect(
      (
        await h.request('PUT', '/v1/tenants/acme.example/policy', {
          token: admin,
          body: { ...policy.body.policy, auditRetentionDays: 7 },
        })
      ).status,
    ).toBe(400);
    const scan = await h.request('POST', '/v1/scan', {
      token: h.token(SCHEDULER, { hostedDomain: undefined }),
      body: {},
    });
    expect(scan.body.retention.cuts).toEqual([{ tenant: 'acme.example', seq: 2, deleted: 2 }]);
    expect(await seqs('acme.example')).toEqual([3]);
    expect(await verify('acme.example')).toMatchObject({
      ok: true,
      anchor: { status: 'verified' },
    });
    expect(await verify('short.example')).toMatchObject({ ok: true, checked: 3 });
  });

  it('refuses an ordinary DELETE of events, even below the cut, and TRUNCATE', async () => {
    const { db } = h.server.backend.services;
    await expect(
      db.query('DELETE FROM audit_events WHERE tenant = $1 AND seq = 6', ['old.example']),
    ).rejects.toThrow(/append-only/);
    // The settings the purge uses are not enough without a recorded cut covering the rows.
    await expect(
      db.transaction(async (tx) => {
        await tx.query("SELECT set_config('audit.purge_tenant', 'old.example', true)");
        await tx.query("SELECT set_config('audit.purge_through', '7', true)");
        await tx.query('DELETE FROM audit_events WHERE tenant = $1 AND seq = 7', ['old.example']);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(db.exec('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_cuts')).rejects.toThrow(/append-only/);
    expect(await seqs('old.example')).toEqual([6, 7, 8]);
  });

  it('refuses a purge through a wrong hash or behind the current cut', async () => {
    const { db } = h.server.backend.services;
    await expect(
      db.query('SELECT audit_purge($1, $2, $3, $4)', ['old.example', 7, 'f'.repeat(64), 'now']),
    ).rejects.toThrow(/no event 7/);
    await expect(
      db.query('SELECT audit_purge($1, $2, $3, $4)', ['old.example', 4, 'f'.repeat(64), 'now']),
    ).rejects.toThrow(/already at 5/);
    expect(await seqs('old.example')).toEqual([6, 7, 8]);
  });

  it('detects a cut made in the database without its anchor', async () => {
    const { db, audit } = h.server.backend.services;
    const [event] = await db.query<{ hash: string }>(
      'SELECT hash FROM audit_events WHERE tenant = $1 AND seq = 7',
      ['old.example'],
    );
    // An insider calls the purge function directly, skipping the anchor.
    await db.query('SELECT audit_purge($1, $2, $3, $4)', [
      'old.example',
      7,
      event?.hash,
      new Date(clock.now).toISOString(),
    ]);
    expect(await audit.verify('old.example')).toMatchObject({ ok: true, checked: 1 });
    expect(await verify('old.example')).toMatchObject({
      ok: false,
      anchor: { status: 'mismatch', reason: expect.stringMatching(/cut at 7 is not anchored/) },
    });
  });
});
