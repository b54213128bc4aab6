/**
 * This file defines the responses of the CardService fake: navigation, notifications, and the
 * action, universal action, suggestions and update-draft responses, in the add-on response shape
 * `{renderActions: {action: {...}}}`.
 */
import { scriptException } from './script-errors';
import { OpenLink } from './card-actions';
import { Card } from './card-builders';
import {
  CardObject,
  ENUMS,
  type Json,
  JsonObject,
  type Provides,
  compact,
  signatureError,
} from './card-objects';
import { Suggestions } from './card-widgets';

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
