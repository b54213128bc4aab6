/**
 * This file builds the event objects that Gmail, Calendar and Drive pass to an add-on's
 * functions: `commonEventObject` (host app, platform, locale, time zone, form inputs,
 * parameters) plus the host's own part (`gmail` with messageId and accessToken, `draftMetadata`
 * for compose, `calendar`, `drive`), and the legacy top-level fields Apps Script still fills.
 */

/** Where the add-on runs. */
export type HostApp = 'GMAIL' | 'CALENDAR' | 'DRIVE';

/** A form field's value as the sidebar submits it: strings, or a date in milliseconds. */
export type FormValue = string[] | { msSinceEpoch: number };

/** What every event has: the user's locale and time zone. */
export interface EventBasics {
  locale?: string;
  timeZone?: string;
}

/** An add-on event object (the subset of GoogleAppsScript.Addons.EventObject the emulator fills). */
export interface AddonEvent {
  commonEventObject: {
    hostApp: HostApp;
    platform: 'WEB';
    userLocale: string;
    timeZone: { id: string; offset: number };
    formInputs?: Record<
      string,
      { stringInputs: { value: string[] } } | { dateInput: { msSinceEpoch: string } }
    >;
    parameters?: Record<string, string>;
  };
  gmail?: { messageId: string; threadId: string; accessToken: string };
  messageMetadata?: { messageId: string; accessToken: string };
  draftMetadata?: { toRecipients: string[]; ccRecipients: string[]; bccRecipients: string[] };
  calendar?: Record<string, unknown>;
  drive?: Record<string, unknown>;
  clientPlatform: 'web';
  userLocale: string;
  userTimezone: { id: string; offSet: string };
  formInput?: Record<string, string>;
  formInputs?: Record<string, string[]>;
  parameters?: Record<string, string>;
}

function offsetMs(timeZone: string): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date())
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

function base(hostApp: HostApp, basics: EventBasics = {}): AddonEvent {
  const timeZone = basics.timeZone ?? 'Etc/UTC';
  const locale = basics.locale ?? 'en';
  const offset = offsetMs(timeZone);
  return {
    commonEventObject: {
      hostApp,
      platform: 'WEB',
      userLocale: locale,
      timeZone: { id: timeZone, offset },
    },
    clientPlatform: 'web',
    userLocale: locale,
    userTimezone: { id: timeZone, offSet: String(offset) },
  };
}

/** The homepage event of Gmail, Calendar or Drive. */
export function homepageEvent(hostApp: HostApp = 'GMAIL', basics?: EventBasics): AddonEvent {
  const event = base(hostApp, basics);
  if (hostApp === 'CALENDAR') event.calendar = {};
  if (hostApp === 'DRIVE') event.drive = { activeCursorItem: null, selectedItems: [] };
  return event;
}

/** The contextual event of an open Gmail message; accessToken is the per-message token. */
export function gmailMessageEvent(
  message: { messageId: string; threadId?: string; accessToken: string },
  basics?: EventBasics,
): AddonEvent {
  const event = base('GMAIL', basics);
  const threadId = message.threadId ?? message.messageId;
  event.gmail = { messageId: message.messageId, threadId, accessToken: message.accessToken };
  event.messageMetadata = { messageId: message.messageId, accessToken: message.accessToken };
  return event;
}

/** The compose event; draftMetadata carries the recipients when draftAccess is METADATA. */
export function composeEvent(
  draft: { toRecipients?: string[]; ccRecipients?: string[]; bccRecipients?: string[] },
  basics?: EventBasics,
): AddonEvent {
  const event = base('GMAIL', basics);
  event.draftMetadata = {
    toRecipients: draft.toRecipients ?? [],
    ccRecipients: draft.ccRecipients ?? [],
    bccRecipients: draft.bccRecipients ?? [],
  };
  return event;
}

/**
 * The event of a card action: the surface's event plus the action's parameters and the card's
 * form inputs, in both the current (`commonEventObject`) and legacy shapes.
 */
export function cardActionEvent(
  surface: AddonEvent,
  action: { parameters?: Record<string, string>; formInputs?: Record<string, FormValue> },
): AddonEvent {
  const event = structuredClone(surface);
  const parameters = action.parameters ?? {};
  const inputs = Object.entries(action.formInputs ?? {});
  event.commonEventObject.parameters = { ...parameters };
  event.commonEventObject.formInputs = Object.fromEntries(
    inputs.map(([name, value]) => [
      name,
      Array.isArray(value)
        ? { stringInputs: { value: [...value] } }
        : { dateInput: { msSinceEpoch: String(value.msSinceEpoch) } },
    ]),
  );
  event.parameters = { ...parameters };
  event.formInputs = Object.fromEntries(
    inputs.map(([name, value]) => [
      name,
      Array.isArray(value) ? [...value] : [String(value.msSinceEpoch)],
    ]),
  );
  event.formInput = Object.fromEntries(
    inputs.map(([name, value]) => [
      name,
      Array.isArray(value) ? (value[0] ?? '') : String(value.msSinceEpoch),
    ]),
  );
  return event;
}
