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
import type { SupportSessionView } from '../../core/support-contract';
import { SupportClient } from '../support/support-client';
import { formValue, pushCard, requireParameter, updateCard, UserFacingError } from './action-kit';
import type { ActionContext, ActionTable, AddonEvent, Card } from './action-kit';

function client(context: ActionContext): SupportClient {
  return new SupportClient(context.addon.backend);
}

/** The support page for the acting user, as the backend sees their roles. */
export function buildSupportCard(context: ActionContext): Card {
  const support = client(context);
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

function sessionCard(context: ActionContext, session: SupportSessionView): Card {
  return buildSessionCard(session, client(context).labels(session.id).labels);
}

function openSession(event: AddonEvent, context: ActionContext) {
  const minutesText = formValue(event, 'minutes');
  const minutes = minutesText === '' ? undefined : Number(minutesText);
  if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 5 || minutes > 60))
    throw new UserFacingError('Minutes must be a whole number from 5 to 60.');
  const repairJustification = formValue(event, 'repairJustification');
  const session = client(context).openSession({
    tenant: required(event, 'tenant', 'Customer domain').toLowerCase(),
    targetUser: required(event, 'targetUser', 'User').toLowerCase(),
    ticket: required(event, 'ticket', 'Ticket reference'),
    justification: required(event, 'justification', 'Justification'),
    ...(minutes === undefined ? {} : { minutes }),
    ...(repairJustification === '' ? {} : { repairJustification }),
  });
  if (session.status === 'pending')
    return updateCard(
      buildSupportCard(context),
      `Session requested: an admin of ${session.tenant} must approve it.`,
    );
  if (session.blockedByAlert)
    return updateCard(
      buildSupportCard(context),
      'Session opened, but an alert now blocks your access: justify it below.',
    );
  return pushCard(sessionCard(context, session), `Session open until ${session.expiresAt ?? ''}.`);
}

function repair(event: AddonEvent, context: ActionContext) {
  const support = client(context);
  const session = support.session(requireParameter(event, 'sessionId'));
  const added = support.repair(session.id, requireParameter(event, 'shareId'));
  return updateCard(
    sessionCard(context, session),
    added === 0 ? 'The label was in step already.' : `Re-synced: ${added} contacts re-linked.`,
  );
}

/** The support feature's card actions by name. */
export const supportActions = {
  supportHome: (_event, context) => updateCard(buildSupportCard(context)),
  openSupport: (_event, context) => pushCard(buildSupportCard(context)),
  supportEnrol: (_event, context) => pushCard(buildEnrolmentCard(client(context).enrol())),
  supportVerify: (event, context) => {
    const answer = client(context).verify(required(event, 'code', 'Code'));
    const text = answer.confirmedEnrolment
      ? 'Enrolment confirmed. You may open sessions for 30 minutes.'
      : answer.method === 'backup-code'
        ? 'Backup code accepted. Its use was reported to the security managers.'
        : 'Code accepted. You may open sessions for 30 minutes.';
    return updateCard(buildSupportCard(context), text);
  },
  supportOpenSession: openSession,
  supportSession: (event, context) =>
    pushCard(sessionCard(context, client(context).session(requireParameter(event, 'sessionId')))),
  supportLabel: (event, context) => {
    const read = client(context).labelContacts(
      requireParameter(event, 'sessionId'),
      requireParameter(event, 'shareId'),
    );
    return pushCard(buildLabelContactsCard(read.labelName, read.contacts, read.total));
  },
  supportRepair: repair,
  supportCloseSession: (event, context) => {
    client(context).closeSession(requireParameter(event, 'sessionId'));
    return updateCard(buildSupportCard(context), 'Session closed.');
  },
  supportJustify: (event, context) => {
    const alertId = requireParameter(event, 'alertId');
    client(context).justifyAlert(
      alertId,
      required(event, `justification_${alertId}`, 'Justification'),
    );
    return updateCard(
      buildSupportCard(context),
      'Justification sent: a security manager will review it.',
    );
  },
  supportApprove: (event, context) => {
    client(context).decide(requireParameter(event, 'sessionId'), true);
    return updateCard(buildSupportCard(context), 'Session approved.');
  },
  supportRefuse: (event, context) => {
    const sessionId = requireParameter(event, 'sessionId');
    client(context).decide(sessionId, false, required(event, `reason_${sessionId}`, 'Reason'));
    return updateCard(buildSupportCard(context), 'Session refused.');
  },
  supportTransparency: (_event, context) => {
    const view = client(context).transparency();
    return pushCard(buildTransparencyCard(view.tenant, view.sessions, view.accesses));
  },
} satisfies ActionTable;
