/**
 * This file defines the card of the CardService fake: its header, sections (a section needs a
 * widget), fixed footer (it needs a primary button), card actions, and CardBuilder.
 */
import { scriptException } from './script-errors';
import { Clickable, TextButton } from './card-actions';
import {
  BuiltObject,
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

export class CardHeader extends JsonObject {
  readonly className = 'CardHeader';
  setTitle = this.textField('setTitle', 'title');
  setSubtitle = this.textField('setSubtitle', 'subtitle');
  setImageUrl = this.textField('setImageUrl', 'imageUrl');
  setImageStyle = this.enumField('setImageStyle', 'imageType', ENUMS.ImageStyle);
  setImageAltText = this.textField('setImageAltText', 'imageAltText');
  toCardJson(): Json {
    this.require('title', 'CardHeader is missing a title. Call setTitle.');
    return { ...this.json };
  }
}

export class CardSection extends JsonObject {
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
  setHeader = this.setter((header) => (this.header = this.text('setHeader', header)));
  setCollapsible = this.setter(
    (collapsible) => (this.collapsible = this.flag('setCollapsible', collapsible)),
  );
  setNumUncollapsibleWidgets = this.setter(
    (count) => (this.uncollapsible = this.integer('setNumUncollapsibleWidgets', count)),
  );
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

export class FixedFooter extends JsonObject {
  readonly className = 'FixedFooter';
  private primary?: TextButton;
  private secondary?: TextButton;
  setPrimaryButton = this.setter(
    (button) => (this.primary = this.instance('setPrimaryButton', button, TextButton)),
  );
  setSecondaryButton = this.setter(
    (button) => (this.secondary = this.instance('setSecondaryButton', button, TextButton)),
  );
  toCardJson(): Json {
    if (!this.primary)
      throw scriptException('A fixed footer must have a primary button. Call setPrimaryButton.');
    return compact({
      primaryButton: this.primary.toCardJson(),
      secondaryButton: this.secondary?.toCardJson(),
    });
  }
}

export class CardAction extends Clickable {
  readonly className = 'CardAction';
  private label?: string;
  setText = this.setter((text) => (this.label = this.text('setText', text)));
  toCardJson(): Json {
    if (!this.label || !this.onClick) throw scriptException('CardAction needs text and an action.');
    return { actionLabel: this.label, onClick: this.onClick };
  }
}

/** A built card, as CardBuilder.build() returns it. */
export class Card
  extends BuiltObject
  implements Provides<GoogleAppsScript.Card_Service.Card, 'printJson'>
{
  constructor(card: Json) {
    super('Card', card);
  }
}

export class CardBuilder extends CardObject {
  readonly className = 'CardBuilder';
  private header?: CardHeader;
  private peekHeader?: CardHeader;
  private name?: string;
  private footer?: FixedFooter;
  private displayStyle?: string;
  private readonly sections: CardSection[] = [];
  private readonly actions: CardAction[] = [];

  setHeader = this.setter(
    (header) => (this.header = this.instance('setHeader', header, CardHeader)),
  );
  setPeekCardHeader = this.setter(
    (header) => (this.peekHeader = this.instance('setPeekCardHeader', header, CardHeader)),
  );
  addSection = this.setter((section) =>
    this.sections.push(this.instance('addSection', section, CardSection)),
  );
  addCardAction = this.setter((action) =>
    this.actions.push(this.instance('addCardAction', action, CardAction)),
  );
  setName = this.setter((name) => (this.name = this.text('setName', name)));
  setFixedFooter = this.setter(
    (footer) => (this.footer = this.instance('setFixedFooter', footer, FixedFooter)),
  );
  setDisplayStyle = this.setter(
    (style) => (this.displayStyle = this.oneOf('setDisplayStyle', style, ENUMS.DisplayStyle)),
  );
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
