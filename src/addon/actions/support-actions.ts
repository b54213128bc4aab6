/**
 * This file defines the card actions of the support feature, dispatched by the router: the
 * support home page, enrolment and codes, sessions (open, browse, contacts, repair, close),
 * justifying alerts, and for tenant admins approvals and access transparency. The backend decides
 * who may do what; a refusal reaches the user as its message.
 */
import {
  buildEnrolmentCard,
  buildLabelContactsCard,
  buildNotForYouCard,
  buildSessionCard,
  buildSupportHomeCard,
  buildTransparencyCard,
} from '../cards/support/support-cards';
import { buildMessageCard } from '../cards/message-card';
import { addonContext } from '../context';
import { SupportClient, type SupportSessionView } from '../support/support-client';
import {
  formValue,
  pushCard,
  requireParameter,
  updateCard,
  UserFacingError,
  type ActionTable,
} from './action-kit';

type AddonEvent = GoogleAppsScript.Addons.EventObject;
type Card = GoogleAppsScript.Card_Service.Card;

function client(): SupportClient {
  return new SupportClient(addonContext().backend);
}

/** The support page for the acting user, as the backend sees their roles. */
export function buildSupportCard(): Card {
  const support = client();
  let me;
  try {
    me = support.me();
  } catch (error) {
    console.warn("support: the backend could not be asked for the caller's roles", error);
    return buildMessageCard(
      'Support access',
      'Support access is unavailable right now. Try again in a minute.',
    );
  }
  if (!me.agent && !me.admin) return buildNotForYouCard();
  const pending = me.admin && me.tenant ? support.pendingApprovals(me.tenant) : [];
  return buildSupportHomeCard(me, pending);
}

function required(event: AddonEvent, name: string, label: string): string {
  const value = formValue(event, name);
  if (value === '') throw new UserFacingError(`Fill in "${label}" first.`);
  return value;
}

function sessionCard(session: SupportSessionView): Card {
  return buildSessionCard(session, client().labels(session.id).labels);
}

function openSession(event: AddonEvent) {
  const minutesText = formValue(event, 'minutes');
  const minutes = minutesText === '' ? undefined : Number(minutesText);
  if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 5 || minutes > 60))
    throw new UserFacingError('Minutes must be a whole number from 5 to 60.');
  const repairJustification = formValue(event, 'repairJustification');
  const session = client().openSession({
    tenant: required(event, 'tenant', 'Customer domain').toLowerCase(),
    targetUser: required(event, 'targetUser', 'User').toLowerCase(),
    ticket: required(event, 'ticket', 'Ticket reference'),
    justification: required(event, 'justification', 'Justification'),
    ...(minutes === undefined ? {} : { minutes }),
    ...(repairJustification === '' ? {} : { repairJustification }),
  });
  if (session.status === 'pending')
    return updateCard(
      buildSupportCard(),
      `Session requested: an admin of ${session.tenant} must approve it.`,
    );
  if (session.blockedByAlert)
    return updateCard(
      buildSupportCard(),
      'Session opened, but an alert now blocks your access: justify it below.',
    );
  return pushCard(sessionCard(session), `Session open until ${session.expiresAt ?? ''}.`);
}

function repair(event: AddonEvent) {
  const support = client();
  const session = support.session(requireParameter(event, 'sessionId'));
  const added = support.repair(session.id, requireParameter(event, 'shareId'));
  return updateCard(
    sessionCard(session),
    added === 0 ? 'The label was in step already.' : `Re-synced: ${added} contacts re-linked.`,
  );
}

/** The support feature's card actions by name. */
export const supportActions: ActionTable = {
  supportHome: () => updateCard(buildSupportCard()),
  openSupport: () => pushCard(buildSupportCard()),
  supportEnrol: () => pushCard(buildEnrolmentCard(client().enrol())),
  supportVerify: (event) => {
    const answer = client().verify(required(event, 'code', 'Code'));
    const text = answer.confirmedEnrolment
      ? 'Enrolment confirmed. You may open sessions for 30 minutes.'
      : answer.method === 'backup-code'
        ? 'Backup code accepted. Its use was reported to the security managers.'
        : 'Code accepted. You may open sessions for 30 minutes.';
    return updateCard(buildSupportCard(), text);
  },
  supportOpenSession: openSession,
  supportSession: (event) =>
    pushCard(sessionCard(client().session(requireParameter(event, 'sessionId')))),
  supportLabel: (event) => {
    const read = client().labelContacts(
      requireParameter(event, 'sessionId'),
      requireParameter(event, 'shareId'),
    );
    return pushCard(buildLabelContactsCard(read.labelName, read.contacts, read.total));
  },
  supportRepair: repair,
  supportCloseSession: (event) => {
    client().closeSession(requireParameter(event, 'sessionId'));
    return updateCard(buildSupportCard(), 'Session closed.');
  },
  supportJustify: (event) => {
    const alertId = requireParameter(event, 'alertId');
    client().justifyAlert(alertId, required(event, `justification_${alertId}`, 'Justification'));
    return updateCard(buildSupportCard(), 'Justification sent: a security manager will review it.');
  },
  supportApprove: (event) => {
    client().decide(requireParameter(event, 'sessionId'), true);
    return updateCard(buildSupportCard(), 'Session approved.');
  },
  supportRefuse: (event) => {
    const sessionId = requireParameter(event, 'sessionId');
    client().decide(sessionId, false, required(event, `reason_${sessionId}`, 'Reason'));
    return updateCard(buildSupportCard(), 'Session refused.');
  },
  supportTransparency: () => {
    const view = client().transparency();
    return pushCard(buildTransparencyCard(view.tenant, view.sessions, view.accesses));
  },
};
