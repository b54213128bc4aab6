/**
 * This file defines the card of the CardService fake: its header, sections (a section needs a
 * widget), fixed footer (it needs a primary button), card actions, and CardBuilder.
 */
import { scriptException } from './script-errors';
import { Clickable, TextButton } from './card-actions';
import {
  CARD_LIMITS,
  CardObject,
  ENUMS,
  type Json,
  JsonObject,
  type Provides,
  compact,
  signatureError,
} from './card-objects';
import { isWidget } from './card-widgets';

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
