/**
 * This file defines the admin card's calls to our backend: the onboarding overview (delegation
 * test-minted by the backend, chain state, policy), the domain's shares, recent audit events,
 * alerts, the policy update and the audit export. The backend checks that the caller is an admin.
 */
import type { Level, Share } from '../../core/sharing-model';
import type { BackendClient } from '../backend-client';

/** The tenant policy as the backend keeps it. */
export interface TenantPolicy {
  externalSharing: boolean;
  allowedExternalDomains: string[];
  whoMayShare: 'everyone' | 'admins';
  maxLevel: Exclude<Level, 'owner'>;
  supportAccess: 'allowed' | 'approval_required' | 'disabled';
  supportSessionMaxMinutes?: number;
}

/** GET /v1/admin/overview. */
export interface AdminOverview {
  domain: string;
  policy: TenantPolicy;
  directoryAdmin: string | null;
  delegation: { scope: string; granted: boolean; reason?: string }[];
  serviceAccount: string;
  activeUsers30d: number;
  chain: { ok: boolean; checked?: number; brokenAt?: number };
}

/** An audit event as the admin card lists it. */
export interface AuditRow {
  seq: number;
  type: string;
  actor: string;
  target: string | null;
  outcome: string;
  receivedAt: string;
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

  overview(): AdminOverview {
    return this.backend.request<AdminOverview>('get', '/v1/admin/overview');
  }

  shares(): Share[] {
    return this.backend.request<{ shares: Share[] }>('get', '/v1/shares?view=domain').shares;
  }

  recentEvents(limit: number): AuditRow[] {
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const page = this.backend.request<{ events: AuditRow[] }>(
      'get',
      `/v1/events?pageSize=500&since=${encodeURIComponent(since)}`,
    );
    return page.events.slice(-limit).reverse();
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

  exportAudit(): { filename: string; rows: number; truncated: boolean; csv: string } {
    return this.backend.request('get', '/v1/admin/audit-export');
  }

  revokeShare(shareId: string): void {
    this.backend.request('delete', `/v1/shares/${encodeURIComponent(shareId)}`);
  }
}
