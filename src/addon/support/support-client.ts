/**
 * This file defines the add-on's typed calls to the backend's support endpoints (/v1/support/...,
 * the broker's `support` tokens and alert justification), over the per-execution BackendClient.
 */
import type { ContactLine, LabelState, SupportSessionView } from '../../core/support-contract';
import type { BackendClient } from '../backend-client';

/** An alert about the agent. */
export interface AlertView {
  id: string;
  rule: string;
  status: 'open' | 'justified' | 'resolved';
  summary: string;
  createdAt: string;
}

/** What GET /v1/support/me answers. */
export interface SupportMe {
  email: string;
  tenant: string | null;
  agent: boolean;
  securityManager: boolean;
  admin: boolean;
  factor?: { state: 'none' | 'pending' | 'confirmed'; backupCodesLeft: number; lockedOut: boolean };
  verifiedUntil?: string | null;
  blockedByAlert?: boolean;
  alerts?: AlertView[];
  sessions?: SupportSessionView[];
}

/** What an enrolment shows the agent once. */
export interface Enrolment {
  otpauthUri: string;
  secretGroups: string;
  qrDataUrl: string;
  backupCodes: string[];
}

/** A share of the session's user, with that user's level. */
export interface SupportShare {
  id: string;
  owner: string;
  labelName: string;
  labelResourceName: string;
  myLevel: string;
}

/** One access that touched the tenant, for access transparency. */
export interface AccessView {
  at: string;
  type: string;
  actor: string;
  target: string | null;
  outcome: string;
  purpose?: string;
  ticket?: string;
  justification?: string;
}

/** The support calls of one execution. */
export class SupportClient {
  constructor(private readonly backend: BackendClient) {}

  me(): SupportMe {
    return this.backend.request<SupportMe>('get', '/v1/support/me');
  }

  enrol(): Enrolment {
    return this.backend.request<Enrolment>('post', '/v1/support/enrolment', {});
  }

  verify(code: string): { method: string; verifiedUntil: string; confirmedEnrolment: boolean } {
    return this.backend.request('post', '/v1/support/verify', { code });
  }

  openSession(request: {
    tenant: string;
    targetUser: string;
    ticket: string;
    justification: string;
    minutes?: number;
    repairJustification?: string;
  }): SupportSessionView {
    return this.backend.request<SupportSessionView>('post', '/v1/support/sessions', request);
  }

  session(id: string): SupportSessionView {
    return this.backend.request<SupportSessionView>(
      'get',
      `/v1/support/sessions/${encodeURIComponent(id)}`,
    );
  }

  closeSession(id: string): SupportSessionView {
    return this.backend.request('post', `/v1/support/sessions/${encodeURIComponent(id)}/close`, {});
  }

  sharesOf(sessionId: string): { user: string; shares: SupportShare[] } {
    return this.backend.request(
      'get',
      `/v1/support/sessions/${encodeURIComponent(sessionId)}/shares`,
    );
  }

  /** The state of each of the session user's shared labels, read by the backend. */
  labels(sessionId: string): { user: string; labels: LabelState[] } {
    return this.backend.request(
      'get',
      `/v1/support/sessions/${encodeURIComponent(sessionId)}/labels`,
    );
  }

  /** Names and addresses of one shared label's contacts in the session user's account. */
  labelContacts(
    sessionId: string,
    shareId: string,
  ): { labelName: string; contacts: ContactLine[]; total: number } {
    return this.backend.request(
      'get',
      `/v1/support/sessions/${encodeURIComponent(sessionId)}/shares/${encodeURIComponent(shareId)}/contacts`,
    );
  }

  /** Repairs a label's copy group in a repair session; returns how many contacts were put back. */
  repair(sessionId: string, shareId: string): number {
    return this.backend.request<{ relinked: number }>(
      'post',
      `/v1/support/sessions/${encodeURIComponent(sessionId)}/repairs`,
      { shareId },
    ).relinked;
  }

  justifyAlert(alertId: string, justification: string): AlertView {
    return this.backend.request('post', `/v1/alerts/${encodeURIComponent(alertId)}/justify`, {
      justification,
    });
  }

  pendingApprovals(tenant: string): SupportSessionView[] {
    return this.backend.request<{ sessions: SupportSessionView[] }>(
      'get',
      `/v1/support/sessions?tenant=${encodeURIComponent(tenant)}&status=pending`,
    ).sessions;
  }

  decide(sessionId: string, approve: boolean, reason?: string): SupportSessionView {
    const id = encodeURIComponent(sessionId);
    return approve
      ? this.backend.request('post', `/v1/support/sessions/${id}/approve`, {})
      : this.backend.request('post', `/v1/support/sessions/${id}/refuse`, { reason });
  }

  transparency(): { tenant: string; sessions: SupportSessionView[]; accesses: AccessView[] } {
    return this.backend.request('get', '/v1/support/transparency');
  }
}

/**
 * True when the Settings card offers Support access: to the vendor's staff and to admins of the
 * user's organisation (the backend says which); false when it cannot be asked.
 */
export function mayOpenSupport(support: SupportClient): boolean {
  try {
    const me = support.me();
    return me.agent || me.securityManager || me.admin;
  } catch (error) {
    console.warn("support: the backend could not be asked for the caller's roles", error);
    return false;
  }
}
