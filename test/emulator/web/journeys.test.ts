/**
 * Browser tests of the sidebar's main journeys, on the whole local stack that `npm start` runs
 * (emulator with the demo Workspace, backend on PGlite, runtime, sidebar host) in Debian's
 * Chromium driven by playwright-core: share a label from the homepage, add the sender of an open
 * message to that label, insert the label's addresses into a draft, and change the domain
 * policy in the admin card. Screenshots go to test-results/journey-*.png.
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

describe('the sidebar journeys in Chromium', () => {
  let browser: Browser;
  let stack: LocalStack;
  let page: Page;
  const { sidebar, title, shot, field, waitIdle, click, openAs, eventually, status } = sidebarPage(
    () => page,
    'journey-',
  );
  let admin: string;
  let owner: string;
  let colleague: string;
  let sender: string;

  async function open(
    user: string,
    host: string,
    extra: (p: Page) => Promise<void> = async () => undefined,
  ) {
    await openAs(stack.sidebarUrl, user, host);
    await extra(page);
    await waitIdle();
  }

  beforeAll(async () => {
    stack = await startJourneyStack();
    const demo = demoDomainUsers(stack);
    admin = demo.admin;
    [owner, colleague, sender] = demo.staff as [string, string, string];
    seedLabel(
      stack,
      owner,
      'Key clients',
      Array.from({ length: 12 }, (_, index) => ({
        names: [{ givenName: `Client${index}`, familyName: 'Major' }],
        emailAddresses: [{ value: `client${index}@clients.example` }],
      })),
    );
    ({ browser, page } = await launchJourneyPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shares a label from the homepage with a colleague at a chosen level', async () => {
    await open(owner, 'homepage');
    await eventually(async () => title().textContent()).toBe('Shared Contacts');
    await shot('homepage');
    const row = sidebar().locator('.widget', { hasText: 'Key clients' }).first();
    await click(row.getByRole('button', { name: 'Share' }));
    await eventually(async () => title().textContent()).toBe('Share “Key clients”');
    await field('recipients').fill(colleague);
    await field('level').selectOption('edit');
    await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
    await eventually(async () => (await sidebar().textContent()) ?? '').toContain(
      '12 contacts will be copied to 1 person.',
    );
    await shot('share-dialog');
    await click(page.getByRole('button', { name: 'Share', exact: true }).last());
    await status(/^Shared “Key clients”\. Synced: 12 copied/);
    await eventually(async () => title().textContent()).toBe('Key clients');
    await shot('label-card');
  });

  it('adds the sender of an open message to the label in two clicks', async () => {
    await open(owner, 'message', async (p) => {
      await p.locator('#sender').selectOption(sender);
    });
    await waitIdle();
    await eventually(async () => title().textContent()).toBe('People on this message');
    await shot('message');
    const senderRow = sidebar().locator('.widget', { hasText: sender }).first();
    await eventually(async () => senderRow.textContent()).toContain('Not in a shared label');
    await field('targetLabel').selectOption({ label: 'Key clients' });
    await click(senderRow.getByRole('button', { name: 'Add' }));
    await status(/^Added .+ to “Key clients”\./);
    await eventually(async () => senderRow.textContent()).toContain('In Key clients');
    await shot('message-added');
  });

  it("inserts the label's addresses into the draft's Cc", async () => {
    await open(owner, 'compose');
    await eventually(async () => title().textContent()).toBe('Insert a shared label');
    await sidebar().getByRole('radio', { name: 'Cc', exact: true }).check();
    await click(sidebar().getByRole('button', { name: 'Insert addresses' }));
    await status(/The draft was updated/);
    await eventually(async () => (await page.locator('#pane').textContent()) ?? '').toContain(
      'Cc: client0@clients.example',
    );
    expect((await page.locator('#pane').textContent()) ?? '').toContain(sender);
    await shot('compose-inserted');
  });

  it('changes the domain policy in the admin card', async () => {
    await open(admin, 'homepage');
    await click(page.getByRole('button', { name: 'Settings' }).last());
    await eventually(async () => title().textContent()).toBe('Settings');
    await click(sidebar().getByRole('button', { name: 'Domain admin' }));
    await eventually(async () => title().textContent()).toBe('Domain admin');
    await eventually(async () => (await sidebar().textContent()) ?? '').toContain(
      'Domain-wide delegation is granted with every scope we need.',
    );
    await field('maxLevel').selectOption('view');
    await click(sidebar().getByRole('button', { name: 'Save policy' }));
    await status(/^Policy saved\.$/);
    await shot('admin-policy');
    await open(owner, 'homepage');
    const row = sidebar().locator('.widget', { hasText: 'Key clients' }).first();
    await click(row);
    await click(sidebar().getByRole('button', { name: 'Share with more people' }));
    await eventually(async () => (await sidebar().textContent()) ?? '').toContain(
      'Your organisation allows sharing up to “View”',
    );
    await shot('share-dialog-policy');
  });
});
