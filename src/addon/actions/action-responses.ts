/** This file defines the responses card actions return: a notification, or a card pushed or updated. */
import type { ActionResponse, Card } from './action-kit';

/** A response that only shows a notification. */
export function notify(text: string): ActionResponse {
  return CardService.newActionResponseBuilder()
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

/** A response that pushes a card, with an optional notification. */
export function pushCard(card: Card, text?: string): ActionResponse {
  const builder = CardService.newActionResponseBuilder().setNavigation(
    CardService.newNavigation().pushCard(card),
  );
  if (text) builder.setNotification(CardService.newNotification().setText(text));
  return builder.build();
}

/** A response that replaces the current card, with an optional notification. */
export function updateCard(card: Card, text?: string): ActionResponse {
  const builder = CardService.newActionResponseBuilder().setNavigation(
    CardService.newNavigation().updateCard(card),
  );
  if (text) builder.setNotification(CardService.newNotification().setText(text));
  return builder.build();
}
