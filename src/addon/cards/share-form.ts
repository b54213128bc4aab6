/**
 * This file defines the share form used by the label card and the new-share card: addresses,
 * what they are (people, a Google Group, a whole domain) and the level, and how an action reads
 * them back.
 */
import { LEVELS, type Level } from '../../core/sharing-model';

/** Form field names. */
export const SHARE_FORM = { recipients: 'recipients', kind: 'targetKind', level: 'level' } as const;

/** Kinds of target the form offers. */
export const TARGET_KINDS = ['user', 'group', 'domain'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

const KIND_LABELS: Record<TargetKind, string> = {
  user: 'People (e-mail addresses)',
  group: 'A Google Group (its address)',
  domain: 'Everyone in a domain (the domain name)',
};

const LEVEL_LABELS: Record<Level, string> = {
  view: 'View',
  edit: 'Edit contacts',
  contribute: 'Add and remove contacts',
  manage: 'Manage sharing',
  owner: 'Owner',
};

/** The label of a level, as the cards show it. */
export function levelLabel(level: Level): string {
  return LEVEL_LABELS[level];
}

/** The levels a holder of `held` may grant: up to their own, never `owner`. */
export function grantableLevels(held: Level): Level[] {
  const limit = Math.min(LEVELS.indexOf(held), LEVELS.indexOf('manage'));
  return LEVELS.filter((_, index) => index <= limit);
}

/** The widgets of the share form; `submit` is the action of its button. */
export function addShareFormWidgets(
  section: GoogleAppsScript.Card_Service.CardSection,
  levels: Level[],
  submit: GoogleAppsScript.Card_Service.Action,
): GoogleAppsScript.Card_Service.CardSection {
  const kind = CardService.newSelectionInput()
    .setType(CardService.SelectionInputType.DROPDOWN)
    .setFieldName(SHARE_FORM.kind)
    .setTitle('Share with');
  TARGET_KINDS.forEach((value, index) => kind.addItem(KIND_LABELS[value], value, index === 0));
  const level = CardService.newSelectionInput()
    .setType(CardService.SelectionInputType.DROPDOWN)
    .setFieldName(SHARE_FORM.level)
    .setTitle('They may');
  levels.forEach((value, index) => level.addItem(LEVEL_LABELS[value], value, index === 0));
  return section
    .addWidget(kind)
    .addWidget(
      CardService.newTextInput()
        .setFieldName(SHARE_FORM.recipients)
        .setTitle('Addresses')
        .setHint('Separate addresses with commas, e.g. bob@example.com, sales@example.com'),
    )
    .addWidget(level)
    .addWidget(
      CardService.newButtonSet().addButton(
        CardService.newTextButton().setText('Share').setOnClickAction(submit),
      ),
    );
}
