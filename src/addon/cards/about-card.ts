/** This file defines the About card: what the add-on keeps where, and a feedback form. */
import { MSG } from '../messages';
import { cardHeader, paragraph, section, textField } from './widgets';

/** The name of the about card in the card stack. */
export const ABOUT_CARD_NAME = 'about';

/** Builds the About card, pushed from the homepage; its footer sends the feedback field. */
export function buildAboutCard(): GoogleAppsScript.Card_Service.Card {
  const sendFeedback = CardService.newAction()
    .setFunctionName('onAction')
    .setParameters({ action: 'sendFeedback' });
  return CardService.newCardBuilder()
    .setName(ABOUT_CARD_NAME)
    .setHeader(cardHeader(MSG.about.title))
    .addSection(
      section(
        null,
        paragraph(MSG.about.text),
        textField('feedback', MSG.about.feedback, MSG.about.feedbackHint).setMultiline(true),
      ),
    )
    .setFixedFooter(
      CardService.newFixedFooter().setPrimaryButton(
        CardService.newTextButton().setText(MSG.about.send).setOnClickAction(sendFeedback),
      ),
    )
    .build();
}
