/**
 * This file defines the admin card's calls to our backend: the onboarding overview (delegation
 * test-minted by the backend, chain state, policy, the organisation's domains), the domain's
 * shares, revoking one, handing a person's labels over, recent activity, alerts, the policy
 * update and the audit trail's download link. The backend checks that the caller is an admin.
 */
import type { Share } from '../../core/sharing-model';
import type { TenantPolicy } from '../../core/tenant-policy';
import type { BackendClient } from '../backend-client';

export type { TenantPolicy };

/** One scope of domain-wide delegation, test-minted in the caller's name. */
export interface DelegationCheck {
  scope: string;
  granted: boolean;
  /** Why it is refused: not granted by the customer, or our clock and Google's disagree. */
  cause?: 'not_granted' | 'clock';
  reason?: string;
}

/** GET /v1/admin/overview for a caller whose adminship Google would not confirm: checks only. */
export interface OnboardingOnly {
  adminVerified: false;
  domain: string;
  delegation: DelegationCheck[];
  serviceAccount: string;
}

/** GET /v1/admin/overview for an admin. */
export interface AdminOverview {
  adminVerified: true;
  domain: string;
  customerId: string | null;
  domains: string[];
  policy: TenantPolicy;
  policyChosen: boolean;
  directoryAdmins: { usable: number; known: number };
  delegation: DelegationCheck[];
  serviceAccount: string;
  activeUsers30d: number;
  chain: { ok: boolean; checked?: number; brokenAt?: number };
}

/** An event of GET /v1/admin/activity, with its label's name. */
export interface ActivityRow {
  seq: number;
  type: string;
  actor: string;
  target: string | null;
  shareId: string | null;
  labelName: string | null;
  outcome: string;
  receivedAt: string;
  detail: Record<string, string | number | boolean>;
}

/** What the activity may be filtered by. */
export interface ActivityFilter {
  person?: string;
  kind: 'all' | 'sharing' | 'policy' | 'support' | 'admin';
}

/** An alert as the admin card lists it. */
export interface AlertRow {
  id: string;
  rule: string;
  actor: string;
  status: string;
  raisedAt?: string;
}

/** The admin card's backend calls. */
export class AdminClient {
  constructor(private readonly backend: BackendClient) {}

  overview(): AdminOverview | OnboardingOnly {
    return this.backend.request<AdminOverview | OnboardingOnly>('get', '/v1/admin/overview');
  }

  share(shareId: string): Share {
    return this.backend.request<Share>('get', `/v1/shares/${encodeURIComponent(shareId)}`);
  }

  activity(filter: ActivityFilter, pageSize: number): ActivityRow[] {
    // Apps Script has no URLSearchParams.
    const person = filter.person ? `&person=${encodeURIComponent(filter.person)}` : '';
    return this.backend.request<{ events: ActivityRow[] }>(
      'get',
      `/v1/admin/activity?kind=${filter.kind}&pageSize=${pageSize}${person}`,
    ).events;
  }

  handOver(from: string, to: string): { offered: number } {
    return this.backend.request('post', '/v1/admin/hand-over', { from, to });
  }

  shares(): Share[] {
    return this.backend.request<{ shares: Share[] }>('get', '/v1/shares?view=domain').shares;
  }

  alerts(): AlertRow[] {
    return this.backend
      .request<{ alerts: AlertRow[] }>('get', '/v1/alerts')
      .alerts.filter((alert) => alert.status !== 'resolved');
  }

  savePolicy(domain: string, policy: TenantPolicy): TenantPolicy {
    return this.backend.request<{ policy: TenantPolicy }>(
      'put',
      `/v1/tenants/${encodeURIComponent(domain)}/policy`,
      policy,
    ).policy;
  }

  /** A short-lived signed link to the audit trail as a CSV file, as a full URL. */
  auditDownloadUrl(): string {
    const link = this.backend.request<{ path: string }>('get', '/v1/admin/audit-export');
    return this.backend.urlOf(link.path);
  }

  revokeShare(shareId: string): void {
    this.backend.request('delete', `/v1/shares/${encodeURIComponent(shareId)}`);
  }
}
