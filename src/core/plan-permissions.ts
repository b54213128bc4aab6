/**
 * This file reduces a sync plan to what the acting user may write (DESIGN.md §6): each write is
 * classified as the share gateway classifies it (footprint.ts), and what the actor's level does not
 * allow is left out, for a participant of a higher level, or the account's own user, to do.
 */
import { readLink, type ContactSnapshot } from './contact-model';
import type { FootprintOperation } from './footprint';
import type { CopyWrite, RecipientPlan, SyncPlan } from './sync-planner';
import type { ContactUpdate } from './sync-ports';

/** Whether the actor may perform an operation in an account (the owner's, or a recipient's). */
export type WriteAllowance = (account: string, operation: FootprintOperation) => boolean;

/** The gateway operation a planned write to a recipient's contact is. */
export function copyWriteOperation(write: CopyWrite): FootprintOperation {
  if (write.contact === null) return 'createContacts';
  if (write.link === null || write.membership === 'remove') return 'unlink';
  if (write.link.merged && readLink(write.contact.clientData, write.link.shareId) === null)
    return 'merge';
  return 'updateFields';
}

/** The gateway operation of a planned update of a master: leaving the label, or its fields. */
export function masterUpdateOperation(update: ContactUpdate): FootprintOperation {
  return update.memberships === undefined ? 'updateFields' : 'unlink';
}

/**
 * The plan less what the actor may not write, and the recipients' accounts it leaves short of
 * the master (they must not be taken as level with it). A master whose leaving the label the
 * actor may not write stays in it, and so do its copies: `sourceOf` names a recipient's copy's
 * master, so that no copy of it is deleted or unlinked while it stays.
 */
export function permittedPlan(
  plan: SyncPlan,
  owner: string,
  allows: WriteAllowance,
  sourceOf: (account: string, resourceName: string) => string | null = () => null,
): { plan: SyncPlan; partial: Set<string> } {
  const partial = new Set<string>();
  const masterUpdates = plan.masterUpdates.filter((update) =>
    allows(owner, masterUpdateOperation(update)),
  );
  const staying = new Set(
    plan.masterUpdates
      .filter((update) => !masterUpdates.includes(update))
      .filter((update) => masterUpdateOperation(update) === 'unlink')
      .map((update) => update.resourceName),
  );
  const stays = (account: string, resourceName: string): boolean => {
    const source = sourceOf(account, resourceName);
    return source !== null && staying.has(source);
  };
  const recipients = plan.recipients.map((recipient): RecipientPlan => {
    const account = recipient.account;
    const writes = recipient.writes.filter(
      (write) =>
        allows(account, copyWriteOperation(write)) &&
        !(
          copyWriteOperation(write) === 'unlink' &&
          write.contact !== null &&
          stays(account, write.contact.resourceName)
        ),
    );
    const deletes = allows(account, 'deleteContacts')
      ? recipient.deletes.filter((name) => !stays(account, name))
      : [];
    const deleteGroup = recipient.deleteGroup && allows(account, 'deleteGroup');
    if (
      writes.length < recipient.writes.length ||
      deletes.length < recipient.deletes.length ||
      deleteGroup !== recipient.deleteGroup
    )
      partial.add(account);
    return { ...recipient, writes, deletes, deleteGroup };
  });
  return {
    plan: {
      ...plan,
      masterCreates: allows(owner, 'createContacts') ? plan.masterCreates : [],
      masterUpdates,
      masterDeletes: allows(owner, 'deleteContacts') ? plan.masterDeletes : [],
      recipients,
    },
    partial,
  };
}

/**
 * Returns the `sourceOf` of permittedPlan over complete listings: the master that a contact of an
 * account is a copy of, read from its link once per account.
 */
export function linkedSources(
  contactsOf: ReadonlyMap<string, readonly ContactSnapshot[]>,
  shareId: string,
): (account: string, resourceName: string) => string | null {
  const sources = new Map<string, Map<string, string>>();
  return (account, resourceName) => {
    let known = sources.get(account);
    if (!known) {
      known = new Map();
      for (const contact of contactsOf.get(account) ?? []) {
        const source = readLink(contact.clientData, shareId)?.sourceResourceName;
        if (source !== undefined) known.set(contact.resourceName, source);
      }
      sources.set(account, known);
    }
    return known.get(resourceName) ?? null;
  };
}
