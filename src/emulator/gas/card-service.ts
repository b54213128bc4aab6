/**
 * This file defines the CardService global of the emulator's Apps Script runtime: the enums and
 * newX() factories of Apps Script's Card Service over the fakes of card-objects, card-actions,
 * card-widgets, card-builders and card-responses, and the JSON of what a script returned.
 */
import { Action, IconImage, ImageButton, OpenLink, TextButton } from './card-actions';
import {
  Card,
  CardAction,
  CardBuilder,
  CardHeader,
  CardSection,
  FixedFooter,
} from './card-builders';
import { ENUMS, JsonObject } from './card-objects';
import {
  ActionResponseBuilder,
  Navigation,
  Notification,
  SuggestionsResponseBuilder,
  UniversalActionResponseBuilder,
  UpdateDraftAction,
  UpdateDraftActionResponseBuilder,
} from './card-responses';
import {
  ButtonSet,
  DateTimePicker,
  DecoratedText,
  Divider,
  Grid,
  GridItem,
  Image,
  ImageComponent,
  SelectionInput,
  Suggestions,
  Switch,
  TextInput,
  TextParagraph,
} from './card-widgets';

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
