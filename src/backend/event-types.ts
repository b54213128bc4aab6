/**
 * This file names the audit event types the backend writes and the anomaly rules look for.
 * Add-on and backend use them alike; support access events start with `support.access.`.
 */
export const EVENT = {
  shareCreated: 'share.created',
  shareUpdated: 'share.updated',
  shareRevoked: 'share.revoked',
  shareDenied: 'share.denied',
  policyChanged: 'policy.changed',
  tokenIssued: 'delegated_token.issued',
  tokenDenied: 'delegated_token.denied',
  alertRaised: 'alert.raised',
  alertJustified: 'alert.justified',
  alertResolved: 'alert.resolved',
  otpVerify: 'support.otp.verify',
  contactDeleted: 'contact.deleted',
} as const;

/** Prefix of events recording a support agent's access to a customer user's data. */
export const SUPPORT_ACCESS_PREFIX = 'support.access.';

/** Event types counted by the mass-revocation rule. */
export const REVOCATION_TYPES: readonly string[] = [EVENT.shareRevoked, EVENT.contactDeleted];
