/**
 * Every card of the real bundle, walked with hostile names: labels, contacts, a colleague, a
 * group and a message's sender named with HTML (`<a href>`, `<font color>`), a name thousands of
 * characters long made of emoji, right-to-left text with a direction override, and emoji
 * sequences. Card Service reads the text of paragraphs, decorated texts, section headers and card
 * headers as a small HTML subset, and the sidebar host renders them so (sidebar.js
 * `formattedText`): every such text must arrive escaped, without direction overrides, cut to its
 * limit at a character boundary (never inside a surrogate pair), and read back as the name it is.
 */
import { TEXT_LIMITS } from '../../src/addon/cards/widgets';
import {
  cardActionEvent,
  composeEvent,
  gmailMessageEvent,
  homepageEvent,
  type AddonEvent,
  type FormValue,
} from '../../src/emulator/gas/events';
import type { ExecutionResult } from '../../src/emulator/gas/runtime';
import { startE2eStack, type E2eStack } from './stack';
import { ADMIN, ALICE, BOB } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';
import { firstShareId } from '../fixtures/share-steps';

const MALLORY = 'mallory@acme.example';
const MESSAGE_SCOPE = 'https://www.googleapis.com/auth/gmail.addons.current.message.metadata';

const HTML_NAME =
  '<a href="https://evil.example/verify">Urgent: verify your account</a> <font color="red">CEO</font> & Co';
/** Starts with one letter so that a cut counted in UTF-16 units would land inside an emoji. */
const LONG_NAME = `x${'😀'.repeat(3000)}`;
const RTL_NAME = 'שלום עולם \u202Egnp.exe\u202C مرحبا';
const EMOJI_NAME = '👩‍👩‍👧‍👦 Family 🇫🇷 Ünïcødé';

interface CardJson {
  header?: { title?: string; subtitle?: string };
  sections?: {
    header?: string;
    widgets?: {
      textParagraph?: { text?: string };
      decoratedText?: { text?: string; topLabel?: string; bottomLabel?: string };
    }[];
  }[];
}

/** The texts of a card that Card Service reads as formatted text, with their limits. */
function formattedFields(card: CardJson): { text: string; max: number }[] {
  const fields: { text: string | undefined; max: number }[] = [
    { text: card.header?.title, max: TEXT_LIMITS.title },
    { text: card.header?.subtitle, max: TEXT_LIMITS.label },
  ];
  for (const section of card.sections ?? []) {
    fields.push({ text: section.header, max: TEXT_LIMITS.label });
    for (const widget of section.widgets ?? []) {
      fields.push({ text: widget.textParagraph?.text, max: TEXT_LIMITS.text });
      fields.push({ text: widget.decoratedText?.text, max: TEXT_LIMITS.text });
      fields.push({ text: widget.decoratedText?.topLabel, max: TEXT_LIMITS.label });
      fields.push({ text: widget.decoratedText?.bottomLabel, max: TEXT_LIMITS.label });
    }
  }
  return fields.filter((field): field is { text: string; max: number } => !!field.text);
}

/** What a reader sees of a formatted text: the entities Card Service decodes, decoded. */
function shown(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** How many characters a reader counts (grapheme clusters), as widgets.ts cuts them. */
function graphemes(text: string): number {
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DIRECTION_OVERRIDE = /[\u202A-\u202E\u2066-\u2069]/;

/** The card an execution shows: returned, pushed or updated. */
function cardOf(run: ExecutionResult): CardJson {
  const json = run.result?.json as
    | (CardJson & {
        renderActions?: {
          action?: { navigations?: { pushCard?: CardJson; updateCard?: CardJson }[] };
        };
        action?: { navigations?: { pushCard?: CardJson; updateCard?: CardJson }[] };
      })
    | undefined;
  if (run.result?.type === 'Card') return json as CardJson;
  const navigations = json?.renderActions?.action?.navigations ?? json?.action?.navigations ?? [];
  const card = navigations.map((step) => step.pushCard ?? step.updateCard).find(Boolean);
  if (!card) throw new Error(`no card in ${JSON.stringify(run.result?.json ?? run.error)}`);
  return card;
}

describe('every card with hostile names', () => {
  let stack: E2eStack;
  let shareId = '';
  const walked: { name: string; card: CardJson }[] = [];

  const run = async (user: string, name: string, event: AddonEvent) =>
    stack.runtime.runFunction(name, { user, event });
  const act = (
    user: string,
    parameters: Record<string, string>,
    form: Record<string, FormValue> = {},
    surface: AddonEvent = homepageEvent(),
  ) => run(user, 'onAction', cardActionEvent(surface, { parameters, formInputs: form }));
  /** Opens a card and keeps it for the checks below. */
  const walk = async (name: string, execution: Promise<ExecutionResult>) => {
    const card = cardOf(await execution);
    walked.push({ name, card });
    return card;
  };

  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
    stack.emulator.addUser(MALLORY, { givenName: HTML_NAME, familyName: RTL_NAME });
    stack.emulator.addGroup('board@acme.example', HTML_NAME);
    const group = stack.people(ALICE, (client) => client.createContactGroup({ name: HTML_NAME }));
    const contacts = [
      [HTML_NAME, 'html'],
      [LONG_NAME, 'long'],
      [RTL_NAME, 'rtl'],
      [EMOJI_NAME, 'emoji'],
    ].map(([name, key]) => ({
      names: [{ givenName: name as string }],
      emailAddresses: [{ value: `${key}@customers.example` }],
      organizations: [{ name: HTML_NAME }],
      biographies: [{ value: `${RTL_NAME}\n${HTML_NAME}` }],
      memberships: [
        { contactGroupMembership: { contactGroupResourceName: group.resourceName ?? '' } },
      ],
    }));
    stack.people(ALICE, (client) => client.batchCreateContacts(contacts));
    stack.people(ALICE, (client) => client.createContactGroup({ name: LONG_NAME }));
    stack.people(ALICE, (client) => client.createContactGroup({ name: RTL_NAME }));
    stack.people(ALICE, (client) => client.createContactGroup({ name: EMOJI_NAME }));
    const shared = await act(ALICE, {
      action: 'createShare',
      labelResourceName: group.resourceName ?? '',
      recipients: `user|${BOB}|edit;user|${MALLORY}|view;group|board@acme.example|view`,
    });
    expect(shared.error).toBeUndefined();
    shareId = await firstShareId(stack, ALICE);
    stack.emulator.putGmailMessage(BOB, {
      id: 'm-hostile',
      threadId: 'm-hostile',
      from: `"${HTML_NAME}" <ceo@outside.example>`,
      to: [BOB],
      cc: [`"${RTL_NAME}" <rtl@customers.example>`, `"${EMOJI_NAME}" <emoji@customers.example>`],
      subject: 'Verify',
      date: Date.now(),
    });

    await walk('homepage (owner)', run(ALICE, 'onHomepage', homepageEvent()));
    await walk('homepage (recipient)', run(BOB, 'onHomepage', homepageEvent()));
    await walk('label (owner)', act(ALICE, { action: 'openLabel', shareId }));
    await walk('label (recipient)', act(BOB, { action: 'openLabel', shareId }));
    await walk(
      'label search',
      act(ALICE, { action: 'openLabel', shareId }, { labelQuery: ['long@'] }),
    );
    const copies = stack.contactsOf(BOB);
    for (const key of ['html', 'long', 'rtl', 'emoji']) {
      const copy = copies.find(
        (person) => person.emailAddresses?.[0]?.value === `${key}@customers.example`,
      );
      await walk(
        `contact ${key} (recipient)`,
        act(BOB, { action: 'openContact', resourceName: copy?.resourceName ?? '' }),
      );
    }
    await walk('search results', act(BOB, { action: 'searchContacts' }, { query: ['customers'] }));
    await walk(
      'member card',
      act(ALICE, { action: 'openMember', shareId, targetKind: 'user', address: MALLORY }),
    );
    await walk('share dialog (existing share)', act(ALICE, { action: 'showShareForm', shareId }));
    const own = stack.groupsOf(ALICE);
    for (const name of [LONG_NAME, RTL_NAME, EMOJI_NAME])
      await walk(
        `share dialog (${name.slice(0, 6)})`,
        act(ALICE, { action: 'showShareForm', labelResourceName: own.get(name) ?? '' }),
      );
    await walk(
      'share dialog (refused entry)',
      act(
        ALICE,
        { action: 'addRecipient', labelResourceName: own.get(RTL_NAME) ?? '', recipients: '' },
        { recipients: [HTML_NAME], targetKind: ['user'], level: ['view'] },
      ),
    );
    const message = gmailMessageEvent({
      messageId: 'm-hostile',
      accessToken: stack.emulator.mintAccessToken(BOB, [MESSAGE_SCOPE]),
    });
    await walk('message', run(BOB, 'onGmailMessage', message));
    const compose = composeEvent({ toRecipients: [] });
    await walk('compose', run(BOB, 'onCompose', compose));
    await walk(
      'choose contacts',
      act(BOB, { action: 'chooseContacts' }, { composeLabel: [shareId] }, compose),
    );
    await walk('settings', run(BOB, 'onSettings', homepageEvent()));
    await walk('admin', act(ADMIN, { action: 'openAdmin' }));
  });
  afterAll(async () => {
    await stack.close();
  });

  it('opens every card', () => {
    expect(walked.map((entry) => entry.name)).toHaveLength(21);
  });

  it('escapes every formatted text: no markup reaches Card Service from a name', () => {
    for (const { name, card } of walked)
      for (const { text } of formattedFields(card)) {
        expect({ name, text, markup: /[<>]/.test(text) }).toMatchObject({ markup: false });
        expect({ name, text, bareAmpersand: /&(?!(amp|lt|gt);)/.test(text) }).toMatchObject({
          bareAmpersand: false,
        });
      }
  });

  it('shows the names as the text they are', () => {
    const all = walked.flatMap(({ card }) =>
      formattedFields(card).map((field) => shown(field.text)),
    );
    const label = walked.find((entry) => entry.name === 'label (owner)')?.card;
    expect(shown(label?.header?.title ?? '')).toBe(HTML_NAME);
    const rtlContact = walked.find((entry) => entry.name === 'contact rtl (recipient)')?.card;
    expect(shown(rtlContact?.header?.title ?? '')).toBe('שלום עולם gnp.exe مرحبا');
    const emojiContact = walked.find((entry) => entry.name === 'contact emoji (recipient)')?.card;
    expect(shown(emojiContact?.header?.title ?? '')).toBe(EMOJI_NAME);
    expect(all).toContain(`Share “${EMOJI_NAME}”`);
    expect(all.some((text) => text.includes(HTML_NAME))).toBe(true);
    const message = walked.find((entry) => entry.name === 'message')?.card;
    expect(formattedFields(message ?? {}).map((field) => shown(field.text))).toContain(HTML_NAME);
  });

  it('suggests a colleague and a group with hostile names as plain text, address intact', async () => {
    const answer = await act(ALICE, { action: 'suggestRecipients' }, { recipients: ['mallory'] });
    const people = (
      answer.result?.json as { action: { suggestions: { items: { text: string }[] } } }
    ).action.suggestions.items.map((item) => item.text);
    const groups = await act(ALICE, { action: 'suggestRecipients' }, { recipients: ['board'] });
    const all = [
      ...people,
      ...(
        groups.result?.json as { action: { suggestions: { items: { text: string }[] } } }
      ).action.suggestions.items.map((item) => item.text),
    ];
    expect(all.some((text) => text.endsWith(`<${MALLORY}>`))).toBe(true);
    expect(all.some((text) => text.endsWith('(group) <board@acme.example>'))).toBe(true);
    for (const text of all) {
      expect(text).toMatch(/^[^<>]*<[^<>]+>$/);
      expect(text).not.toMatch(DIRECTION_OVERRIDE);
      expect(text).not.toMatch(LONE_SURROGATE);
    }
  });

  it('keeps every text within its limit, cut at a character boundary', () => {
    for (const { name, card } of walked) {
      for (const value of strings(card))
        expect({ name, value, lone: LONE_SURROGATE.test(value) }).toMatchObject({ lone: false });
      for (const { text, max } of formattedFields(card)) {
        expect({ name, text, length: graphemes(shown(text)) <= max }).toMatchObject({
          length: true,
        });
        expect({ name, text, override: DIRECTION_OVERRIDE.test(text) }).toMatchObject({
          override: false,
        });
      }
    }
    const longContact = walked.find((entry) => entry.name === 'contact long (recipient)')?.card;
    const title = shown(longContact?.header?.title ?? '');
    expect(graphemes(title)).toBe(TEXT_LIMITS.title);
    expect(title.endsWith('😀…')).toBe(true);
    expect(LONG_NAME.startsWith(title.slice(0, -1))).toBe(true);
  });
});
