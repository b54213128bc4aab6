/**
 * This file defines the add-on's calls to the backend's share gateway (DESIGN.md §6): the reads and
 * writes of another person's account within one share's footprint, as ApiCalls that the transport
 * runs beside the People API calls of the user's own account. The backend holds the delegated
 * tokens; the add-on never sees one.
 */
import type { MatchDescriptor } from '../core/footprint';
import {
  gatewayPath,
  type GATEWAY_PATHS,
  type GatewayListContactsRequest,
  type GatewayListContactsResponse,
  type GatewayListGroupsResponse,
  type GatewayWriteResponse,
} from '../core/gateway-contract';
import type { AccountWrite, GroupSnapshot, ListingPage } from '../core/sync-ports';
import { allPages, type AccountCalls, type WriteDone } from './people-gateway';
import { json, type ApiCall, type ApiRequest } from './transport';

/** Where the backend is and how the add-on authenticates to it (the user's Google ID token). */
export interface BackendEndpoint {
  baseUrl: string;
  identityToken(): string;
}

/** The share gateway's calls for one account of one share. */
export class ShareGatewayCalls implements AccountCalls {
  constructor(
    private readonly backend: BackendEndpoint,
    private readonly shareId: string,
    private readonly account: string,
    private readonly now: () => number,
  ) {}

  private request(
    operation: keyof typeof GATEWAY_PATHS,
    body: object,
    idempotent = true,
  ): ApiRequest {
    return {
      operation: `gateway.${operation}`,
      method: 'post',
      url: `${this.backend.baseUrl.replace(/\/$/, '')}${gatewayPath(this.shareId, operation)}`,
      headers: { authorization: `Bearer ${this.backend.identityToken()}` },
      contentType: 'application/json',
      payload: JSON.stringify({ account: this.account, ...body }),
      idempotent,
    };
  }

  listing(
    syncToken: string | null,
    deadline: number,
    match?: MatchDescriptor[],
    requestSyncToken = true,
  ): ApiCall<ListingPage[] | null> {
    return allPages(this.now, deadline, (pageToken) =>
      this.page({
        ...(pageToken === undefined ? {} : { pageToken }),
        ...(syncToken === null ? {} : { syncToken }),
        ...(match === undefined || match.length === 0 ? {} : { match }),
        ...(requestSyncToken ? {} : { requestSyncToken }),
      }),
    );
  }

  private *page(body: Omit<GatewayListContactsRequest, 'account'>): ApiCall<ListingPage> {
    const page = json<GatewayListContactsResponse>(yield this.request('listContacts', body));
    return {
      contacts: page.contacts,
      nextPageToken: page.nextPageToken,
      nextSyncToken: page.nextSyncToken,
      totalPeople: page.totalPeople,
      omitted: page.omitted,
    };
  }

  *groups(): ApiCall<GroupSnapshot[]> {
    return json<GatewayListGroupsResponse>(yield this.request('listGroups', {})).groups;
  }

  *write(write: AccountWrite): ApiCall<WriteDone> {
    const creates = write.kind === 'createContacts' || write.kind === 'createGroup';
    const done = json<GatewayWriteResponse>(yield this.request('write', { write }, !creates));
    return { resourceNames: done.resourceNames, refused: done.refused ?? [] };
  }
}
