/**
 * This file defines the add-on's router: one handler per entry point, each wrapped in the error
 * handler of its surface, so that a failure reaches the user as a card or notification that says
 * what to do, never as a stack trace.
 */
import { buildHomepageCard } from './cards/homepage-card';
import { buildMessageCard } from './cards/message-card';

type AddonEvent = GoogleAppsScript.Addons.EventObject;
type Card = GoogleAppsScript.Card_Service.Card;

/** Runs a card-returning handler; on failure logs the error for developers and shows an error card. */
function renderSafely(surface: string, render: () => Card): Card {
  try {
    return render();
  } catch (error) {
    console.error(`${surface} failed`, error);
    return buildMessageCard(
      'Something went wrong',
      'Shared Contacts could not show this page. Try again in a minute.',
    );
  }
}

/** Renders the homepage (Gmail, Calendar and Drive). */
export function showHomepage(_event: AddonEvent): Card {
  return renderSafely('homepage', () => buildHomepageCard());
}

/** Renders the contextual card for the open Gmail message. */
export function showMessage(_event: AddonEvent): Card {
  return renderSafely('message', () => buildHomepageCard());
}

/** Renders the compose action card. */
export function showCompose(_event: AddonEvent): Card {
  return renderSafely('compose', () =>
    buildMessageCard(
      'Insert a shared label',
      'Choose a shared label to add its addresses to this draft.',
    ),
  );
}

/** Renders the settings universal action. */
export function showSettings(
  _event: AddonEvent,
): GoogleAppsScript.Card_Service.UniversalActionResponse {
  const card = renderSafely('settings', () =>
    buildMessageCard(
      'Settings',
      'Contact data stays in Google Contacts; we keep only who shares what with whom.',
    ),
  );
  return CardService.newUniversalActionResponseBuilder().displayAddOnCards([card]).build();
}

/** Renders the support universal action (restricted to the vendor's support agents). */
export function showSupport(
  _event: AddonEvent,
): GoogleAppsScript.Card_Service.UniversalActionResponse {
  const card = renderSafely('support', () =>
    buildMessageCard('Support access', 'This page is for the support staff of Shared Contacts.'),
  );
  return CardService.newUniversalActionResponseBuilder().displayAddOnCards([card]).build();
}
