/**
 * This file defines the transfer of a share's ownership (DESIGN.md §4): the owner offers it to one
 * of the share's person members; that member accepts in their own sidebar, naming a label of
 * theirs that becomes the share's (checked in their account: a user group, never a system group);
 * the owner may withdraw the offer and the member decline it; the former owner's add-on reports
 * when its account has turned the former masters into copies. Every step and refusal is audited.
 */
import type { Level, Share, ShareGrant } from '../../core/sharing-model';
import { PeopleClient } from '../../google/people-client';
import type { Caller } from '../platform/auth';
import type { Sql } from '../platform/db';
import { badRequest, forbidden, HttpError, notFound } from '../platform/errors';
import { EVENT } from '../audit/event-types';
import { CONTACTS_SCOPE } from '../../core/google-scopes';
import { runGoogleCall } from '../gateway/google-runner';
import { route, type Route } from '../platform/http';
import { emptyBody } from '../platform/schemas';
import { acceptTransferBody, offerTransferBody } from './share-schemas';
import type { BackendServices } from '../services';
import { auditedShareChange, lockedShareChange } from './share-change';
import { refuseShareRequest } from './share-refusal';
import { shares } from './share-store';

/** Returns the transfer routes. */
export function transferRoutes(services: BackendServices): Route[] {
  const { db } = services;

  const refuse = (who: Caller, origin: string, shareId: string, error: HttpError): Promise<never> =>
    refuseShareRequest(services, who, origin, shareId, error, 'transfer');

  /** The live share, or an audited 404 for callers who take no part in it. */
  const participantShare = async (
    who: Caller,
    id: string,
    origin: string,
  ): Promise<{ share: Share; level: Level | null }> => {
    const found = await shares.get(db, id);
    const share = found && found.domain === who.tenant ? found : null;
    const level = share ? await services.levelOf(share, who.email) : null;
    if (!share || (level === null && share.formerOwner !== who.email.toLowerCase()))
      return refuse(who, origin, id, notFound(`no share ${id}`));
    return { share, level };
  };

  /** True when the label is a user contact group in the caller's own account. */
  const isOwnLabel = async (who: Caller, label: string): Promise<boolean> => {
    const token = await services.minter.tokenFor(who.email.toLowerCase(), [CONTACTS_SCOPE]);
    try {
      const group = await runGoogleCall(
        new PeopleClient(token.accessToken).getContactGroup(label, 'name,groupType'),
        services.config.peopleApiUrl,
      );
      return group.groupType === 'USER_CONTACT_GROUP';
    } catch {
      return false;
    }
  };

  /** Changes the locked share and records the step, naming the owner it had before. */
  const recordChange = (
    share: Share,
    who: Caller,
    origin: string,
    type: string,
    target: string | undefined,
    change: (tx: Sql, locked: Share) => Promise<void>,
  ): Promise<void> =>
    lockedShareChange(services, share, who, origin, async (tx, locked) => {
      await change(tx, locked);
      return { type, target, detail: { formerOwner: locked.owner.toLowerCase() } };
    });

  return [
    route({
      method: 'POST',
      path: '/v1/shares/{id}/transfer',
      summary:
        "Offers the share's ownership to one of its person members (owner only); they accept in their own sidebar. Audited.",
      auth: true,
      body: offerTransferBody,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const { share, level } = await participantShare(who, id, context.origin);
        const to = context.body.to.toLowerCase();
        if (level !== 'owner')
          return refuse(
            who,
            context.origin,
            id,
            forbidden('only the owner may hand a share over', 'insufficient_level'),
          );
        if (!(await services.tenancy.hasAddress(share.domain, to, who.email)))
          return refuse(
            who,
            context.origin,
            id,
            forbidden(
              `ownership may pass only to someone of your own organisation, not to ${to}`,
              'transfer_other_domain',
            ),
          );
        const member = share.grants.some(
          (grant) => grant.target.kind === 'user' && grant.target.email.toLowerCase() === to,
        );
        if (!member || to === share.owner.toLowerCase())
          return refuse(
            who,
            context.origin,
            id,
            forbidden(
              `${to} is not a member of this share in their own name; share the label with them first`,
              'transfer_not_participant',
            ),
          );
        await recordChange(share, who, context.origin, EVENT.shareOwnershipOffered, to, (tx) =>
          shares.offer(tx, id, to, services.nowIso()),
        );
        return { body: await shares.get(db, id) };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/shares/{id}/transfer/accept',
      summary:
        "The member the ownership was offered to accepts it, naming a label of their own (a user contact group, checked in their account) that becomes the share's; the former owner keeps manage. Audited.",
      auth: true,
      body: acceptTransferBody,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const { share } = await participantShare(who, id, context.origin);
        const me = who.email.toLowerCase();
        if (share.offeredTo !== me)
          return refuse(
            who,
            context.origin,
            id,
            forbidden('the ownership of this share was not offered to you', 'not_offered'),
          );
        const label = context.body.labelResourceName;
        if (!(await isOwnLabel(who, label)))
          return refuse(
            who,
            context.origin,
            id,
            badRequest(`${label} is not one of your own labels`, 'not_your_label'),
          );
        const isMine = (grant: ShareGrant): boolean =>
          grant.target.kind === 'user' && grant.target.email.toLowerCase() === me;
        await recordChange(
          share,
          who,
          context.origin,
          EVENT.shareOwnershipTransferred,
          me,
          async (tx, locked) => {
            await shares.transfer(tx, {
              ...locked,
              owner: me,
              labelResourceName: label,
              grants: [
                { target: { kind: 'user', email: locked.owner.toLowerCase() }, level: 'manage' },
                ...locked.grants.filter((grant) => !isMine(grant)),
              ],
              formerOwner: locked.owner.toLowerCase(),
              formerLabel: locked.labelResourceName,
              updatedAt: services.nowIso(),
            });
          },
        );
        return { body: await shares.get(db, id) };
      },
    }),
    route({
      method: 'DELETE',
      path: '/v1/shares/{id}/transfer',
      summary:
        'Withdraws an offer of ownership (the owner) or declines it (the member it was offered to). Audited.',
      auth: true,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const { share, level } = await participantShare(who, id, context.origin);
        const me = who.email.toLowerCase();
        if (share.offeredTo === null || share.offeredTo === undefined)
          return refuse(
            who,
            context.origin,
            id,
            new HttpError(409, 'no_offer', 'no transfer of this share is on offer'),
          );
        if (level !== 'owner' && share.offeredTo !== me)
          return refuse(
            who,
            context.origin,
            id,
            forbidden('only the owner or the member it was offered to may end an offer'),
          );
        await recordChange(
          share,
          who,
          context.origin,
          EVENT.shareOwnershipOfferEnded,
          share.offeredTo,
          (tx) => shares.offer(tx, id, null, services.nowIso()),
        );
        return { body: await shares.get(db, id) };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/shares/{id}/transfer/adopted',
      summary:
        "The former owner's add-on reports that its account turned the former masters into copies. Audited.",
      auth: true,
      body: emptyBody,
      handle: async (context) => {
        const who = context.caller;
        const id = context.params.id ?? '';
        const { share } = await participantShare(who, id, context.origin);
        if (share.formerOwner !== who.email.toLowerCase())
          return refuse(
            who,
            context.origin,
            id,
            forbidden('only the former owner reports the adoption', 'not_former_owner'),
          );
        await auditedShareChange(services, share, who, context.origin, async (tx) => {
          await shares.adopted(tx, id);
          return { type: EVENT.shareOwnershipAdopted };
        });
        return { body: await shares.get(db, id) };
      },
    }),
  ];
}
