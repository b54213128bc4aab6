/**
 * This file defines the Apps Script adapters of the add-on's identity and runtime: the acting
 * user (Session), the OAuth and identity tokens and the hourly trigger (ScriptApp), UUIDs and the
 * headers of the message open in Gmail (GmailApp).
 */

/** The effective user's address, in lower case. */
export function effectiveUserEmail(): string {
  return Session.getEffectiveUser().getEmail().toLowerCase();
}

/** The user's Google ID token, which the backend verifies. */
export function identityToken(): string {
  return ScriptApp.getIdentityToken();
}

/** The user's OAuth token, for Google APIs called with the user's own rights. */
export function oauthToken(): string {
  return ScriptApp.getOAuthToken();
}

/** A new random UUID. */
export function newUuid(): string {
  return Utilities.getUuid();
}

/** Installs an hourly time-based trigger of `functionName` unless the project already has one. */
export function ensureHourlyTriggerOf(functionName: string): void {
  const installed = ScriptApp.getProjectTriggers().some(
    (trigger) => trigger.getHandlerFunction() === functionName,
  );
  if (!installed) ScriptApp.newTrigger(functionName).timeBased().everyHours(1).create();
}

/** The address headers of a message. */
export interface MessageHeaders {
  from: string;
  to: string;
  cc: string;
}

/** Reads the From, To and Cc headers of the open message, with the event's message access token. */
export function readMessageHeaders(messageId: string, accessToken: string): MessageHeaders {
  GmailApp.setCurrentMessageAccessToken(accessToken);
  const message = GmailApp.getMessageById(messageId);
  return { from: message.getFrom(), to: message.getTo(), cc: message.getCc() };
}
