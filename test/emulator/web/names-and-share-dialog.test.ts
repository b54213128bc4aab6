/**
 * Browser journeys, on the whole local stack that `npm start` runs, in Debian's Chromium driven
 * by playwright-core: names that carry HTML, right-to-left text and thousands of emoji show as
 * the text they are (no link, no coloured text, cut cleanly), and the share dialog takes a
 * colleague of the organisation's second domain by the name typed, refuses another
 * organisation's address, oneself and an unknown address with the reason while keeping what was
 * typed and the level, and warns that an empty label copies nothing. Screenshots go to
 * test-results/journey-names-*.png and journey-share-*.png.
 */
import { launchJourneyPage, seedLabel, startJourneyStack } from '../../fixtures/emulator-journeys';
import { sidebarPage } from '../../fixtures/sidebar-page';
import type { Browser, Page } from 'playwright-core';
import type { LocalStack } from '../../../src/emulator/start';

const HTML_NAME =
  '<a href="https://evil.example/verify">Urgent: verify your account</a> <font color="red">CEO</font>';
const RTL_NAME = 'שלום \u202Egnp.exe\u202C مرحبا';
const LONG_NAME = `x${'😀'.repeat(2000)}`;

describe('names and the share dialog in Chromium', () => {
  let browser: Browser;
  let stack: LocalStack;
  let page: Page;
  let owner: string;
  let colleague: string;
  let outsider: string;

  const { sidebar, title, shot, field, sidebarText, click, openAs, eventually } = sidebarPage(
    () => page,
    'journey-',
  );

  async function open(user: string): Promise<void> {
    await openAs(stack.sidebarUrl, user, 'homepage');
  }

  const statusText = async () => (await page.getByRole('status').textContent()) ?? '';

  beforeAll(async () => {
    stack = await startJourneyStack();
    const admin = stack.users[0] as string;
    const customer = stack.emulator.customerOf(admin);
    const [primary, second] = customer?.domains ?? [];
    if (!primary || !second) throw new Error('the demo customer has no second domain');
    owner = stack.users.find((user) => user !== admin && user.endsWith(`@${primary}`)) as string;
    colleague = `dmitry.ivanov@${second}`;
    stack.emulator.addUser(colleague, { givenName: 'Dmitry', familyName: 'Ivanov' });
    outsider = stack.users.find(
      (user) => !customer?.domains.includes(user.split('@')[1] as string),
    ) as string;
    seedLabel(
      stack,
      owner,
      HTML_NAME,
      [HTML_NAME, RTL_NAME, LONG_NAME].map((name, index) => ({
        names: [{ givenName: name }],
        emailAddresses: [{ value: `hostile${index}@clients.example` }],
      })),
    );
    seedLabel(stack, owner, 'Empty prospects', []);
    ({ browser, page } = await launchJourneyPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows names with HTML, right-to-left text and emoji as the text they are', async () => {
    await open(owner);
    await eventually(async () => title().textContent()).toBe('Shared Contacts');
    const row = sidebar().locator('.widget', { hasText: 'Urgent: verify your account' }).first();
    expect(await row.textContent()).toContain(HTML_NAME);
    expect(await sidebar().locator('a[href*="evil.example"]').count()).toBe(0);
    expect(await sidebar().locator('font, [style*="color"]').count()).toBe(0);
    await shot('names-homepage');

    await click(row.getByRole('button', { name: 'Share' }));
    await eventually(async () => title().textContent()).toBe(`Share “${HTML_NAME}”`);
    expect(await sidebar().locator('a[href*="evil.example"]').count()).toBe(0);
    await shot('names-share-dialog');
    await field('recipients').fill(colleague);
    await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
    await click(page.getByRole('button', { name: 'Share', exact: true }).last());
    await eventually(statusText).toMatch(/^Shared “<a href=/);
    await eventually(async () => title().textContent()).toBe(HTML_NAME);
    const shown = await sidebarText();
    expect(shown).toContain('שלום gnp.exe مرحبا');
    expect(shown).not.toMatch(/[\u202A-\u202E]/);
    const long = /x😀+…/u.exec(shown)?.[0] ?? '';
    expect(long.length).toBeGreaterThan(10);
    expect(long).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(await sidebar().locator('a[href*="evil.example"], font').count()).toBe(0);
    await shot('names-label-card');
  });

  it('takes a colleague of the second domain by name and refuses others with the reason', async () => {
    await open(owner);
    const row = sidebar().locator('.widget', { hasText: 'Empty prospects' }).first();
    await click(row.getByRole('button', { name: 'Share' }));
    await eventually(sidebarText).toPass((text) => {
      expect(text).toContain('only inside your organisation (');
      expect(text).toContain('“Empty prospects” has no contacts yet, so nothing will be copied');
    });
    await shot('share-empty-label');

    await field('recipients').fill('Dmitry Ivanov');
    await field('level').selectOption('edit');
    await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
    await eventually(sidebarText).toContain(colleague);
    await shot('share-second-domain');

    for (const [typed, reason] of [
      [outsider, `${outsider} is outside your organisation`],
      [owner, 'You cannot share a label with yourself'],
      [`nobody.here@${owner.split('@')[1]}`, 'is not in your organisation’s directory'],
    ] as const) {
      await field('recipients').fill(typed);
      await field('level').selectOption('contribute');
      await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
      await eventually(statusText).toContain(reason);
      expect(await sidebarText()).toContain(reason);
      expect(await field('recipients').inputValue()).toBe(typed);
      expect(await field('level').inputValue()).toBe('contribute');
      expect(await sidebarText()).toContain(colleague);
      if (typed === outsider) await shot('share-outside-refused');
    }
  });
});
