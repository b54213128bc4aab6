/**
 * Browser journeys, on the whole local stack that `npm start` runs, in Debian's Chromium driven
 * by playwright-core: names that carry HTML, right-to-left text and thousands of emoji show as
 * the text they are (no link, no coloured text, cut cleanly), and the share dialog takes a
 * colleague of the organisation's second domain by the name typed, refuses another
 * organisation's address, oneself and an unknown address with the reason while keeping what was
 * typed and the level, and warns that an empty label copies nothing. Screenshots go to
 * test-results/journey-names-*.png and journey-share-*.png.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ClockSleeper } from '../../../src/core/memory-adapters';
import { EmulatorHttpClient } from '../../../src/emulator/api';
import { startLocalStack, type LocalStack } from '../../../src/emulator/start';
import { PeopleClient } from '../../../src/google/people-client';
import { GoogleTransport } from '../../../src/google/transport';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(__dirname, '../../../test-results');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];

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

  const sidebar = () => page.getByRole('complementary', { name: 'Add-on sidebar' });
  const title = () => sidebar().getByRole('heading', { level: 2 }).first();
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SHOTS, `journey-${name}.png`), fullPage: true });
  const field = (name: string) => sidebar().locator(`[data-field="${name}"]`).first();

  async function waitIdle(): Promise<void> {
    await page.locator('body:not([aria-busy])').waitFor();
    await page.locator('#progress').waitFor({ state: 'hidden' });
  }

  async function open(user: string): Promise<void> {
    await page.goto(`${stack.sidebarUrl}?user=${encodeURIComponent(user)}&host=homepage`);
    await page.locator('#dev-summary', { hasText: 'ms script' }).waitFor();
    await waitIdle();
  }

  async function click(locator: Locator): Promise<void> {
    await locator.click();
    await waitIdle();
  }

  /** Polls `read` until `check` passes (the sidebar updates asynchronously). */
  async function eventually<T>(read: () => Promise<T>, check: (value: T) => void): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      try {
        check(value);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await page.waitForTimeout(100);
      }
    }
  }

  const sidebarText = async () => (await sidebar().textContent()) ?? '';
  const statusText = async () => (await page.getByRole('status').textContent()) ?? '';

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    stack = await startLocalStack();
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
    const transport = new GoogleTransport({
      http: new EmulatorHttpClient(stack.emulator, {}),
      clock: stack.emulator.clock,
      sleeper: new ClockSleeper(stack.emulator.clock),
    });
    const people = new PeopleClient(
      stack.emulator.mintAccessToken(owner, ['https://www.googleapis.com/auth/contacts']),
    );
    const label = transport.run(people.createContactGroup({ name: HTML_NAME }));
    transport.run(
      people.batchCreateContacts(
        [HTML_NAME, RTL_NAME, LONG_NAME].map((name, index) => ({
          names: [{ givenName: name }],
          emailAddresses: [{ value: `hostile${index}@clients.example` }],
          memberships: [
            { contactGroupMembership: { contactGroupResourceName: label.resourceName ?? '' } },
          ],
        })),
      ),
    );
    transport.run(people.createContactGroup({ name: 'Empty prospects' }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows names with HTML, right-to-left text and emoji as the text they are', async () => {
    await open(owner);
    await eventually(
      async () => title().textContent(),
      (text) => expect(text).toBe('Shared Contacts'),
    );
    const row = sidebar().locator('.widget', { hasText: 'Urgent: verify your account' }).first();
    expect(await row.textContent()).toContain(HTML_NAME);
    expect(await sidebar().locator('a[href*="evil.example"]').count()).toBe(0);
    expect(await sidebar().locator('font, [style*="color"]').count()).toBe(0);
    await shot('names-homepage');

    await click(row.getByRole('button', { name: 'Share' }));
    await eventually(
      async () => title().textContent(),
      (text) => expect(text).toBe(`Share “${HTML_NAME}”`),
    );
    expect(await sidebar().locator('a[href*="evil.example"]').count()).toBe(0);
    await shot('names-share-dialog');
    await field('recipients').fill(colleague);
    await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
    await click(page.getByRole('button', { name: 'Share', exact: true }).last());
    await eventually(statusText, (text) => expect(text).toMatch(/^Shared “<a href=/));
    await eventually(
      async () => title().textContent(),
      (text) => expect(text).toBe(HTML_NAME),
    );
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
    await eventually(sidebarText, (text) => {
      expect(text).toContain('only inside your organisation (');
      expect(text).toContain('“Empty prospects” has no contacts yet, so nothing will be copied');
    });
    await shot('share-empty-label');

    await field('recipients').fill('Dmitry Ivanov');
    await field('level').selectOption('edit');
    await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
    await eventually(sidebarText, (text) => expect(text).toContain(colleague));
    await shot('share-second-domain');

    for (const [typed, reason] of [
      [outsider, `${outsider} is outside your organisation`],
      [owner, 'You cannot share a label with yourself'],
      [`nobody.here@${owner.split('@')[1]}`, 'is not in your organisation’s directory'],
    ] as const) {
      await field('recipients').fill(typed);
      await field('level').selectOption('contribute');
      await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
      await eventually(statusText, (text) => expect(text).toContain(reason));
      expect(await sidebarText()).toContain(reason);
      expect(await field('recipients').inputValue()).toBe(typed);
      expect(await field('level').inputValue()).toBe('contribute');
      expect(await sidebarText()).toContain(colleague);
      if (typed === outsider) await shot('share-outside-refused');
    }
  });
});
