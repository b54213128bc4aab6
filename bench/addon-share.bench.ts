/**
 * This file measures sharing through the real bundle in the Apps Script runtime, with the API
 * emulator's latency model (300 ms a call plus 1 ms a contact) and the backend on PGlite: the
 * "Share" card action for 1,000 contacts and 10 recipients, every recipient's account reached
 * through the share gateway (modelled time, People API calls against the lower bound), the homepage afterwards (the first check pages through the pass's own writes; then
 * one call per account), and the same for 5,000 contacts, with "Sync now" continuations if needed. Needs build/addon (npm run build).
 */
import { makeLabel, peopleCalls, startE2eStack, type E2eStack } from '../test/e2e/stack';

const RECIPIENTS = Array.from({ length: 10 }, (_, index) => `r${index}@acme.example`);

async function share(stack: E2eStack, owner: string, size: number): Promise<void> {
  const label = makeLabel(stack, owner, `Label of ${size}`, size, owner.slice(0, 3));
  stack.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
  const before = peopleCalls(stack.emulator);
  const shared = await stack.act(
    owner,
    { action: 'createShare', labelResourceName: label },
    { targetKind: ['user'], recipients: [RECIPIENTS.join(',')], level: ['edit'] },
  );
  if (shared.run.error) throw new Error(shared.run.error.message);
  const writes = Math.ceil(size / 200) * RECIPIENTS.length + RECIPIENTS.length;
  // Merging needs the owner's listing and one of each recipient's accounts (1,000 a page).
  const reads = Math.ceil(size / 1000) * (1 + RECIPIENTS.length);
  const calls = peopleCalls(stack.emulator) - before;
  console.log(
    `share ${size} contacts with ${RECIPIENTS.length} through the share gateway: action ${shared.run.modelledMs} ms modelled + ${Math.round(shared.run.cpuMs)} ms CPU, ` +
      `${calls} People calls (lower bound ${writes} writes and groups, ${writes + reads} with the reads merging needs: ${(((calls - writes - reads) / (writes + reads)) * 100).toFixed(1)} % above), "${shared.notification}"`,
  );
  const shareId = (await stack.api(owner, 'GET', '/v1/shares?view=mine')).body.shares[0].id;
  let continuations = 0;
  let modelled = shared.run.modelledMs;
  while (
    !JSON.stringify((await stack.act(owner, { action: 'openLabel', shareId })).card).includes(
      'Up to date',
    )
  ) {
    const step = await stack.act(owner, { action: 'syncLabel', shareId });
    if (step.run.error) throw new Error(step.run.error.message);
    continuations++;
    modelled += step.run.modelledMs;
    if (continuations > 20) throw new Error('the share did not finish in 20 continuations');
  }
  console.log(
    `  finished after ${continuations} Sync now continuations, ${modelled} ms modelled in all, ${peopleCalls(stack.emulator) - before} People calls`,
  );
  for (const when of ['first homepage after the pass', 'next homepage, nothing changed']) {
    stack.emulator.clock.advance(3 * 60_000);
    const idle = peopleCalls(stack.emulator);
    const home = await stack.home(owner);
    if (home.run.error) throw new Error(home.run.error.message);
    console.log(
      `  ${when}: ${home.run.modelledMs} ms modelled, ${peopleCalls(stack.emulator) - idle} People calls`,
    );
  }
  stack.emulator.configureTraffic({ latency: { fixedMs: 0, perItemMs: 0 } });
}

/** Prints the figures of sharing through the add-on. */
export async function run(): Promise<void> {
  const stack = await startE2eStack();
  try {
    for (const user of RECIPIENTS) stack.emulator.addUser(user);
    await share(stack, 'alice@acme.example', 1000);
    await share(stack, 'erin@acme.example', 5000);
  } finally {
    await stack.close();
  }
}
