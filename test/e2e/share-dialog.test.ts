/**
 * The share dialog through the real bundle, for an organisation (Workspace customer) with two
 * domains, acme.example and acme-eu.example: a colleague on the second domain is suggested by the
 * directory and accepted, by address or by the name typed; an ambiguous name, oneself, an address
 * the directory does not know and another organisation's address are refused with the reason,
 * keeping what was typed and the level chosen; the backend's own refusal of another customer
 * (403 `outside_customer`) reads as messages.ts says; an empty label's preview warns that nothing
 * will be copied.
 */
import { MSG } from '../../src/addon/messages';
import { cardActionEvent, homepageEvent, type FormValue } from '../../src/emulator/gas/events';
import type { ExecutionResult } from '../../src/emulator/gas/runtime';
import { makeLabel, startE2eStack, type E2eStack } from './stack';
import { ALICE, BOB } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';

const DMITRY = 'dmitry@acme-eu.example';

interface Widget {
  textParagraph?: { text: string };
  decoratedText?: { text: string; bottomLabel?: string };
  textInput?: { name: string; value?: string };
  selectionInput?: { name: string; items: { value: string; selected: boolean }[] };
}
interface Card {
  header?: { title?: string };
  sections?: { widgets: Widget[] }[];
}
interface Step {
  card?: Card;
  notification?: string;
  json: unknown;
}

function stepOf(run: ExecutionResult): Step {
  const json = run.result?.json as
    | {
        renderActions?: {
          action?: {
            navigations?: { pushCard?: Card; updateCard?: Card }[];
            notification?: { text?: string };
          };
        };
      }
    | undefined;
  const action = json?.renderActions?.action;
  const card = (action?.navigations ?? [])
    .map((nav) => nav.pushCard ?? nav.updateCard)
    .find(Boolean);
  return { card, notification: action?.notification?.text, json };
}

function texts(card: Card | undefined): string[] {
  return (card?.sections ?? []).flatMap((section) =>
    section.widgets.flatMap((widget) => [
      widget.textParagraph?.text ?? '',
      widget.decoratedText?.text ?? '',
    ]),
  );
}

function widget(card: Card | undefined, name: string): Widget | undefined {
  for (const section of card?.sections ?? [])
    for (const found of section.widgets)
      if (found.textInput?.name === name || found.selectionInput?.name === name) return found;
  return undefined;
}

/** The recipients a dialog carries in its Share button. */
function carried(step: Step): string {
  return /"key":"recipients","value":"([^"]*)"/.exec(JSON.stringify(step.json))?.[1] ?? '';
}

describe('the share dialog for an organisation with two domains', () => {
  let stack: E2eStack;
  let partners: string;
  let prospects: string;

  const act = async (
    user: string,
    parameters: Record<string, string>,
    form: Record<string, FormValue> = {},
  ) =>
    stepOf(
      await stack.runtime.runFunction('onAction', {
        user,
        event: cardActionEvent(homepageEvent(), { parameters, formInputs: form }),
      }),
    );
  const add = (typed: string, level = 'edit', recipients = '', kind = 'user') =>
    act(
      ALICE,
      { action: 'addRecipient', labelResourceName: partners, recipients },
      { recipients: [typed], targetKind: [kind], level: [level] },
    );

  beforeAll(async () => {
    stack = await startE2eStack({ acmeSecondaryDomains: ['acme-eu.example'] });
    stack.emulator.addUser(DMITRY, { givenName: 'Dmitry', familyName: 'Ivanov' });
    stack.emulator.addUser('dmitri.petrov@acme.example', {
      givenName: 'Dmitri',
      familyName: 'Petrov',
    });
    await putOpenPolicy(stack);
    partners = makeLabel(stack, ALICE, 'Partners', 3, 'p');
    prospects = stack.people(ALICE, (client) => client.createContactGroup({ name: 'Prospects' }))
      .resourceName as string;
  });
  afterAll(async () => {
    await stack.close();
  });

  it('names both domains of the organisation and suggests the colleague on the second', async () => {
    const dialog = await act(ALICE, { action: 'showShareForm', labelResourceName: partners });
    expect(texts(dialog.card)).toContain(
      'Your organisation allows sharing up to “Manage sharing”, only inside your organisation (acme.example and acme-eu.example).',
    );
    const suggested = await act(ALICE, { action: 'suggestRecipients' }, { recipients: ['dmit'] });
    const items = (
      suggested.json as { action: { suggestions: { items: { text: string }[] } } }
    ).action.suggestions.items.map((item) => item.text);
    expect(items).toContain(`Dmitry Ivanov <${DMITRY}>`);
  });

  it('accepts the colleague on the second domain, by the suggestion or by the name typed', async () => {
    const bySuggestion = await add(`Dmitry Ivanov <${DMITRY}>`);
    expect(bySuggestion.notification).toBeUndefined();
    expect(carried(bySuggestion)).toBe(`user|${DMITRY}|edit`);
    const byName = await add('Dmitry Ivanov', 'view');
    expect(carried(byName)).toBe(`user|${DMITRY}|view`);
    const byFirstName = await add('dmitry');
    expect(carried(byFirstName)).toBe(`user|${DMITRY}|edit`);
    expect(texts(byFirstName.card)).toContain('3 contacts will be copied to 1 person.');
  });

  it('refuses with the reason, keeping what was typed and the level chosen', async () => {
    const cases: [typed: string, reason: string, kind?: string][] = [
      [
        'no-such-group@acme.example',
        MSG.shareDialog.notInDirectory('no-such-group@acme.example'),
        'group',
      ],
      ['zed@globex.example', MSG.shareDialog.outsideCustomer('zed@globex.example')],
      [ALICE, MSG.shareDialog.yourself],
      ['nobody.here@acme.example', MSG.shareDialog.notInDirectory('nobody.here@acme.example')],
      [
        'nobody.here@acme-eu.example',
        MSG.shareDialog.notInDirectory('nobody.here@acme-eu.example'),
      ],
      ['wolfgang', MSG.shareDialog.noOneCalled('wolfgang')],
      [
        'dmitr',
        MSG.shareDialog.several('dmitr', [
          `Dmitry Ivanov (${DMITRY})`,
          'Dmitri Petrov (dmitri.petrov@acme.example)',
        ]),
      ],
    ];
    for (const [typed, reason, kind = 'user'] of cases) {
      const refused = await add(typed, 'contribute', `user|${BOB}|view`, kind);
      expect({ typed, notification: refused.notification }).toEqual({
        typed,
        notification: reason,
      });
      expect(texts(refused.card)).toContain(reason);
      expect(widget(refused.card, 'recipients')?.textInput?.value).toBe(typed);
      const level = widget(refused.card, 'level')?.selectionInput?.items.find((i) => i.selected);
      expect(level?.value).toBe('contribute');
      expect(carried(refused)).toBe(`user|${BOB}|view`);
    }
  });

  it("shows the backend's refusal of another organisation with the reason from messages.ts", async () => {
    const refused = await act(ALICE, {
      action: 'createShare',
      labelResourceName: partners,
      recipients: `user|${BOB}|view;user|zed@globex.example|view`,
    });
    expect(refused.notification).toBe(MSG.errors.outside_customer);
    expect(texts(refused.card)).toContain(MSG.errors.outside_customer);
    expect((await stack.api(ALICE, 'GET', '/v1/shares?view=mine')).body.shares).toEqual([]);
  });

  it('shares with the colleague on the second domain, who gets the copies', async () => {
    const shared = await act(
      ALICE,
      { action: 'createShare', labelResourceName: partners, recipients: `user|${BOB}|view` },
      { recipients: ['Dmitry Ivanov'], targetKind: ['user'], level: ['edit'] },
    );
    expect(shared.notification).toMatch(/^Shared “Partners”\. Synced: 6 copied/);
    expect(stack.groupsOf(DMITRY).has('Partners')).toBe(true);
  });

  it("warns that an empty label's share copies nothing", async () => {
    const dialog = await act(ALICE, { action: 'showShareForm', labelResourceName: prospects });
    expect(texts(dialog.card)).toContain(MSG.shareDialog.emptyLabel('Prospects'));
  });
});
