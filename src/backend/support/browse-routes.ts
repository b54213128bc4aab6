/**
 * This file defines what an agent does within an open support session: list the user's shares,
 * read their labels and contacts, and repair a share's copy.
 */
import { SUPPORT_EVENT } from '../audit/event-types';
import { conflict, forbidden } from '../platform/errors';
import type { Caller } from '../platform/auth';
import { route, type Route } from '../platform/http';
import type { BackendServices, ServerEvent } from '../services';
import { readLabelContacts, readLabelStates, repairCopyGroup } from './support-browse';
import * as schema from './support-schemas';
import type { SupportContext } from './support-context';
import type { SupportSessionRecord } from './support-store';

/** Returns the routes an agent uses within a support session. */
export function browseRoutes(services: BackendServices, support: SupportContext): Route[] {
  const { refuse, requireAgent, sharesOfUser, sessionShare, inAccount, openSessionOf } = support;

  /** The open session the path names, once the caller is confirmed as an agent for `operation`. */
  const agentSession = async (
    who: Caller,
    origin: string,
    id: string | undefined,
    operation: string,
  ): Promise<SupportSessionRecord> => {
    await requireAgent(who, origin, operation);
    return openSessionOf(who, id ?? '', origin);
  };

  /** Records what the agent did in the session user's account, in the session's tenant's chain. */
  const recordInSession = (
    who: Caller,
    origin: string,
    session: SupportSessionRecord,
    event: Omit<ServerEvent, 'target'>,
  ): Promise<void> =>
    services.recordNow(session.tenant, who.email, origin, [
      {
        ...event,
        target: session.targetUser,
        detail: { sessionId: session.id, ...event.detail },
      },
    ]);

  return [
    route({
      method: 'GET',
      path: '/v1/support/sessions/{id}/shares',
      summary:
        "The session user's shares (owned and shared with them), read through an open session; audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const session = await agentSession(who, context.origin, context.params.id, 'read_shares');
        const user = session.targetUser;
        const found = await sharesOfUser(user, session.tenant);
        await recordInSession(who, context.origin, session, {
          type: SUPPORT_EVENT.sharesRead,
          outcome: 'success',
          detail: { shares: found.length },
        });
        return { body: { user, shares: found } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/support/sessions/{id}/labels',
      summary:
        "The state of each shared label in the session user's account (its label or copy group, member and linked counts), read by the backend within the shares' footprints; audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const session = await agentSession(who, context.origin, context.params.id, 'read_labels');
        const user = session.targetUser;
        const found = await sharesOfUser(user, session.tenant);
        const labels = await inAccount(user, (client) => readLabelStates(client, user, found));
        await recordInSession(who, context.origin, session, {
          type: SUPPORT_EVENT.labelsRead,
          outcome: 'success',
          detail: { shares: found.length },
        });
        return { body: { user, labels } };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/support/sessions/{id}/shares/{shareId}/contacts',
      summary:
        "Names and addresses of the contacts of one of the session user's shared labels (its footprint in their account, at most 50), read by the backend; audited.",
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const session = await agentSession(who, context.origin, context.params.id, 'read_contacts');
        const share = await sessionShare(
          who,
          session,
          context.params.shareId ?? '',
          context.origin,
        );
        const user = session.targetUser;
        const read = await inAccount(user, (client) => readLabelContacts(client, user, share));
        await recordInSession(who, context.origin, session, {
          type: SUPPORT_EVENT.contactsRead,
          shareId: share.id,
          outcome: 'success',
          detail: { contacts: read.contacts.length },
        });
        return { body: { labelName: share.labelName, ...read } };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/support/sessions/{id}/repairs',
      summary:
        "Repairs one of the session user's shared labels in a session with a repair scope: the contacts linked to the share are put back into its copy group, by the backend; audited.",
      auth: true,
      body: schema.repairBody,
      handle: async (context) => {
        const who = context.caller;
        const session = await agentSession(who, context.origin, context.params.id, 'repair');
        if (!session.repair)
          await refuse(
            who,
            context.origin,
            'repair',
            forbidden('this support session is read-only', 'support_read_only'),
            { tenant: session.tenant, target: session.targetUser },
          );
        const share = await sessionShare(who, session, context.body.shareId, context.origin);
        const user = session.targetUser;
        let relinked: number | null;
        try {
          relinked = await inAccount(user, (client) => repairCopyGroup(client, user, share));
        } catch (error) {
          await recordInSession(who, context.origin, session, {
            type: SUPPORT_EVENT.repair,
            shareId: share.id,
            outcome: 'failure',
            detail: { relinked: 0 },
          });
          throw error;
        }
        if (relinked === null)
          throw conflict(
            'the user has no copy of this label yet: their next sync makes it',
            'no_copy_group',
          );
        await recordInSession(who, context.origin, session, {
          type: SUPPORT_EVENT.repair,
          shareId: share.id,
          outcome: 'success',
          detail: { relinked },
        });
        return { status: 201, body: { relinked } };
      },
    }),
  ];
}
