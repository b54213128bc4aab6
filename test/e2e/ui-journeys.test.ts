/**
 * The sidebar's journeys through the real bundle in the Apps Script runtime, with the API
 * emulator and the backend on PGlite: the homepage (figures, search, a new label, at most three
 * API calls when nothing changed), the share dialog (suggestions, a level per recipient, policy
 * limits, preview, sharing), the label card (contacts, paging, search, adding a contact, a
 * member's level, leaving), the contact card (editing within one's level), the Gmail contextual
 * card (people on the message, adding the sender to a label), the compose action (a label's
 * addresses into the draft), settings, and the admin card (checks, policy, audit download).
 */
import { linkKey } from '../../src/core/contact-model';
import {
  cardActionEvent,
  composeEvent,
  gmailMessageEvent,
  homepageEvent,
  type AddonEvent,
  type FormValue,
} from '../../src/emulator/gas/events';
import type { ExecutionResult } from '../../src/emulator/gas/runtime';
import { makeLabel, peopleCalls, startE2eStack, type E2eStack } from './stack';
import { ADMIN, ALICE, BOB, CAROL, DAVE } from '../fixtures/acme-users';
import { buttonParameters, cardText } from '../fixtures/step-card';
import { contactsInLabel } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';
import { firstShareId } from '../fixtures/share-steps';

const MESSAGE_SCOPE = 'https://www.googleapis.com/auth/gmail.addons.current.message.metadata';

interface Widget {
  decoratedText?: {
    topLabel?: string;
    text: string;
    bottomLabel?: string;
    button?: { text: string };
  };
  textParagraph?: { text: string };
  textInput?: { name: string; value?: string; autoCompleteAction?: unknown };
  selectionInput?: { name: string; items: { text: string; value: string; selected: boolean }[] };
  buttonList?: {
    buttons: {
      text: string;
      onClick: { action: { function: string; parameters: { key: string; value: string }[] } };
    }[];
  };
}
interface Card {
  name?: string;
  header?: { title?: string; subtitle?: string };
  sections?: { header?: string; widgets: Widget[] }[];
  fixedFooter?: {
    primaryButton?: {
      text: string;
      onClick: { action: { parameters: { key: string; value: string }[] } };
    };
  };
}
interface Step {
  run: ExecutionResult;
  card?: Card;
  notification?: string;
  json: unknown;
}

function stepOf(run: ExecutionResult): Step {
  const json = run.result?.json;
  if (run.result?.type === 'Card') return { run, card: json as Card, json };
  const action = (
    json as
      | {
          renderActions?: {
            action?: {
              navigations?: { pushCard?: Card; updateCard?: Card }[];
              notification?: { text?: string };
            };
          };
        }
      | undefined
  )?.renderActions?.action;
  const card = (action?.navigations ?? [])
    .map((step) => step.pushCard ?? step.updateCard)
    .find(Boolean);
  return { run, card, notification: action?.notification?.text, json };
}

describe('the sidebar journeys', () => {
  let stack: E2eStack;
  let customers: string;
  let shareId = '';

  const run = async (user: string, name: string, event: AddonEvent) =>
    stepOf(await stack.runtime.runFunction(name, { user, event }));
  const act = (
    user: string,
    parameters: Record<string, string>,
    form: Record<string, FormValue> = {},
    surface: AddonEvent = homepageEvent(),
  ) => run(user, 'onAction', cardActionEvent(surface, { parameters, formInputs: form }));

  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
    customers = makeLabel(stack, ALICE, 'Customers', 45, 'k');
  });
  afterAll(async () => {
    await stack.close();
  });

  it('shows my unshared labels on the homepage, and creates a new label', async () => {
    const home = await run(ALICE, 'onHomepage', homepageEvent());
    expect(cardText(home.card)).toContain('Customers');
    expect(cardText(home.card)).toContain('45 contacts');
    const created = await act(ALICE, { action: 'createLabel' }, { newLabel: ['Partners'] });
    expect(created.notification).toBe(
      'Created the label “Partners”. Add contacts in Google Contacts, then share it.',
    );
    expect(stack.groupsOf(ALICE).has('Partners')).toBe(true);
    const again = await act(ALICE, { action: 'createLabel' }, { newLabel: ['partners'] });
    expect(again.notification).toBe('You already have a label called “partners”.');
  });

  it('shares a label through the dialog: suggestions, a level per recipient, policy and preview', async () => {
    const dialog = await act(ALICE, { action: 'showShareForm', labelResourceName: customers });
    expect(dialog.card?.header?.title).toBe('Share “Customers”');
    expect(cardText(dialog.card)).toContain(
      'Your organisation allows sharing up to “Manage sharing”, only inside acme.example.',
    );
    const suggested = await act(ALICE, { action: 'suggestRecipients' }, { recipients: ['bob'] });
    const items = (
      suggested.json as { action: { suggestions: { items: { text: string }[] } } }
    ).action.suggestions.items.map((item) => item.text);
    expect(items.some((text) => text.includes('<bob@acme.example>'))).toBe(true);

    const withBob = await act(
      ALICE,
      { action: 'addRecipient', labelResourceName: customers, recipients: '' },
      {
        recipients: [items.find((text) => text.includes('bob@')) as string],
        targetKind: ['user'],
        level: ['edit'],
      },
    );
    expect(cardText(withBob.card)).toContain('45 contacts will be copied to 1 person.');
    const both = await act(
      ALICE,
      { action: 'addRecipient', ...buttonParameters(withBob.card, 'Add') },
      { recipients: ['sales@acme.example'], targetKind: ['group'], level: ['view'] },
    );
    expect(cardText(both.card)).toContain(
      '45 contacts will be copied to 1 person and everyone in 1 group.',
    );
    const outside = await act(
      ALICE,
      { action: 'addRecipient', ...buttonParameters(both.card, 'Add') },
      { recipients: ['zed@globex.example'], targetKind: ['user'], level: ['view'] },
    );
    expect(outside.notification).toBe(
      'zed@globex.example is outside your organisation: labels can be shared only with people, groups and domains of your own Google Workspace account.',
    );
    const shared = await act(ALICE, buttonParameters(both.card, 'Share'));
    expect(shared.notification).toBe(
      'Shared “Customers”. Synced: 90 copied, 0 updated, 0 removed.',
    );
    expect(shared.card?.header?.subtitle).toContain('45 contacts');
    shareId = await firstShareId(stack, ALICE);
    expect(stack.groupsOf(BOB).has('Customers')).toBe(true);
    expect(stack.groupsOf(CAROL).has('Customers')).toBe(true);
  });

  it('renders the homepage with at most three API calls when nothing changed', async () => {
    await run(BOB, 'onHomepage', homepageEvent());
    const people = peopleCalls(stack.emulator);
    const tokens = stack.emulator.callCount({ operation: 'oauth.token' });
    const home = await run(BOB, 'onHomepage', homepageEvent());
    expect(peopleCalls(stack.emulator) - people).toBe(1);
    expect(stack.emulator.callCount({ operation: 'oauth.token' })).toBe(tokens);
    expect(cardText(home.card)).toContain('From alice@acme.example · Edit contacts');
    expect(cardText(home.card)).toMatch(/45 contacts · 2 members\nUp to date · synced/);
  });

  it('pages and searches the label card, and adds a contact that reaches everyone', async () => {
    const label = await act(ALICE, { action: 'openLabel', shareId });
    expect(cardText(label.card)).toContain('Page 1 of 3 · 45 contacts');
    const next = await act(ALICE, { action: 'openLabel', ...buttonParameters(label.card, 'Next') });
    expect(cardText(next.card)).toContain('Page 2 of 3 · 45 contacts');
    const search = await act(ALICE, { action: 'openLabel', shareId }, { labelQuery: ['k17@'] });
    expect(cardText(search.card)).toContain('k17 Customer');
    expect(cardText(search.card)).not.toContain('k18 Customer');
    const added = await act(
      ALICE,
      { action: 'addContact', shareId },
      { givenName: ['Nina'], familyName: ['New'], email: ['nina@new.example'], phone: [''] },
    );
    expect(added.notification).toBe(
      'Added Nina New to “Customers”. Synced: 2 copied, 0 updated, 0 removed.',
    );
    const bobs = stack.contactsOf(BOB).map((person) => person.emailAddresses?.[0]?.value);
    expect(bobs).toContain('nina@new.example');
  });

  it('edits a contact within the level: bob (edit) may, carol (view) sees no form', async () => {
    const copy = stack
      .contactsOf(BOB)
      .find((person) => person.emailAddresses?.[0]?.value === 'k3@customers.example');
    const card = await act(BOB, { action: 'openContact', resourceName: copy?.resourceName ?? '' });
    expect(cardText(card.card)).toContain('Customers');
    expect(buttonParameters(card.card, 'Save')).toMatchObject({ action: 'saveContact' });
    const saved = await act(
      BOB,
      { action: 'saveContact', resourceName: copy?.resourceName ?? '' },
      {
        givenName: ['Kay'],
        familyName: ['Three'],
        email: ['k3@customers.example'],
        phone: ['+1 555 0100'],
        organization: ['Acme'],
        notes: [''],
      },
    );
    expect(saved.notification).toMatch(/^Saved Kay Three\. Synced:/);
    const master = stack
      .contactsOf(ALICE)
      .find((person) => person.emailAddresses?.[0]?.value === 'k3@customers.example');
    expect(master?.phoneNumbers?.[0]?.value).toBe('+1 555 0100');
    const carolCopy = stack
      .contactsOf(CAROL)
      .find((person) => person.emailAddresses?.[0]?.value === 'k4@customers.example');
    const view = await act(CAROL, {
      action: 'openContact',
      resourceName: carolCopy?.resourceName ?? '',
    });
    expect(cardText(view.card)).toContain('You may only view this contact.');
  });

  it('shows the people on an open message and adds the sender to a label in two clicks', async () => {
    stack.emulator.putGmailMessage(ALICE, {
      id: 'm-1',
      threadId: 'm-1',
      from: 'Dora Buyer <dora@buyer.example>',
      to: [ALICE],
      cc: ['"k3 Customer" <k3@customers.example>'],
      subject: 'Order',
      date: Date.now(),
    });
    const surface = gmailMessageEvent({
      messageId: 'm-1',
      accessToken: stack.emulator.mintAccessToken(ALICE, [MESSAGE_SCOPE]),
    });
    const card = await run(ALICE, 'onGmailMessage', surface);
    const shown = cardText(card.card);
    expect(shown).toContain('Dora Buyer');
    expect(shown).toContain('Not in a shared label');
    expect(shown).toContain('In Customers');
    const added = await act(
      ALICE,
      { action: 'addPersonToLabel', email: 'dora@buyer.example', name: 'Dora Buyer' },
      { targetLabel: [shareId] },
      surface,
    );
    expect(added.notification).toMatch(/^Added Dora Buyer to “Customers”\./);
    expect(cardText(added.card)).not.toContain('Not in a shared label');
    const dora = stack
      .contactsOf(ALICE)
      .find((person) => person.emailAddresses?.[0]?.value === 'dora@buyer.example');
    expect(dora?.names?.[0]).toMatchObject({ givenName: 'Dora', familyName: 'Buyer' });
    const refused = await run(
      ALICE,
      'onGmailMessage',
      gmailMessageEvent({
        messageId: 'm-1',
        accessToken: stack.emulator.mintAccessToken(BOB, [MESSAGE_SCOPE]),
      }),
    );
    expect(cardText(refused.card)).toContain('Shared Contacts could not show this page.');
  });

  it("inserts a label's addresses, or chosen ones, into the draft", async () => {
    const surface = composeEvent({ toRecipients: [] });
    const card = await run(BOB, 'onCompose', surface);
    expect(cardText(card.card) + JSON.stringify(card.card)).toContain('Customers');
    const inserted = await act(
      BOB,
      { action: 'insertLabel' },
      { composeLabel: [shareId], composeField: ['bcc'] },
      surface,
    );
    const markup = (
      inserted.json as {
        renderActions: {
          hostAppAction: {
            gmailAction: {
              updateDraftActionMarkup: {
                updateBccRecipients: { bccRecipients: { email: string }[] };
              };
            };
          };
        };
      }
    ).renderActions.hostAppAction.gmailAction.updateDraftActionMarkup;
    const emails = markup.updateBccRecipients.bccRecipients.map((entry) => entry.email);
    const addressesIn = (user: string) =>
      contactsInLabel(stack, user, 'Customers')
        .map((person) => person.emailAddresses?.[0]?.value ?? '')
        .sort();
    const inMaster = addressesIn(ALICE);
    expect(inMaster).toHaveLength(47);
    expect(addressesIn(BOB)).toEqual(inMaster);
    expect(addressesIn(CAROL)).toEqual(inMaster);
    expect([...emails].sort()).toEqual(inMaster);
    expect(emails).toContain('dora@buyer.example');
    expect(emails).toContain('nina@new.example');
    const choose = await act(
      BOB,
      { action: 'chooseContacts' },
      { composeLabel: [shareId] },
      surface,
    );
    expect(choose.card?.header?.title).toBe('Customers');
    const chosen = await act(
      BOB,
      { action: 'insertChosen', shareId },
      { chosen: ['k1@customers.example', 'evil@elsewhere.example'], composeField: ['to'] },
      surface,
    );
    expect(JSON.stringify(chosen.json)).toContain('k1@customers.example');
    expect(JSON.stringify(chosen.json)).not.toContain('evil@elsewhere.example');
  });

  it("changes a member's level, and lets a member leave", async () => {
    const member = await act(ALICE, {
      action: 'openMember',
      shareId,
      targetKind: 'user',
      address: BOB,
    });
    expect(member.card?.header?.title).toBe(`bob (${BOB})`);
    const changed = await act(
      ALICE,
      { action: 'changeLevel', shareId, targetKind: 'user', address: BOB },
      { memberLevel: ['contribute'] },
    );
    expect(changed.notification).toMatch(/^bob@acme.example now has “Add and remove contacts”\./);
    expect((await stack.api(ALICE, 'GET', `/v1/shares/${shareId}`)).body.grants).toContainEqual({
      target: { kind: 'user', email: BOB },
      level: 'contribute',
    });
    const left = await act(BOB, { action: 'leaveLabel', shareId });
    expect(left.notification).toBe(
      'You left “Customers”. Its copy is removed at the owner’s next sync.',
    );
    const groupOnly = await act(CAROL, { action: 'leaveLabel', shareId });
    expect(groupOnly.notification).toBe(
      'You have this label through a group or your whole domain, so you cannot leave it yourself. Ask its owner to remove you.',
    );
    await act(ALICE, { action: 'syncLabel', shareId });
    expect(
      stack
        .contactsOf(BOB)
        .filter((person) =>
          (person.clientData ?? []).some((entry) => entry.key === linkKey(shareId)),
        ),
    ).toEqual([]);
  });

  it('keeps settings: sync on open off is honoured and said', async () => {
    const settings = await run(DAVE, 'onSettings', homepageEvent());
    expect(cardText(settings.card)).toContain('Sync when I open Shared Contacts');
    await act(DAVE, { action: 'saveSettings' }, { notify: ['on'] });
    const home = await run(DAVE, 'onHomepage', homepageEvent());
    expect(cardText(home.card)).toContain(
      'Sync on open is off (Settings); press Sync now to sync.',
    );
  });

  it('opens the admin card for admins only: checks, policy change, audit export', async () => {
    const refused = await act(BOB, { action: 'openAdmin' });
    expect(refused.notification).toBe('Only your domain’s admins can open this page.');
    const admin = await act(ADMIN, { action: 'openAdmin' });
    const shown = cardText(admin.card);
    expect(shown).toContain('Domain-wide delegation is granted with every scope we need.');
    expect(shown).toContain(
      'Whether the add-on is installed for the whole domain cannot be checked',
    );
    expect(shown).toMatch(/Audit trail intact/);
    expect(shown).toContain('Customers');
    const saved = await act(
      ADMIN,
      { action: 'savePolicy' },
      { whoMayShare: ['everyone'], maxLevel: ['edit'], supportAccess: ['approval_required'] },
    );
    expect(saved.notification).toBe('Policy saved.');
    const policy = (await stack.api(ALICE, 'GET', '/v1/tenants/acme.example/policy')).body.policy;
    expect(policy).toMatchObject({
      maxLevel: 'edit',
      externalSharing: false,
      allowedExternalDomains: [],
      supportAccess: 'approval_required',
    });
    const dialog = await act(ALICE, { action: 'showShareForm', shareId });
    expect(cardText(dialog.card)).toContain(
      'Your organisation allows sharing up to “Edit contacts”, only inside acme.example.',
    );
    const exported = await act(ADMIN, { action: 'exportAudit' });
    expect(exported.notification).toMatch(/^Your download starts in a new tab\./);
    const link = (exported.json as { renderActions: { action: { link: { url: string } } } })
      .renderActions.action.link.url;
    // The add-on's backend host is routed in-process; the browser would fetch the same path.
    const signed = new URL(link);
    const file = await fetch(`${stack.backend.url}${signed.pathname}${signed.search}`);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-/);
    const csv = await file.text();
    expect(csv).toContain('seq,received_at,occurred_at,type,actor');
    expect(csv).toContain('policy.changed');
    const direct = await stack.api(BOB, 'GET', '/v1/admin/audit-export');
    expect(direct.status).toBe(403);
  });
});
