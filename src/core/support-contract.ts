/**
 * This file defines the support feature's wire contract: the shapes of a support session, of a
 * label's state in a user's account and of a label's contact, as the backend sends them and the
 * add-on's support card reads them.
 */

/** A support session's status as shown: an open session past its end is `expired`. */
export type SupportSessionStatus = 'pending' | 'open' | 'refused' | 'closed' | 'expired';

/** A support session as the backend shows it to the add-on. */
export interface SupportSessionView {
  id: string;
  agent: string;
  tenant: string;
  targetUser: string;
  ticket: string;
  justification: string;
  repair: boolean;
  repairJustification: string | null;
  minutes: number;
  status: SupportSessionStatus;
  createdAt: string;
  decidedBy: string | null;
  decisionReason: string | null;
  expiresAt: string | null;
  blockedByAlert?: boolean;
}

/** A shared label's state in the session user's account, as the backend reads it. */
export interface LabelState {
  shareId: string;
  labelName: string;
  owner: string;
  /** True when the label (owner) or its copy (recipient) exists in the user's account. */
  found: boolean;
  memberCount: number;
  /** Contacts of the user's account linked to the share (copies); 0 for the owner. */
  linkedContacts: number;
  summary: string;
}

/** A contact of a label, as the support card shows it. */
export interface ContactLine {
  name: string;
  email: string;
}
