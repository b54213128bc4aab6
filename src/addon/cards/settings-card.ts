/** This file defines the Settings card (a universal action): sync on open, notifications, about and privacy. */
import { MSG } from '../messages';
import { actionButton, buttons, cardHeader, paragraph, section, switchRow } from './widgets';

/** Form field names of the settings card. */
export const SETTINGS_FORM = { syncOnOpen: 'syncOnOpen', notify: 'notify' } as const;

/** The user's settings. */
export interface UserSettings {
  syncOnOpen: boolean;
  notify: boolean;
}

/**
 * Builds the settings card; `support` adds the Support access entry (staff and admins only).
 */
export function buildSettingsCard(
  settings: UserSettings,
  support = false,
): GoogleAppsScript.Card_Service.Card {
  const entries = [
    actionButton(MSG.settings.about, 'showAbout'),
    actionButton(MSG.settings.admin, 'openAdmin'),
    ...(support ? [actionButton(MSG.settingsSupport.open, 'openSupport')] : []),
  ];
  return CardService.newCardBuilder()
    .setName('settings')
    .setHeader(cardHeader(MSG.settings.title))
    .addSection(
      section(
        null,
        switchRow(MSG.settings.syncOnOpen, SETTINGS_FORM.syncOnOpen, settings.syncOnOpen),
        switchRow(MSG.settings.notify, SETTINGS_FORM.notify, settings.notify),
        buttons(actionButton(MSG.settings.save, 'saveSettings', {}, true)),
      ),
    )
    .addSection(
      section(MSG.settings.privacyTitle, paragraph(MSG.settings.privacy), buttons(...entries)),
    )
    .build();
}
