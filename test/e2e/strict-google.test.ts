/**
 * End to end through the real bundle, under the emulator's production-like traffic profile
 * (quotas, latency, writes reaching sync results minutes late and out of order, a stale search
 * cache, occasional 429/500/503): sharing a label and the hourly sync still complete; the
 * recipient suggestions fall back to what the user may see when the directory is hidden from
 * apps, and the dialog says why; a contact added twice within the search cache's staleness is
 * not duplicated; and the hourly sync defers, and the homepage says so, when it would cross an
 * Apps Script daily quota.
 */
import { makeLabel, peopleCalls, startE2eStack, type E2eStack } from './stack';
import { ALICE, BOB, CAROL, DAVE, ERIN } from '../fixtures/acme-users';
import { contactsInLabel } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';
import { firstShareId, shareLabel } from '../fixtures/share-steps';

function suggestionsOf(json: unknown): string[] {
  return (
    (
      json as { action?: { suggestions?: { items?: { text: string }[] } } }
    ).action?.suggestions?.items?.map((item) => item.text) ?? []
  );
}

describe('the add-on when Google is as strict as in production', () => {
  let stack: E2eStack;
  let shareId: string;

  beforeAll(async () => {
    stack = await startE2eStack({ profile: 'production-like' });
    expect((await putOpenPolicy(stack)).status).toBe(200);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('shares 300 contacts with bob and carol, and the hourly syncs complete them (issue 15: production-like profile)', async () => {
    const labelResourceName = makeLabel(stack, ALICE, 'Accounts', 300, 'q');
    const shared = await shareLabel(stack, ALICE, labelResourceName, `${BOB}, ${CAROL}`, 'view');
    expect(shared.run.error).toBeUndefined();
    expect(shared.notification).toMatch(/^Shared “Accounts”\./);
    shareId = await firstShareId(stack, ALICE);
    for (let hour = 0; hour < 3; hour++) {
      stack.emulator.clock.advance(3600_000);
      for (const user of [ALICE, BOB, CAROL]) {
        const run = await stack.trigger(user);
        expect(run.error).toBeUndefined();
      }
    }
    for (const user of [BOB, CAROL]) {
      const copies = contactsInLabel(stack, user, 'Accounts');
      expect({ user, copies: copies.length }).toEqual({ user, copies: 300 });
    }
  });

  // FACTS.md Delegation: External Directory Sharing restricted → "People API directory calls then return no domain data or 403"
  it('suggests from the user’s own contacts and shares when the directory answers 403, and the dialog says why (FACTS.md: directory visibility)', async () => {
    const labelResourceName = makeLabel(stack, ERIN, 'Suppliers', 3, 'e');
    stack.people(ERIN, (client) =>
      client.createContact({
        names: [{ givenName: 'Bob', familyName: 'Brown' }],
        emailAddresses: [{ value: BOB }],
      }),
    );
    stack.emulator.setDirectorySharing('acme.example', 'forbidden');
    stack.emulator.clock.advance(5 * 60_000);
    const suggested = await stack.act(
      ERIN,
      { action: 'suggestRecipients' },
      { recipients: ['bo'] },
    );
    expect(suggested.run.error).toBeUndefined();
    expect(suggestionsOf(suggested.run.result?.json)).toContain(`Bob Brown <${BOB}>`);
    const dialog = await stack.act(ERIN, { action: 'showShareForm', labelResourceName });
    expect(JSON.stringify(dialog.card)).toContain('turned off directory sharing for apps');
    stack.emulator.setDirectorySharing('acme.example', 'shared');
  });

  it('says the directory is hidden when it answers with nobody, not even the user', async () => {
    const labelResourceName = makeLabel(stack, DAVE, 'Partners', 3, 'd');
    stack.emulator.setDirectorySharing('acme.example', 'none');
    const suggested = await stack.act(
      DAVE,
      { action: 'suggestRecipients' },
      { recipients: ['ca'] },
    );
    expect(suggested.run.error).toBeUndefined();
    const dialog = await stack.act(DAVE, { action: 'showShareForm', labelResourceName });
    expect(JSON.stringify(dialog.card)).toContain('does not show its directory to apps');
    stack.emulator.setDirectorySharing('acme.example', 'shared');
  });

  // people.searchContacts: "Before searching, clients should send a warmup request with an empty query to update the cache"
  it('does not add a contact twice when the search cache does not know it yet (people.searchContacts: cache)', async () => {
    const person = {
      givenName: ['Nina'],
      familyName: ['New'],
      email: ['nina@new.example'],
      phone: [''],
    };
    const first = await stack.act(ALICE, { action: 'addContact', shareId }, person);
    expect(first.notification).toMatch(/^Added Nina New to “Accounts”/);
    const second = await stack.act(ALICE, { action: 'addContact', shareId }, person);
    expect(second.notification).toMatch(/already/);
    const ninas = stack
      .contactsOf(ALICE)
      .filter((contact) => contact.emailAddresses?.[0]?.value === 'nina@new.example');
    expect(ninas).toHaveLength(1);
  });

  // quotas page: "URL Fetch calls 100,000 / day" (Google Workspace)
  it('defers the hourly sync that would cross the day’s URL Fetch quota, without a call to Google, and the homepage says so (quotas page: URL Fetch calls)', async () => {
    const now = stack.emulator.clock.now();
    stack.runtime.state.properties.set(
      `user:${ALICE}`,
      {
        'budget:v1': JSON.stringify({
          since: now - 3600_000,
          fetches: 89_500,
          triggerMs: 0,
          runs: 1,
          runFetches: 600,
          runMs: 60_000,
        }),
      },
      false,
    );
    const before = peopleCalls(stack.emulator);
    const run = await stack.trigger(ALICE);
    expect(run.error).toBeUndefined();
    expect(peopleCalls(stack.emulator) - before).toBe(0);
    const home = await stack.home(ALICE);
    expect(JSON.stringify(home.card)).toContain('The hourly sync is paused for about 23 hours');
  });
});
