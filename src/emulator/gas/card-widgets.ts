/**
 * This file defines the widgets of the CardService fake, the things a CardSection holds: text,
 * images, button sets, inputs (a TextInput or SelectionInput needs a field name), pickers, grids.
 */
import { scriptException } from './script-errors';
import { Action, Button, Clickable, IconImage } from './card-actions';
import { CARD_LIMITS, ENUMS, type Json, JsonObject, compact, signatureError } from './card-objects';

/** A widget: something a CardSection holds. */
export abstract class Widget extends JsonObject {}

/** The classes a CardSection accepts: the Widget subclasses plus the clickable DecoratedText and Image. */
export function isWidget(value: unknown): value is JsonObject {
  return value instanceof Widget || value instanceof DecoratedText || value instanceof Image;
}

export class TextParagraph extends Widget {
  readonly className = 'TextParagraph';
  private value?: string;
  setText = this.setter((text) => (this.value = this.text('setText', text)));
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

export class Image extends Clickable {
  readonly className = 'Image';
  private url?: string;
  private altText?: string;
  setImageUrl = this.setter((url) => (this.url = this.text('setImageUrl', url)));
  setAltText = this.setter((altText) => (this.altText = this.text('setAltText', altText)));
  toCardJson(): Json {
    if (!this.url) throw scriptException('Image is missing an image URL. Call setImageUrl.');
    return { image: compact({ imageUrl: this.url, altText: this.altText, onClick: this.onClick }) };
  }
}

export class ButtonSet extends Widget {
  readonly className = 'ButtonSet';
  private readonly buttons: Button[] = [];
  addButton = this.setter((button) =>
    this.buttons.push(this.instance('addButton', button, Button)),
  );
  toCardJson(): Json {
    if (this.buttons.length === 0)
      throw scriptException('ButtonSet must contain at least one button.');
    return { buttonList: { buttons: this.buttons.map((button) => button.toCardJson()) } };
  }
}

export class Switch extends JsonObject {
  readonly className = 'Switch';
  setFieldName = this.textField('setFieldName', 'name');
  setValue = this.textField('setValue', 'value');
  setSelected = this.flagField('setSelected', 'selected');
  setOnChangeAction = this.cardField('setOnChangeAction', 'onChangeAction', Action);
  setControlType = this.enumField('setControlType', 'controlType', ENUMS.SwitchControlType);
  toCardJson(): Json {
    this.requireName();
    return { ...this.json };
  }
}

export class DecoratedText extends Clickable {
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
  setEndIcon = this.setter(
    (icon) =>
      (this.control = { endIcon: this.instance('setEndIcon', icon, IconImage).toCardJson() }),
  );
  setButton = this.setter(
    (button) =>
      (this.control = { button: this.instance('setButton', button, Button).toCardJson() }),
  );
  setSwitchControl = this.setter(
    (control) =>
      (this.control = {
        switchControl: this.instance('setSwitchControl', control, Switch).toCardJson(),
      }),
  );
  toCardJson(): Json {
    if (this.json.text === undefined)
      throw scriptException('DecoratedText is missing text. Call setText.');
    return { decoratedText: compact({ ...this.json, ...this.control, onClick: this.onClick }) };
  }
}

export class Suggestions extends JsonObject {
  readonly className = 'Suggestions';
  private readonly items: string[] = [];
  addSuggestion = this.setter((suggestion) =>
    this.items.push(this.text('addSuggestion', suggestion)),
  );
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

export class TextInput extends Widget {
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
    this.requireName();
    return { textInput: { type: 'SINGLE_LINE', ...this.json } };
  }
}

export class SelectionInput extends Widget {
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
    this.requireName();
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
export class DateTimePicker extends Widget {
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
    this.requireName();
    return { dateTimePicker: { ...this.json, type: this.pickerType } };
  }
}

export class GridItem extends JsonObject {
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

export class ImageComponent extends JsonObject {
  readonly className = 'ImageComponent';
  setImageUrl = this.textField('setImageUrl', 'imageUri');
  setAltText = this.textField('setAltText', 'altText');
  toCardJson(): Json {
    this.require('imageUri', 'ImageComponent is missing an image URL. Call setImageUrl.');
    return { ...this.json };
  }
}

export class Grid extends Widget {
  readonly className = 'Grid';
  private readonly items: GridItem[] = [];
  setTitle = this.textField('setTitle', 'title');
  addItem = this.setter((item) => this.items.push(this.instance('addItem', item, GridItem)));
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
