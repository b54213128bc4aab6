/**
 * Browser tests of the local demo (issue 16, points 10 and 11) on the stack `npm start` runs, in
 * Debian's Chromium driven by playwright-core: the user picker marks admins and staff, demo users
 * start with labels, an open message shows display names with To and Cc, the support agent
 * enrols a second factor with the code the helper script prints; and a share that does not reach
 * someone tells its owner who, why and what to do, then reaches them at the next sync once they
 * can be reached. Screenshots go to test-results/demo-*.png.
 */
import {
  demoDomainUsers,
  launchJourneyPage,
  startJourneyStack,
} from '../../fixtures/emulator-journeys';
import { sidebarPage } from '../../fixtures/sidebar-page';
import type { Browser, Page } from 'playwright-core';
import { DEMO_LABELS } from '../../../src/emulator/seed/demo-labels';
import { DEMO_STAFF, type LocalStack } from '../../../src/emulator/start';
import { currentCode } from '../../../scripts/totp-code';

describe('the local demo in Chromium', () => {
  let browser: Browser;
  let stack: LocalStack;
  let page: Page;
  const { sidebar, title, shot, field, sidebarText, waitIdle, click, openAs, eventually, status } =
    sidebarPage(() => page, 'demo-');
  let admin: string;
  let owner: string;
  let first: string;
  let second: string;

  async function open(user: string, host: string, sender?: string): Promise<void> {
    await openAs(stack.sidebarUrl, user, host);
    if (sender) {
      await page.locator('#sender').selectOption(sender);
      await waitIdle();
    }
  }

  /** Shares one of the owner's labels from the homepage with people at "View". */
  async function share(label: string, people: string[]): Promise<void> {
    await open(owner, 'homepage');
    const row = sidebar().locator('.widget', { hasText: label }).first();
    await click(row.getByRole('button', { name: 'Share' }));
    await eventually(async () => title().textContent()).toBe(`Share “${label}”`);
    for (const person of people) {
      await field('recipients').fill(person);
      await field('level').selectOption('view');
      await click(sidebar().getByRole('button', { name: 'Add', exact: true }));
      await eventually(sidebarText).toContain(person);
    }
    await click(page.getByRole('button', { name: 'Share', exact: true }).last());
  }

  beforeAll(async () => {
    stack = await startJourneyStack();
    const demo = demoDomainUsers(stack);
    admin = demo.admin;
    [owner, first, second] = demo.staff as [string, string, string];
    ({ browser, page } = await launchJourneyPage());
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('marks admins and staff in the user picker, and demo users start with labels', async () => {
    await open(owner, 'homepage');
    await eventually(async () => title().textContent()).toBe('Shared Contacts');
    const options = await page.locator('#user option').allTextContents();
    expect(options.find((text) => text.includes(`<${admin}>`))).toMatch(/ · admin$/);
    expect(options.find((text) => text.includes(`<${owner}>`))).not.toContain('·');
    expect(options.find((text) => text.includes(DEMO_STAFF.supportAgent))).toMatch(
      /^Sam Support <agent@vendor\.example> · staff: support agent$/,
    );
    expect(options.find((text) => text.includes(DEMO_STAFF.securityManager))).toContain(
      'staff: security manager',
    );
    const own = sidebar().locator('.section', { hasText: 'Share one of my labels' }).first();
    for (const label of DEMO_LABELS)
      await eventually(async () => (await own.textContent()) ?? '').toContain(label.name);
    await eventually(async () => (await own.textContent()) ?? '').toContain('8 contacts');
    await shot('homepage-labels');
  });

  it('shows an open message with display names, To and Cc', async () => {
    await open(owner, 'message', first);
    await eventually(async () => title().textContent()).toBe('People on this message');
    const pane = async () => (await page.locator('#pane').textContent()) ?? '';
    await eventually(pane).toMatch(new RegExp(`To: [^<]+ <${owner.replace('.', '\\.')}>`));
    await eventually(pane).toMatch(/Cc: [^<]+ <[^>]+>/);
    const senderName = (await page.locator('#sender option:checked').textContent())?.split(' <')[0];
    expect(senderName).toBeTruthy();
    expect(await pane()).toContain(senderName as string);
    // The add-on reads the names from the headers: the sender appears by name.
    await eventually(sidebarText).toContain(senderName as string);
    await shot('message-names');
  });

  it('walks the support journey: the agent enrols with the code the helper prints', async () => {
    await open(DEMO_STAFF.supportAgent, 'homepage');
    // Support access is a Settings entry, shown to staff and admins only.
    await page.getByRole('button', { name: 'More actions' }).click();
    await click(page.getByRole('menuitem', { name: 'Settings' }));
    await eventually(async () => title().textContent()).toBe('Settings');
    await click(sidebar().getByRole('button', { name: 'Support access' }));
    await eventually(async () => title().textContent()).toBe('Support access');
    await click(sidebar().getByRole('button', { name: 'Enrol authenticator' }));
    await eventually(async () => title().textContent()).toBe('Enrol your second factor');
    const secret = /([A-Z2-7]{4}(?: [A-Z2-7]{1,4})+)/.exec(
      (await sidebar().locator('.widget', { hasText: 'Secret' }).first().textContent()) ?? '',
    )?.[1];
    expect(secret).toBeDefined();
    await shot('support-enrol');
    await field('code').fill(currentCode(secret as string).code);
    await click(sidebar().getByRole('button', { name: 'Confirm enrolment' }));
    await eventually(sidebarText).toContain('Open a session');
    await shot('support-verified');
    await field('tenant').fill(owner.split('@')[1] as string);
    await field('targetUser').fill(owner);
    await field('ticket').fill('T-1234');
    await field('justification').fill('The customer cannot see a shared label.');
    await click(sidebar().getByRole('button', { name: 'Open session' }));
    await eventually(sidebarText).toContain('T-1234');
    await shot('support-session');
  });

  it('tells the owner who a share did not reach and why, and reaches them once it can', async () => {
    // A first share: the backend keeps a delegated token for the first colleague's account.
    await share('Suppliers', [first]);
    await status(/^Shared “Suppliers”\. Synced: 5 copied/);
    // Google then refuses new delegated tokens (the grant withdrawn in the Admin console).
    const grant = stack.emulator
      .delegationGrants()
      .find((each) => admin.endsWith(`@${each.domain}`));
    if (!grant) throw new Error('no delegation grant for the demo domain');
    stack.emulator.revokeDomainWideDelegation(grant.domain, grant.clientId);

    await share('Customers', [first, second]);
    await status(new RegExp(`Synced: 8 copied.*Not reached: ${second.replace('.', '\\.')}`));
    await eventually(async () => title().textContent()).toBe('Customers');
    await eventually(sidebarText).toContain('Not everyone has their copies yet');
    const text = await sidebarText();
    expect(text).toContain(`${second}: Google refused our service access to their contacts`);
    expect(text).toContain('Ask your domain’s admin to open Settings › Domain admin');
    expect(text).not.toContain('Up to date');
    expect(text).not.toContain('Open the label to see why');
    await shot('share-not-reached');

    await open(owner, 'homepage');
    const row = sidebar().locator('.widget', { hasText: 'Customers' }).first();
    await eventually(async () => (await row.textContent()) ?? '').toContain(
      `Not reached: ${second}`,
    );
    await shot('homepage-not-reached');

    stack.emulator.grantDomainWideDelegation(grant.domain, grant.clientId, grant.scopes);
    await click(page.getByRole('button', { name: 'Sync now' }).last());
    await eventually(async () => (await row.textContent()) ?? '').toContain('Up to date');
    expect((await row.textContent()) ?? '').not.toContain('Not reached');
    await shot('homepage-reached');
  });
});
