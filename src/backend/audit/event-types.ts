/**
 * This file names the audit event types the backend writes and the anomaly rules look for, and
 * the families of types that only the backend may write. Support access events start with
 * `support.access.`.
 */
/** Audit event types of support access; `support.access.*` ones count as access to a user. */
export const SUPPORT_EVENT = {
  denied: 'support.denied',
  enrolmentStarted: 'support.enrolment.started',
  enrolmentConfirmed: 'support.enrolment.confirmed',
  otpVerify: 'support.otp.verify',
  backupCodeUsed: 'support.otp.backup_code_used',
  factorReset: 'support.factor.reset',
  keysRotated: 'support.keys.rotated',
  sessionRequested: 'support.session.requested',
  sessionOpened: 'support.access.session_opened',
  sessionApproved: 'support.session.approved',
  sessionRefused: 'support.session.refused',
  sessionClosed: 'support.session.closed',
  sharesRead: 'support.access.shares',
  labelsRead: 'support.access.labels',
  contactsRead: 'support.access.contacts',
  repair: 'support.access.repair',
} as const;

export const EVENT = {
  shareCreated: 'share.created',
  shareUpdated: 'share.updated',
  shareRevoked: 'share.revoked',
  shareOwnershipOffered: 'share.ownership_offered',
  shareOwnershipOfferEnded: 'share.ownership_offer_ended',
  shareOwnershipTransferred: 'share.ownership_transferred',
  shareOwnershipAdopted: 'share.ownership_adopted',
  shareDenied: 'share.denied',
  shareReachedAccountsListed: 'share.reached_accounts_listed',
  policyChanged: 'policy.changed',
  policyDenied: 'policy.denied',
  tokenIssued: 'delegated_token.issued',
  tokenDenied: 'delegated_token.denied',
  gatewayCall: 'gateway.call',
  gatewayDenied: 'gateway.denied',
  alertRaised: 'alert.raised',
  alertJustified: 'alert.justified',
  alertResolved: 'alert.resolved',
  otpVerify: SUPPORT_EVENT.otpVerify,
  tenantDomainJoined: 'tenant.domain_joined',
  tenantDomainsLeft: 'tenant.domains_left',
  contactDeleted: 'contact.deleted',
  anchorDenied: 'audit.anchor_denied',
  adminDenied: 'admin.denied',
  adminSharesHandedOver: 'admin.shares_handed_over',
} as const;

/** Prefix of events recording a support agent's access to a customer user's data. */
export const SUPPORT_ACCESS_PREFIX = 'support.access.';

/** Event types counted by the mass-revocation rule. */
export const REVOCATION_TYPES: readonly string[] = [EVENT.shareRevoked, EVENT.contactDeleted];

/**
 * Families of event types the backend alone writes: share and policy changes, delegated tokens
 * (refused since the share gateway), the gateway's calls and refusals, alerts, admin actions, the
 * tenant's domains, everything of support access (second factor, sessions, accesses) and of the
 * audit trail itself (anchors).
 * They feed the anomaly rules and the access-transparency view, so clients may not send them to
 * /v1/events; every event the backend writes belongs to one of them (BackendServices.record).
 */
export const BACKEND_ONLY_PREFIXES: readonly string[] = [
  'share.',
  'policy.',
  'delegated_token.',
  'gateway.',
  'alert.',
  'admin.',
  'support.',
  'tenant.',
  'audit.',
];

/** True for an event type that only the backend writes. */
export function isBackendOnlyType(type: string): boolean {
  return BACKEND_ONLY_PREFIXES.some((prefix) => type.startsWith(prefix));
}
