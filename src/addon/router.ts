/**
 * This file defines the add-on's router: one handler per entry point, each wrapped in the error
 * handler of its surface, so that a failure reaches the user as a card or notification that says
 * what to do, never as a stack trace. Card actions all arrive at `onAction`, which dispatches by
 * the action's `action` parameter.
 */
import {
  failureText,
  formValue,
  notify,
  popCard,
  pushCard,
  UserFacingError,
} from './actions/action-kit';
import type {
  ActionContext,
  ActionHandler,
  ActionResponse,
  ActionTable,
  AddonEvent,
  Card,
} from './actions/action-kit';
import { adminActions } from './actions/admin-actions';
import { confirmActions } from './actions/confirm-actions';
import { labelContentsActions } from './actions/label-contents-actions';
import { composeActions, renderComposeCard } from './actions/compose-actions';
import { contactActions, renderMessageCard } from './actions/contact-actions';
import { memberActions } from './actions/member-actions';
import { shareDialogActions } from './actions/share-dialog-actions';
import { homepageActions, renderHomepage, renderSettings } from './actions/homepage-actions';
import { sharingActions } from './actions/sharing-actions';
import { supportActions } from './actions/support-actions';
import { BackendError } from './backend-client';
import { buildAboutCard } from './cards/about-card';
import { buildMessageCard } from './cards/message-card';
import { addonContext } from './context';
import { sharingContext } from './sharing/sharing-context';
import { MSG } from './messages';
import { DailyBudget } from './sharing/daily-budget';

/** Builds the context handed to the handlers of one entry point; each part is built on first use. */
function actionContext(): ActionContext {
  return {
    get addon() {
      return addonContext();
    },
    get sharing() {
      return sharingContext();
    },
  };
}

/** Runs a card-returning handler; on failure logs the error for developers and shows an error card. */
function renderSafely(surface: string, render: () => Card): Card {
  try {
    return render();
  } catch (error) {
    console.error(`${surface} failed`, error);
    return buildMessageCard(MSG.somethingWrong, failureText(error, MSG.pageFailure));
  } finally {
    noteUrlFetches();
  }
}

/** Adds this execution's URL Fetch calls to the user's daily budget (daily-budget.ts). */
function noteUrlFetches(): void {
  try {
    const addon = addonContext();
    if (addon.http.calls > 0)
      new DailyBudget(addon.user, addon.userStore, addon.clock).note(addon.http.calls);
  } catch (error) {
    console.warn('the daily budget could not be updated', error);
  }
}

/** Renders the homepage (Gmail, Calendar and Drive), after a bounded sync of the labels that are due. */
export function showHomepage(_event: AddonEvent): Card {
  return renderSafely('homepage', () => renderHomepage(actionContext()));
}

/** Renders the contextual card for the open Gmail message: the people on it and their labels. */
export function showMessage(event: AddonEvent): Card {
  return renderSafely('message', () => renderMessageCard(event, actionContext()));
}

/** Renders the compose action card: insert a shared label's addresses into the draft. */
export function showCompose(_event: AddonEvent): Card {
  return renderSafely('compose', () => renderComposeCard(actionContext()));
}

/** Renders the settings universal action. */
export function showSettings(
  _event: AddonEvent,
): GoogleAppsScript.Card_Service.UniversalActionResponse {
  const card = renderSafely('settings', () => renderSettings(actionContext()));
  return CardService.newUniversalActionResponseBuilder().displayAddOnCards([card]).build();
}

/** Feedback longer than this is refused with a notification, never cut silently. */
export const MAX_FEEDBACK_CHARS = 1000;

/** Sends the About card's feedback to the vendor's log (Cloud Logging) and returns to the homepage. */
function sendFeedback(event: AddonEvent): ActionResponse {
  const feedback = formValue(event, 'feedback');
  if (feedback === '') return notify(MSG.about.empty);
  if (feedback.length > MAX_FEEDBACK_CHARS)
    return notify(MSG.about.tooLong(MAX_FEEDBACK_CHARS, feedback.length));
  console.log(JSON.stringify({ type: 'feedback', text: feedback }));
  return popCard(MSG.about.sent);
}

/**
 * Support staff and admins read the backend's refusals on the support card as they are
 * (support-actions.ts): they are written for the operators who act on them.
 */
function withBackendMessages<Table extends ActionTable>(table: Table): Table {
  return Object.fromEntries(
    Object.entries(table).map(([name, handler]) => [
      name,
      (event: AddonEvent, context: ActionContext) => {
        try {
          return handler(event, context);
        } catch (error) {
          if (error instanceof BackendError && error.status < 500)
            throw new UserFacingError(error.message);
          throw error;
        }
      },
    ]),
  ) as Table;
}

const ACTIONS = {
  showAbout: () => pushCard(buildAboutCard()),
  sendFeedback,
  ...homepageActions,
  ...sharingActions,
  ...shareDialogActions,
  ...memberActions,
  ...contactActions,
  ...composeActions,
  ...adminActions,
  ...withBackendMessages(supportActions),
  // Issue 16: confirmations before destructive actions; contacts into and out of labels.
  ...confirmActions,
  ...labelContentsActions,
} satisfies ActionTable;

/** The name of a card action, as buttons carry it in their `action` parameter. */
export type ActionName = keyof typeof ACTIONS;

/** Dispatches a card action by its `action` parameter; failures become a notification. */
export function handleAction(event: AddonEvent): ActionResponse {
  const name = event.commonEventObject.parameters?.action ?? '';
  const action: ActionHandler | undefined = Object.prototype.hasOwnProperty.call(ACTIONS, name)
    ? ACTIONS[name as ActionName]
    : undefined;
  if (!action) {
    console.error(`Unknown card action "${name}"`);
    return notify(MSG.staleButton);
  }
  try {
    return action(event, actionContext());
  } catch (error) {
    console.error(`action ${name} failed`, error);
    return notify(failureText(error, MSG.genericFailure));
  } finally {
    noteUrlFetches();
  }
}
