/**
 * This file defines the CardService fake: the builders and enums of Apps Script's Card Service
 * that the add-on uses, producing the card JSON that `printJson()` shows (google/apps/card/v1
 * card.proto field names) and rejecting what Apps Script rejects (FACTS.md: at most 100
 * sections and 100 widgets per section, a section needs a widget, a fixed footer needs a primary
 * button, a TextInput or SelectionInput needs a field name, at most 100 static items).
 * Action responses use the add-on response shape: `{renderActions: {action: {...}}}`.
 */
import { scriptException } from './script-errors';

type Json = Record<string, unknown>;

/** The members of an Apps Script interface that a fake provides, with loosened return types. */
export type Provides<T, K extends keyof T> = {
  [P in K]: T[P] extends (...args: infer A) => unknown ? (...args: A) => unknown : T[P];
};

export const CARD_LIMITS = {
  sectionsPerCard: 100,
  widgetsPerSection: 100,
  itemsPerSelectionInput: 100,
  buttonsPerFixedFooter: 2,
} as const;

function enumOf<const T extends string>(...values: T[]): Readonly<Record<T, T>> {
  return Object.freeze(Object.fromEntries(values.map((value) => [value, value])) as Record<T, T>);
}

/** Describes a value's type the way Apps Script's signature errors do. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'Boolean';
  if (Array.isArray(value)) return 'Object[]';
  if (value instanceof CardObject) return `CardService.${value.className}`;
  return typeof value === 'undefined' ? 'undefined' : 'Object';
}

function signatureError(className: string, method: string, args: unknown[]): Error {
  return scriptException(
    `The parameters (${args.map(typeName).join(',')}) don't match the method signature for CardService.${className}.${method}.`,
  );
}

/** Base of every Card Service object: knows its Apps Script class name and checks arguments. */
abstract class CardObject {
  abstract readonly className: string;

  protected text(method: string, value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw signatureError(this.className, method, [value]);
  }

  protected flag(method: string, value: unknown): boolean {
    if (typeof value !== 'boolean') throw signatureError(this.className, method, [value]);
    return value;
  }

  protected integer(method: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw signatureError(this.className, method, [value]);
    }
    return value;
  }

  protected instance<T>(
    method: string,
    value: unknown,
    type: abstract new (...a: never[]) => T,
  ): T {
    if (!(value instanceof type)) throw signatureError(this.className, method, [value]);
    return value;
  }

  protected oneOf<T extends string>(
    method: string,
    value: unknown,
    values: Readonly<Record<T, T>>,
  ): T {
    if (typeof value !== 'string' || !(value in values)) {
      throw signatureError(this.className, method, [value]);
    }
    return value as T;
  }

  toString(): string {
    return this.className;
  }
}

/**
 * A card object that becomes JSON: `toCardJson` validates and returns the card.proto message.
 * Its setters are built by the field factories below: each checks the argument as Apps Script
 * does, stores it under its card.proto name in `json`, and returns the builder for chaining.
 */
abstract class JsonObject extends CardObject {
  protected readonly json: Json = {};

  abstract toCardJson(): Json;

  private fieldSetter<V>(key: string, read: (value: unknown) => V): (value: unknown) => this {
    return (value) => {
      this.json[key] = read(value);
      return this;
    };
  }

  /** A setter of a text field. */
  protected textField(method: string, key: string): (value: unknown) => this {
    return this.fieldSetter(key, (value) => this.text(method, value));
  }

  /** A setter of a boolean field. */
  protected flagField(method: string, key: string): (value: unknown) => this {
    return this.fieldSetter(key, (value) => this.flag(method, value));
  }

  /** A setter of an integer field. */
  protected integerField(method: string, key: string): (value: unknown) => this {
    return this.fieldSetter(key, (value) => this.integer(method, value));
  }

  /** A setter of an enum field. */
  protected enumField<T extends string>(
    method: string,
    key: string,
    values: Readonly<Record<T, T>>,
  ): (value: unknown) => this {
    return this.fieldSetter(key, (value) => this.oneOf(method, value, values));
  }

  /** A setter of a field that holds another card object's JSON. */
  protected cardField(
    method: string,
    key: string,
    type: abstract new (...a: never[]) => JsonObject,
  ): (value: unknown) => this {
    return this.fieldSetter(key, (value) => this.instance(method, value, type).toCardJson());
  }

  /** Returns the JSON that Apps Script's printJson shows. */
  printJson(): string {
    return JSON.stringify(this.toCardJson(), null, 2);
  }
}

function compact(json: Json): Json {
  return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined));
}

export const ENUMS = {
  ImageStyle: enumOf('SQUARE', 'CIRCLE'),
  ImageCropType: enumOf('SQUARE', 'CIRCLE', 'RECTANGLE_CUSTOM', 'RECTANGLE_4_3'),
  TextButtonStyle: enumOf('OUTLINED', 'TEXT', 'FILLED', 'FILLED_TONAL', 'BORDERLESS'),
  SelectionInputType: enumOf('CHECK_BOX', 'RADIO_BUTTON', 'DROPDOWN', 'SWITCH', 'MULTI_SELECT'),
  SwitchControlType: enumOf('SWITCH', 'CHECK_BOX'),
  LoadIndicator: enumOf('SPINNER', 'NONE'),
  OpenAs: enumOf('FULL_SIZE', 'OVERLAY'),
  OnClose: enumOf('NOTHING', 'RELOAD', 'RELOAD_ADD_ON'),
  DisplayStyle: enumOf('PEEK', 'REPLACE'),
  HorizontalAlignment: enumOf('START', 'CENTER', 'END'),
  GridItemLayout: enumOf('TEXT_BELOW', 'TEXT_ABOVE'),
  BorderType: enumOf('NO_BORDER', 'STROKE'),
  ComposedEmailType: enumOf('REPLY_AS_DRAFT', 'STANDALONE_DRAFT'),
  ContentType: enumOf('TEXT', 'MUTABLE_HTML', 'IMMUTABLE_HTML'),
  UpdateDraftBodyType: enumOf('IN_PLACE_INSERT', 'INSERT_AT_START', 'INSERT_AT_END'),
  InputType: enumOf('TEXT', 'INTEGER', 'FLOAT', 'EMAIL'),
  Interaction: enumOf('INTERACTION_UNSPECIFIED', 'OPEN_DIALOG'),
  Icon: enumOf(
    'NONE',
    'AIRPLANE',
    'BOOKMARK',
    'BUS',
    'CAR',
    'CLOCK',
    'CONFIRMATION_NUMBER_ICON',
    'DOLLAR',
    'DESCRIPTION',
    'EMAIL',
    'EVENT_PERFORMER',
    'EVENT_SEAT',
    'FLIGHT_ARRIVAL',
    'FLIGHT_DEPARTURE',
    'HOTEL',
    'HOTEL_ROOM_TYPE',
    'INVITE',
    'MAP_PIN',
    'MEMBERSHIP',
    'MULTIPLE_PEOPLE',
    'OFFER',
    'PERSON',
    'PHONE',
    'RESTAURANT_ICON',
    'SHOPPING_CART',
    'STAR',
    'STORE',
    'TICKET',
    'TRAIN',
    'VIDEO_CAMERA',
    'VIDEO_PLAY',
  ),
} as const;

export class Action
  extends JsonObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.Action,
      'setFunctionName' | 'setParameters' | 'setLoadIndicator' | 'setPersistValues'
    >
{
  readonly className = 'Action';
  private functionName?: string;
  private parameters: Record<string, string> = {};
  private loadIndicator?: string;
  private persistValues?: boolean;

  setFunctionName(functionName: unknown): this {
    this.functionName = this.text('setFunctionName', functionName);
    return this;
  }
  setParameters(parameters: unknown): this {
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      throw signatureError(this.className, 'setParameters', [parameters]);
    }
    const entries = Object.entries(parameters as Record<string, unknown>);
    for (const [key, value] of entries) {
      if (typeof value !== 'string') {
        throw scriptException(
          `Invalid argument: parameters. The value of "${key}" must be a string.`,
        );
      }
    }
    this.parameters = Object.fromEntries(entries) as Record<string, string>;
    return this;
  }
  setLoadIndicator(loadIndicator: unknown): this {
    this.loadIndicator = this.oneOf('setLoadIndicator', loadIndicator, ENUMS.LoadIndicator);
    return this;
  }
  setPersistValues(persistValues: unknown): this {
    this.persistValues = this.flag('setPersistValues', persistValues);
    return this;
  }
  toCardJson(): Json {
    if (!this.functionName)
      throw scriptException('Action is missing a function name. Call setFunctionName.');
    const parameters = Object.entries(this.parameters).map(([key, value]) => ({ key, value }));
    return compact({
      function: this.functionName,
      parameters: parameters.length > 0 ? parameters : undefined,
      loadIndicator: this.loadIndicator,
      persistValues: this.persistValues,
    });
  }
}

export class OpenLink
  extends JsonObject
  implements Provides<GoogleAppsScript.Card_Service.OpenLink, 'setUrl' | 'setOpenAs' | 'setOnClose'>
{
  readonly className = 'OpenLink';
  private url?: string;
  private openAs?: string;
  private onClose?: string;

  setUrl(url: unknown): this {
    this.url = this.text('setUrl', url);
    return this;
  }
  setOpenAs(openAs: unknown): this {
    this.openAs = this.oneOf('setOpenAs', openAs, ENUMS.OpenAs);
    return this;
  }
  setOnClose(onClose: unknown): this {
    this.onClose = this.oneOf('setOnClose', onClose, ENUMS.OnClose);
    return this;
  }
  toCardJson(): Json {
    if (!this.url) throw scriptException('OpenLink is missing a URL. Call setUrl.');
    return compact({ url: this.url, openAs: this.openAs, onClose: this.onClose });
  }
}

/** The click behaviours shared by buttons, images and decorated text. */
abstract class Clickable extends JsonObject {
  protected onClick?: Json;

  setOnClickAction(action: unknown): this {
    this.onClick = { action: this.instance('setOnClickAction', action, Action).toCardJson() };
    return this;
  }
  setOnClickOpenLinkAction(action: unknown): this {
    this.onClick = {
      openDynamicLinkAction: this.instance('setOnClickOpenLinkAction', action, Action).toCardJson(),
    };
    return this;
  }
  setOpenLink(openLink: unknown): this {
    this.onClick = { openLink: this.instance('setOpenLink', openLink, OpenLink).toCardJson() };
    return this;
  }
  setComposeAction(action: unknown, composedEmailType: unknown): this {
    this.onClick = {
      action: this.instance('setComposeAction', action, Action).toCardJson(),
      composedEmailType: this.oneOf('setComposeAction', composedEmailType, ENUMS.ComposedEmailType),
    };
    return this;
  }
}

export class IconImage
  extends JsonObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.IconImage,
      'setIcon' | 'setIconUrl' | 'setAltText' | 'setImageCropType'
    >
{
  readonly className = 'IconImage';
  setIcon = this.enumField('setIcon', 'knownIcon', ENUMS.Icon);
  setIconUrl = this.textField('setIconUrl', 'iconUrl');
  setAltText = this.textField('setAltText', 'altText');
  setImageCropType = this.enumField('setImageCropType', 'imageType', ENUMS.ImageCropType);
  toCardJson(): Json {
    if (!this.json.knownIcon && !this.json.iconUrl)
      throw scriptException('IconImage needs an icon or an icon URL.');
    return { ...this.json };
  }
}

/** A button: TextButton or ImageButton. */
abstract class Button extends Clickable {
  protected abstract buttonJson(): Json;
  toCardJson(): Json {
    if (!this.onClick)
      throw scriptException(`${this.className} needs an action: set an onClick action or a link.`);
    return compact({ ...this.buttonJson(), onClick: this.onClick });
  }
}

export class TextButton
  extends Button
  implements
    Provides<
      GoogleAppsScript.Card_Service.TextButton,
      | 'setText'
      | 'setTextButtonStyle'
      | 'setDisabled'
      | 'setAltText'
      | 'setBackgroundColor'
      | 'setOnClickAction'
      | 'setOpenLink'
      | 'setOnClickOpenLinkAction'
      | 'setComposeAction'
    >
{
  readonly className = 'TextButton';
  private label?: string;
  private style?: string;
  private disabled?: boolean;
  private altText?: string;
  private color?: string;

  setText(text: unknown): this {
    this.label = this.text('setText', text);
    return this;
  }
  setTextButtonStyle(style: unknown): this {
    this.style = this.oneOf('setTextButtonStyle', style, ENUMS.TextButtonStyle);
    return this;
  }
  setDisabled(disabled: unknown): this {
    this.disabled = this.flag('setDisabled', disabled);
    return this;
  }
  setAltText(altText: unknown): this {
    this.altText = this.text('setAltText', altText);
    return this;
  }
  setBackgroundColor(color: unknown): this {
    this.color = this.text('setBackgroundColor', color);
    return this;
  }
  protected buttonJson(): Json {
    if (!this.label) throw scriptException('TextButton is missing text. Call setText.');
    return {
      text: this.label,
      type: this.style,
      disabled: this.disabled,
      altText: this.altText,
      color: this.color,
    };
  }
}

export class ImageButton
  extends Button
  implements
    Provides<
      GoogleAppsScript.Card_Service.ImageButton,
      'setIcon' | 'setIconUrl' | 'setAltText' | 'setOnClickAction' | 'setOpenLink'
    >
{
  readonly className = 'ImageButton';
  private icon: Json = {};
  private altText?: string;
  setIcon(icon: unknown): this {
    this.icon = { knownIcon: this.oneOf('setIcon', icon, ENUMS.Icon) };
    return this;
  }
  setIconUrl(url: unknown): this {
    this.icon = { iconUrl: this.text('setIconUrl', url) };
    return this;
  }
  setAltText(altText: unknown): this {
    this.altText = this.text('setAltText', altText);
    return this;
  }
  protected buttonJson(): Json {
    if (!this.icon.knownIcon && !this.icon.iconUrl)
      throw scriptException('ImageButton needs an icon. Call setIcon or setIconUrl.');
    return { icon: compact({ ...this.icon, altText: this.altText }), altText: this.altText };
  }
}

/** A widget: something a CardSection holds. */
abstract class Widget extends JsonObject {}

/** The classes a CardSection accepts: the Widget subclasses plus the clickable DecoratedText and Image. */
function isWidget(value: unknown): value is JsonObject {
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

export class CardHeader
  extends JsonObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.CardHeader,
      'setTitle' | 'setSubtitle' | 'setImageUrl' | 'setImageStyle' | 'setImageAltText'
    >
{
  readonly className = 'CardHeader';
  setTitle = this.textField('setTitle', 'title');
  setSubtitle = this.textField('setSubtitle', 'subtitle');
  setImageUrl = this.textField('setImageUrl', 'imageUrl');
  setImageStyle = this.enumField('setImageStyle', 'imageType', ENUMS.ImageStyle);
  setImageAltText = this.textField('setImageAltText', 'imageAltText');
  toCardJson(): Json {
    if (!this.json.title) throw scriptException('CardHeader is missing a title. Call setTitle.');
    return { ...this.json };
  }
}

export class CardSection
  extends JsonObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.CardSection,
      'addWidget' | 'setHeader' | 'setCollapsible' | 'setNumUncollapsibleWidgets'
    >
{
  readonly className = 'CardSection';
  private header?: string;
  private collapsible?: boolean;
  private uncollapsible?: number;
  private readonly widgets: JsonObject[] = [];
  addWidget(widget: unknown): this {
    if (!isWidget(widget)) throw signatureError(this.className, 'addWidget', [widget]);
    this.widgets.push(widget);
    return this;
  }
  setHeader(header: unknown): this {
    this.header = this.text('setHeader', header);
    return this;
  }
  setCollapsible(collapsible: unknown): this {
    this.collapsible = this.flag('setCollapsible', collapsible);
    return this;
  }
  setNumUncollapsibleWidgets(count: unknown): this {
    this.uncollapsible = this.integer('setNumUncollapsibleWidgets', count);
    return this;
  }
  toCardJson(): Json {
    if (this.widgets.length === 0)
      throw scriptException('A card section must contain at least one widget.');
    if (this.widgets.length > CARD_LIMITS.widgetsPerSection) {
      throw scriptException(
        `A card section has ${this.widgets.length} widgets; at most ${CARD_LIMITS.widgetsPerSection} are allowed.`,
      );
    }
    return compact({
      header: this.header,
      widgets: this.widgets.map((widget) => widget.toCardJson()),
      collapsible: this.collapsible,
      uncollapsibleWidgetsCount: this.collapsible ? (this.uncollapsible ?? 0) : undefined,
    });
  }
}

export class FixedFooter
  extends JsonObject
  implements
    Provides<GoogleAppsScript.Card_Service.FixedFooter, 'setPrimaryButton' | 'setSecondaryButton'>
{
  readonly className = 'FixedFooter';
  private primary?: TextButton;
  private secondary?: TextButton;
  setPrimaryButton(button: unknown): this {
    this.primary = this.instance('setPrimaryButton', button, TextButton);
    return this;
  }
  setSecondaryButton(button: unknown): this {
    this.secondary = this.instance('setSecondaryButton', button, TextButton);
    return this;
  }
  toCardJson(): Json {
    if (!this.primary)
      throw scriptException('A fixed footer must have a primary button. Call setPrimaryButton.');
    return compact({
      primaryButton: this.primary.toCardJson(),
      secondaryButton: this.secondary?.toCardJson(),
    });
  }
}

export class CardAction
  extends Clickable
  implements
    Provides<
      GoogleAppsScript.Card_Service.CardAction,
      'setText' | 'setOnClickAction' | 'setOpenLink'
    >
{
  readonly className = 'CardAction';
  private label?: string;
  setText(text: unknown): this {
    this.label = this.text('setText', text);
    return this;
  }
  toCardJson(): Json {
    if (!this.label || !this.onClick) throw scriptException('CardAction needs text and an action.');
    return { actionLabel: this.label, onClick: this.onClick };
  }
}

/** A built card, as CardBuilder.build() returns it. */
export class Card
  extends JsonObject
  implements Provides<GoogleAppsScript.Card_Service.Card, 'printJson'>
{
  readonly className = 'Card';
  constructor(private readonly card: Json) {
    super();
  }
  toCardJson(): Json {
    return structuredClone(this.card);
  }
}

export class CardBuilder
  extends CardObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.CardBuilder,
      | 'setHeader'
      | 'addSection'
      | 'setName'
      | 'setFixedFooter'
      | 'addCardAction'
      | 'setDisplayStyle'
      | 'setPeekCardHeader'
      | 'build'
    >
{
  readonly className = 'CardBuilder';
  private header?: CardHeader;
  private peekHeader?: CardHeader;
  private name?: string;
  private footer?: FixedFooter;
  private displayStyle?: string;
  private readonly sections: CardSection[] = [];
  private readonly actions: CardAction[] = [];

  setHeader(header: unknown): this {
    this.header = this.instance('setHeader', header, CardHeader);
    return this;
  }
  setPeekCardHeader(header: unknown): this {
    this.peekHeader = this.instance('setPeekCardHeader', header, CardHeader);
    return this;
  }
  addSection(section: unknown): this {
    this.sections.push(this.instance('addSection', section, CardSection));
    return this;
  }
  addCardAction(action: unknown): this {
    this.actions.push(this.instance('addCardAction', action, CardAction));
    return this;
  }
  setName(name: unknown): this {
    this.name = this.text('setName', name);
    return this;
  }
  setFixedFooter(footer: unknown): this {
    this.footer = this.instance('setFixedFooter', footer, FixedFooter);
    return this;
  }
  setDisplayStyle(style: unknown): this {
    this.displayStyle = this.oneOf('setDisplayStyle', style, ENUMS.DisplayStyle);
    return this;
  }
  build(): Card {
    if (this.sections.length === 0)
      throw scriptException('A card must contain at least one section.');
    if (this.sections.length > CARD_LIMITS.sectionsPerCard) {
      throw scriptException(
        `A card has ${this.sections.length} sections; at most ${CARD_LIMITS.sectionsPerCard} are allowed.`,
      );
    }
    const actions = this.actions.map((action) => action.toCardJson());
    return new Card(
      compact({
        name: this.name,
        header: this.header?.toCardJson(),
        sections: this.sections.map((section) => section.toCardJson()),
        cardActions: actions.length > 0 ? actions : undefined,
        fixedFooter: this.footer?.toCardJson(),
        displayStyle: this.displayStyle,
        peekCardHeader: this.peekHeader?.toCardJson(),
      }),
    );
  }
}

export class Navigation
  extends JsonObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.Navigation,
      'pushCard' | 'popCard' | 'popToRoot' | 'popToNamedCard' | 'updateCard' | 'printJson'
    >
{
  readonly className = 'Navigation';
  private readonly steps: Json[] = [];
  pushCard(card: unknown): this {
    this.steps.push({ pushCard: this.instance('pushCard', card, Card).toCardJson() });
    return this;
  }
  updateCard(card: unknown): this {
    this.steps.push({ updateCard: this.instance('updateCard', card, Card).toCardJson() });
    return this;
  }
  popCard(): this {
    this.steps.push({ popCard: true });
    return this;
  }
  popToRoot(): this {
    this.steps.push({ popToRoot: true });
    return this;
  }
  popToNamedCard(name: unknown): this {
    this.steps.push({ popToCard: this.text('popToNamedCard', name) });
    return this;
  }
  toCardJson(): Json {
    return { navigations: this.steps.map((step) => ({ ...step })) };
  }
}

export class Notification
  extends JsonObject
  implements Provides<GoogleAppsScript.Card_Service.Notification, 'setText'>
{
  readonly className = 'Notification';
  private value?: string;
  setText(text: unknown): this {
    this.value = this.text('setText', text);
    return this;
  }
  toCardJson(): Json {
    if (!this.value) throw scriptException('Notification is missing text. Call setText.');
    return { text: this.value };
  }
}

/** A built response: ActionResponse, UniversalActionResponse, SuggestionsResponse, UpdateDraftActionResponse. */
export class BuiltResponse extends JsonObject {
  constructor(
    readonly className: string,
    private readonly response: Json,
  ) {
    super();
  }
  toCardJson(): Json {
    return structuredClone(this.response);
  }
}

export class ActionResponseBuilder
  extends CardObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.ActionResponseBuilder,
      'setNavigation' | 'setNotification' | 'setOpenLink' | 'setStateChanged' | 'build'
    >
{
  readonly className = 'ActionResponseBuilder';
  private navigation?: Navigation;
  private notification?: Notification;
  private link?: OpenLink;
  private stateChanged?: boolean;
  setNavigation(navigation: unknown): this {
    this.navigation = this.instance('setNavigation', navigation, Navigation);
    return this;
  }
  setNotification(notification: unknown): this {
    this.notification = this.instance('setNotification', notification, Notification);
    return this;
  }
  setOpenLink(link: unknown): this {
    this.link = this.instance('setOpenLink', link, OpenLink);
    return this;
  }
  setStateChanged(changed: unknown): this {
    this.stateChanged = this.flag('setStateChanged', changed);
    return this;
  }
  build(): BuiltResponse {
    if (!this.navigation && !this.notification && !this.link && this.stateChanged === undefined) {
      throw scriptException(
        'An action response needs a navigation, a notification, a link or a state change.',
      );
    }
    const navigations = this.navigation?.toCardJson().navigations as Json[] | undefined;
    return new BuiltResponse('ActionResponse', {
      renderActions: {
        action: compact({
          navigations: navigations && navigations.length > 0 ? navigations : undefined,
          notification: this.notification?.toCardJson(),
          link: this.link?.toCardJson(),
        }),
      },
      ...(this.stateChanged === undefined ? {} : { stateChanged: this.stateChanged }),
    });
  }
}

export class UniversalActionResponseBuilder
  extends CardObject
  implements
    Provides<
      GoogleAppsScript.Card_Service.UniversalActionResponseBuilder,
      'displayAddOnCards' | 'setOpenLink' | 'build'
    >
{
  readonly className = 'UniversalActionResponseBuilder';
  private cards?: Card[];
  private link?: OpenLink;
  displayAddOnCards(cards: unknown): this {
    if (
      !Array.isArray(cards) ||
      cards.length === 0 ||
      !cards.every((card) => card instanceof Card)
    ) {
      throw signatureError(this.className, 'displayAddOnCards', [cards]);
    }
    this.cards = cards as Card[];
    return this;
  }
  setOpenLink(link: unknown): this {
    this.link = this.instance('setOpenLink', link, OpenLink);
    return this;
  }
  build(): BuiltResponse {
    if (!this.cards && !this.link)
      throw scriptException('A universal action response needs cards or a link.');
    return new BuiltResponse('UniversalActionResponse', {
      renderActions: {
        action: compact({
          navigations: this.cards?.map((card) => ({ pushCard: card.toCardJson() })),
          link: this.link?.toCardJson(),
        }),
      },
    });
  }
}

export class SuggestionsResponseBuilder
  extends CardObject
  implements
    Provides<GoogleAppsScript.Card_Service.SuggestionsResponseBuilder, 'setSuggestions' | 'build'>
{
  readonly className = 'SuggestionsResponseBuilder';
  private suggestions?: Suggestions;
  setSuggestions(suggestions: unknown): this {
    this.suggestions = this.instance('setSuggestions', suggestions, Suggestions);
    return this;
  }
  build(): BuiltResponse {
    if (!this.suggestions)
      throw scriptException('A suggestions response needs suggestions. Call setSuggestions.');
    return new BuiltResponse('SuggestionsResponse', {
      action: { suggestions: this.suggestions.toCardJson() },
    });
  }
}

/** One of the draft updates of a compose action: recipients (to, cc, bcc), subject or body. */
export class UpdateDraftAction extends JsonObject {
  private readonly contents: Json[] = [];
  private updateType?: string;
  private recipients: string[] = [];
  private subject?: string;
  constructor(
    readonly className: string,
    private readonly field: 'toRecipients' | 'ccRecipients' | 'bccRecipients' | 'subject' | 'body',
  ) {
    super();
  }
  addUpdateToRecipients(emails: unknown): this {
    return this.addRecipients('addUpdateToRecipients', emails);
  }
  addUpdateCcRecipients(emails: unknown): this {
    return this.addRecipients('addUpdateCcRecipients', emails);
  }
  addUpdateBccRecipients(emails: unknown): this {
    return this.addRecipients('addUpdateBccRecipients', emails);
  }
  addUpdateSubject(subject: unknown): this {
    this.subject = this.text('addUpdateSubject', subject);
    return this;
  }
  addUpdateContent(content: unknown, contentType: unknown): this {
    this.contents.push({
      content: this.text('addUpdateContent', content),
      contentType: this.oneOf('addUpdateContent', contentType, ENUMS.ContentType),
    });
    return this;
  }
  setUpdateType(type: unknown): this {
    this.updateType = this.oneOf('setUpdateType', type, ENUMS.UpdateDraftBodyType);
    return this;
  }
  private addRecipients(method: string, emails: unknown): this {
    if (!Array.isArray(emails)) throw signatureError(this.className, method, [emails]);
    this.recipients.push(...emails.map((email) => this.text(method, email)));
    return this;
  }
  toCardJson(): Json {
    if (this.field === 'subject') return { updateSubject: { subject: this.subject ?? '' } };
    if (this.field === 'body')
      return { updateBody: compact({ insertContents: this.contents, type: this.updateType }) };
    const key = `update${this.field[0]?.toUpperCase()}${this.field.slice(1)}`;
    return { [key]: { [this.field]: this.recipients.map((email) => ({ email })) } };
  }
}

export class UpdateDraftActionResponseBuilder extends CardObject {
  readonly className = 'UpdateDraftActionResponseBuilder';
  private readonly updates: UpdateDraftAction[] = [];
  setUpdateDraftToRecipientsAction(action: unknown): this {
    return this.add('setUpdateDraftToRecipientsAction', action);
  }
  setUpdateDraftCcRecipientsAction(action: unknown): this {
    return this.add('setUpdateDraftCcRecipientsAction', action);
  }
  setUpdateDraftBccRecipientsAction(action: unknown): this {
    return this.add('setUpdateDraftBccRecipientsAction', action);
  }
  setUpdateDraftSubjectAction(action: unknown): this {
    return this.add('setUpdateDraftSubjectAction', action);
  }
  setUpdateDraftBodyAction(action: unknown): this {
    return this.add('setUpdateDraftBodyAction', action);
  }
  private add(method: string, action: unknown): this {
    this.updates.push(this.instance(method, action, UpdateDraftAction));
    return this;
  }
  build(): BuiltResponse {
    if (this.updates.length === 0)
      throw scriptException('An update draft response needs at least one update.');
    const markup = Object.assign({}, ...this.updates.map((update) => update.toCardJson())) as Json;
    return new BuiltResponse('UpdateDraftActionResponse', {
      renderActions: { hostAppAction: { gmailAction: { updateDraftActionMarkup: markup } } },
    });
  }
}

/** Creates the CardService global: its enums and its newX() factories. */
export function createCardService() {
  return Object.freeze({
    ...ENUMS,
    newCardBuilder: () => new CardBuilder(),
    newCardHeader: () => new CardHeader(),
    newCardSection: () => new CardSection(),
    newCardAction: () => new CardAction(),
    newFixedFooter: () => new FixedFooter(),
    newTextParagraph: () => new TextParagraph(),
    newDecoratedText: () => new DecoratedText(),
    newButtonSet: () => new ButtonSet(),
    newTextButton: () => new TextButton(),
    newImageButton: () => new ImageButton(),
    newIconImage: () => new IconImage(),
    newImage: () => new Image(),
    newImageComponent: () => new ImageComponent(),
    newDivider: () => new Divider(),
    newTextInput: () => new TextInput(),
    newSuggestions: () => new Suggestions(),
    newSelectionInput: () => new SelectionInput(),
    newSwitch: () => new Switch(),
    newDatePicker: () => new DateTimePicker('DatePicker', 'DATE_ONLY'),
    newDateTimePicker: () => new DateTimePicker('DateTimePicker', 'DATE_AND_TIME'),
    newGrid: () => new Grid(),
    newGridItem: () => new GridItem(),
    newAction: () => new Action(),
    newOpenLink: () => new OpenLink(),
    newNavigation: () => new Navigation(),
    newNotification: () => new Notification(),
    newActionResponseBuilder: () => new ActionResponseBuilder(),
    newUniversalActionResponseBuilder: () => new UniversalActionResponseBuilder(),
    newSuggestionsResponseBuilder: () => new SuggestionsResponseBuilder(),
    newUpdateDraftActionResponseBuilder: () => new UpdateDraftActionResponseBuilder(),
    newUpdateDraftToRecipientsAction: () =>
      new UpdateDraftAction('UpdateDraftToRecipientsAction', 'toRecipients'),
    newUpdateDraftCcRecipientsAction: () =>
      new UpdateDraftAction('UpdateDraftCcRecipientsAction', 'ccRecipients'),
    newUpdateDraftBccRecipientsAction: () =>
      new UpdateDraftAction('UpdateDraftBccRecipientsAction', 'bccRecipients'),
    newUpdateDraftSubjectAction: () => new UpdateDraftAction('UpdateDraftSubjectAction', 'subject'),
    newUpdateDraftBodyAction: () => new UpdateDraftAction('UpdateDraftBodyAction', 'body'),
  });
}

/** What a manifest function returned, as JSON: its Card Service class and printJson's content. */
export interface ScriptResult {
  type: string;
  json: unknown;
}

/** Converts a script's return value to JSON the host can render (cards, responses, or plain values). */
export function describeResult(value: unknown): ScriptResult {
  if (value instanceof JsonObject) return { type: value.className, json: value.toCardJson() };
  if (Array.isArray(value) && value.length > 0 && value.every((item) => item instanceof Card)) {
    return { type: 'Card[]', json: value.map((card: Card) => card.toCardJson()) };
  }
  if (value === undefined) return { type: 'undefined', json: null };
  return { type: typeof value, json: JSON.parse(JSON.stringify(value) ?? 'null') as unknown };
}
