/**
 * This file defines the add-on's client of the backend's share registry (/v1/shares): listing,
 * reading, creating, changing and revoking shares, and the expansion of a share's group and
 * domain grants. Reads are kept for the rest of the execution, so that a handler and the sync it
 * runs ask once.
 */
import type { Level, Share, ShareGrant } from '../../core/sharing-model';
import { BackendError, type BackendClient } from '../backend-client';

/** A share as the registry shows it to the caller, with the caller's own level. */
export type VisibleShare = Share & { myLevel: Level | null };

/** The users behind a share's group and domain grants. */
export interface ShareMembers {
  /** `complete` is false when the caller is told only of themselves among the members. */
  groups: { email: string; members: string[]; count: number | null; complete: boolean }[];
  domains: { domain: string; users: string[]; count: number; complete: boolean }[];
}

/** The caller's own shares and those shared with them. */
interface Lists {
  mine: VisibleShare[];
  sharedWithMe: VisibleShare[];
}

/** The registry as the add-on reaches it. */
export class ShareRegistry {
  private readonly read = new Map<string, VisibleShare | null>();
  private readonly expansions = new Map<string, ShareMembers>();
  /** The caller's lists, once read in this execution; forgotten when the caller changes a share. */
  private lists: Lists | null = null;

  constructor(private readonly backend: BackendClient) {}

  /** Shares the caller owns, each at the `owner` level. */
  mine(): VisibleShare[] {
    return this.participating().mine;
  }

  /** Shares granted to the caller, to one of their groups or to their domain. */
  sharedWithMe(): VisibleShare[] {
    return this.participating().sharedWithMe;
  }

  /**
   * Both lists, read in one request and kept until the caller changes a share (the homepage, its
   * sync and a handler all ask). A backend that does not know the combined view is asked twice.
   */
  private participating(): Lists {
    if (this.lists) return this.lists;
    let lists: { mine: Share[]; sharedWithMe: VisibleShare[] };
    try {
      lists = this.backend.request<{ mine: Share[]; sharedWithMe: VisibleShare[] }>(
        'get',
        '/v1/shares?view=participating',
      );
    } catch (error) {
      if (!(error instanceof BackendError && error.status === 400)) throw error;
      lists = {
        mine: this.backend.request<{ shares: Share[] }>('get', '/v1/shares?view=mine').shares,
        sharedWithMe: this.backend.request<{ shares: VisibleShare[] }>(
          'get',
          '/v1/shares?view=sharedWithMe',
        ).shares,
      };
    }
    this.lists = {
      mine: lists.mine.map((share) => this.remember({ ...share, myLevel: 'owner' })),
      sharedWithMe: lists.sharedWithMe.map((share) => this.remember(share)),
    };
    return this.lists;
  }

  /** One share, or null when it does not exist or the caller takes no part in it (the backend audits that). */
  get(shareId: string): VisibleShare | null {
    const known = this.read.get(shareId);
    if (known !== undefined) return known;
    try {
      return this.remember(
        this.backend.request<VisibleShare>('get', `/v1/shares/${encodeURIComponent(shareId)}`),
        shareId,
      );
    } catch (error) {
      if (error instanceof BackendError && error.status === 404) {
        this.read.set(shareId, null);
        return null;
      }
      throw error;
    }
  }

  /** The users of the share's group and domain grants (read as the domain's directory admin). */
  members(shareId: string): ShareMembers {
    const known = this.expansions.get(shareId);
    if (known) return known;
    const members = this.backend.request<ShareMembers>(
      'get',
      `/v1/shares/${encodeURIComponent(shareId)}/members`,
    );
    this.expansions.set(shareId, members);
    return members;
  }

  /**
   * The accounts a share reached (sync tokens issued for it, participants who synced it, current
   * group and domain members), which ending it must clean; the owner's and manage participants'
   * to read, also for a while after it was revoked. Empty when the registry no longer knows it.
   */
  reachedAccounts(shareId: string): string[] {
    try {
      return this.backend.request<{ accounts: string[] }>(
        'get',
        `/v1/shares/${encodeURIComponent(shareId)}/reached-accounts`,
      ).accounts;
    } catch (error) {
      if (error instanceof BackendError && error.status === 404) return [];
      throw error;
    }
  }

  /** Registers a share of one of the caller's labels. */
  create(input: {
    labelResourceName: string;
    labelName: string;
    grants: ShareGrant[];
  }): VisibleShare {
    const share = this.change<Share>('post', '/v1/shares', input);
    return this.remember({ ...share, myLevel: 'owner' });
  }

  /** Replaces a share's grants; the backend refuses levels above the caller's. */
  setGrants(share: VisibleShare, grants: ShareGrant[]): VisibleShare {
    const updated = this.change<Share>('patch', `/v1/shares/${encodeURIComponent(share.id)}`, {
      grants,
    });
    this.expansions.delete(share.id);
    return this.remember({ ...updated, myLevel: share.myLevel });
  }

  /** Revokes a share (owner or admin). */
  revoke(shareId: string): void {
    this.change('delete', `/v1/shares/${encodeURIComponent(shareId)}`);
    this.read.set(shareId, null);
    this.expansions.delete(shareId);
  }

  /** Offers the share's ownership to a person member (the owner only); they accept themselves. */
  offerTransfer(share: VisibleShare, to: string): VisibleShare {
    const updated = this.change<Share>(
      'post',
      `/v1/shares/${encodeURIComponent(share.id)}/transfer`,
      { to },
    );
    return this.remember({ ...updated, myLevel: share.myLevel });
  }

  /**
   * Accepts the ownership offered to the caller: `labelResourceName`, a label of their own, becomes
   * the share's; the former owner keeps `manage`.
   */
  acceptTransfer(share: VisibleShare, labelResourceName: string): VisibleShare {
    const updated = this.change<Share>(
      'post',
      `/v1/shares/${encodeURIComponent(share.id)}/transfer/accept`,
      { labelResourceName },
    );
    this.expansions.delete(share.id);
    return this.remember({ ...updated, myLevel: 'owner' });
  }

  /** Withdraws (owner) or declines (the member offered to) an offer of ownership. */
  endTransferOffer(share: VisibleShare): VisibleShare {
    const updated = this.change<Share>(
      'delete',
      `/v1/shares/${encodeURIComponent(share.id)}/transfer`,
    );
    return this.remember({ ...updated, myLevel: share.myLevel });
  }

  /**
   * Reports that the caller's account, the former owner's, adopted a transfer. A failure is only
   * logged: the next sync finds nothing left to adopt and reports again.
   */
  transferAdopted(shareId: string): void {
    try {
      this.change('post', `/v1/shares/${encodeURIComponent(shareId)}/transfer/adopted`, {});
      this.read.delete(shareId);
    } catch (error) {
      console.warn('reporting the adoption of a transfer failed; the next sync reports it', error);
    }
  }

  private remember(share: VisibleShare, id = share.id): VisibleShare {
    this.read.set(id, share);
    return share;
  }

  /** Sends a change of a share: the lists read before it are forgotten. */
  private change<T>(method: 'post' | 'patch' | 'delete', path: string, body?: unknown): T {
    this.lists = null;
    return this.backend.request<T>(method, path, body);
  }
}
