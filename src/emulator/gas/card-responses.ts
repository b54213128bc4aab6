/**
 * This file defines the responses of the CardService fake: navigation, notifications, and the
 * action, universal action, suggestions and update-draft responses, in the add-on response shape
 * `{renderActions: {action: {...}}}`.
 */
import { scriptException } from './script-errors';
import { OpenLink } from './card-actions';
import { Card } from './card-builders';
import {
  BuiltObject,
  CardObject,
  ENUMS,
  type Json,
  JsonObject,
  compact,
  signatureError,
} from './card-objects';
import { Suggestions } from './card-widgets';

export class Navigation extends JsonObject {
  readonly className = 'Navigation';
  private readonly steps: Json[] = [];
  pushCard = this.setter((card) =>
    this.steps.push({ pushCard: this.instance('pushCard', card, Card).toCardJson() }),
  );
  updateCard = this.setter((card) =>
    this.steps.push({ updateCard: this.instance('updateCard', card, Card).toCardJson() }),
  );
  popCard(): this {
    this.steps.push({ popCard: true });
    return this;
  }
  popToRoot(): this {
    this.steps.push({ popToRoot: true });
    return this;
  }
  popToNamedCard = this.setter((name) =>
    this.steps.push({ popToCard: this.text('popToNamedCard', name) }),
  );
  toCardJson(): Json {
    return { navigations: this.steps.map((step) => ({ ...step })) };
  }
}

export class Notification extends JsonObject {
  readonly className = 'Notification';
  private value?: string;
  setText = this.setter((text) => (this.value = this.text('setText', text)));
  toCardJson(): Json {
    if (!this.value) throw scriptException('Notification is missing text. Call setText.');
    return { text: this.value };
  }
}

export class ActionResponseBuilder extends CardObject {
  readonly className = 'ActionResponseBuilder';
  private navigation?: Navigation;
  private notification?: Notification;
  private link?: OpenLink;
  private stateChanged?: boolean;
  setNavigation = this.setter(
    (navigation) => (this.navigation = this.instance('setNavigation', navigation, Navigation)),
  );
  setNotification = this.setter(
    (notification) =>
      (this.notification = this.instance('setNotification', notification, Notification)),
  );
  setOpenLink = this.setter((link) => (this.link = this.instance('setOpenLink', link, OpenLink)));
  setStateChanged = this.setter(
    (changed) => (this.stateChanged = this.flag('setStateChanged', changed)),
  );
  build(): BuiltObject {
    if (!this.navigation && !this.notification && !this.link && this.stateChanged === undefined) {
      throw scriptException(
        'An action response needs a navigation, a notification, a link or a state change.',
      );
    }
    const navigations = this.navigation?.toCardJson().navigations as Json[] | undefined;
    return new BuiltObject('ActionResponse', {
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

export class UniversalActionResponseBuilder extends CardObject {
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
  setOpenLink = this.setter((link) => (this.link = this.instance('setOpenLink', link, OpenLink)));
  build(): BuiltObject {
    if (!this.cards && !this.link)
      throw scriptException('A universal action response needs cards or a link.');
    return new BuiltObject('UniversalActionResponse', {
      renderActions: {
        action: compact({
          navigations: this.cards?.map((card) => ({ pushCard: card.toCardJson() })),
          link: this.link?.toCardJson(),
        }),
      },
    });
  }
}

export class SuggestionsResponseBuilder extends CardObject {
  readonly className = 'SuggestionsResponseBuilder';
  private suggestions?: Suggestions;
  setSuggestions = this.setter(
    (suggestions) => (this.suggestions = this.instance('setSuggestions', suggestions, Suggestions)),
  );
  build(): BuiltObject {
    if (!this.suggestions)
      throw scriptException('A suggestions response needs suggestions. Call setSuggestions.');
    return new BuiltObject('SuggestionsResponse', {
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
  addUpdateSubject = this.setter(
    (subject) => (this.subject = this.text('addUpdateSubject', subject)),
  );
  addUpdateContent(content: unknown, contentType: unknown): this {
    this.contents.push({
      content: this.text('addUpdateContent', content),
      contentType: this.oneOf('addUpdateContent', contentType, ENUMS.ContentType),
    });
    return this;
  }
  setUpdateType = this.setter(
    (type) => (this.updateType = this.oneOf('setUpdateType', type, ENUMS.UpdateDraftBodyType)),
  );
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
  build(): BuiltObject {
    if (this.updates.length === 0)
      throw scriptException('An update draft response needs at least one update.');
    const markup = Object.assign({}, ...this.updates.map((update) => update.toCardJson())) as Json;
    return new BuiltObject('UpdateDraftActionResponse', {
      renderActions: { hostAppAction: { gmailAction: { updateDraftActionMarkup: markup } } },
    });
  }
}
