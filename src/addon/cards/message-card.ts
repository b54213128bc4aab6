/** This file defines the cards of simple informational screens (settings, compose, support, errors). */

/** Builds a card with a title and one paragraph. */
export function buildMessageCard(title: string, text: string): GoogleAppsScript.Card_Service.Card {
  return CardService.newCardBuilder()
    .setHeader(CardService.newCardHeader().setTitle(title))
    .addSection(
      CardService.newCardSection().addWidget(CardService.newTextParagraph().setText(text)),
    )
    .build();
}
