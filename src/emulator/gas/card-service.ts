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
import { ENUMS, JsonObject, type Provides } from './card-objects';
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

/**
 * Creates the CardService global: its enums and its newX() factories, each checked to provide the
 * members of its Apps Script class that the add-on calls.
 */
export function createCardService() {
  return Object.freeze({
    ...ENUMS,
    newCardBuilder: () =>
      new CardBuilder() satisfies Provides<
        GoogleAppsScript.Card_Service.CardBuilder,
        | 'setHeader'
        | 'addSection'
        | 'setName'
        | 'setFixedFooter'
        | 'addCardAction'
        | 'setDisplayStyle'
        | 'setPeekCardHeader'
        | 'build'
      >,
    newCardHeader: () =>
      new CardHeader() satisfies Provides<
        GoogleAppsScript.Card_Service.CardHeader,
        'setTitle' | 'setSubtitle' | 'setImageUrl' | 'setImageStyle' | 'setImageAltText'
      >,
    newCardSection: () =>
      new CardSection() satisfies Provides<
        GoogleAppsScript.Card_Service.CardSection,
        'addWidget' | 'setHeader' | 'setCollapsible' | 'setNumUncollapsibleWidgets'
      >,
    newCardAction: () =>
      new CardAction() satisfies Provides<
        GoogleAppsScript.Card_Service.CardAction,
        'setText' | 'setOnClickAction' | 'setOpenLink'
      >,
    newFixedFooter: () =>
      new FixedFooter() satisfies Provides<
        GoogleAppsScript.Card_Service.FixedFooter,
        'setPrimaryButton' | 'setSecondaryButton'
      >,
    newTextParagraph: () =>
      new TextParagraph() satisfies Provides<
        GoogleAppsScript.Card_Service.TextParagraph,
        'setText'
      >,
    newDecoratedText: () =>
      new DecoratedText() satisfies Provides<
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
      >,
    newButtonSet: () =>
      new ButtonSet() satisfies Provides<GoogleAppsScript.Card_Service.ButtonSet, 'addButton'>,
    newTextButton: () =>
      new TextButton() satisfies Provides<
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
      >,
    newImageButton: () =>
      new ImageButton() satisfies Provides<
        GoogleAppsScript.Card_Service.ImageButton,
        'setIcon' | 'setIconUrl' | 'setAltText' | 'setOnClickAction' | 'setOpenLink'
      >,
    newIconImage: () =>
      new IconImage() satisfies Provides<
        GoogleAppsScript.Card_Service.IconImage,
        'setIcon' | 'setIconUrl' | 'setAltText' | 'setImageCropType'
      >,
    newImage: () =>
      new Image() satisfies Provides<
        GoogleAppsScript.Card_Service.Image,
        'setImageUrl' | 'setAltText' | 'setOnClickAction' | 'setOpenLink'
      >,
    newImageComponent: () =>
      new ImageComponent() satisfies Provides<
        GoogleAppsScript.Card_Service.ImageComponent,
        'setImageUrl' | 'setAltText'
      >,
    newDivider: () => new Divider(),
    newTextInput: () =>
      new TextInput() satisfies Provides<
        GoogleAppsScript.Card_Service.TextInput,
        | 'setFieldName'
        | 'setTitle'
        | 'setHint'
        | 'setValue'
        | 'setMultiline'
        | 'setOnChangeAction'
        | 'setSuggestions'
        | 'setSuggestionsAction'
      >,
    newSuggestions: () =>
      new Suggestions() satisfies Provides<
        GoogleAppsScript.Card_Service.Suggestions,
        'addSuggestion' | 'addSuggestions'
      >,
    newSelectionInput: () =>
      new SelectionInput() satisfies Provides<
        GoogleAppsScript.Card_Service.SelectionInput,
        | 'setFieldName'
        | 'setTitle'
        | 'setType'
        | 'addItem'
        | 'setOnChangeAction'
        | 'setMultiSelectMaxSelectedItems'
        | 'addMultiSelectItem'
      >,
    newSwitch: () =>
      new Switch() satisfies Provides<
        GoogleAppsScript.Card_Service.Switch,
        'setFieldName' | 'setValue' | 'setSelected' | 'setOnChangeAction' | 'setControlType'
      >,
    newDatePicker: () =>
      new DateTimePicker('DatePicker', 'DATE_ONLY') satisfies Provides<
        GoogleAppsScript.Card_Service.DateTimePicker,
        'setFieldName' | 'setTitle' | 'setValueInMsSinceEpoch' | 'setOnChangeAction'
      >,
    newDateTimePicker: () =>
      new DateTimePicker('DateTimePicker', 'DATE_AND_TIME') satisfies Provides<
        GoogleAppsScript.Card_Service.DateTimePicker,
        'setFieldName' | 'setTitle' | 'setValueInMsSinceEpoch' | 'setOnChangeAction'
      >,
    newGrid: () =>
      new Grid() satisfies Provides<
        GoogleAppsScript.Card_Service.Grid,
        'setTitle' | 'addItem' | 'setNumColumns' | 'setOnClickAction'
      >,
    newGridItem: () =>
      new GridItem() satisfies Provides<
        GoogleAppsScript.Card_Service.GridItem,
        'setIdentifier' | 'setTitle' | 'setSubtitle' | 'setImage' | 'setLayout'
      >,
    newAction: () =>
      new Action() satisfies Provides<
        GoogleAppsScript.Card_Service.Action,
        'setFunctionName' | 'setParameters' | 'setLoadIndicator' | 'setPersistValues'
      >,
    newOpenLink: () =>
      new OpenLink() satisfies Provides<
        GoogleAppsScript.Card_Service.OpenLink,
        'setUrl' | 'setOpenAs' | 'setOnClose'
      >,
    newNavigation: () =>
      new Navigation() satisfies Provides<
        GoogleAppsScript.Card_Service.Navigation,
        'pushCard' | 'popCard' | 'popToRoot' | 'popToNamedCard' | 'updateCard' | 'printJson'
      >,
    newNotification: () =>
      new Notification() satisfies Provides<GoogleAppsScript.Card_Service.Notification, 'setText'>,
    newActionResponseBuilder: () =>
      new ActionResponseBuilder() satisfies Provides<
        GoogleAppsScript.Card_Service.ActionResponseBuilder,
        'setNavigation' | 'setNotification' | 'setOpenLink' | 'setStateChanged' | 'build'
      >,
    newUniversalActionResponseBuilder: () =>
      new UniversalActionResponseBuilder() satisfies Provides<
        GoogleAppsScript.Card_Service.UniversalActionResponseBuilder,
        'displayAddOnCards' | 'setOpenLink' | 'build'
      >,
    newSuggestionsResponseBuilder: () =>
      new SuggestionsResponseBuilder() satisfies Provides<
        GoogleAppsScript.Card_Service.SuggestionsResponseBuilder,
        'setSuggestions' | 'build'
      >,
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
