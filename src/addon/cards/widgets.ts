/**
 * This file defines the small widget builders the cards share, so that every card looks alike,
 * and the one place where text is made safe to show: Card Service reads the text of paragraphs,
 * decorated texts, section headers and card headers as a small HTML subset (<b>, <font color>,
 * <a href> …), so every text that goes there is cleaned of direction overrides and control
 * characters, cut to a length at a character boundary, and escaped. Cards build these widgets only
 * here, so that a name such as `<a href=…>Verify</a>` shows as the text it is.
 */
import { routerAction } from '../actions/action-kit';
import type { ActionName } from '../actions/action-kit';

type Action = GoogleAppsScript.Card_Service.Action;

/** The longest text each kind of field shows, in characters; longer text is cut with "…". */
export const TEXT_LIMITS = { title: 200, label: 500, text: 2000, item: 200 } as const;

/**
 * Characters a name must not bring in: C0 and C1 controls (but tab and line feed), and the
 * Unicode direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that would
 * turn the text after a name around.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** The characters of a text as a reader counts them: grapheme clusters where Intl knows them. */
function characters(text: string): string[] {
  const Segmenter = (
    Intl as unknown as {
      Segmenter?: new (
        locale?: string,
        options?: { granularity: 'grapheme' },
      ) => { segment(text: string): Iterable<{ segment: string }> };
    }
  ).Segmenter;
  if (Segmenter)
    return Array.from(new Segmenter(undefined, { granularity: 'grapheme' }).segment(text)).map(
      (part) => part.segment,
    );
  return Array.from(text);
}

/** Cuts a text to at most `max` characters, ending with "…", never inside a character. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const all = characters(text);
  return all.length <= max ? text : `${all.slice(0, max - 1).join('')}…`;
}

/** Escapes the characters Card Service's formatted text reads as markup. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A plain text made safe for a formatted field: unsafe characters out, cut, escaped. */
export function safeText(text: string, max: number = TEXT_LIMITS.text): string {
  return escapeText(clip(text.replace(UNSAFE, ''), max));
}

/** A plain text for a field shown as it is (inputs, items, buttons): unsafe characters out, cut. */
export function plainText(text: string, max: number = TEXT_LIMITS.item): string {
  return clip(text.replace(UNSAFE, ''), max);
}

/** A card header with a title and an optional subtitle. */
export function cardHeader(
  title: string,
  subtitle?: string,
): GoogleAppsScript.Card_Service.CardHeader {
  const header = CardService.newCardHeader().setTitle(safeText(title, TEXT_LIMITS.title));
  if (subtitle) header.setSubtitle(safeText(subtitle, TEXT_LIMITS.label));
  return header;
}

/** A text button running a router action. */
export function actionButton(
  text: string,
  action: ActionName,
  parameters: Record<string, string> = {},
  filled = false,
): GoogleAppsScript.Card_Service.TextButton {
  const button = CardService.newTextButton()
    .setText(plainText(text))
    .setOnClickAction(routerAction(action, parameters));
  if (filled) button.setTextButtonStyle(CardService.TextButtonStyle.FILLED);
  return button;
}

/** A row of buttons. */
export function buttons(
  ...list: GoogleAppsScript.Card_Service.TextButton[]
): GoogleAppsScript.Card_Service.ButtonSet {
  const set = CardService.newButtonSet();
  for (const button of list) set.addButton(button);
  return set;
}

/** A paragraph. */
export function paragraph(text: string): GoogleAppsScript.Card_Service.TextParagraph {
  return CardService.newTextParagraph().setText(safeText(text));
}

/** A one-line text field. */
export function textField(
  name: string,
  title: string,
  hint = '',
  value = '',
): GoogleAppsScript.Card_Service.TextInput {
  const input = CardService.newTextInput().setFieldName(name).setTitle(plainText(title));
  if (hint) input.setHint(plainText(hint));
  if (value) input.setValue(value);
  return input;
}

/** A dropdown of value → label, with `selected` chosen. */
export function dropdown(
  name: string,
  title: string,
  items: [value: string, label: string][],
  selected?: string,
): GoogleAppsScript.Card_Service.SelectionInput {
  const input = CardService.newSelectionInput()
    .setType(CardService.SelectionInputType.DROPDOWN)
    .setFieldName(name)
    .setTitle(plainText(title));
  items.forEach(([value, label], index) =>
    input.addItem(
      plainText(label),
      value,
      selected === undefined ? index === 0 : value === selected,
    ),
  );
  return input;
}

/** A card section with an optional header and the given widgets. */
export function section(
  header: string | null,
  ...widgets: GoogleAppsScript.Card_Service.Widget[]
): GoogleAppsScript.Card_Service.CardSection {
  const built = CardService.newCardSection();
  if (header) built.setHeader(safeText(header, TEXT_LIMITS.label));
  for (const widget of widgets) built.addWidget(widget);
  return built;
}

/** A clickable row: text with labels above and below, running `action`. */
export function row(
  text: string,
  options: {
    top?: string;
    bottom?: string;
    onClick?: Action;
    button?: GoogleAppsScript.Card_Service.TextButton;
  } = {},
): GoogleAppsScript.Card_Service.DecoratedText {
  const widget = CardService.newDecoratedText().setText(safeText(text)).setWrapText(true);
  if (options.top) widget.setTopLabel(safeText(options.top, TEXT_LIMITS.label));
  if (options.bottom) widget.setBottomLabel(safeText(options.bottom, TEXT_LIMITS.label));
  if (options.onClick) widget.setOnClickAction(options.onClick);
  if (options.button) widget.setButton(options.button);
  return widget;
}

/** A row of text with a switch (a settings toggle). */
export function switchRow(
  text: string,
  name: string,
  on: boolean,
): GoogleAppsScript.Card_Service.DecoratedText {
  return row(text).setSwitchControl(
    CardService.newSwitch().setFieldName(name).setValue('on').setSelected(on),
  );
}

/** A list of checkboxes: value → label, with the `chosen` values ticked. */
export function checkboxes(
  name: string,
  title: string,
  items: [value: string, label: string][],
  chosen: string[] = [],
): GoogleAppsScript.Card_Service.SelectionInput {
  const input = CardService.newSelectionInput()
    .setType(CardService.SelectionInputType.CHECK_BOX)
    .setFieldName(name)
    .setTitle(plainText(title));
  for (const [value, label] of items)
    input.addItem(plainText(label), value, chosen.includes(value));
  return input;
}
