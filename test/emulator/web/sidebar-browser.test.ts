/**
 * Browser tests of the sidebar host: Debian's Chromium, headless, driven by playwright-core,
 * against the whole local stack that `npm start` runs (emulator, backend on PGlite, runtime,
 * sidebar host). Opens the homepage as a demo user, pushes the About card and goes back,
 * submits its feedback form, switches hosts, runs a universal action, and shows Gmail's error
 * card for a script that throws. Screenshots go to test-results/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createWorkspaceEmulator } from '../../../src/emulator/api';
import { createAppsScriptRuntime } from '../../../src/emulator/gas/runtime';
import { startLocalStack, type LocalStack } from '../../../src/emulator/start';
import { startSidebarHost, type SidebarHost } from '../../../src/emulator/web/sidebar-host';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(__dirname, '../../../test-results');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe('the Gmail sidebar host in Chromium', () => {
  let browser: Browser;
  let stack: LocalStack;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    stack = await startLocalStack();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const sidebar = () => page.getByRole('complementary', { name: 'Add-on sidebar' });
  const cardTitle = () => sidebar().getByRole('heading', { level: 2 });

  it('opens the homepage as the chosen user', async () => {
    const user = stack.users[1] as string;
    await page.goto(`${stack.sidebarUrl}?user=${encodeURIComponent(user)}`);
    await expectText(cardTitle(), 'Shared Contacts');
    expect(await page.locator('#user').inputValue()).toBe(user);
    expect(await sidebar().getByText('My shared labels', { exact: false }).count()).toBeGreaterThan(
      0,
    );
    expect(await page.locator('#dev-summary').textContent()).toMatch(/onHomepage: \d+ ms script/);
    await shot(page, 'sidebar-homepage');
  });

  /** Opens the About card: Settings (homepage footer) → About and feedback. */
  async function openAbout(): Promise<void> {
    await sidebar().getByRole('button', { name: 'Settings', exact: true }).click();
    await expectText(cardTitle(), 'Settings');
    await sidebar().getByRole('button', { name: 'About and feedback' }).click();
    await expectText(cardTitle(), 'About Shared Contacts');
  }

  it('pushes the About card and goes back', async () => {
    await openAbout();
    await shot(page, 'sidebar-about');
    await sidebar().getByRole('button', { name: 'Back', exact: true }).click();
    await expectText(cardTitle(), 'Settings');
    await sidebar().getByRole('button', { name: 'Back', exact: true }).click();
    await expectText(cardTitle(), 'Shared Contacts');
    expect(await sidebar().getByRole('button', { name: 'Back', exact: true }).count()).toBe(0);
  });

  it('submits the feedback form: refuses it empty, then sends it and pops the card', async () => {
    await openAbout();
    await sidebar().getByRole('button', { name: 'Send feedback' }).click();
    await expectText(page.getByRole('status'), 'Write your feedback first.');
    expect(await cardTitle().textContent()).toBe('About Shared Contacts');
    await sidebar().getByRole('textbox', { name: 'Feedback' }).fill('Please add a dark theme.');
    await shot(page, 'sidebar-feedback-form');
    await sidebar().getByRole('button', { name: 'Send feedback' }).click();
    await expectText(page.getByRole('status'), 'Thanks, your feedback was sent.');
    await expectText(cardTitle(), 'Settings');
    expect(await page.locator('#dev-logs').textContent()).toContain('Please add a dark theme.');
    await shot(page, 'sidebar-feedback-sent');
  });

  it('opens the contextual card of a message and the compose card', async () => {
    await page.locator('#host').selectOption('message');
    await expectText(page.locator('#dev-summary'), /onGmailMessage/);
    expect(await page.locator('#pane').getByText('Quarterly contacts review').count()).toBe(1);
    await shot(page, 'sidebar-message');
    await page.locator('#host').selectOption('compose');
    await expectText(cardTitle(), 'Insert a shared label');
  });

  it('runs a universal action from the menu', async () => {
    await page.locator('#host').selectOption('homepage');
    await expectText(cardTitle(), 'Shared Contacts');
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await expectText(cardTitle(), 'Settings');
  });
});

describe('the sidebar host when the script throws', () => {
  let browser: Browser;
  let host: SidebarHost;
  let runtime: ReturnType<typeof createAppsScriptRuntime>;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidebar-error-'));
    const bundle = path.join(dir, 'Code.js');
    fs.writeFileSync(
      bundle,
      'function onHomepage(e) { return lookUp(e); }\nfunction lookUp() { throw new Error("the directory is unreachable"); }\n',
    );
    const api = createWorkspaceEmulator();
    runtime = createAppsScriptRuntime({
      api,
      bundlePath: bundle,
      manifest: {
        timeZone: 'Etc/UTC',
        runtimeVersion: 'V8',
        oauthScopes: [],
        addOns: {
          common: { name: 'Broken add-on', homepageTrigger: { runFunction: 'onHomepage' } },
        },
      },
    });
    host = await startSidebarHost({ runtime, api, users: ['ann@acme.example'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await runtime?.close();
  });

  it("shows Gmail's error card and the script's stack in the developer panel", async () => {
    const page = await browser.newPage();
    await page.goto(host.url);
    const card = page.getByRole('article', { name: 'Broken add-on' });
    await expectText(card, /Error with the add-on\.[\s\S]*Error: the directory is unreachable/);
    await page.locator('#dev summary').click();
    await expectText(page.locator('#dev-error'), /at lookUp \(Code\.js:2/);
    await shot(page, 'sidebar-error-card');
  });
});

/** Waits until a locator's text matches (Playwright's auto-waiting, without @playwright/test). */
async function expectText(
  locator: ReturnType<Page['locator']>,
  expected: string | RegExp,
): Promise<void> {
  const deadline = 10_000;
  const started = Date.now();
  let last = '';
  while (Date.now() - started < deadline) {
    last = (
      (await locator
        .first()
        .textContent({ timeout: deadline })
        .catch(() => '')) ?? ''
    ).trim();
    if (typeof expected === 'string' ? last === expected : expected.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(last).toEqual(expected);
}
