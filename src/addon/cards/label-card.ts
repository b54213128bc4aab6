/**
 * This file defines the card of one shared label: its sync state with "Sync now", its members
 * and their levels, and for those who may manage it the share form, removal of members and, for
 * the owner, stopping the share.
 */
import type { Level, ShareGrant, ShareTarget } from '../../core/sharing-model';
import { routerAction } from '../actions/action-kit';
import type { ShareSyncState } from '../sharing/sync-state';
import { addShareFormWidgets, levelLabel } from './share-form';
import { describeSyncState } from './sync-state-text';

/** The name of the label card in the card stack. */
export const LABEL_CARD_NAME = 'label';

/** What the label card shows. */
export interface LabelView {
  shareId: string;
  name: string;
  owner: string;
  myLevel: Level;
  grants: ShareGrant[];
  state: ShareSyncState | null;
  /** Levels the user may grant; empty when they may not share. */
  grantable: Level[];
  now: number;
}

/** The address a target names: an e-mail address or a domain. */
export function targetAddress(target: ShareTarget): string {
  return target.kind === 'domain' ? target.domain : target.email;
}

function targetText(target: ShareTarget): string {
  if (target.kind === 'group') return `${target.email} (group)`;
  if (target.kind === 'domain') return `Everyone at ${target.domain}`;
  return target.email;
}

/** Builds the label card. */
export function buildLabelCard(view: LabelView): GoogleAppsScript.Card_Service.Card {
  const mayManage = view.grantable.length > 0;
  const sync = CardService.newCardSection()
    .setHeader('Sync')
    .addWidget(CardService.newTextParagraph().setText(describeSyncState(view.state, view.now)));
  const buttons = CardService.newButtonSet().addButton(
    CardService.newTextButton()
      .setText('Sync now')
      .setOnClickAction(routerAction('syncLabel', { shareId: view.shareId })),
  );
  if (view.state?.phase === 'paused' && view.myLevel === 'owner')
    buttons.addButton(
      CardService.newTextButton()
        .setText('Confirm deletions')
        .setOnClickAction(routerAction('confirmSync', { shareId: view.shareId })),
    );
  sync.addWidget(buttons);

  const members = CardService.newCardSection()
    .setHeader('Members')
    .addWidget(CardService.newDecoratedText().setText(view.owner).setBottomLabel('Owner'));
  for (const grant of view.grants) {
    const row = CardService.newDecoratedText()
      .setText(targetText(grant.target))
      .setBottomLabel(levelLabel(grant.level))
      .setWrapText(true);
    if (mayManage && view.grantable.includes(grant.level))
      row.setButton(
        CardService.newTextButton()
          .setText('Remove')
          .setOnClickAction(
            routerAction('removeMember', {
              shareId: view.shareId,
              targetKind: grant.target.kind,
              address: targetAddress(grant.target),
            }),
          ),
      );
    members.addWidget(row);
  }
  if (view.grants.length === 0)
    members.addWidget(CardService.newTextParagraph().setText('Not shared with anyone yet.'));

  const card = CardService.newCardBuilder()
    .setName(LABEL_CARD_NAME)
    .setHeader(
      CardService.newCardHeader()
        .setTitle(view.name)
        .setSubtitle(`Owner ${view.owner} · you: ${levelLabel(view.myLevel)}`),
    )
    .addSection(sync)
    .addSection(members);
  if (mayManage)
    card.addSection(
      addShareFormWidgets(
        CardService.newCardSection().setHeader('Share with more people'),
        view.grantable,
        routerAction('addMembers', { shareId: view.shareId }),
      ),
    );
  if (view.myLevel === 'owner')
    card.addSection(
      CardService.newCardSection()
        .setHeader('Stop sharing')
        .addWidget(
          CardService.newTextParagraph().setText(
            'Removes the copies from everyone else’s contacts. Your own label and contacts stay.',
          ),
        )
        .addWidget(
          CardService.newButtonSet().addButton(
            CardService.newTextButton()
              .setText('Stop sharing')
              .setOnClickAction(routerAction('stopSharing', { shareId: view.shareId })),
          ),
        ),
    );
  return card.build();
}
