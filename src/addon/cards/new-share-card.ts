/** This file defines the card that shares one of the user's own labels for the first time. */
import { routerAction } from '../actions/action-kit';
import type { OwnLabel } from './homepage-card';
import { addShareFormWidgets, grantableLevels } from './share-form';

/** The name of the new-share card in the card stack. */
export const NEW_SHARE_CARD_NAME = 'newShare';

/** Builds the card sharing `label`: the share form, then the first sync runs in the action. */
export function buildNewShareCard(label: OwnLabel): GoogleAppsScript.Card_Service.Card {
  return CardService.newCardBuilder()
    .setName(NEW_SHARE_CARD_NAME)
    .setHeader(
      CardService.newCardHeader()
        .setTitle(`Share “${label.name}”`)
        .setSubtitle(`${label.memberCount} ${label.memberCount === 1 ? 'contact' : 'contacts'}`),
    )
    .addSection(
      addShareFormWidgets(
        CardService.newCardSection().addWidget(
          CardService.newTextParagraph().setText(
            'Each person gets a copy of the label in their Google Contacts, kept in sync.',
          ),
        ),
        grantableLevels('owner'),
        routerAction('createShare', { labelResourceName: label.resourceName }),
      ),
    )
    .build();
}
