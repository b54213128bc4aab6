/**
 * Tests of every card view from plain data: the card JSON (card.proto names, as printJson shows
 * them) of the homepage, label, member, share dialog, contact, search results, message, compose
 * and settings cards, built with the runtime's CardService fake, and the texts they are made of.
 */
import {
  button,
  buttons,
  input,
  json,
  params,
  texts,
  widgets,
  type Action,
} from '../../fixtures/card-json';
import { labelView as ownerLabelView, NOW } from '../../fixtures/addon-label-view';
import { createCardService } from '../../../src/emulator/gas/card-service';
import { buildChooseContactsCard, buildComposeCard } from '../../../src/addon/cards/compose-card';
import { buildContactCard, buildSearchResultsCard } from '../../../src/addon/cards/contact-card';
import { buildHomepageCard, MAX_ROWS, type LabelRow } from '../../../src/addon/cards/homepage-card';
import { buildLabelCard, type LabelView } from '../../../src/addon/cards/label-card';
import { buildMemberCard } from '../../../src/addon/cards/member-card';
import { buildMessageContextCard } from '../../../src/addon/cards/message-context-card';
import { buildSettingsCard } from '../../../src/addon/cards/settings-card';
import {
  buildShareDialog,
  describePolicy,
  parseRecipientText,
  splitRecipientText,
} from '../../../src/addon/cards/share-dialog-card';
import { grantableLevels } from '../../../src/addon/cards/share-form';
import { describeSyncState } from '../../../src/addon/cards/sync-state-text';
import { count, listOf } from '../../../src/addon/messages';
import { clip, escapeText, safeText } from '../../../src/addon/cards/widgets';

const row = (overrides: Partial<LabelRow> = {}): LabelRow => ({
  shareId: 'share-1',
  name: 'Customers',
  owner: 'alice@acme.example',
  myLevel: 'owner',
  audience: 'bob@acme.example and 1 more',
  state: { phase: 'ok', at: NOW - 5 * 60_000 },
  members: 2,
  contacts: 1240,
  ...overrides,
});

beforeAll(() => {
  (globalThis as { CardService?: unknown }).CardService = createCardService();
});

describe('texts', () => {
  it('counts and lists in plain English', () => {
    expect(count(1, 'contact')).toBe('1 contact');
    expect(count(1240, 'contact')).toBe('1,240 contacts');
    expect(count(2, 'person', 'people')).toBe('2 people');
    expect(listOf(['a'])).toBe('a');
    expect(listOf(['a', 'b', 'c'])).toBe('a, b and c');
    expect(listOf(['a', 'b', 'c', 'd', 'e'])).toBe('a, b and 3 more');
  });

  it('describes each sync phase with its time, progress and what to do', () => {
    expect(describeSyncState(null, NOW)).toMatch(/^Not synced yet/);
    expect(describeSyncState({ phase: 'ok', at: NOW - 30_000 }, NOW)).toBe(
      'Up to date · synced just now.',
    );
    expect(describeSyncState({ phase: 'running', at: NOW - 5 * 60_000 }, NOW, 1240)).toBe(
      'Sync in progress: 1,240 contacts so far (last step 5 min ago).',
    );
    expect(
      describeSyncState({ phase: 'paused', at: NOW, message: 'Waits for the owner.' }, NOW),
    ).toBe('Paused. Waits for the owner.');
    expect(describeSyncState({ phase: 'failed', at: NOW - 3 * 86_400_000 }, NOW)).toBe(
      'Sync failed 3 days ago.',
    );
  });
});

describe('text made safe for cards', () => {
  it('escapes markup, removes direction overrides and cuts between characters', () => {
    expect(escapeText('<a href="x">A & B</a>')).toBe('&lt;a href="x"&gt;A &amp; B&lt;/a&gt;');
    expect(safeText('ab\u202Egnp.exe\u202C\u0007')).toBe('abgnp.exe');
    const family = '👩‍👩‍👧‍👦';
    expect(clip(`a${family}bc`, 3)).toBe(`a${family}…`);
    expect(clip(`ab${family}cd`, 3)).toBe('ab…');
    expect(clip(`x${'😀'.repeat(10)}`, 4)).toBe('x😀😀…');
    expect(clip('short', 5)).toBe('short');
    expect(safeText(`<${'😀'.repeat(10)}`, 3)).toBe('&lt;😀…');
  });
});

describe('the homepage card', () => {
  it('shows owner, level, figures and state of each label, search, new label and Sync now', () => {
    const card = json(
      buildHomepageCard({
        mine: [row()],
        shared: [
          row({
            shareId: 'share-2',
            name: 'Suppliers',
            owner: 'bob@acme.example',
            myLevel: 'edit',
            contacts: null,
            state: { phase: 'failed', at: NOW - 3_600_000, message: 'Listing failed.' },
          }),
        ],
        ownLabels: [{ resourceName: 'contactGroups/abc', name: 'Friends', memberCount: 1 }],
        now: NOW,
        flagAttention: true,
      }),
    );
    expect(card.header.title).toBe('Shared Contacts');
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        '1 label needs your attention; open it below.',
        'Shared with bob@acme.example and 1 more',
        'Customers',
        '1,240 contacts · 2 members\nUp to date · synced 5 min ago.',
        'From bob@acme.example · Edit contacts',
        'contacts not copied yet · 2 members\nSync failed 1 h ago. Listing failed.',
        'Friends',
        '1 contact',
      ]),
    );
    expect(input(card, 'query')?.textInput).toBeDefined();
    expect(button(card, 'Search')).toEqual({ action: 'searchContacts' });
    expect(button(card, 'Share')).toEqual({
      action: 'showShareForm',
      labelResourceName: 'contactGroups/abc',
    });
    expect(button(card, 'Create label')).toEqual({ action: 'createLabel' });
    expect(card.fixedFooter?.primaryButton.text).toBe('Sync now');
    expect(card.fixedFooter?.secondaryButton?.text).toBe('Settings');
  });

  it('says what to do when lists are empty, and counts rows beyond the limit', () => {
    const many = Array.from({ length: MAX_ROWS + 3 }, (_, index) =>
      row({ shareId: `s${index}`, name: `L${index}` }),
    );
    const card = json(buildHomepageCard({ mine: many, shared: [], ownLabels: [], now: NOW }));
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        '… and 3 more.',
        'No labels are shared with you yet.',
        'You have no unshared labels. Create one below.',
      ]),
    );
    expect(texts(card)).not.toContain('L40');
  });
});

/** The owner's label view, shared with a domain too, one field hidden, on page 2 of 45 contacts. */
const labelView = (overrides: Partial<LabelView> = {}): LabelView =>
  ownerLabelView({
    grants: [
      { target: { kind: 'user', email: 'bob@acme.example' }, level: 'edit' },
      { target: { kind: 'group', email: 'sales@acme.example' }, level: 'view' },
      { target: { kind: 'domain', domain: 'acme.example' }, level: 'view' },
    ],
    hiddenFields: ['phoneNumbers'],
    contacts: {
      rows: [{ resourceName: 'people/c1', name: 'Ann Lee', detail: 'ann@x.example' }],
      page: 2,
      total: 45,
      query: '',
    },
    ...overrides,
  });

describe('the label card', () => {
  it('gives the owner contacts with paging, adding, members, rename, hidden fields and stop', () => {
    const card = json(buildLabelCard(labelView()));
    expect(card.header.subtitle).toBe('Owner alice@acme.example · you: Owner · 45 contacts');
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Ann Lee',
        'Page 2 of 3 · 45 contacts',
        'sales@acme.example (group)',
        'Everyone at acme.example',
      ]),
    );
    expect(button(card, 'Previous')).toMatchObject({ page: '1', replace: '1' });
    expect(button(card, 'Next')).toMatchObject({ page: '3' });
    expect(button(card, 'Add')).toEqual({ action: 'addContact', shareId: 'share-1' });
    expect(button(card, 'Share with more people')).toEqual({
      action: 'showShareForm',
      shareId: 'share-1',
    });
    expect(buttons(card).filter((candidate) => candidate.text === 'Change')).toHaveLength(3);
    const hidden = input(card, 'hiddenFields')?.selectionInput;
    expect(hidden?.items.filter((item) => item.selected).map((item) => item.value)).toEqual([
      'phoneNumbers',
    ]);
    expect(button(card, 'Rename')).toEqual({ action: 'renameLabel', shareId: 'share-1' });
    expect(button(card, 'Stop sharing')).toEqual({
      action: 'confirmStopSharing',
      shareId: 'share-1',
    });
    expect(() => button(card, 'Leave this label')).toThrow();
  });

  it('shows a viewer with a direct grant the contacts, members and Leave only', () => {
    const card = json(
      buildLabelCard(labelView({ myLevel: 'view', grantable: [], directGrant: true })),
    );
    expect(buttons(card).map((candidate) => candidate.text)).toEqual([
      'Sync now',
      'Search',
      'Previous',
      'Next',
      'Leave this label',
    ]);
  });

  it('asks the owner, and only the owner, to confirm a paused mass deletion', () => {
    const paused = { phase: 'paused' as const, at: NOW, message: 'Would delete 40.' };
    expect(
      buttons(json(buildLabelCard(labelView({ state: paused })))).map((b) => b.text),
    ).toContain('Confirm deletions');
    expect(
      buttons(
        json(buildLabelCard(labelView({ state: paused, myLevel: 'manage', grantable: ['view'] }))),
      ).map((b) => b.text),
    ).not.toContain('Confirm deletions');
  });

  it('says when the user has no copy yet', () => {
    const card = json(buildLabelCard(labelView({ contacts: null })));
    expect(card.header.subtitle).toBe('Owner alice@acme.example · you: Owner');
    expect(card.sections.map((section) => section.header)).not.toContain('Contacts');
  });
});

describe('the member card', () => {
  it('offers the levels one may grant, with the current one chosen', () => {
    const card = json(
      buildMemberCard({
        shareId: 's',
        labelName: 'Customers',
        target: { kind: 'user', email: 'bob@acme.example' },
        level: 'edit',
        grantable: grantableLevels('manage', 'contribute'),
      }),
    );
    const levels = input(card, 'memberLevel')?.selectionInput?.items;
    expect(levels?.map((item) => item.value)).toEqual(['view', 'edit', 'contribute']);
    expect(levels?.find((item) => item.selected)?.value).toBe('edit');
    expect(button(card, 'Remove from label')).toEqual({
      action: 'confirmRemoveMember',
      shareId: 's',
      targetKind: 'user',
      address: 'bob@acme.example',
    });
  });
});

describe('the share dialog', () => {
  const policy = {
    domain: 'acme.example',
    domains: ['acme.example'],
    maxLevel: 'edit' as const,
    adminsOnly: false,
  };

  it('shows the policy, suggestions, recipients with their level and the preview', () => {
    const card = json(
      buildShareDialog({
        subject: { labelResourceName: 'contactGroups/abc' },
        labelName: 'Customers',
        contactCount: 1240,
        recipients: [
          { target: { kind: 'user', email: 'bob@acme.example' }, level: 'edit' },
          { target: { kind: 'group', email: 'sales@acme.example' }, level: 'view' },
        ],
        levels: grantableLevels('owner', 'edit'),
        policy,
      }),
    );
    expect(card.header.title).toBe('Share “Customers”');
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Your organisation allows sharing up to “Edit contacts”, only inside acme.example.',
        '1,240 contacts will be copied to 1 person and everyone in 1 group.',
        'bob@acme.example',
        'Edit contacts',
      ]),
    );
    expect(input(card, 'recipients')?.textInput?.autoCompleteAction).toMatchObject({
      function: 'onAction',
    });
    expect(input(card, 'level')?.selectionInput?.items.map((item) => item.value)).toEqual([
      'view',
      'edit',
    ]);
    const share = params(card.fixedFooter?.primaryButton.onClick.action as Action);
    expect(share).toEqual({
      action: 'createShare',
      labelResourceName: 'contactGroups/abc',
      recipients: 'user|bob@acme.example|edit;group|sales@acme.example|view',
    });
  });

  it('sends an existing share to addMembers and says who may share', () => {
    const card = json(
      buildShareDialog({
        subject: { shareId: 's1' },
        labelName: 'Customers',
        contactCount: 3,
        recipients: [],
        levels: ['view'],
        policy: { ...policy, adminsOnly: true },
      }),
    );
    expect(params(card.fixedFooter?.primaryButton.onClick.action as Action).action).toBe(
      'addMembers',
    );
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Nobody added yet.',
        'Only admins may share new labels in your domain.',
      ]),
    );
  });

  it('warns that an empty label copies nothing, and keeps a refused entry with its reason', () => {
    const card = json(
      buildShareDialog({
        subject: { labelResourceName: 'contactGroups/empty' },
        labelName: 'Prospects',
        contactCount: 0,
        recipients: [],
        levels: ['view', 'edit'],
        policy,
        entry: { typed: 'nobody@acme.example', kind: 'user', level: 'edit', error: 'Refused.' },
      }),
    );
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        '“Prospects” has no contacts yet, so nothing will be copied: the recipients get an empty label that fills when you add contacts to it.',
        'Refused.',
      ]),
    );
    expect(input(card, 'recipients')?.textInput?.value).toBe('nobody@acme.example');
    const levels = input(card, 'level')?.selectionInput?.items ?? [];
    expect(levels.find((item) => item.selected)?.value).toBe('edit');
  });

  it('names every domain of the organisation and reads typed and suggested recipients', () => {
    expect(describePolicy({ ...policy, domains: ['acme.example', 'acme-eu.example'] })).toBe(
      'Your organisation allows sharing up to “Edit contacts”, only inside your organisation (acme.example and acme-eu.example).',
    );
    expect(parseRecipientText('Bob Lee <Bob@Acme.example>')).toEqual({
      address: 'bob@acme.example',
      kind: 'user',
    });
    expect(parseRecipientText('Sales (group) <sales@acme.example>')).toEqual({
      address: 'sales@acme.example',
      kind: 'group',
    });
    expect(parseRecipientText('Everyone at acme.example')).toEqual({
      address: 'acme.example',
      kind: 'domain',
    });
    expect(parseRecipientText('x@y.example')).toEqual({ address: 'x@y.example' });
    expect(splitRecipientText('a@x.example, b@x.example c@x.example')).toHaveLength(3);
    expect(splitRecipientText('Lee Ann <a@x.example>, Bo <b@x.example>')).toEqual([
      'Lee Ann <a@x.example>',
      'Bo <b@x.example>',
    ]);
  });
});

describe('the contact card and search results', () => {
  it('shows fields and labels, and an edit form only when editing is allowed', () => {
    const view = {
      resourceName: 'people/c1',
      name: 'Ann Lee',
      fields: [
        { label: 'Phone · mobile', values: ['+1 555 0100'] },
        { label: 'Phone · work', values: ['+1 555 0101'] },
      ],
      shares: [
        {
          shareId: 's1',
          name: 'Customers',
          owner: 'alice@acme.example',
          myLevel: 'edit' as const,
          audience: 'bob@acme.example',
        },
      ],
      form: {
        givenName: 'Ann',
        familyName: 'Lee',
        email: 'ann@x.example',
        phone: '+1 555 0100',
        organization: '',
        notes: '',
      },
    };
    const card = json(buildContactCard(view));
    expect(card.header.title).toBe('Ann Lee');
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Phone · mobile',
        '+1 555 0100',
        'Phone · work',
        '+1 555 0101',
        'Customers',
        'alice@acme.example · Edit contacts',
      ]),
    );
    expect((input(card, 'givenName')?.textInput as { value?: string }).value).toBe('Ann');
    expect(button(card, 'Save')).toEqual({ action: 'saveContact', resourceName: 'people/c1' });
    const viewOnly = json(buildContactCard({ ...view, form: null }));
    expect(texts(viewOnly)).toContain('You may only view this contact.');
    expect(input(viewOnly, 'givenName')).toBeUndefined();
  });

  it('lists search results with their labels, or says nothing matched', () => {
    const card = json(
      buildSearchResultsCard('ann', [
        { resourceName: 'people/c1', name: 'Ann Lee', detail: 'ann@x.example', labels: ['A', 'B'] },
      ]),
    );
    expect(texts(card)).toEqual(['A, B', 'Ann Lee', 'ann@x.example']);
    expect(texts(json(buildSearchResultsCard('zzz', [])))).toEqual([
      'No shared contact matches “zzz”.',
    ]);
  });
});

describe('the message card', () => {
  it('shows each person with their labels and an Add button next to a label choice', () => {
    const card = json(
      buildMessageContextCard({
        people: [
          {
            name: 'Dora Buyer',
            email: 'dora@b.example',
            resourceName: null,
            labels: [],
            role: 'from',
          },
          {
            name: '',
            email: 'k@c.example',
            resourceName: 'people/c2',
            labels: ['Customers'],
            role: 'cc',
          },
        ],
        targets: [{ shareId: 's1', name: 'Customers' }],
      }),
    );
    expect(input(card, 'targetLabel')?.selectionInput?.items).toEqual([
      { text: 'Customers', value: 's1', selected: true },
    ]);
    expect(texts(card)).toEqual(
      expect.arrayContaining(['Dora Buyer', 'Not in a shared label', 'In Customers']),
    );
    expect(button(card, 'Add')).toEqual({
      action: 'addPersonToLabel',
      email: 'dora@b.example',
      name: 'Dora Buyer',
    });
    const noTargets = json(buildMessageContextCard({ people: [], targets: [] }));
    expect(texts(noTargets)).toEqual([
      'Nobody else is on this message.',
      'You have no shared label you may add contacts to.',
    ]);
  });
});

describe('the compose cards', () => {
  it('offers the labels with their sizes and To, Cc or Bcc', () => {
    const card = json(buildComposeCard([{ shareId: 's1', name: 'Customers', contacts: 3 }]));
    expect(input(card, 'composeLabel')?.selectionInput?.items[0]?.text).toBe(
      'Customers (3 contacts)',
    );
    expect(input(card, 'composeField')?.selectionInput?.items.map((item) => item.value)).toEqual([
      'to',
      'cc',
      'bcc',
    ]);
    expect(button(card, 'Insert addresses')).toEqual({ action: 'insertLabel' });
    expect(texts(json(buildComposeCard([]))).join()).toMatch(/^No shared labels yet/);
  });

  it('lists contacts to choose, saying when there are more', () => {
    const card = json(
      buildChooseContactsCard('s1', 'Customers', [{ email: 'a@x.example', name: 'Ann' }], true),
    );
    expect(input(card, 'chosen')?.selectionInput?.items[0]).toEqual({
      text: 'Ann <a@x.example>',
      value: 'a@x.example',
      selected: false,
    });
    expect(texts(card)).toContain('Showing the first 1 contacts with an e-mail address.');
  });
});

describe('the settings card', () => {
  it('shows the switches as saved, privacy, about and admin', () => {
    const card = json(buildSettingsCard({ syncOnOpen: false, notify: true }));
    const switches = widgets(card).flatMap((widget) =>
      widget.decoratedText?.switchControl ? [widget.decoratedText.switchControl] : [],
    );
    expect(switches.map((control) => [control.name, control.selected])).toEqual([
      ['syncOnOpen', false],
      ['notify', true],
    ]);
    expect(texts(card).join()).toContain('Contacts stay in Google Contacts');
    expect(button(card, 'Domain admin')).toEqual({ action: 'openAdmin' });
  });
});
