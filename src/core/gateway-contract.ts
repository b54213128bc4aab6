/**
 * This file defines the wire contract of the backend's share gateway (DESIGN.md §6): the requests
 * the add-on sends to read and write another person's account within one share's footprint, and
 * the answers. The backend's zod schemas are typed against these.
 */
import type { ContactSnapshot } from './contact-model';
import type { MatchDescriptor } from './footprint';
import type { AccountWrite, GroupSnapshot, RefusedWrite } from './sync-ports';

/** The gateway's paths, under `/v1/shares/{id}/gateway/`. */
export const GATEWAY_PATHS = {
  listContacts: 'list-contacts',
  listGroups: 'list-groups',
  write: 'write',
} as const;

/** The path of a gateway operation of a share. */
export function gatewayPath(shareId: string, operation: keyof typeof GATEWAY_PATHS): string {
  return `/v1/shares/${encodeURIComponent(shareId)}/gateway/${GATEWAY_PATHS[operation]}`;
}

/** One page of an account's contacts: all of them, or the changes since a sync token. */
export interface GatewayListContactsRequest {
  account: string;
  pageToken?: string;
  syncToken?: string;
  /** People of the master whose existing contacts in the account should be found (merging). */
  match?: MatchDescriptor[];
  /** False when a full listing needs no sync token (its first page has a quota of its own). */
  requestSyncToken?: boolean;
}

/** A page reduced to the footprint (and matches); `omitted` counts what was left out. */
export interface GatewayListContactsResponse {
  contacts: ContactSnapshot[];
  nextPageToken: string | null;
  nextSyncToken: string | null;
  totalPeople: number | null;
  omitted: number;
}

/** The account's groups that belong to the share: its label, or its copy group. */
export interface GatewayListGroupsRequest {
  account: string;
}

export interface GatewayListGroupsResponse {
  groups: GroupSnapshot[];
}

/** One write in the account, as the sync engine plans it. */
export interface GatewayWriteRequest {
  account: string;
  write: AccountWrite;
}

/**
 * The resource names the write made (`createGroup`, `createContacts`, '' for a refused contact)
 * or touched, and the contacts Google refused (batch writes are all or nothing: the others were
 * written without them).
 */
export interface GatewayWriteResponse {
  resourceNames: string[];
  refused?: RefusedWrite[];
}
