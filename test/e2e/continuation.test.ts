/**
 * A share too large for one 30-s card action, end to end through the real bundle: with the
 * emulator's latency model (300 ms a call plus 1 ms a contact), sharing an 8,000-contact label
 * with two colleagues copies what fits inside the action, tells the user the rest continues, and
 * the hourly trigger finishes it from the checkpoint, with no duplicate and nothing lost. The
 * figures (modelled time, calls, slices) go to test-results/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeLabel, peopleCalls, startE2eStack, type E2eStack } from './stack';
import { ERIN } from '../fixtures/acme-users';
import { firstShareId, shareLabel } from '../fixtures/share-steps';

const RECIPIENTS = ['bob@acme.example', 'carol@acme.example'];
const SIZE = 8000;

describe('a share that does not fit in one action', () => {
  let stack: E2eStack;
  let label: string;

  beforeAll(async () => {
    stack = await startE2eStack();
    label = makeLabel(stack, ERIN, 'Big', SIZE, 'b');
    stack.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
  });
  afterAll(() => stack.close());

  it('copies part inside the action and finishes through its continuation', async () => {
    const figures: Record<string, unknown> = { contacts: SIZE, recipients: RECIPIENTS.length };
    let before = peopleCalls(stack.emulator);
    const shared = await shareLabel(stack, ERIN, label, RECIPIENTS.join(', '), 'view');
    expect(shared.run.error).toBeUndefined();
    expect(shared.notification).toBe(
      'Shared “Big”. Synced part of it; the rest continues automatically within the hour, or press Sync now.',
    );
    expect(JSON.stringify(shared.card)).toContain('Sync in progress');
    figures.action = {
      modelledMs: shared.run.modelledMs,
      cpuMs: Math.round(shared.run.cpuMs),
      peopleCalls: peopleCalls(stack.emulator) - before,
    };
    const partial = RECIPIENTS.map((user) => stack.contactsOf(user).length);
    for (const count of partial) {
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThan(SIZE);
    }
    figures.copiedInAction = partial;

    // Opening the sidebar now must not start listings that cannot end within its budget: the
    // action learnt how long the listings take, and the homepage leaves the pass to the trigger.
    const listings = () =>
      stack.emulator.callCount({ operation: 'people.people.connections.list' });
    const listed = listings();
    const sidebar = await stack.home(ERIN);
    expect(sidebar.run.error).toBeUndefined();
    figures.homepage = { modelledMs: sidebar.run.modelledMs, listings: listings() - listed };
    expect(listings() - listed).toBeLessThan(SIZE / 1000);
    expect(JSON.stringify(sidebar.card)).toContain('Sync in progress');
    expect(RECIPIENTS.map((user) => stack.contactsOf(user).length)).toEqual(partial);

    before = peopleCalls(stack.emulator);
    const run = await stack.trigger(ERIN);
    expect(run.error).toBeUndefined();
    figures.trigger = {
      modelledMs: run.modelledMs,
      cpuMs: Math.round(run.cpuMs),
      peopleCalls: peopleCalls(stack.emulator) - before,
    };
    for (const user of RECIPIENTS) {
      const emails = stack.contactsOf(user).map((person) => person.emailAddresses?.[0]?.value);
      expect(emails).toHaveLength(SIZE);
      expect(new Set(emails).size).toBe(SIZE);
    }
    const home = await stack.act(ERIN, { action: 'openLabel', shareId: await shareId() });
    expect(JSON.stringify(home.card)).toContain('Up to date');
    const slices = (
      await stack.api('admin@acme.example', 'GET', '/v1/events?pageSize=500')
    ).body.events.filter((event: { type: string }) => event.type.startsWith('sync.'));
    figures.slices = slices.map((event: { type: string; detail: { slice: number } }) => [
      event.type,
      event.detail.slice,
    ]);
    expect(slices.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['sync.continue', 'sync.done']),
    );
    fs.mkdirSync(path.join(__dirname, '../../test-results'), { recursive: true });
    fs.writeFileSync(
      path.join(__dirname, '../../test-results/e2e-continuation.json'),
      `${JSON.stringify(figures, null, 2)}\n`,
    );
  });

  async function shareId(): Promise<string> {
    return await firstShareId(stack, ERIN);
  }
});
