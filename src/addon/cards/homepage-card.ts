/**
 * This file defines the homepage card (Gmail, Calendar, Drive): search across shared contacts,
 * the labels the user shares and those shared with them (owner, level, figures and sync state),
 * their own labels to share, a new label, and "Sync now".
 */
import { type Level } from '../../core/sharing-model';
import { routerAction } from '../actions/action-kit';
import { count, MSG } from '../messages';
import type { ShareSyncState } from '../sharing/sync-state';
import { describeSyncState, mayActOnRecipients } from './sync-state-text';
import { actionButton, buttons, cardHeader, paragraph, row, section, textField } from './widgets';

/** A shared label as a homepage row. */
export interface LabelRow {
  shareId: string;
  name: string;
  owner: string;
  myLevel: Level;
  /** Who it is shared with, e.g. "bob@example.com and 1 more". */
  audience: string;
  state: ShareSyncState | null;
  /** Grants of the share (people, groups, domains). */
  members?: number;
  /** Contacts in the user's own copy (or master); null when there is none yet. */
  contacts?: number | null;
}

/** One of the user's own contact labels, not shared yet. */
export interface OwnLabel {
  resourceName: string;
  name: string;
  memberCount: number;
}

/** What the homepage shows. */
export interface HomepageView {
  mine: LabelRow[];
  shared: LabelRow[];
  ownLabels: OwnLabel[];
  now: number;
  /** A line at the top, e.g. when the service could not be reached. */
  notice?: string;
  /** Show a line when labels need attention (the user's notification setting). */
  flagAttention?: boolean;
}

/** Rows shown per list; the rest are counted. */
export const MAX_ROWS = 40;

/** Form field names of the homepage. */
export const HOME_FORM = { query: 'query', newLabel: 'newLabel' } as const;

function labelRow(view: HomepageView, label: LabelRow, top: string) {
  const figures =
    label.members === undefined
      ? ''
      : `${MSG.home.figures(label.contacts ?? null, label.members)}\n`;
  return row(label.name, {
    top,
    bottom: `${figures}${describeSyncState(label.state, view.now, label.contacts ?? null, mayActOnRecipients(label.myLevel) ? 'named' : 'anonymous')}`,
    onClick: routerAction('openLabel', { shareId: label.shareId }),
  });
}

function listSection(
  header: string,
  view: HomepageView,
  labels: LabelRow[],
  top: (label: LabelRow) => string,
  empty: string,
) {
  const built = section(header);
  if (labels.length === 0) return built.addWidget(paragraph(empty));
  for (const label of labels.slice(0, MAX_ROWS)) built.addWidget(labelRow(view, label, top(label)));
  if (labels.length > MAX_ROWS) built.addWidget(paragraph(MSG.home.more(labels.length - MAX_ROWS)));
  return built;
}

/** True when a label's state asks the user to do something. */
export function needsAttention(label: LabelRow): boolean {
  return (
    label.state?.phase === 'paused' ||
    label.state?.phase === 'failed' ||
    (label.state?.phase === 'incomplete' && mayActOnRecipients(label.myLevel))
  );
}

/** Builds the homepage card shown in Gmail, Calendar and Drive. */
export function buildHomepageCard(view: HomepageView): GoogleAppsScript.Card_Service.Card {
  const card = CardService.newCardBuilder().setHeader(cardHeader(MSG.appName));
  const waiting = [...view.mine, ...view.shared].filter(needsAttention).length;
  const notices = [
    ...(view.notice ? [view.notice] : []),
    ...(view.flagAttention && waiting > 0 ? [MSG.home.attention(waiting)] : []),
  ];
  if (notices.length > 0) card.addSection(section(null, ...notices.map((text) => paragraph(text))));
  card.addSection(
    section(
      null,
      textField(HOME_FORM.query, MSG.home.searchTitle, MSG.home.searchHint),
      buttons(actionButton(MSG.home.searchButton, 'searchContacts')),
    ),
  );
  card.addSection(
    listSection(
      MSG.home.mine,
      view,
      view.mine,
      (label) => MSG.home.sharedWith(label.audience),
      MSG.home.noMine,
    ),
  );
  card.addSection(
    listSection(
      MSG.home.shared,
      view,
      view.shared,
      (label) => MSG.home.from(label.owner, label.myLevel),
      MSG.home.noShared,
    ),
  );
  const own = section(MSG.home.ownLabels);
  if (view.ownLabels.length === 0) own.addWidget(paragraph(MSG.home.noOwnLabels));
  for (const label of view.ownLabels.slice(0, MAX_ROWS))
    own.addWidget(
      row(label.name, {
        bottom: count(label.memberCount, 'contact'),
        onClick: routerAction('openOwnLabel', { labelResourceName: label.resourceName }),
        button: actionButton(MSG.home.share, 'showShareForm', {
          labelResourceName: label.resourceName,
        }),
      }),
    );
  own.addWidget(textField(HOME_FORM.newLabel, MSG.home.createTitle, MSG.home.createHint));
  own.addWidget(buttons(actionButton(MSG.home.createButton, 'createLabel')));
  card.addSection(own);
  return card
    .setFixedFooter(
      CardService.newFixedFooter()
        .setPrimaryButton(
          CardService.newTextButton()
            .setText(MSG.home.syncNow)
            .setOnClickAction(routerAction('syncNow')),
        )
        .setSecondaryButton(
          CardService.newTextButton()
            .setText(MSG.home.settings)
            .setOnClickAction(routerAction('showSettings')),
        ),
    )
    .build();
}
