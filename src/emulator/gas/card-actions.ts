/**
 * This file defines the clickable pieces of the CardService fake: Action, OpenLink, IconImage and
 * the buttons (TextButton, ImageButton).
 */
import { scriptException } from './script-errors';
import { ENUMS, JsonObject, compact, signatureError, type Json } from './card-objects';

export class Action extends JsonObject {
  readonly className = 'Action';
  private functionName?: string;
  private parameters: Record<string, string> = {};
  private loadIndicator?: string;
  private persistValues?: boolean;

  setFunctionName = this.setter(
    (functionName) => (this.functionName = this.text('setFunctionName', functionName)),
  );
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
  setLoadIndicator = this.setter(
    (loadIndicator) =>
      (this.loadIndicator = this.oneOf('setLoadIndicator', loadIndicator, ENUMS.LoadIndicator)),
  );
  setPersistValues = this.setter(
    (persistValues) => (this.persistValues = this.flag('setPersistValues', persistValues)),
  );
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

export class OpenLink extends JsonObject {
  readonly className = 'OpenLink';
  private url?: string;
  private openAs?: string;
  private onClose?: string;

  setUrl = this.setter((url) => (this.url = this.text('setUrl', url)));
  setOpenAs = this.setter(
    (openAs) => (this.openAs = this.oneOf('setOpenAs', openAs, ENUMS.OpenAs)),
  );
  setOnClose = this.setter(
    (onClose) => (this.onClose = this.oneOf('setOnClose', onClose, ENUMS.OnClose)),
  );
  toCardJson(): Json {
    if (!this.url) throw scriptException('OpenLink is missing a URL. Call setUrl.');
    return compact({ url: this.url, openAs: this.openAs, onClose: this.onClose });
  }
}

/** The click behaviours shared by buttons, images and decorated text. */
export abstract class Clickable extends JsonObject {
  protected onClick?: Json;

  setOnClickAction = this.setter(
    (action) =>
      (this.onClick = { action: this.instance('setOnClickAction', action, Action).toCardJson() }),
  );
  setOnClickOpenLinkAction = this.setter(
    (action) =>
      (this.onClick = {
        openDynamicLinkAction: this.instance(
          'setOnClickOpenLinkAction',
          action,
          Action,
        ).toCardJson(),
      }),
  );
  setOpenLink = this.setter(
    (openLink) =>
      (this.onClick = { openLink: this.instance('setOpenLink', openLink, OpenLink).toCardJson() }),
  );
  setComposeAction(action: unknown, composedEmailType: unknown): this {
    this.onClick = {
      action: this.instance('setComposeAction', action, Action).toCardJson(),
      composedEmailType: this.oneOf('setComposeAction', composedEmailType, ENUMS.ComposedEmailType),
    };
    return this;
  }
}

export class IconImage extends JsonObject {
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

export class TextButton extends Button {
  readonly className = 'TextButton';
  private label?: string;
  private style?: string;
  private disabled?: boolean;
  private altText?: string;
  private color?: string;

  setText = this.setter((text) => (this.label = this.text('setText', text)));
  setTextButtonStyle = this.setter(
    (style) => (this.style = this.oneOf('setTextButtonStyle', style, ENUMS.TextButtonStyle)),
  );
  setDisabled = this.setter((disabled) => (this.disabled = this.flag('setDisabled', disabled)));
  setAltText = this.setter((altText) => (this.altText = this.text('setAltText', altText)));
  setBackgroundColor = this.setter(
    (color) => (this.color = this.text('setBackgroundColor', color)),
  );
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

export class ImageButton extends Button {
  readonly className = 'ImageButton';
  private icon: Json = {};
  private altText?: string;
  setIcon = this.setter(
    (icon) => (this.icon = { knownIcon: this.oneOf('setIcon', icon, ENUMS.Icon) }),
  );
  setIconUrl = this.setter((url) => (this.icon = { iconUrl: this.text('setIconUrl', url) }));
  setAltText = this.setter((altText) => (this.altText = this.text('setAltText', altText)));
  protected buttonJson(): Json {
    if (!this.icon.knownIcon && !this.icon.iconUrl)
      throw scriptException('ImageButton needs an icon. Call setIcon or setIconUrl.');
    return { icon: compact({ ...this.icon, altText: this.altText }), altText: this.altText };
  }
}
