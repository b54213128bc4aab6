/** This file defines the GmailApp adapter that reads the headers of the message open in Gmail. */

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
