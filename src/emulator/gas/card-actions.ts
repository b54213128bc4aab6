/**
 * This file defines the clickable pieces of the CardService fake: Action, OpenLink, IconImage and
 * the buttons (TextButton, ImageButton).
 */
import { scriptException } from './script-errors';
import {
  ENUMS,
  JsonObject,
  compact,
  signatureError,
  type Json,
  type Provides,
} from './card-objects';

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
export abstract class Clickable extends JsonObject {
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
export abstract class Button extends Clickable {
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
