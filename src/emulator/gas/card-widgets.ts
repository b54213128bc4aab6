/**
 * This file defines the widgets of the CardService fake, the things a CardSection holds: text,
 * images, button sets, inputs (a TextInput or SelectionInput needs a field name), pickers, grids.
 */
import { scriptException } from './script-errors';
import { Action, Button, Clickable, IconImage } from './card-actions';
import {
  CARD_LIMITS,
  ENUMS,
  type Json,
  JsonObject,
  type Provides,
  compact,
  signatureError,
} from './card-objects';

/** A widget: something a CardSection holds. */
export abstract class Widget extends JsonObject {}

/** The classes a CardSection accepts: the Widget subclasses plus the clickable DecoratedText and Image. */
export function isWidget(value: unknown): value is JsonObject {
  return value instanceof Widget || value instanceof DecoratedText || value instanceof Image;
}

export class TextParagraph
  extends Widget
  implements Provides<GoogleAppsScript.Card_Service.TextParagraph, 'setText'>
{
  readonly className = 'TextParagraph';
  private value?: string;
  setText(text: unknown): this {
    this.value = this.text('setText', text);
    return this;
  }
  toCardJson(): Json {
    if (this.value === undefined)
      throw scriptException('TextParagraph is missing text. Call setText.');
    return { textParagraph: { text: this.value } };
  }
}

export class Divider extends Widget {
  readonly className = 'Divider';
  toCardJson(): Json {
    return { divider: {} };
  }
}

export class Image
  extends Clickable
  implements
    Provides<
      GoogleAppsScript.Card_Service.Image,
      'setImageUrl' | 'setAltText' | 'setOnClickAction' | 'setOpenLink'
    >
{
  readonly className = 'Image';
  private url?: string;
  private altText?: string;
  setImageUrl(url: unknown): this {
    this.url = this.text('setImageUrl', url);
    return this;
  }
  setAltText(altText: unknown): this {
    this.altText = this.text('setAltText', altText);
    return this;
  }
  toCardJson(): Json {
    if (!this.url) throw scriptException('Image is missing an image URL. Call setImageUrl.');
    return { image: compact({ imageUrl: this.url, altText: this.altText, onClick: this.onClick }) };
  }
}

export class ButtonSet
  extends Widget
  implements Provides<GoogleAppsScript.Card_Service.ButtonSet, 'addButton'>
{
  readonly className = 'ButtonSet';
  private readonly buttons: Button[] = [];
  addButton(button: unknown): this {
    this.buttons.push(this.instance('addButton', button, Button));
    return this;
  }
  toCardJson(): Json {
    if (this.buttons.length === 0)
      throw scriptException('ButtonSet must contain at least one button.');
    return { buttonList: { buttons: this.buttons.map((button) => button.toCardJson()) } };
  }
}

export class Switch
  extends JsonObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.Switch,
      'setFieldName' | 'setValue' | 'setSelected' | 'setOnChangeAction' | 'setControlType'
    >
{
  readonly className = 'Switch';
  setFieldName = this.textField('setFieldName', 'name');
  setValue = this.textField('setValue', 'value');
  setSelected = this.flagField('setSelected', 'selected');
  setOnChangeAction = this.cardField('setOnChangeAction', 'onChangeAction', Action);
  setControlType = this.enumField('setControlType', 'controlType', ENUMS.SwitchControlType);
  toCardJson(): Json {
    if (!this.json.name)
      throw scriptException('Switch is missing a field name. Call setFieldName.');
    return { ...this.json };
  }
}

export class DecoratedText
  extends Clickable
  implements
    Provides<
      GoogleAppsScript.Card_Service.DecoratedText,
      | 'setText'
      | 'setTopLabel'
      | 'setBottomLabel'
      | 'setWrapText'
      | 'setStartIcon'
      | 'setEndIcon'
      | 'setButton'
      | 'setSwitchControl'
      | 'setOnClickAction'
      | 'setOpenLink'
      | 'setIcon'
      | 'setIconUrl'
    >
{
  readonly className = 'DecoratedText';
  private control?: Json;
  setText = this.textField('setText', 'text');
  setTopLabel = this.textField('setTopLabel', 'topLabel');
  setBottomLabel = this.textField('setBottomLabel', 'bottomLabel');
  setWrapText = this.flagField('setWrapText', 'wrapText');
  setStartIcon = this.cardField('setStartIcon', 'startIcon', IconImage);
  setIcon(icon: unknown): this {
    this.json.startIcon = { knownIcon: this.oneOf('setIcon', icon, ENUMS.Icon) };
    return this;
  }
  setIconUrl(url: unknown): this {
    this.json.startIcon = { iconUrl: this.text('setIconUrl', url) };
    return this;
  }
  setEndIcon(icon: unknown): this {
    this.control = { endIcon: this.instance('setEndIcon', icon, IconImage).toCardJson() };
    return this;
  }
  setButton(button: unknown): this {
    this.control = { button: this.instance('setButton', button, Button).toCardJson() };
    return this;
  }
  setSwitchControl(control: unknown): this {
    this.control = {
      switchControl: this.instance('setSwitchControl', control, Switch).toCardJson(),
    };
    return this;
  }
  toCardJson(): Json {
    if (this.json.text === undefined)
      throw scriptException('DecoratedText is missing text. Call setText.');
    return { decoratedText: compact({ ...this.json, ...this.control, onClick: this.onClick }) };
  }
}

export class Suggestions
  extends JsonObject
  implements Provides<GoogleAppsScript.Card_Service.Suggestions, 'addSuggestion' | 'addSuggestions'>
{
  readonly className = 'Suggestions';
  private readonly items: string[] = [];
  addSuggestion(suggestion: unknown): this {
    this.items.push(this.text('addSuggestion', suggestion));
    return this;
  }
  addSuggestions(suggestions: unknown): this {
    if (!Array.isArray(suggestions))
      throw signatureError(this.className, 'addSuggestions', [suggestions]);
    for (const suggestion of suggestions) this.items.push(this.text('addSuggestions', suggestion));
    return this;
  }
  toCardJson(): Json {
    return { items: this.items.map((text) => ({ text })) };
  }
}

export class TextInput
  extends Widget
  implements
    Provides<
      GoogleAppsScript.Card_Service.TextInput,
      | 'setFieldName'
      | 'setTitle'
      | 'setHint'
      | 'setValue'
      | 'setMultiline'
      | 'setOnChangeAction'
      | 'setSuggestions'
      | 'setSuggestionsAction'
    >
{
  readonly className = 'TextInput';
  setFieldName = this.textField('setFieldName', 'name');
  setTitle = this.textField('setTitle', 'label');
  setHint = this.textField('setHint', 'hintText');
  setValue = this.textField('setValue', 'value');
  setMultiline(multiline: unknown): this {
    this.json.type = this.flag('setMultiline', multiline) ? 'MULTIPLE_LINE' : 'SINGLE_LINE';
    return this;
  }
  setOnChangeAction = this.cardField('setOnChangeAction', 'onChangeAction', Action);
  setSuggestions(suggestions: unknown): this {
    this.json.initialSuggestions = this.instance(
      'setSuggestions',
      suggestions,
      Suggestions,
    ).toCardJson();
    return this;
  }
  setSuggestionsAction(action: unknown): this {
    this.json.autoCompleteAction = this.instance(
      'setSuggestionsAction',
      action,
      Action,
    ).toCardJson();
    return this;
  }
  toCardJson(): Json {
    if (!this.json.name)
      throw scriptException('TextInput is missing a field name. Call setFieldName.');
    return { textInput: { type: 'SINGLE_LINE', ...this.json } };
  }
}

export class SelectionInput
  extends Widget
  implements
    Provides<
      GoogleAppsScript.Card_Service.SelectionInput,
      | 'setFieldName'
      | 'setTitle'
      | 'setType'
      | 'addItem'
      | 'setOnChangeAction'
      | 'setMultiSelectMaxSelectedItems'
      | 'addMultiSelectItem'
    >
{
  readonly className = 'SelectionInput';
  private readonly items: Json[] = [];
  setFieldName = this.textField('setFieldName', 'name');
  setTitle = this.textField('setTitle', 'label');
  setType = this.enumField('setType', 'type', ENUMS.SelectionInputType);
  addItem(text: unknown, value: unknown, selected: unknown): this {
    this.items.push({
      text: this.text('addItem', text),
      value: this.text('addItem', value),
      selected: this.flag('addItem', selected),
    });
    return this;
  }
  addMultiSelectItem(
    text: unknown,
    value: unknown,
    selected: unknown,
    startIconUri?: unknown,
    bottomText?: unknown,
  ): this {
    this.items.push(
      compact({
        text: this.text('addMultiSelectItem', text),
        value: this.text('addMultiSelectItem', value),
        selected: this.flag('addMultiSelectItem', selected),
        startIconUri:
          startIconUri === undefined ? undefined : this.text('addMultiSelectItem', startIconUri),
        bottomText:
          bottomText === undefined ? undefined : this.text('addMultiSelectItem', bottomText),
      }),
    );
    return this;
  }
  setOnChangeAction = this.cardField('setOnChangeAction', 'onChangeAction', Action);
  setMultiSelectMaxSelectedItems = this.integerField(
    'setMultiSelectMaxSelectedItems',
    'multiSelectMaxSelectedItems',
  );
  toCardJson(): Json {
    if (!this.json.name)
      throw scriptException('SelectionInput is missing a field name. Call setFieldName.');
    if (this.items.length > CARD_LIMITS.itemsPerSelectionInput) {
      throw scriptException(
        `SelectionInput "${String(this.json.name)}" has ${this.items.length} items; at most ${CARD_LIMITS.itemsPerSelectionInput} are allowed.`,
      );
    }
    const type = (this.json.type as string | undefined) ?? 'CHECK_BOX';
    const selected = this.items.filter((item) => item.selected).length;
    if ((type === 'RADIO_BUTTON' || type === 'DROPDOWN') && selected > 1) {
      throw scriptException(
        `A ${type} SelectionInput can have only one selected item; "${String(this.json.name)}" has ${selected}.`,
      );
    }
    return {
      selectionInput: { ...this.json, type, items: this.items.map((item) => ({ ...item })) },
    };
  }
}

/** A date, date-time or time picker; Apps Script's DatePicker, DateTimePicker and TimePicker. */
export class DateTimePicker
  extends Widget
  implements
    Provides<
      GoogleAppsScript.Card_Service.DateTimePicker,
      'setFieldName' | 'setTitle' | 'setValueInMsSinceEpoch' | 'setOnChangeAction'
    >
{
  constructor(
    readonly className: 'DatePicker' | 'DateTimePicker',
    private readonly pickerType: 'DATE_ONLY' | 'DATE_AND_TIME',
  ) {
    super();
  }
  setFieldName = this.textField('setFieldName', 'name');
  setTitle = this.textField('setTitle', 'label');
  setValueInMsSinceEpoch(value: unknown): this {
    const ms = typeof value === 'string' ? Number(value) : value;
    if (typeof ms !== 'number' || !Number.isFinite(ms))
      throw signatureError(this.className, 'setValueInMsSinceEpoch', [value]);
    this.json.valueMsEpoch = String(Math.trunc(ms));
    return this;
  }
  setTimeZoneOffsetInMins = this.integerField('setTimeZoneOffsetInMins', 'timezoneOffsetDate');
  setOnChangeAction = this.cardField('setOnChangeAction', 'onChangeAction', Action);
  toCardJson(): Json {
    if (!this.json.name)
      throw scriptException(`${this.className} is missing a field name. Call setFieldName.`);
    return { dateTimePicker: { ...this.json, type: this.pickerType } };
  }
}

export class GridItem
  extends JsonObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.GridItem,
      'setIdentifier' | 'setTitle' | 'setSubtitle' | 'setImage' | 'setLayout'
    >
{
  readonly className = 'GridItem';
  setIdentifier = this.textField('setIdentifier', 'id');
  setTitle = this.textField('setTitle', 'title');
  setSubtitle = this.textField('setSubtitle', 'subtitle');
  setImage = this.cardField('setImage', 'image', ImageComponent);
  setLayout = this.enumField('setLayout', 'layout', ENUMS.GridItemLayout);
  toCardJson(): Json {
    return { ...this.json };
  }
}

export class ImageComponent
  extends JsonObject
  implements Provides<GoogleAppsScript.Card_Service.ImageComponent, 'setImageUrl' | 'setAltText'>
{
  readonly className = 'ImageComponent';
  setImageUrl = this.textField('setImageUrl', 'imageUri');
  setAltText = this.textField('setAltText', 'altText');
  toCardJson(): Json {
    if (!this.json.imageUri)
      throw scriptException('ImageComponent is missing an image URL. Call setImageUrl.');
    return { ...this.json };
  }
}

export class Grid
  extends Widget
  implements
    Provides<
      GoogleAppsScript.Card_Service.Grid,
      'setTitle' | 'addItem' | 'setNumColumns' | 'setOnClickAction'
    >
{
  readonly className = 'Grid';
  private readonly items: GridItem[] = [];
  setTitle = this.textField('setTitle', 'title');
  addItem(item: unknown): this {
    this.items.push(this.instance('addItem', item, GridItem));
    return this;
  }
  setNumColumns = this.integerField('setNumColumns', 'columnCount');
  setOnClickAction(action: unknown): this {
    this.json.onClick = { action: this.instance('setOnClickAction', action, Action).toCardJson() };
    return this;
  }
  toCardJson(): Json {
    if (this.items.length === 0) throw scriptException('Grid must contain at least one item.');
    return { grid: { ...this.json, items: this.items.map((item) => item.toCardJson()) } };
  }
}
