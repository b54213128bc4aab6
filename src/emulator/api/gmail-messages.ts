/**
 * This file defines the emulator's Gmail messages: the few header fields a Gmail add-on reads
 * from the open message through GmailApp (From, To, Cc, Subject, Date), kept per mailbox, and
 * the per-message access token rule of the `gmail.addons.current.message.*` scopes: a message
 * is readable only with a token of its mailbox's owner that carries one of those scopes
 * (developers.google.com/apps-script/add-ons/gmail/extending-message-ui, "accessToken").
 */

/** One message's headers as Gmail shows them (addresses in RFC 5322 form, e.g. `Ann <ann@x.example>`). */
export interface GmailMessageRecord {
  id: string;
  threadId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  /** Epoch milliseconds. */
  date: number;
}

/** The scopes that let an add-on read the open message's metadata. */
export const MESSAGE_SCOPES = [
  'https://www.googleapis.com/auth/gmail.addons.current.message.metadata',
  'https://www.googleapis.com/auth/gmail.addons.current.message.readonly',
  'https://www.googleapis.com/auth/gmail.addons.current.message.action',
];

/** A refusal that Apps Script reports as an Exception with this message. */
export class GmailAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GmailAccessError';
  }
}

/** Messages by mailbox (lower-case owner address) and id. */
export class GmailMessageStore {
  private readonly mailboxes = new Map<string, Map<string, GmailMessageRecord>>();

  /** Puts a message into a mailbox (replacing one with the same id). */
  put(owner: string, message: GmailMessageRecord): void {
    const key = owner.toLowerCase();
    const box = this.mailboxes.get(key) ?? new Map<string, GmailMessageRecord>();
    box.set(message.id, structuredClone(message));
    this.mailboxes.set(key, box);
  }

  /** The message of that mailbox, or undefined. */
  get(owner: string, messageId: string): GmailMessageRecord | undefined {
    const found = this.mailboxes.get(owner.toLowerCase())?.get(messageId);
    return found ? structuredClone(found) : undefined;
  }

  /** Forgets every mailbox. */
  clear(): void {
    this.mailboxes.clear();
  }
}

/**
 * Reads a message with a per-message token's grant: the grant's user must own the mailbox and
 * hold a message scope. Throws GmailAccessError with Apps Script's wording otherwise.
 */
export function readMessageWithGrant(
  store: GmailMessageStore,
  grant: { email: string; scopes: ReadonlySet<string> } | 'expired' | undefined,
  messageId: string,
): GmailMessageRecord {
  if (grant === undefined || grant === 'expired')
    throw new GmailAccessError('Access denied: : Missing access token for per message scope');
  if (!MESSAGE_SCOPES.some((scope) => grant.scopes.has(scope)))
    throw new GmailAccessError('Access denied: : Missing access token for per message scope');
  const message = store.get(grant.email, messageId);
  if (!message) throw new GmailAccessError(`Invalid argument: ${messageId}`);
  return message;
}
