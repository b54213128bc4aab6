/**
 * This file holds the steps the contact writes of the emulated People API share: room in the
 * account, etag checks, and checking then applying an update.
 */
import { type GoogleApiError, failedPrecondition, invalidArgument } from './google-errors';
import { contactEtags } from './people-person';
import { parseWrittenPerson, type WrittenPerson } from './people-written-person';
import type { PeopleSettings } from './people-shared';
import {
  ONLY_MY_CONTACTS,
  type AddressBook,
  type ContactRecord,
  type WorkspaceStore,
} from './workspace-store';

/** A checked update of a contact: its written fields, and its groups when memberships change. */
export interface ContactChange {
  written: WrittenPerson;
  groups?: string[];
}

/** 400 FAILED_PRECONDITION: the account already holds as many contacts as it may. */
export function accountFullError(settings: PeopleSettings): GoogleApiError {
  return failedPrecondition(
    `The account already holds the maximum of ${settings.maxContactsPerAccount} contacts.`,
  );
}

/** Refuses a new contact when the account holds as many as it may. */
export function checkRoom(book: AddressBook, settings: PeopleSettings): void {
  if (book.liveCount >= settings.maxContactsPerAccount) throw accountFullError(settings);
}

/** Stores a written person as a new contact, in its groups or else in My Contacts. */
export function insertWritten(
  store: WorkspaceStore,
  book: AddressBook,
  written: WrittenPerson,
  now: number,
): ContactRecord {
  return store.insertContact(
    book,
    JSON.stringify(written.fields),
    written.groups ?? ONLY_MY_CONTACTS,
    now,
  );
}

function checkEtag(record: ContactRecord, person: Record<string, unknown>, where: string): void {
  const etags = contactEtags(record);
  const sources = ((person.metadata as Record<string, unknown> | undefined)?.sources ??
    []) as Record<string, unknown>[];
  const sourceEtag = Array.isArray(sources)
    ? sources.find((source) => source.type === 'CONTACT')?.etag
    : undefined;
  const given =
    typeof person.etag === 'string'
      ? person.etag
      : typeof sourceEtag === 'string'
        ? sourceEtag
        : undefined;
  if (given === undefined)
    throw invalidArgument(
      `Request must set ${where}.etag or ${where}.metadata.sources.etag for the source that is being updated.`,
    );
  if (given !== etags.person && given !== etags.source)
    throw failedPrecondition(
      `Request ${where}.etag is different than the current ${where}.etag. Clear local cache and get the latest person.`,
    );
}

/** Checks an update of a contact; returns the change, which `applyUpdate` then makes. */
export function prepareUpdate(
  book: AddressBook,
  record: ContactRecord,
  person: unknown,
  fields: string[],
  where: string,
): ContactChange {
  const written = parseWrittenPerson(person, book, where);
  checkEtag(record, person as Record<string, unknown>, where);
  if (!fields.includes('memberships')) return { written };
  const groups = written.groups ?? [];
  if (groups.length === 0)
    throw invalidArgument(
      `Invalid ${where}.memberships: a contact must keep at least one contact group membership.`,
    );
  return { written, groups };
}

/** Makes a change that `prepareUpdate` checked, to the fields of the update mask. */
export function applyUpdate(
  store: WorkspaceStore,
  book: AddressBook,
  record: ContactRecord,
  change: ContactChange,
  fields: string[],
  now: number,
): void {
  const stored = JSON.parse(record.data) as Record<string, unknown[]>;
  for (const field of fields) {
    if (field === 'memberships') continue;
    const value = change.written.fields[field];
    if (value) stored[field] = value;
    else delete stored[field];
  }
  if (change.groups) record.groups = change.groups;
  record.data = JSON.stringify(stored);
  store.touchContact(book, record, now);
}
