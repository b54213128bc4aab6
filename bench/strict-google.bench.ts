/**
 * This file benchmarks the sync engine under the emulator's production-like traffic profile
 * (quotas, 300 ms a call plus 1 ms a contact, writes reaching sync results 30 s to 3 min late and
 * out of order, one call in 200 failing with 429/500/503): sharing 1,000 contacts with 10
 * recipients in card-action slices, an unchanged label, and a week of hourly syncs of a
 * 5,000-contact label with 20 recipients, whose calls and runtime a day are set against Apps
 * Script's daily quotas.
 */
import { samplePerson, createSyncWorld, type SyncWorld } from '../test/core/sync-world';

const SLICE_BUDGET_MS = 25_000;
const TRIGGER_BUDGET_MS = 5 * 60_000;
const HOUR = 3600_000;
/** Apps Script's daily quotas (developers.google.com/apps-script/guides/services/quotas). */
const QUOTAS = {
  workspace: { fetches: 100_000, runtimeMs: 6 * HOUR },
  consumer: { fetches: 20_000, runtimeMs: 90 * 60_000 },
};

function strictWorld(recipients: number, contacts: number): SyncWorld {
  const world = createSyncWorld(recipients - 2);
  for (let start = 0; start < contacts; start += 1000)
    world.addMasters(
      Array.from({ length: Math.min(1000, contacts - start) }, (_, index) =>
        samplePerson(start + index),
      ),
    );
  world.emulator.useTrafficProfile('production-like');
  return world;
}

function errors(world: SyncWorld): string {
  const count = (status: number) => world.emulator.callCount({ status });
  return `429s ${count(429)}, 500s ${count(500)}, 503s ${count(503)}; transport retries ${world.transport.retries}, paced ${world.transport.paced}`;
}

function shareInSlices(world: SyncWorld): { slices: number; modelledMs: number; calls: number } {
  const engine = world.engine('alice@example.com');
  const calls = world.counts.people;
  const start = world.http.modelledMs;
  let slices = 0;
  let status: string;
  do {
    const result = engine.syncShare(world.share.id, {
      deadline: world.emulator.clock.now() + SLICE_BUDGET_MS,
    });
    status = result.status;
    slices++;
  } while ((status === 'continue' || status === 'failed') && slices < 100);
  if (status !== 'done') throw new Error(`The share ended ${status}.`);
  return { slices, modelledMs: world.http.modelledMs - start, calls: world.counts.people - calls };
}

/** Prints the figures. */
export async function run(): Promise<void> {
  const small = strictWorld(10, 1000);
  const shared = shareInSlices(small);
  console.log(
    `production-like: share 1,000 contacts with 10 recipients: modelled ${(shared.modelledMs / 1000).toFixed(1)} s, ${shared.calls} People API calls, ${shared.slices} slice(s) of ≤ ${SLICE_BUDGET_MS / 1000} s = ${shared.slices - 1} continuation(s); ${errors(small)}`,
  );
  small.emulator.clock.advance(10 * 60_000);
  const engine = small.engine('alice@example.com');
  engine.syncShare(small.share.id, { deadline: small.emulator.clock.now() + TRIGGER_BUDGET_MS });
  small.emulator.clock.advance(10 * 60_000);
  const before = small.counts.people;
  const status = engine.syncShare(small.share.id, {
    deadline: small.emulator.clock.now() + TRIGGER_BUDGET_MS,
  }).status;
  console.log(
    `production-like: unchanged label (${status}): ${small.counts.people - before} People API calls for 11 accounts`,
  );

  // A week of hourly syncs: quiet nights and weekends, one edit of a master every working hour
  // (Monday to Friday, 9:00 to 17:00), the weekly expiry of sync tokens on the eighth day.
  const big = strictWorld(20, 5000);
  const owner = 'alice@example.com';
  const first = shareInSlices(big);
  console.log(
    `production-like: first share of 5,000 contacts with 20 recipients: modelled ${(first.modelledMs / 1000).toFixed(1)} s, ${first.calls} calls, ${first.slices} slice(s)`,
  );
  const days: { calls: number; runtimeMs: number; statuses: Record<string, number> }[] = [];
  const masters = big
    .contactsOf(owner)
    .filter((contact) => contact.memberships.includes(big.share.labelResourceName));
  const wall = performance.now();
  for (let hour = 0; hour < 7 * 24 + 1; hour++) {
    big.emulator.clock.advance(HOUR);
    const day = Math.floor(hour / 24);
    const hourOfDay = hour % 24;
    if (day < 5 && hourOfDay >= 9 && hourOfDay < 17) {
      const master = masters[hour % masters.length];
      if (master) {
        const [current] = big.run(big.people(owner).getBatchGet([master.resourceName], 'metadata'));
        big.run(
          big.people(owner).updateContact(
            master.resourceName,
            {
              etag: current?.etag,
              biographies: [{ value: `edited at hour ${hour}`, contentType: 'TEXT_PLAIN' }],
            },
            ['biographies'],
          ),
        );
      }
    }
    const calls = big.counts.people;
    const modelled = big.http.modelledMs;
    const result = big
      .engine(owner)
      .syncShare(big.share.id, { deadline: big.emulator.clock.now() + TRIGGER_BUDGET_MS });
    const today = (days[Math.min(day, 7)] ??= { calls: 0, runtimeMs: 0, statuses: {} });
    today.calls += big.counts.people - calls;
    today.runtimeMs += big.http.modelledMs - modelled;
    today.statuses[result.status] = (today.statuses[result.status] ?? 0) + 1;
  }
  const busiest = days.reduce((a, b) => (b.calls > a.calls ? b : a));
  days.forEach((day, index) =>
    console.log(
      `  day ${index + 1}: ${day.calls} People API calls (${((day.calls / QUOTAS.workspace.fetches) * 100).toFixed(2)} % of 100,000 URL Fetch calls; ${((day.calls / QUOTAS.consumer.fetches) * 100).toFixed(1)} % of 20,000), modelled trigger runtime ${(day.runtimeMs / 60_000).toFixed(1)} min (${((day.runtimeMs / QUOTAS.workspace.runtimeMs) * 100).toFixed(1)} % of 6 h; ${((day.runtimeMs / QUOTAS.consumer.runtimeMs) * 100).toFixed(1)} % of 90 min); ${Object.entries(
        day.statuses,
      )
        .map(([status, count]) => `${count} ${status}`)
        .join(', ')}`,
    ),
  );
  console.log(
    `production-like: a week of hourly syncs of 5,000 contacts with 20 recipients: busiest day ${busiest.calls} calls and ${(busiest.runtimeMs / 60_000).toFixed(1)} min; ${errors(big)}; ${((performance.now() - wall) / 1000).toFixed(0)} s of real time`,
  );
  await Promise.resolve();
}
