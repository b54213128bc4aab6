/**
 * This file defines the ports the sync engine needs besides those of ports.ts: reading and writing
 * contacts in many accounts (src/google implements it over the People API), the share registry,
 * and group and domain membership (the Directory API).
 */
import type { ClientDataEntry, ContactSnapshot, FieldValues, SyncedField } from './contact-model';
import type { MatchDescriptor } from './footprint';
import type { Share } from './sharing-model';

/**
 * How an account is reached: the acting user's own with their own token, any other only through
 * the backend's share gateway, within one share's footprint (DESIGN.md §6).
 */
export type AccountAccess =
  { kind: 'direct'; token: string } | { kind: 'gateway'; shareId: string };

/** An account and how to reach it. */
export interface AccountRef {
  account: string;
  access: AccountAccess;
}

/** A listing request: all contacts when `syncToken` is null, else the changes since it. */
export interface ListingRequest extends AccountRef {
  syncToken: string | null;
  /**
   * Through the gateway: people (of the master) whose existing contacts in the account should come
   * back as merge candidates, reduced to the match (footprint.ts, MatchIndex).
   */
  match?: MatchDescriptor[];
  /**
   * False when no sync token is needed (a one-off listing): the first page of a full sync has a
   * quota of its own (FACTS.md), so only listings that will be synced from ask for one. Default true.
   */
  requestSyncToken?: boolean;
}

/** One page of a `connections.list` listing, as the API returned it. */
export interface ListingPage {
  contacts: ContactSnapshot[];
  nextPageToken: string | null;
  nextSyncToken: string | null;
  /** `totalPeople` of the response, when the API sent it. */
  totalPeople: number | null;
  /**
   * Contacts of the page that the share gateway left out (outside the footprint): the listing
   * guard counts them towards `totalPeople`. 0 for a direct listing.
   */
  omitted: number;
}

/** Why a call failed: the HTTP status, Google's status and reason, and its message. */
export interface CallFailure {
  httpStatus: number;
  status: string;
  reason: string;
  message: string;
}

/** A listing: every page in order, or the failure that stopped it. */
export type ListingOutcome =
  { ok: true; pages: ListingPage[] } | { ok: false; failure: CallFailure };

/**
 * The reason of a listing that stopped between pages because its deadline came: it is not a
 * failure of the account, and its pages are never used (the listing guard would refuse them).
 */
export const DEADLINE_REACHED = 'DEADLINE_REACHED';

/** A contact group as the engine needs it. */
export interface GroupSnapshot {
  resourceName: string;
  name: string;
  clientData: ClientDataEntry[];
}

/** A listing of contact groups, or its failure. */
export type GroupsOutcome =
  { ok: true; groups: GroupSnapshot[] } | { ok: false; failure: CallFailure };

/** A contact to create. */
export interface NewContact {
  fields: FieldValues;
  memberships: string[];
  clientData: ClientDataEntry[];
}

/** A change to an existing contact: the named fields are replaced by the given values. */
export interface ContactUpdate {
  resourceName: string;
  etag: string;
  fields: FieldValues;
  /** Fields to replace; a named field absent from `fields` is cleared. */
  mask: SyncedField[];
  /** The whole new clientData, when it changes. */
  clientData?: ClientDataEntry[];
  /** The whole new list of group memberships, when it changes. */
  memberships?: string[];
}

/** One write in one account. Batch limits: 200 creates or updates, 500 deletes. */
export type AccountWrite =
  | { kind: 'createGroup'; name: string; clientData: ClientDataEntry[] }
  | { kind: 'deleteGroup'; resourceName: string }
  | { kind: 'createContacts'; contacts: NewContact[] }
  | { kind: 'updateContacts'; updates: ContactUpdate[] }
  | { kind: 'deleteContacts'; resourceNames: string[] };

/**
 * What a write returned. `createGroup` names the group it made (with a suffix if the name was
 * taken); `createContacts` the new resource names in order ('' for a refused contact).
 * `refused` lists the contacts of a createContacts or updateContacts write that Google refused
 * (batch writes are all or nothing): they were left out, and every other one was written.
 */
export type WriteOutcome =
  | { ok: true; resourceNames: string[]; refused?: RefusedWrite[] }
  | { ok: false; failure: CallFailure };

/** A contact of a write that Google refused: its index in the write, and why. */
export interface RefusedWrite {
  index: number;
  /** The contact's resource name, for updates. */
  resourceName: string | null;
  message: string;
}

/**
 * Reads and writes contacts in many accounts. Each method takes at most one request per account
 * and runs the accounts in parallel (UrlFetchApp.fetchAll); within an account, calls are sequential.
 * Transient errors (429, 500, 503) are retried inside; what comes back is final.
 */
export interface ContactsGateway {
  /**
   * Lists each account's contacts: all of them when `syncToken` is null (with a sync token
   * requested unless `requestSyncToken` is false: a full sync's first page has a fixed quota of
   * its own), or the changes since it. With a `deadline` (epoch ms), no further page is asked
   * for once it has passed: such a listing comes back as a failure with reason DEADLINE_REACHED;
   * and no back-off waits past it: the call fails with the error it was backing off from.
   */
  listContacts(requests: ListingRequest[], deadline?: number): ListingOutcome[];
  /** Lists each account's contact groups with their clientData. */
  listGroups(requests: AccountRef[]): GroupsOutcome[];
  /** Performs one write in each named account. */
  write(requests: (AccountRef & { write: AccountWrite })[]): WriteOutcome[];
}

/** The share registry, as the add-on reaches it through the backend. */
export interface ShareDirectory {
  /** The share, or null when it no longer exists (or the caller may not see it). */
  getShare(shareId: string): Share | null;
  /** Reports that the former owner's account adopted a transfer of the share's ownership. */
  transferAdopted(shareId: string): void;
}

/**
 * Google Groups and domains, as the Directory API resolves them. Below `manage`, or for a group
 * whose members one may not view, the backend names only oneself among them: `complete` then
 * answers false, and nothing may be concluded from who is missing.
 */
export interface GroupDirectory {
  /** Lower-case addresses of the users in the group (nested groups included) one may know of. */
  membersOfGroup(groupEmail: string): string[];
  /** Lower-case addresses of the users of the domain one may know of. */
  usersOfDomain(domain: string): string[];
  /** False when some expansion names only part of its users; absent means complete. */
  complete?(): boolean;
}
