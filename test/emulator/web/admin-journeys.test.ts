/**
 * Browser tests of the admin card's journeys (issue 16, points 1, 8 and 9) on the whole local
 * stack that `npm start` runs, in Debian's Chromium driven by playwright-core: the onboarding
 * checks open for an admin whose organisation has not granted delegation and name the missing
 * grant; Support access is offered to admins only, and the admin card asks for the support
 * choice; an admin opens and revokes a share, hands a leaver's labels over to a colleague, filters
 * the recent activity told in words, and downloads the audit trail as a CSV file. Screenshots go
 * to test-results/admin-*.png.
 */
import { startJourneyStack, demoDomainUsers } from '../../fixtures/emulator-journeys';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, sidebarPage } from '../../fixtures/sidebar-page';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { ClockSleeper } from '../../../src/core/memory-adapters';
import { EmulatorHttpClient } from '../../../src/emulator/api';
import type { LocalStack } from '../../../src/emulator/start';
import { PeopleClient } from '../../../src/google/people-client';
import { GoogleTransport } from '../../../src/google/transport';

const AUDIENCE = 'local-addon.apps.googleusercontent.com';
const USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';

describe('the admin card’s journeys in Chromium', () => {
  let browser: Browser;
  let stack: LocalStack;
  let page: Page;
  const { sidebar, title, shot, field, click, openAs, eventually, status } = sidebarPage(
    () => page,
    'admin-',
  );
  let admin: string;
  let owner: string;
  let colleague: string;
  let successor: string;
  let otherAdmin: string;
  const downloads: Download[] = [];

  const shown = async () => (await sidebar().textContent()) ?? '';

  async function open(user: string) {
    await openAs(stack.sidebarUrl, user, 'homepage');
  }

  async function openSettings(user: string): Promise<void> {
    await open(user);
    // The homepage may still be settling after its first render: press again if it was missed.
    for (let attempt = 1; attempt <= 3; attempt++) {
      await click(page.getByRole('button', { name: 'Settings' }).last());
      if (
        await title()
          .filter({ hasText: /^Settings$/ })
          .waitFor({ timeout: 5_000 })
          .then(
            () => true,
            () => false,
          )
      )
        break;
    }
    await eventually(async () => title().textContent()).toBe('Settings');
  }

  async function openAdminCard(user: string): Promise<void> {
    await openSettings(user);
    await click(sidebar().getByRole('button', { name: 'Domain admin' }));
    await eventually(async () => title().textContent()).toBe('Domain admin');
  }

  /** Registers a share of a new label of the owner's with the backend, as the add-on would. */
  async function shareLabel(name: string, transport: GoogleTransport): Promise<void> {
    const people = new PeopleClient(
      stack.emulator.mintAccessToken(owner, ['https://www.googleapis.com/auth/contacts']),
    );
    const group = transport.run(people.createContactGroup({ name }));
    const token = stack.emulator.idTokens.mint({
      email: owner,
      audience: AUDIENCE,
      hostedDomain: owner.split('@')[1],
    });
    const answer = await fetch(`${stack.backendUrl}/v1/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        labelResourceName: group.resourceName,
        labelName: name,
        grants: [{ target: { kind: 'user', email: colleague }, level: 'view' }],
      }),
    });
    expect(answer.status).toBe(201);
  }

  beforeAll(async () => {
    stack = await startJourneyStack();
    const demo = demoDomainUsers(stack);
    admin = demo.admin;
    [owner, colleague, successor] = demo.staff as [string, string, string];
    // The other demo organisation's admin; it has not granted the directory's users scope yet.
    const customer = (user: string) => stack.emulator.customerOf(user)?.id;
    otherAdmin = stack.users.find((user) => customer(user) !== customer(admin)) as string;
    const otherCustomer = stack.emulator.customerOf(otherAdmin);
    const grant = stack.emulator
      .delegationGrants()
      .find((each) => otherCustomer?.domains.includes(each.domain));
    if (!grant) throw new Error(`no delegation for ${otherAdmin}`);
    const otherDomain = grant.domain;
    stack.emulator.revokeDomainWideDelegation(otherDomain, grant.clientId);
    stack.emulator.grantDomainWideDelegation(
      otherDomain,
      grant.clientId,
      grant.scopes.filter((scope) => scope !== USER_SCOPE),
    );
    const transport = new GoogleTransport({
      http: new EmulatorHttpClient(stack.emulator, {}),
      clock: stack.emulator.clock,
      sleeper: new ClockSleeper(stack.emulator.clock),
    });
    await shareLabel('Key clients', transport);
    await shareLabel('Old suppliers', transport);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const browserContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    // The download opens in a new tab, as Card Service's OpenLink does.
    browserContext.on('page', (tab) => tab.on('download', (download) => downloads.push(download)));
    page = await browserContext.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('opens the onboarding checks for an admin whose organisation has not granted delegation, naming the missing grant', async () => {
    await openAdminCard(otherAdmin);
    await eventually(shown).toContain('We could not check that you are an admin');
    const text = await shown();
    expect(text).toContain('Missing: admin.directory.user.readonly.');
    expect(text).toContain('Granted: contacts.');
    expect(text).toContain(`give it these scopes: ${USER_SCOPE}.`);
    expect(text).not.toContain('Domain policy');
    expect(text).not.toContain('All shared labels');
    await shot('onboarding-undelegated');
  });

  it('offers Support access to admins only, and asks the admin to choose it', async () => {
    await openSettings(owner);
    expect(await sidebar().getByRole('button', { name: 'Support access' }).count()).toBe(0);
    await shot('settings-user');
    await openSettings(admin);
    await eventually(async () =>
      sidebar().getByRole('button', { name: 'Support access' }).count(),
    ).toBe(1);
    await shot('settings-admin');
    await click(sidebar().getByRole('button', { name: 'Domain admin' }));
    await eventually(shown).toContain('Until you choose, every access needs an admin’s approval.');
    await shot('support-question');
    await field('supportChoice').selectOption('disabled');
    await click(sidebar().getByRole('button', { name: 'Save this choice' }));
    await status(/^Support access chosen\.$/);
    await eventually(async () => (await shown()).includes('Until you choose')).toBe(false);
    await shot('support-chosen');
  });

  it('opens and revokes a share, hands a leaver’s labels over, filters the activity and downloads the audit trail', async () => {
    await openAdminCard(admin);
    await eventually(shown).toContain('Old suppliers');
    await click(sidebar().locator('.widget', { hasText: 'Old suppliers' }).first());
    await eventually(async () => title().textContent()).toBe('Old suppliers');
    expect(await shown()).toContain(`${colleague} · View`);
    await shot('share');
    await click(sidebar().getByRole('button', { name: 'Stop sharing' }));
    await eventually(shown).toContain(`Stop sharing “Old suppliers” with ${colleague}?`);
    await shot('share-stop-confirm');
    await click(sidebar().getByRole('button', { name: 'Yes, stop sharing' }));
    await status(/^“Old suppliers” is no longer shared\.$/);
    await eventually(async () => title().textContent()).toBe('Domain admin');
    await eventually(shown).toContain('All shared labels (1)');

    await field('leaver').fill(owner);
    await field('colleague').fill(successor);
    await click(sidebar().getByRole('button', { name: 'Hand their labels over' }));
    await eventually(shown).toContain(
      `1 label of ${owner} (Key clients) will be offered to ${successor}`,
    );
    await shot('hand-over-confirm');
    await click(sidebar().getByRole('button', { name: 'Yes, hand them over' }));
    await status(new RegExp(`^1 label offered to ${successor.replace(/\./g, '\\.')}\\.`));
    await eventually(shown).toContain(`${admin} offered Key clients to ${successor}`);
    await shot('handed-over');

    await click(sidebar().getByRole('button', { name: 'Show all and filter' }));
    await eventually(async () => title().textContent()).toBe('Recent activity');
    await field('person').fill(owner);
    await field('kind').selectOption('sharing');
    await click(sidebar().getByRole('button', { name: 'Filter' }));
    await eventually(shown).toContain(`${owner} shared Key clients with ${colleague} (View)`);
    expect(await shown()).not.toContain('changed the organisation’s policy');
    await shot('activity-filtered');

    await openAdminCard(admin);
    await click(sidebar().getByRole('button', { name: 'Download audit trail (CSV)' }));
    await status(/^Your download starts in a new tab\./);
    await eventually(async () => downloads.length).toBe(1);
    const download = downloads[0] as Download;
    expect(download.suggestedFilename()).toMatch(/^audit-.+-\d{4}-\d{2}-\d{2}\.csv$/);
    const saved = path.join(SHOTS, 'admin-audit.csv');
    await download.saveAs(saved);
    const csv = fs.readFileSync(saved, 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'seq,received_at,occurred_at,type,actor,target,share_id,outcome,origin,detail',
    );
    expect(csv).toContain('share.revoked');
    expect(csv).toContain('admin.shares_handed_over');
    await shot('download');
  });
});
