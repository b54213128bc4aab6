/**
 * This file benchmarks the sync engine on the API emulator's latency model (300 ms a call plus
 * 1 ms a contact): the first share of 1,000 contacts with 10 recipients, an unchanged label, the
 * CPU time of planning a 25,000-contact label, and 5,000 contacts with 50 recipients in slices.
 */
import { fingerprint, withLink, type ContactSnapshot } from '../src/core/contact-model';
import { planShareSync } from '../src/core/sync-planner';
import { createSyncWorld, samplePerson, type SyncWorld } from '../test/core/sync-world';

const CARD_ACTION_MS = 30_000;
const SLICE_BUDGET_MS = 25_000;
const PEOPLE_WRITES_PER_CALL = 200;

function peopleCalls(world: SyncWorld): number {
  return world.counts.people;
}

function shareAndSync(
  contacts: number,
  recipients: number,
): { world: SyncWorld; calls: number; modelledMs: number; slices: number } {
  const world = createSyncWorld(recipients - 2);
  world.addMasters(Array.from({ length: contacts }, (_, index) => samplePerson(index)));
  world.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
  const calls = peopleCalls(world);
  const start = world.http.modelledMs;
  const engine = world.engine('alice@example.com');
  let slices = 0;
  let status: string;
  do {
    status = engine.syncShare(world.share.id, {
      deadline: world.emulator.clock.now() + SLICE_BUDGET_MS,
    }).status;
    slices++;
  } while (status === 'continue' && slices < 100);
  if (status !== 'done') throw new Error(`The share ended ${status}.`);
  return {
    world,
    calls: peopleCalls(world) - calls,
    modelledMs: world.http.modelledMs - start,
    slices,
  };
}

function planCpu(size: number): { cpu: number; wall: number } {
  const label = 'contactGroups/label';
  const share = {
    id: 's',
    domain: 'example.com',
    owner: 'alice@example.com',
    labelResourceName: label,
    labelName: 'Big',
    grants: [],
    hiddenFields: [],
    createdAt: '',
    updatedAt: '',
  };
  const masters: ContactSnapshot[] = [];
  const copies: ContactSnapshot[] = [];
  for (let index = 0; index < size; index++) {
    const fields = {
      names: [{ givenName: `Given${index}`, familyName: 'Family' }],
      emailAddresses: [{ value: `p${index}@client.test`, type: 'work' }],
      phoneNumbers: [{ value: `+1 555 ${100000 + index}`, type: 'mobile' }],
      organizations: [{ name: 'Acme', title: 'Buyer' }],
    };
    const master: ContactSnapshot = {
      resourceName: `people/m${index}`,
      etag: 'e',
      updateTime: 1,
      fields,
      memberships: [label],
      clientData: [],
      deleted: false,
      previousResourceNames: [],
    };
    masters.push(master);
    copies.push({
      ...master,
      resourceName: `people/c${index}`,
      fields: JSON.parse(JSON.stringify(fields)) as typeof fields,
      memberships: ['contactGroups/copy'],
      clientData: withLink([], 's', {
        shareId: 's',
        sourceOwner: 'alice@example.com',
        sourceResourceName: master.resourceName,
        merged: false,
        base: fingerprint(fields),
      }),
    });
  }
  const before = process.cpuUsage();
  const wallStart = performance.now();
  const plan = planShareSync({
    share,
    master: masters,
    recipients: [
      {
        account: 'bob@example.com',
        level: 'edit',
        group: 'contactGroups/copy',
        joined: true,
        contacts: copies,
      },
    ],
    masterChanged: new Set(),
  });
  const used = process.cpuUsage(before);
  const wall = performance.now() - wallStart;
  if (plan.recipients[0]?.writes.length !== 0)
    throw new Error('An unchanged label planned writes.');
  return { cpu: (used.user + used.system) / 1000, wall };
}

/** Prints the figures. */
export async function run(): Promise<void> {
  const small = shareAndSync(1000, 10);
  const lowerBound = 10 * Math.ceil(1000 / PEOPLE_WRITES_PER_CALL) + 10;
  console.log(
    `share 1,000 contacts with 10 recipients: modelled ${(small.modelledMs / 1000).toFixed(1)} s (card action limit ${CARD_ACTION_MS / 1000} s), slices ${small.slices}`,
  );
  console.log(
    `  People API calls ${small.calls}; lower bound ${lowerBound} (ceil(n/200) batch writes per recipient + 1 group create each); over by ${(((small.calls - lowerBound) / lowerBound) * 100).toFixed(1)} %`,
  );
  const withReads = lowerBound + 1 + 10;
  console.log(
    `  over the write bound: the owner's listing (1) + each recipient's listing (10), without which pre-existing contacts could not be merged; lower bound with those reads ${withReads}, over by ${(((small.calls - withReads) / withReads) * 100).toFixed(1)} %`,
  );

  const engine = small.world.engine('alice@example.com');
  engine.syncShare(small.world.share.id, { deadline: Number.MAX_SAFE_INTEGER });
  const before = peopleCalls(small.world);
  const status = engine.syncShare(small.world.share.id, {
    deadline: Number.MAX_SAFE_INTEGER,
  }).status;
  console.log(
    `unchanged label (${status}): ${peopleCalls(small.world) - before} People API calls for 11 accounts, i.e. one per account checked`,
  );

  const runs = [planCpu(25_000), planCpu(25_000), planCpu(25_000)];
  const best = runs.reduce((a, b) => (b.wall < a.wall ? b : a));
  console.log(
    `planning a 25,000-contact label (owner + 1 recipient, best of 3): ${best.wall.toFixed(0)} ms on the main thread, ${best.cpu.toFixed(0)} ms CPU of all threads (target ≤ 300 ms); first run ${runs[0]?.wall.toFixed(0)} ms`,
  );

  const big = shareAndSync(5000, 50);
  console.log(
    `share and sync 5,000 contacts with 50 recipients: modelled ${(big.modelledMs / 1000).toFixed(1)} s, ${big.calls} People API calls, ${big.slices} slice(s) of ≤ ${SLICE_BUDGET_MS / 1000} s = ${big.slices - 1} continuation(s)`,
  );
  await Promise.resolve();
}
