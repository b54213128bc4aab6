/** This file defines the small widget builders the cards share, so that every card looks alike. */
import { routerAction } from '../actions/action-kit';

type Action = GoogleAppsScript.Card_Service.Action;

/** A text button running a router action. */
export function actionButton(
  text: string,
  action: string,
  parameters: Record<string, string> = {},
  filled = false,
): GoogleAppsScript.Card_Service.TextButton {
  const button = CardService.newTextButton()
    .setText(text)
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
  return CardService.newTextParagraph().setText(text);
}

/** A one-line text field. */
export function textField(
  name: string,
  title: string,
  hint = '',
  value = '',
): GoogleAppsScript.Card_Service.TextInput {
  const input = CardService.newTextInput().setFieldName(name).setTitle(title);
  if (hint) input.setHint(hint);
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
    .setTitle(title);
  items.forEach(([value, label], index) =>
    input.addItem(label, value, selected === undefined ? index === 0 : value === selected),
  );
  return input;
}

/** A card section with an optional header and the given widgets. */
export function section(
  header: string | null,
  ...widgets: GoogleAppsScript.Card_Service.Widget[]
): GoogleAppsScript.Card_Service.CardSection {
  const built = CardService.newCardSection();
  if (header) built.setHeader(header);
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
  const widget = CardService.newDecoratedText().setText(text).setWrapText(true);
  if (options.top) widget.setTopLabel(options.top);
  if (options.bottom) widget.setBottomLabel(options.bottom);
  if (options.onClick) widget.setOnClickAction(options.onClick);
  if (options.button) widget.setButton(options.button);
  return widget;
}
