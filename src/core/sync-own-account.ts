/**
 * This file defines the slices that work on the acting user's own account alone: adopting the
 * new owner's masters after a transfer of ownership, and removing what a share left behind.
 */
import { copyGroupLink, readGroupLink } from './contact-model';
import { checkListing } from './listing-guard';
import { pendingTransferKey, planFormerMasters, type PendingTransfer } from './ownership-transfer';
import type { Share } from './sharing-model';
import { SyncCheckpoints } from './sync-checkpoint';
import { copyGroupsIn } from './sync-listings';
import { planShareSync } from './sync-planner';
import { countPlannedWrites, MAX_WRITE_BATCH, recipientWrites } from './sync-plan-writes';
import { DEADLINE_REACHED, type AccountRef, type AccountWrite } from './sync-ports';
import {
  accessFor,
  emptySyncResult,
  recordSlice,
  refusalProblem,
  type SyncEngineDeps,
  type SyncOptions,
  type SyncResult,
} from './sync-slice';

/**
 * Turns the acting user's former masters of a share whose ownership they transferred into
 * copies of the new owner's masters (ownership-transfer.ts): a copy group is made (or found
 * again), the former label's contacts move into it linked to the new owner's copies of them,
 * and the former label is deleted. Re-running it after an interruption finishes the work; until
 * it is done, the pending record in the store makes every sync of the share finish it first.
 */
export function adoptFormerMasters(
  deps: SyncEngineDeps,
  share: Share,
  pending: PendingTransfer,
  options: SyncOptions,
): SyncResult {
  const shareId = share.id;
  const actor = deps.actor.toLowerCase();
  deps.store.set(pendingTransferKey(shareId), JSON.stringify(pending));
  const { failed, outOfTime } = sliceEnds(deps, shareId, share);
  const own: AccountRef = { account: actor, access: accessFor(deps, actor, shareId) };
  const owner = share.owner.toLowerCase();
  const ownerRef: AccountRef = { account: owner, access: accessFor(deps, owner, shareId) };
  const [groups] = deps.contacts.listGroups([own]);
  if (!groups?.ok)
    return failed(`Listing your labels failed: ${groups?.failure.message ?? 'no answer'}`);
  let copyGroup = copyGroupsIn(groups, shareId)[0]?.resourceName;
  const formerExists = groups.groups.some((group) => group.resourceName === pending.formerLabel);
  if (copyGroup === undefined) {
    const [created] = deps.contacts.write([
      {
        ...own,
        write: { kind: 'createGroup', name: share.labelName, clientData: [copyGroupLink(share)] },
      },
    ]);
    if (!created?.ok || !created.resourceNames[0])
      return failed(
        `Creating the label in your contacts failed: ${created && !created.ok ? created.failure.message : 'no answer'}`,
      );
    copyGroup = created.resourceNames[0];
  }
  if (formerExists) {
    const listings = deps.contacts.listContacts(
      [
        { ...own, syncToken: null, requestSyncToken: false },
        { ...ownerRef, syncToken: null, requestSyncToken: false },
      ],
      options.deadline,
    );
    if (listings.some((outcome) => !outcome.ok && outcome.failure.reason === DEADLINE_REACHED))
      return outOfTime();
    const [mine, theirs] = listings.map((outcome) =>
      outcome.ok ? checkListing(outcome.pages, true, false) : null,
    );
    if (!mine?.ok || !theirs?.ok)
      return failed(
        "Listing your contacts and the new owner's failed; nothing was changed, and the next sync tries again.",
      );
    const updates = planFormerMasters(
      share,
      pending.formerOwner,
      pending.formerLabel,
      copyGroup,
      mine.contacts,
      theirs.contacts,
    );
    for (let index = 0; index < updates.length; index += MAX_WRITE_BATCH) {
      if (deps.clock.now() >= options.deadline) return outOfTime();
      const [outcome] = deps.contacts.write([
        {
          ...own,
          write: { kind: 'updateContacts', updates: updates.slice(index, index + MAX_WRITE_BATCH) },
        },
      ]);
      if (!outcome?.ok)
        return failed(
          `Moving your contacts into the shared label failed: ${outcome?.failure.message ?? 'no answer'}`,
        );
      if (outcome.refused?.length) return failed(refusalProblem('your', outcome.refused));
    }
    const [deleted] = deps.contacts.write([
      { ...own, write: { kind: 'deleteGroup', resourceName: pending.formerLabel } },
    ]);
    if (!deleted?.ok)
      return failed(
        `Removing your former label failed: ${deleted?.failure.message ?? 'no answer'}`,
      );
  }
  const checkpoints = new SyncCheckpoints(deps.store);
  deps.store.delete(pendingTransferKey(shareId));
  checkpoints.deleteShare(shareId);
  checkpoints.saveAccount(shareId, actor, { t: null, g: copyGroup, j: false });
  return recordSlice(deps, shareId, share, emptySyncResult(shareId, 'done', 1));
}

/**
 * Runs one slice of removing from the acting user's own account what a share brought there,
 * once the share no longer includes them (it ended, or they left it) and no other sync removed
 * it: copies are deleted, merged pre-existing contacts unlinked, the copy group deleted. Only
 * contacts carrying the share's link are touched, and only on a complete listing. The caller
 * must have made sure that the user takes no part in the share. Call again while it returns
 * `continue`.
 */
export function removeOwnCopies(
  deps: SyncEngineDeps,
  shareId: string,
  options: SyncOptions,
): SyncResult {
  const account = deps.actor.toLowerCase();
  const ref: AccountRef = { account, access: { kind: 'direct', token: deps.ownToken() } };
  const { failed, outOfTime } = sliceEnds(deps, shareId, null);
  const [groups] = deps.contacts.listGroups([ref]);
  if (!groups?.ok)
    return failed(`Listing your labels failed: ${groups?.failure.message ?? 'no answer'}`);
  const copyGroups = copyGroupsIn(groups, shareId);
  const [listing] = deps.contacts.listContacts(
    [{ ...ref, syncToken: null, requestSyncToken: false }],
    options.deadline,
  );
  if (!listing?.ok) {
    if (listing?.failure.reason === DEADLINE_REACHED) return outOfTime();
    return failed(`Listing your contacts failed: ${listing?.failure.message ?? 'no answer'}`);
  }
  const checked = checkListing(listing.pages, true, false);
  if (!checked.ok) return failed(`Listing your contacts was refused: ${checked.problem}`);
  const group = copyGroups[0] ?? null;
  const groupLink = group ? readGroupLink(group.clientData, shareId) : null;
  const share: Share = {
    id: shareId,
    domain: '',
    owner: groupLink?.sourceOwner ?? '',
    labelResourceName: groupLink?.labelResourceName ?? '',
    labelName: group?.name ?? '',
    grants: [],
    hiddenFields: [],
    createdAt: '',
    updatedAt: '',
  };
  const plan = planShareSync({
    share,
    master: [],
    recipients: [
      {
        account,
        level: null,
        group: group?.resourceName ?? null,
        joined: true,
        contacts: checked.contacts,
      },
    ],
    masterChanged: null,
  });
  const recipient = plan.recipients[0];
  const writes: AccountWrite[] = [
    ...(recipient
      ? recipientWrites(recipient, shareId, group?.resourceName ?? null, new Map())
      : []),
    ...copyGroups
      .slice(1)
      .map((extra): AccountWrite => ({ kind: 'deleteGroup', resourceName: extra.resourceName })),
  ];
  const counts = countPlannedWrites(plan);
  for (const write of writes) {
    if (deps.clock.now() >= options.deadline) return outOfTime();
    const [outcome] = deps.contacts.write([{ ...ref, write }]);
    if (!outcome?.ok)
      return failed(
        `Removing the copies from your contacts failed: ${outcome?.failure.message ?? 'no answer'}`,
      );
    if (outcome.refused?.length) return failed(refusalProblem('your', outcome.refused));
  }
  return recordSlice(deps, shareId, null, {
    ...emptySyncResult(shareId, 'done', 1),
    updated: counts.updates,
    deleted: counts.deletes,
  });
}

/** The two early ends of a one-slice job: failed with a problem, or out of time. */
function sliceEnds(
  deps: SyncEngineDeps,
  shareId: string,
  share: Share | null,
): { failed(problem: string): SyncResult; outOfTime(): SyncResult } {
  return {
    failed: (problem) =>
      recordSlice(deps, shareId, share, emptySyncResult(shareId, 'failed', 1, [problem])),
    outOfTime: () =>
      recordSlice(deps, shareId, share, {
        ...emptySyncResult(shareId, 'continue', 1),
        outOfTime: true,
      }),
  };
}
