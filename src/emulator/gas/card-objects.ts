/**
 * This file holds the base of the CardService fake: the Card Service object that checks its
 * arguments as Apps Script does, the JSON object with its field setters, the enums and the limits
 * (FACTS.md: at most 100 sections and 100 widgets per section, at most 100 static items).
 */
import { scriptException } from './script-errors';

export type Json = Record<string, unknown>;

/** The members of an Apps Script interface that a fake provides, with loosened return types. */
export type Provides<T, K extends keyof T> = {
  [P in K]: T[P] extends (...args: infer A) => unknown ? (...args: A) => unknown : T[P];
};

/** The limits Apps Script enforces on cards (FACTS.md). */
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

/** The exception Apps Script throws when a method's arguments do not match its signature. */
export function signatureError(className: string, method: string, args: unknown[]): Error {
  return scriptException(
    `The parameters (${args.map(typeName).join(',')}) don't match the method signature for CardService.${className}.${method}.`,
  );
}

/** Base of every Card Service object: knows its Apps Script class name and checks arguments. */
export abstract class CardObject {
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

  /** A setter: it does `assign` with the argument and returns this object for chaining. */
  protected setter(assign: (value: unknown) => unknown): (value: unknown) => this {
    return (value) => {
      assign(value);
      return this;
    };
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
export abstract class JsonObject extends CardObject {
  protected readonly json: Json = {};

  abstract toCardJson(): Json;

  private fieldSetter(key: string, read: (value: unknown) => unknown): (value: unknown) => this {
    return this.setter((value) => (this.json[key] = read(value)));
  }

  /** Throws the script exception `missing` when the field `key` is not set. */
  protected require(key: string, missing: string): void {
    if (!this.json[key]) throw scriptException(missing);
  }

  /** Throws Apps Script's exception for an input without a field name. */
  protected requireName(): void {
    this.require('name', `${this.className} is missing a field name. Call setFieldName.`);
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

/**
 * A built object, whose JSON is fixed: a Card, or an ActionResponse, UniversalActionResponse,
 * SuggestionsResponse or UpdateDraftActionResponse.
 */
export class BuiltObject extends JsonObject {
  constructor(
    readonly className: string,
    private readonly built: Json,
  ) {
    super();
  }
  toCardJson(): Json {
    return structuredClone(this.built);
  }
}

/** Drops the fields that are undefined from a card.proto message. */
export function compact(json: Json): Json {
  return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined));
}

/** The enums of the CardService global. */
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
