/**
 * This file defines the homepage card: the labels the user shares and those shared with them,
 * each with its sync state, "Sync now", and the user's own labels that they may share.
 */
import type { Level } from '../../core/sharing-model';
import { routerAction } from '../actions/action-kit';
import type { ShareSyncState } from '../sharing/sync-state';
import { levelLabel } from './share-form';
import { describeSyncState } from './sync-state-text';

/** A shared label as a homepage row. */
export interface LabelRow {
  shareId: string;
  name: string;
  owner: string;
  myLevel: Level;
  /** Who it is shared with, e.g. "bob@example.com and 1 group". */
  audience: string;
  state: ShareSyncState | null;
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
}

/** Rows shown per list; the rest are counted. */
export const MAX_ROWS = 40;

function rowWidget(row: LabelRow, topLabel: string, now: number) {
  return CardService.newDecoratedText()
    .setTopLabel(topLabel)
    .setText(row.name)
    .setBottomLabel(describeSyncState(row.state, now))
    .setWrapText(true)
    .setOnClickAction(routerAction('openLabel', { shareId: row.shareId }));
}

function addRows(
  section: GoogleAppsScript.Card_Service.CardSection,
  rows: LabelRow[],
  topLabel: (row: LabelRow) => string,
  empty: string,
  now: number,
): GoogleAppsScript.Card_Service.CardSection {
  if (rows.length === 0) return section.addWidget(CardService.newTextParagraph().setText(empty));
  for (const row of rows.slice(0, MAX_ROWS)) section.addWidget(rowWidget(row, topLabel(row), now));
  if (rows.length > MAX_ROWS)
    section.addWidget(
      CardService.newTextParagraph().setText(`… and ${rows.length - MAX_ROWS} more.`),
    );
  return section;
}

/** Builds the homepage card shown in Gmail, Calendar and Drive. */
export function buildHomepageCard(view: HomepageView): GoogleAppsScript.Card_Service.Card {
  const card = CardService.newCardBuilder().setHeader(
    CardService.newCardHeader().setTitle('Shared Contacts'),
  );
  if (view.notice)
    card.addSection(
      CardService.newCardSection().addWidget(CardService.newTextParagraph().setText(view.notice)),
    );
  card.addSection(
    addRows(
      CardService.newCardSection().setHeader('My shared labels'),
      view.mine,
      (row) => `Shared with ${row.audience}`,
      'You have not shared a label yet. Choose one of your labels below.',
      view.now,
    ),
  );
  card.addSection(
    addRows(
      CardService.newCardSection().setHeader('Shared with me'),
      view.shared,
      (row) => `From ${row.owner} · ${levelLabel(row.myLevel)}`,
      'No labels are shared with you yet.',
      view.now,
    ),
  );
  const own = CardService.newCardSection().setHeader('Share one of my labels');
  if (view.ownLabels.length === 0)
    own.addWidget(
      CardService.newTextParagraph().setText(
        'You have no unshared contact labels. Create one in Google Contacts, then come back.',
      ),
    );
  for (const label of view.ownLabels.slice(0, MAX_ROWS))
    own.addWidget(
      CardService.newDecoratedText()
        .setText(label.name)
        .setBottomLabel(`${label.memberCount} ${label.memberCount === 1 ? 'contact' : 'contacts'}`)
        .setButton(
          CardService.newTextButton()
            .setText('Share')
            .setOnClickAction(
              routerAction('showShareForm', { labelResourceName: label.resourceName }),
            ),
        ),
    );
  card.addSection(own);
  return card
    .setFixedFooter(
      CardService.newFixedFooter()
        .setPrimaryButton(
          CardService.newTextButton().setText('Sync now').setOnClickAction(routerAction('syncNow')),
        )
        .setSecondaryButton(
          CardService.newTextButton().setText('About').setOnClickAction(routerAction('showAbout')),
        ),
    )
    .build();
}
