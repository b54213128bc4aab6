/**
 * Tests of the admin cards from plain data, by the card JSON they produce: the onboarding checks
 * alone for an admin whose domain has not granted delegation, the admin card (support question,
 * the organisation's domains, the warning when no directory admin can be used, no external
 * sharing switch), a share with Stop sharing, the confirmations, and activity in words.
 */
import {
  button,
  json,
  params,
  texts,
  widgets,
  type Action,
  type CardJson,
} from '../../fixtures/card-json';
import { createCardService } from '../../../src/emulator/gas/card-service';
import type { ActivityRow, AdminOverview } from '../../../src/addon/admin/admin-client';
import {
  buildActivityCard,
  buildAdminCard,
  buildAdminRevokeConfirmCard,
  buildAdminShareCard,
  buildAdminSharesCard,
  buildHandOverConfirmCard,
  buildOnboardingOnlyCard,
} from '../../../src/addon/cards/admin-card';
import { activityInWords } from '../../../src/addon/cards/activity-words';
import type { Share } from '../../../src/core/sharing-model';

const fieldNames = (card: CardJson) =>
  widgets(card).flatMap((widget) => [
    ...(widget.selectionInput ? [widget.selectionInput.name] : []),
    ...(widget.textInput ? [widget.textInput.name] : []),
  ]);

const SA = 'broker@p.iam.gserviceaccount.com';
const USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const overview: AdminOverview = {
  adminVerified: true,
  domain: 'acme.example',
  customerId: 'C0123',
  domains: ['acme.example', 'acme-eu.example'],
  policy: {
    externalSharing: false,
    allowedExternalDomains: [],
    whoMayShare: 'everyone',
    maxLevel: 'manage',
    supportAccess: 'approval_required',
  },
  policyChosen: false,
  directoryAdmins: { usable: 0, known: 1 },
  delegation: [
    { scope: 'https://www.googleapis.com/auth/contacts', granted: true },
    { scope: 'https://www.googleapis.com/auth/admin.directory.group.readonly', granted: false },
  ],
  serviceAccount: SA,
  activeUsers30d: 12,
  chain: { ok: true, checked: 40 },
};
const customers: Share = {
  id: 's1',
  domain: 'acme.example',
  owner: 'ann@acme.example',
  labelResourceName: 'contactGroups/a',
  labelName: 'Customers',
  grants: [
    { target: { kind: 'group', email: 'sales@acme.example' }, level: 'view' },
    { target: { kind: 'user', email: 'bob@acme.example' }, level: 'edit' },
  ],
  hiddenFields: [],
  createdAt: '',
  updatedAt: '',
};
const event = (overrides: Partial<ActivityRow>): ActivityRow => ({
  seq: 1,
  type: 'share.created',
  actor: 'ann@acme.example',
  target: null,
  shareId: 's1',
  labelName: 'Customers',
  outcome: 'success',
  receivedAt: '2026-05-01T12:00:00.000Z',
  detail: {},
  ...overrides,
});

beforeAll(() => {
  (globalThis as { CardService?: unknown }).CardService = createCardService();
});

describe('the onboarding card', () => {
  it('opens for an admin whose domain has not granted delegation and says exactly which grant is missing', () => {
    const card = json(
      buildOnboardingOnlyCard({
        adminVerified: false,
        domain: 'onboard.example',
        serviceAccount: SA,
        delegation: [
          { scope: 'https://www.googleapis.com/auth/contacts', granted: true },
          { scope: USER_SCOPE, granted: false, reason: 'unauthorized_client' },
        ],
      }),
    );
    const shown = texts(card);
    expect(card.header.subtitle).toBe('onboard.example');
    expect(shown).toContain('Granted: contacts.');
    expect(shown).toContain('Missing: admin.directory.user.readonly.');
    expect(shown.join('\n')).toContain(
      `add the client of ${SA}, and give it these scopes: ${USER_SCOPE}. Then open this page again.`,
    );
    // Nothing of the organisation: no policy form, no shares, no activity.
    expect(card.sections).toHaveLength(1);
    expect(fieldNames(card)).toEqual([]);
  });
});

describe('the onboarding card when our clock and Google’s disagree', () => {
  it('says that nothing needs granting on the customer’s side', () => {
    const card = json(
      buildOnboardingOnlyCard({
        adminVerified: false,
        domain: 'acme.example',
        serviceAccount: SA,
        delegation: [{ scope: USER_SCOPE, granted: false, cause: 'clock' }],
      }),
    );
    const shown = texts(card).join('\n');
    expect(shown).toContain('our clock and Google’s disagree');
    expect(shown).not.toContain('Missing:');
  });
});

describe('the admin card', () => {
  const card = () =>
    json(
      buildAdminCard({
        overview,
        shares: [customers],
        activity: [event({ detail: { audience: 'group:sales@acme.example=view' } })],
        alerts: [],
      }),
    );

  it('asks for the support choice until one is made, and drops the external sharing switch', () => {
    const built = card();
    const shown = texts(built).join('\n');
    expect(shown).toContain('Until you choose, every access needs an admin’s approval.');
    expect(button(built, 'Save this choice')).toEqual({ action: 'saveSupportChoice' });
    expect(fieldNames(built)).toEqual([
      'supportChoice',
      'whoMayShare',
      'maxLevel',
      'supportAccess',
      'leaver',
      'colleague',
    ]);
    expect(widgets(built).some((widget) => widget.decoratedText?.switchControl)).toBe(false);
    expect(shown).not.toMatch(/outside the domain|these domains/);
    const chosen = json(
      buildAdminCard({
        overview: { ...overview, policyChosen: true },
        shares: [],
        activity: [],
        alerts: [],
      }),
    );
    expect(fieldNames(chosen)).not.toContain('supportChoice');
  });

  it('lists the organisation’s domains and warns when no directory admin can be used', () => {
    const shown = texts(card()).join('\n');
    expect(shown).toContain('2 domains: acme.example, acme-eu.example.');
    expect(shown).toContain('No admin can be used to read your directory');
    const usable = texts(
      json(
        buildAdminCard({
          overview: { ...overview, directoryAdmins: { usable: 2, known: 2 } },
          shares: [],
          activity: [],
          alerts: [],
        }),
      ),
    ).join('\n');
    expect(usable).not.toContain('No admin can be used');
    expect(usable).toContain('(2 admins can be used)');
  });

  it('opens a share from its row, offers the hand-over, activity in words and the download', () => {
    const built = card();
    const shareRow = widgets(built).find((widget) => widget.decoratedText?.text === 'Customers');
    expect(params(shareRow?.decoratedText?.onClick?.action as Action)).toEqual({
      action: 'openAdminShare',
      shareId: 's1',
    });
    expect(button(built, 'Hand their labels over')).toEqual({ action: 'confirmHandOver' });
    expect(texts(built)).toContain(
      'ann@acme.example shared Customers with sales@acme.example (View)',
    );
    expect(button(built, 'Download audit trail (CSV)')).toEqual({ action: 'exportAudit' });
    expect(button(built, 'Show all and filter')).toEqual({ action: 'openAdminActivity' });
  });
});

describe('every share of the organisation', () => {
  it('is a button away when the admin card shows only the first 25, and pages through', () => {
    const many = Array.from({ length: 30 }, (_, index) => ({
      ...customers,
      id: `s${index}`,
      labelName: `Label ${index}`,
    }));
    const admin = json(buildAdminCard({ overview, shares: many, activity: [], alerts: [] }));
    expect(button(admin, 'Show all 30')).toEqual({ action: 'openAdminShares' });
    const first = json(buildAdminSharesCard(many, 0));
    expect(first.header.subtitle).toBe('1–25 of 30');
    expect(button(first, 'Next page')).toEqual({ action: 'openAdminShares', page: '1' });
    const second = json(buildAdminSharesCard(many, 1));
    expect(second.header.subtitle).toBe('26–30 of 30');
    expect(widgets(second).map((widget) => widget.decoratedText?.text)).toEqual([
      'Label 25',
      'Label 26',
      'Label 27',
      'Label 28',
      'Label 29',
    ]);
    expect(() => button(second, 'Next page')).toThrow();
  });
});

describe('a share as an admin sees it', () => {
  it('lists who has it at which level and asks before stopping', () => {
    const share = json(buildAdminShareCard({ ...customers, offeredTo: 'carol@acme.example' }));
    expect(share.header).toEqual({ title: 'Customers', subtitle: 'ann@acme.example' });
    expect(texts(share)).toEqual([
      'Owner: ann@acme.example',
      'sales@acme.example · View',
      'bob@acme.example · Edit contacts',
      'Handed over to carol@acme.example; waiting for them to accept.',
    ]);
    expect(button(share, 'Stop sharing')).toEqual({ action: 'confirmAdminRevoke', shareId: 's1' });
    const confirm = json(buildAdminRevokeConfirmCard(customers));
    expect(texts(confirm)[0]).toBe(
      'Stop sharing “Customers” with sales@acme.example and 1 more? Their copies are removed from their contacts at their next sync. This cannot be undone.',
    );
    expect(button(confirm, 'Yes, stop sharing')).toEqual({ action: 'adminRevoke', shareId: 's1' });
  });

  it('names the labels a hand-over moves, and offers nothing when there are none', () => {
    const confirm = json(
      buildHandOverConfirmCard('ann@acme.example', 'carol@acme.example', ['Customers', 'Press']),
    );
    expect(texts(confirm)[0]).toBe(
      '2 labels of ann@acme.example (Customers and Press) will be offered to carol@acme.example, who becomes a member where needed and accepts each one in their sidebar.',
    );
    expect(button(confirm, 'Yes, hand them over')).toEqual({
      action: 'adminHandOver',
      from: 'ann@acme.example',
      to: 'carol@acme.example',
    });
    const none = json(buildHandOverConfirmCard('ann@acme.example', 'carol@acme.example', []));
    expect(texts(none)[0]).toBe(
      'ann@acme.example owns no shared label; there is nothing to hand over.',
    );
    expect(() => button(none, 'Yes, hand them over')).toThrow();
  });
});

describe('recent activity', () => {
  it('tells events in words', () => {
    expect(
      activityInWords(
        event({ detail: { audience: 'group:sales@acme.example=view,domain:acme.example=edit' } }),
      ),
    ).toBe(
      'ann@acme.example shared Customers with sales@acme.example (View) and everyone at acme.example (Edit contacts)',
    );
    expect(activityInWords(event({ type: 'share.revoked' }))).toBe(
      'ann@acme.example stopped sharing Customers',
    );
    expect(
      activityInWords(
        event({
          type: 'share.ownership_offered',
          target: 'carol@acme.example',
          actor: 'admin@acme.example',
        }),
      ),
    ).toBe('admin@acme.example offered Customers to carol@acme.example');
    expect(
      activityInWords(
        event({
          type: 'admin.shares_handed_over',
          actor: 'admin@acme.example',
          target: 'ann@acme.example',
          shareId: null,
          labelName: null,
          detail: { to: 'carol@acme.example', shares: 2 },
        }),
      ),
    ).toBe('admin@acme.example handed the labels of ann@acme.example over to carol@acme.example');
    expect(activityInWords(event({ type: 'policy.changed', shareId: null }))).toBe(
      'ann@acme.example changed the organisation’s policy',
    );
    expect(activityInWords(event({ type: 'share.denied', outcome: 'denied' }))).toBe(
      'ann@acme.example was refused: share.denied',
    );
  });

  it('keeps the filter it shows', () => {
    const card = json(buildActivityCard([], { person: 'ann@acme.example', kind: 'sharing' }));
    const person = widgets(card).find((widget) => widget.textInput?.name === 'person');
    expect(person?.textInput?.value).toBe('ann@acme.example');
    const kind = widgets(card).find((widget) => widget.selectionInput?.name === 'kind');
    expect(kind?.selectionInput?.items.find((item) => item.selected)?.value).toBe('sharing');
    expect(texts(card)).toContain('Nothing matches.');
    expect(button(card, 'Filter')).toEqual({ action: 'filterAdminActivity' });
  });
});
