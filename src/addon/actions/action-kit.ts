/**
 * This file defines what every card action shares: the handler and table types the router
 * dispatches on, the context it hands them, errors meant for the user, reading parameters and
 * form inputs from the event, the router Action that buttons carry, and the responses actions
 * return.
 */
import { BackendError } from '../backend-client';
import type { AddonContext } from '../context';
import { MSG } from '../messages';
import type { ActionName } from '../router';
import type { SharingContext } from '../sharing/sharing-context';

/** The event Apps Script passes to an add-on's entry points. */
export type AddonEvent = GoogleAppsScript.Addons.EventObject;
/** What a card action returns to Apps Script. */
export type ActionResponse = GoogleAppsScript.Card_Service.ActionResponse;
/** A card. */
export type Card = GoogleAppsScript.Card_Service.Card;

/** An e-mail address as the add-on accepts one for a contact or a recipient. */
export const EMAIL = /^[^@\s,;<>]+@[a-z0-9.-]+\.[a-z]{2,63}$/i;

/** The name of a card action (the router's table, router.ts). */
export type { ActionName };

/** When this execution started: the bundle's top level runs once per execution. */
const EXECUTION_STARTED_AT = Date.now();
/** Apps Script stops a card action after 30 s. */
const CARD_ACTION_LIMIT_MS = 30_000;

/** How long this card action may still run before Apps Script stops it. */
export function actionTimeLeft(): number {
  return CARD_ACTION_LIMIT_MS - (Date.now() - EXECUTION_STARTED_AT);
}

/** What the router hands every card action: this execution's contexts, each built on first use. */
export interface ActionContext {
  readonly addon: AddonContext;
  readonly sharing: SharingContext;
}

/** A card action handler: parses the event, calls core or the backend, renders. */
export type ActionHandler = (event: AddonEvent, context: ActionContext) => ActionResponse;

/** Card actions by the name carried in their `action` parameter. */
export type ActionTable = Record<string, ActionHandler>;

/**
 * The text a user reads for a failure: a UserFacingError's own message, the text of
 * messages.ts for a refusal of our service by its error code, and `generic` for anything else
 * (the raw message goes to the log, never to the user).
 */
export function failureText(error: unknown, generic: string): string {
  if (error instanceof UserFacingError) return error.message;
  if (error instanceof BackendError) return MSG.errors[error.code] ?? generic;
  return generic;
}

/** An error whose message is meant for the user, shown as a notification as it is. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** Returns an action parameter, or throws a UserFacingError when it is missing. */
export function requireParameter(event: AddonEvent, name: string): string {
  const value = event.commonEventObject.parameters?.[name];
  if (typeof value !== 'string' || value === '') {
    throw new UserFacingError(MSG.staleButton);
  }
  return value;
}

/** Returns the string values of a form input (empty when absent). */
export function formValues(event: AddonEvent, name: string): string[] {
  return event.commonEventObject.formInputs?.[name]?.stringInputs?.value ?? [];
}

/** Returns the first value of a form input, trimmed ('' when absent). */
export function formValue(event: AddonEvent, name: string): string {
  return (formValues(event, name)[0] ?? '').trim();
}

/** An Action that calls the router with the given action name and parameters. */
export function routerAction(
  action: ActionName,
  parameters: Record<string, string> = {},
): GoogleAppsScript.Card_Service.Action {
  return CardService.newAction()
    .setFunctionName('onAction')
    .setParameters({ ...parameters, action });
}

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

/** A response that goes back one card, with an optional notification. */
export function popCard(text?: string): ActionResponse {
  const builder = CardService.newActionResponseBuilder().setNavigation(
    CardService.newNavigation().popCard(),
  );
  if (text) builder.setNotification(CardService.newNotification().setText(text));
  return builder.build();
}
