/** This file defines the cards of simple informational screens (settings, compose, support, errors). */
import { cardHeader, paragraph, section } from './widgets';

/** Builds a card with a title and one paragraph. */
export function buildMessageCard(title: string, text: string): GoogleAppsScript.Card_Service.Card {
  return CardService.newCardBuilder()
    .setHeader(cardHeader(title))
    .addSection(section(null, paragraph(text)))
    .build();
}
