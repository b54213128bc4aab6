/** This file defines the GmailApp fake of the script's worker: the open message's headers. */
import type { GmailMessageRecord } from '../api/gmail-messages';
import { scriptException } from './script-errors';
import type { HostCall } from './services';

/** GmailMessage: the header getters an add-on with the message metadata scope may use. */
class GmailMessageFake {
  constructor(private readonly headers: GmailMessageRecord) {}
  getId(): string {
    return this.headers.id;
  }
  getFrom(): string {
    return this.headers.from;
  }
  getTo(): string {
    return this.headers.to.join(', ');
  }
  getCc(): string {
    return this.headers.cc.join(', ');
  }
  getSubject(): string {
    return this.headers.subject;
  }
  getDate(): Date {
    return new Date(this.headers.date);
  }
  toString(): string {
    return 'GmailMessage';
  }
}

/**
 * GmailApp as a Gmail add-on with only `gmail.addons.current.message.*` scopes sees it: the
 * event's per-message token must be set first, then getMessageById reads that message.
 */
export function createGmailApp(host: HostCall) {
  let messageToken: string | undefined;
  return Object.freeze({
    setCurrentMessageAccessToken(accessToken: unknown): void {
      if (typeof accessToken !== 'string' || accessToken === '')
        throw scriptException('Invalid argument: accessToken');
      messageToken = accessToken;
    },
    getMessageById(id: unknown): GmailMessageFake {
      if (typeof id !== 'string' || id === '') throw scriptException('Invalid argument: id');
      if (messageToken === undefined)
        throw scriptException('Access denied: : Missing access token for per message scope');
      return new GmailMessageFake(host('gmailMessage', messageToken, id) as GmailMessageRecord);
    },
  });
}
