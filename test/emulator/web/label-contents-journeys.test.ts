/**
 * Browser journeys of issue 16's points 3, 4 and 7 on the whole local stack that `npm start` runs
 * (emulator with the demo Workspace, backend on PGlite, runtime, sidebar host), in Debian's
 * Chromium driven by playwright-core: an unshared label opened from the homepage and filled with
 * existing contacts and pasted addresses, contacts removed and put back with Undo; members shown
 * by name; removing a member, stopping a share and leaving, each confirmed first with what will
 * happen, and undone where that can be honoured; the contact card's fields in order. Screenshots
 * go to test-results/journey-contents-*.png.
 */
import {
  demoDomainUsers,
  launchJourneyPage,
  seedLabel,
  startJourneyStack,
} from '../../fixtures/emulator-journeys';
import { sidebarPage } from '../../fixtures/sidebar-page';
import type { Browser, Page } from 'playwright-core';
import type { LocalStack } from '../../../src/emulator/start';

describe('a label’s contents, confirmations and names in Chromium', () => {
  let browser: Browser;
  let stack: LocalStack;
  let page: Page;
  const { sidebar, title, shot, sidebarText, click, openAs, eventually, status } = sidebarPage(
    () => page,
    'journey-contents-',
  );
  let owner: string;
  let colleague: string;

  const fields = (name: string) => sidebar().locator(`[data-field="${name}"]`);
  const button = (name: string) => sidebar().getByRole('button', { name, exact: true }).last();

  async function open(user: string): Promise<void> {
    await openAs(stack.sidebarUrl, user, 'homepage');
  }

  beforeAll(async () => {
    stack = await startJourneyStack();
    [owner, colleague] = demoDomainUsers(stack).staff as [string, string];
    seedLabel(
      stack,
      owner,
      'Vendors',
      Array.from({ length: 6 }, (_, index) => ({
        names: [{ givenName: `Supplier${index}`, familyName: 'Parts' }],
        emailAddresses: [{ value: `supplier${index}@parts.example` }],
        phoneNumbers: [
          { value: `+1 555 01${index}0`, type: 'mobile' },
          { value: `+1 555 01${index}1`, type: 'work' },
        ],
        organizations: [{ name: 'Parts Ltd' }],
      })),
    );
    ({ browser, page } = await launchJourneyPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('opens an unshared label, adds existing contacts and pasted addresses, removes one and undoes it', async () => {
    await open(owner);
    await click(sidebar().locator('.widget', { hasText: 'Vendors' }).first());
    await eventually(async () => title().textContent()).toBe('Vendors');
    await eventually(sidebarText).toContain('Not shared · 6 contacts');
    await shot('own-label');

    await click(button('Add existing contacts'));
    await eventually(async () => title().textContent()).toBe('Add contacts to “Vendors”');
    const boxes = fields('chosenContacts');
    await boxes.first().waitFor();
    for (const index of [0, 1, 2]) await boxes.nth(index).check();
    await shot('add-existing');
    await click(button('Add chosen'));
    await status(/^Added 3 contacts to “Vendors”\./);
    await eventually(sidebarText).toContain('Not shared · 9 contacts');

    await click(button('Add many at once'));
    await eventually(async () => title().textContent()).toBe('Add many to “Vendors”');
    await fields('pastedContacts').fill(
      'Nina New <nina.new@new.example>, omar.new@new.example\nbob@\nnot an address',
    );
    await click(button('Add to label'));
    await status(/^Added to “Vendors”: 2 new contacts, 0 existing contacts\. 2 lines could not/);
    await eventually(async () => fields('pastedContacts').inputValue()).toBe(
      'bob@\nnot an address',
    );
    expect(await sidebarText()).toContain('Line 2: “bob@” is not an e-mail address.');
    expect(await sidebarText()).toContain('Line 3: “not an address” has no e-mail address.');
    await shot('paste-not-taken');
    await click(page.getByRole('button', { name: 'Back' }).first());
    await eventually(async () => title().textContent()).toBe('Vendors');

    await click(button('Remove contacts'));
    await eventually(async () => title().textContent()).toBe('Remove contacts from “Vendors”');
    await fields('removeContacts').first().check();
    await shot('remove-contacts');
    await click(button('Remove chosen'));
    await status(/^Removed 1 contact from “Vendors”\./);
    await eventually(sidebarText).toContain('1 contact removed from this label.');
    await eventually(sidebarText).toContain('Not shared · 10 contacts');
    await shot('removed-undo');
    await click(button('Undo'));
    await status(/^Added 1 contact to “Vendors”\./);
    await eventually(sidebarText).toContain('Not shared · 11 contacts');
  });

  it('shares it, shows members by name, and confirms removing one, with Undo', async () => {
    await click(button('Share this label'));
    await eventually(async () => title().textContent()).toBe('Share “Vendors”');
    await fields('recipients').first().fill(colleague);
    await fields('level').first().selectOption('contribute');
    await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
    // The recipient appears by name, with the address beside it.
    await eventually(sidebarText).toContain(`(${colleague})`);
    expect(await sidebarText()).toMatch(
      new RegExp(`\\p{L} \\(${colleague.replace(/\./g, '\\.')}\\)`, 'u'),
    );
    await shot('share-dialog-names');
    await click(page.getByRole('button', { name: 'Share', exact: true }).last());
    await status(/^Shared “Vendors”\./);
    await eventually(async () => title().textContent()).toBe('Vendors');
    const memberRow = sidebar()
      .locator('.widget', { hasText: `(${colleague})` })
      .first();
    await eventually(async () => memberRow.textContent()).toMatch(/\S+ \(/);
    await memberRow.scrollIntoViewIfNeeded();
    await shot('members-by-name');

    await click(memberRow.getByRole('button', { name: 'Change' }));
    await click(button('Remove from label'));
    await eventually(async () => title().textContent()).toMatch(/^Remove .+\?$/);
    await eventually(sidebarText).toMatch(/11 contacts will be removed from .+’s contacts/);
    await eventually(sidebarText).toContain('You can undo this right afterwards');
    await shot('confirm-remove-member');
    await click(button('Remove'));
    await status(/^Removed /);
    await eventually(sidebarText).toContain('was removed from this label.');
    await shot('member-removed-undo');
    await click(button('Undo'));
    await status(/Synced: 11 copied/);
    await eventually(async () => memberRow.textContent()).toContain('Add and remove contacts');
  });

  it('shows the contact card’s fields in order with every value', async () => {
    await click(sidebar().locator('.widget', { hasText: 'Supplier0 Parts' }).first());
    await eventually(async () => title().textContent()).toBe('Supplier0 Parts');
    const text = await sidebarText();
    const order = ['Name', 'E-mail', 'Phone · Mobile', 'Phone · Work', 'Organisation'].map(
      (label) => text.indexOf(label),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('+1 555 0100');
    expect(text).toContain('+1 555 0101');
    await shot('contact-card');
  });

  it('asks the colleague before leaving, and says it cannot be undone from here', async () => {
    await open(colleague);
    await click(sidebar().locator('.widget', { hasText: 'Vendors' }).first());
    await eventually(async () => title().textContent()).toBe('Vendors');
    await click(button('Leave this label'));
    await eventually(async () => title().textContent()).toBe('Leave “Vendors”?');
    await eventually(sidebarText).toContain(
      '11 contacts will be removed from your contacts (and from your phone)',
    );
    await eventually(sidebarText).toContain('This cannot be undone from here');
    await shot('confirm-leave');
    await click(button('Cancel'));
    await eventually(async () => title().textContent()).toBe('Vendors');
  });

  it('confirms stopping the share with the numbers, and Undo shares it again', async () => {
    await open(owner);
    await click(sidebar().locator('.widget', { hasText: 'Vendors' }).first());
    await click(button('Stop sharing'));
    await eventually(async () => title().textContent()).toBe('Stop sharing “Vendors”?');
    await eventually(sidebarText).toContain(
      '11 contacts will be removed from 1 person’s contacts (and from their phones).',
    );
    await shot('confirm-stop');
    await click(button('Stop sharing'));
    await status(/^Stopped sharing “Vendors”; the copies are gone\.$/);
    await eventually(async () => title().textContent()).toBe('“Vendors” is no longer shared');
    await shot('stopped-undo');
    await click(button('Undo: share it again'));
    await status(/^Shared “Vendors”\. Synced: 11 copied/);
    await eventually(async () => title().textContent()).toBe('Vendors');
  });
});
