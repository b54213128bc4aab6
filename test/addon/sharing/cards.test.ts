/**
 * Tests of the sharing cards from plain data: the card JSON (card.proto names, as printJson shows
 * them) of the homepage, the label card for each level, and the new-share card, built with the
 * runtime's CardService fake.
 */
import { createCardService } from '../../../src/emulator/gas/card-service';
import { buildHomepageCard, MAX_ROWS, type LabelRow } from '../../../src/addon/cards/homepage-card';
import { buildLabelCard, type LabelView } from '../../../src/addon/cards/label-card';
import { buildNewShareCard } from '../../../src/addon/cards/new-share-card';
import { grantableLevels } from '../../../src/addon/cards/share-form';
import { describeSyncState } from '../../../src/addon/cards/sync-state-text';

interface Widget {
  decoratedText?: {
    topLabel?: string;
    text: string;
    bottomLabel?: string;
    onClick?: { action: Action };
    button?: { text: string; onClick: { action: Action } };
  };
  textParagraph?: { text: string };
  selectionInput?: { name: string; items: { value: string; selected: boolean }[] };
  textInput?: { name: string };
  buttonList?: { buttons: { text: string; onClick: { action: Action } }[] };
}
interface Action {
  function: string;
  parameters: { key: string; value: string }[];
}
interface CardJson {
  name?: string;
  header: { title: string; subtitle?: string };
  sections: { header?: string; widgets: Widget[] }[];
  fixedFooter?: { primaryButton: { text: string }; secondaryButton?: { text: string } };
}

const NOW = Date.UTC(2026, 4, 1, 12);
const json = (card: GoogleAppsScript.Card_Service.Card) => JSON.parse(card.printJson()) as CardJson;
const params = (action: Action) =>
  Object.fromEntries(action.parameters.map((parameter) => [parameter.key, parameter.value]));
const section = (card: CardJson, header: string) => {
  const found = card.sections.find((candidate) => candidate.header === header);
  if (!found) throw new Error(`no section ${header}`);
  return found;
};
const buttons = (card: CardJson) =>
  card.sections.flatMap((candidate) =>
    candidate.widgets.flatMap((widget) => [
      ...(widget.buttonList?.buttons ?? []),
      ...(widget.decoratedText?.button ? [widget.decoratedText.button] : []),
    ]),
  );

const row = (overrides: Partial<LabelRow> = {}): LabelRow => ({
  shareId: 'share-1',
  name: 'Customers',
  owner: 'alice@acme.example',
  myLevel: 'owner',
  audience: 'bob@acme.example and 1 more',
  state: { phase: 'ok', at: NOW - 5 * 60_000 },
  ...overrides,
});

beforeAll(() => {
  (globalThis as { CardService?: unknown }).CardService = createCardService();
});

describe('the homepage card', () => {
  it('lists my labels and those shared with me with their sync state, and my own labels to share', () => {
    const card = json(
      buildHomepageCard({
        mine: [row()],
        shared: [
          row({
            shareId: 'share-2',
            name: 'Suppliers',
            owner: 'bob@acme.example',
            myLevel: 'edit',
            state: { phase: 'failed', at: NOW - 3 * 3_600_000, message: 'Listing failed.' },
          }),
        ],
        ownLabels: [{ resourceName: 'contactGroups/abc', name: 'Friends', memberCount: 1 }],
        now: NOW,
      }),
    );
    expect(card.header.title).toBe('Shared Contacts');
    const mine = section(card, 'My shared labels').widgets[0]?.decoratedText;
    expect(mine).toMatchObject({
      topLabel: 'Shared with bob@acme.example and 1 more',
      text: 'Customers',
      bottomLabel: 'Up to date · synced 5 min ago.',
    });
    expect(params(mine?.onClick?.action as Action)).toEqual({
      action: 'openLabel',
      shareId: 'share-1',
    });
    expect(section(card, 'Shared with me').widgets[0]?.decoratedText).toMatchObject({
      topLabel: 'From bob@acme.example · Edit contacts',
      bottomLabel: 'Sync failed 3 h ago. Listing failed.',
    });
    const own = section(card, 'Share one of my labels').widgets[0]?.decoratedText;
    expect(own).toMatchObject({ text: 'Friends', bottomLabel: '1 contact' });
    expect(params(own?.button?.onClick.action as Action)).toEqual({
      action: 'showShareForm',
      labelResourceName: 'contactGroups/abc',
    });
    expect(card.fixedFooter?.primaryButton.text).toBe('Sync now');
    expect(card.fixedFooter?.secondaryButton?.text).toBe('About');
  });

  it('says what to do when lists are empty, shows a notice, and counts rows beyond the limit', () => {
    const empty = json(
      buildHomepageCard({ mine: [], shared: [], ownLabels: [], now: NOW, notice: 'Offline.' }),
    );
    expect(empty.sections.map((candidate) => candidate.widgets[0]?.textParagraph?.text)).toEqual([
      'Offline.',
      'You have not shared a label yet. Choose one of your labels below.',
      'No labels are shared with you yet.',
      'You have no unshared contact labels. Create one in Google Contacts, then come back.',
    ]);
    const many = Array.from({ length: MAX_ROWS + 3 }, (_, index) => row({ shareId: `s${index}` }));
    const full = json(buildHomepageCard({ mine: many, shared: [], ownLabels: [], now: NOW }));
    const widgets = section(full, 'My shared labels').widgets;
    expect(widgets).toHaveLength(MAX_ROWS + 1);
    expect(widgets[MAX_ROWS]?.textParagraph?.text).toBe('… and 3 more.');
  });
});

describe('sync state text', () => {
  it('describes each phase with its time and message', () => {
    expect(describeSyncState(null, NOW)).toMatch(/^Not synced yet/);
    expect(describeSyncState({ phase: 'ok', at: NOW - 10_000 }, NOW)).toBe(
      'Up to date · synced just now.',
    );
    expect(
      describeSyncState({ phase: 'running', at: NOW - 120_000, message: 'More to copy.' }, NOW),
    ).toBe('Sync in progress (last step 2 min ago). More to copy.');
    expect(describeSyncState({ phase: 'paused', at: NOW, message: 'Would delete 40.' }, NOW)).toBe(
      'Paused. Would delete 40.',
    );
    expect(describeSyncState({ phase: 'ending', at: NOW - 3 * 86_400_000 }, NOW)).toBe(
      'Stopping sharing (last step 3 days ago).',
    );
  });
});

describe('the label card', () => {
  const view = (overrides: Partial<LabelView> = {}): LabelView => ({
    shareId: 'share-1',
    name: 'Customers',
    owner: 'alice@acme.example',
    myLevel: 'owner',
    grants: [
      { target: { kind: 'user', email: 'bob@acme.example' }, level: 'edit' },
      { target: { kind: 'group', email: 'sales@acme.example' }, level: 'view' },
      { target: { kind: 'domain', domain: 'acme.example' }, level: 'manage' },
    ],
    state: { phase: 'ok', at: NOW },
    grantable: grantableLevels('owner'),
    now: NOW,
    ...overrides,
  });

  it('gives the owner members with levels, removal, the share form and stop sharing', () => {
    const card = json(buildLabelCard(view()));
    expect(card.name).toBe('label');
    expect(card.header).toEqual({
      title: 'Customers',
      subtitle: 'Owner alice@acme.example · you: Owner',
    });
    const members = section(card, 'Members').widgets.map((widget) => widget.decoratedText);
    expect(members.map((member) => [member?.text, member?.bottomLabel])).toEqual([
      ['alice@acme.example', 'Owner'],
      ['bob@acme.example', 'Edit contacts'],
      ['sales@acme.example (group)', 'View'],
      ['Everyone at acme.example', 'Manage sharing'],
    ]);
    expect(params(members[2]?.button?.onClick.action as Action)).toEqual({
      action: 'removeMember',
      shareId: 'share-1',
      targetKind: 'group',
      address: 'sales@acme.example',
    });
    const form = section(card, 'Share with more people').widgets;
    expect(
      form
        .find((widget) => widget.selectionInput?.name === 'level')
        ?.selectionInput?.items.map((item) => item.value),
    ).toEqual(['view', 'edit', 'contribute', 'manage']);
    expect(
      form
        .find((widget) => widget.selectionInput?.name === 'targetKind')
        ?.selectionInput?.items.map((item) => item.value),
    ).toEqual(['user', 'group', 'domain']);
    expect(form.some((widget) => widget.textInput?.name === 'recipients')).toBe(true);
    expect(
      buttons(card).map((button) => [button.text, params(button.onClick.action).action]),
    ).toEqual([
      ['Sync now', 'syncLabel'],
      ['Remove', 'removeMember'],
      ['Remove', 'removeMember'],
      ['Remove', 'removeMember'],
      ['Share', 'addMembers'],
      ['Stop sharing', 'stopSharing'],
    ]);
  });

  it('gives a manager removal and the share form, but not stop sharing', () => {
    const card = json(
      buildLabelCard(view({ myLevel: 'manage', grantable: grantableLevels('manage') })),
    );
    expect(buttons(card).map((button) => button.text)).toEqual([
      'Sync now',
      'Remove',
      'Remove',
      'Remove',
      'Share',
    ]);
    expect(card.sections.map((candidate) => candidate.header)).not.toContain('Stop sharing');
  });

  it('shows a viewer the members and Sync now only', () => {
    const card = json(buildLabelCard(view({ myLevel: 'view', grantable: [] })));
    expect(card.sections.map((candidate) => candidate.header)).toEqual(['Sync', 'Members']);
    expect(buttons(card).map((button) => button.text)).toEqual(['Sync now']);
  });

  it('asks the owner, and only the owner, to confirm a paused mass deletion', () => {
    const paused = {
      phase: 'paused' as const,
      at: NOW,
      message: 'This sync would delete 300 contacts.',
    };
    const owner = json(buildLabelCard(view({ state: paused })));
    expect(section(owner, 'Sync').widgets[0]?.textParagraph?.text).toBe(
      'Paused. This sync would delete 300 contacts.',
    );
    expect(buttons(owner).map((button) => button.text)).toContain('Confirm deletions');
    const editor = json(buildLabelCard(view({ state: paused, myLevel: 'edit', grantable: [] })));
    expect(buttons(editor).map((button) => button.text)).not.toContain('Confirm deletions');
  });
});

describe('the new-share card', () => {
  it('shares the named label of mine at levels up to manage', () => {
    const card = json(
      buildNewShareCard({ resourceName: 'contactGroups/abc', name: 'Friends', memberCount: 12 }),
    );
    expect(card.header).toEqual({ title: 'Share “Friends”', subtitle: '12 contacts' });
    const [share] = buttons(card);
    expect(share?.text).toBe('Share');
    expect(params(share?.onClick.action as Action)).toEqual({
      action: 'createShare',
      labelResourceName: 'contactGroups/abc',
    });
  });
});
