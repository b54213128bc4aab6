/** This file defines the About card: what the add-on keeps where, and a feedback form. */

/** The name of the about card in the card stack. */
export const ABOUT_CARD_NAME = 'about';

/** Builds the About card, pushed from the homepage; its footer sends the feedback field. */
export function buildAboutCard(): GoogleAppsScript.Card_Service.Card {
  const sendFeedback = CardService.newAction()
    .setFunctionName('onAction')
    .setParameters({ action: 'sendFeedback' });
  return CardService.newCardBuilder()
    .setName(ABOUT_CARD_NAME)
    .setHeader(CardService.newCardHeader().setTitle('About Shared Contacts'))
    .addSection(
      CardService.newCardSection()
        .addWidget(
          CardService.newTextParagraph().setText(
            'Contacts stay in Google Contacts. Our service keeps only who shares which label ' +
              'with whom, your domain policy and an audit trail.',
          ),
        )
        .addWidget(
          CardService.newTextInput()
            .setFieldName('feedback')
            .setTitle('Feedback')
            .setHint('What should we improve? (at most 1,000 characters)')
            .setMultiline(true),
        ),
    )
    .setFixedFooter(
      CardService.newFixedFooter().setPrimaryButton(
        CardService.newTextButton().setText('Send feedback').setOnClickAction(sendFeedback),
      ),
    )
    .build();
}
