/**
 * This file turns a sync plan into the batched writes that carry it out: the owner's masters, and
 * each recipient's copies with their copy group and the names of masters created in the same sync.
 */
import { withLink } from './contact-model';
import { MY_CONTACTS } from './footprint';
import { withoutGroup } from './sync-plan-fields';
import type { RecipientPlan, SyncPlan } from './sync-planner';
import type { AccountWrite, ContactUpdate, NewContact } from './sync-ports';

/** Batch limits of the People API (FACTS.md). */
export const MAX_WRITE_BATCH = 200;
export const MAX_DELETE_BATCH = 500;

/** Counts the writes of a plan, for reports. */
export function countPlannedWrites(plan: SyncPlan): {
  creates: number;
  updates: number;
  deletes: number;
} {
  let creates = plan.masterCreates.length;
  let updates = plan.masterUpdates.length;
  let deletes = plan.masterDeletes.length;
  for (const recipient of plan.recipients) {
    deletes += recipient.deletes.length;
    for (const write of recipient.writes)
      if (write.contact) updates++;
      else creates++;
  }
  return { creates, updates, deletes };
}

/** Splits items into batches of at most `size`. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size)
    chunks.push(items.slice(index, index + size));
  return chunks;
}

/**
 * Returns the owner's writes, in batches: creates first (each with the `new:<n>` names of the masters it
 * creates, in order), then updates, then deletions of duplicate masters.
 */
export function masterWrites(plan: SyncPlan): { write: AccountWrite; refs: string[] }[] {
  return [
    ...chunk(plan.masterCreates, MAX_WRITE_BATCH).map((batch) => ({
      write: {
        kind: 'createContacts',
        contacts: batch.map((create) => create.contact),
      } as AccountWrite,
      refs: batch.map((create) => create.ref),
    })),
    ...chunk(plan.masterUpdates, MAX_WRITE_BATCH).map((updates) => ({
      write: { kind: 'updateContacts', updates } as AccountWrite,
      refs: [],
    })),
    ...chunk(plan.masterDeletes, MAX_DELETE_BATCH).map((resourceNames) => ({
      write: { kind: 'deleteContacts', resourceNames } as AccountWrite,
      refs: [],
    })),
  ];
}

/**
 * Returns a recipient's writes, in batches, with the copy group and the names of masters created in this
 * sync filled in. Writes whose link names a master that could not be created are left out.
 */
export function recipientWrites(
  recipient: RecipientPlan,
  shareId: string,
  group: string | null,
  created: ReadonlyMap<string, string>,
): AccountWrite[] {
  const creates: NewContact[] = [];
  const updates: ContactUpdate[] = [];
  for (const write of recipient.writes) {
    let link = write.link;
    if (link && link.sourceResourceName.startsWith('new:')) {
      const name = created.get(link.sourceResourceName);
      if (!name) continue;
      link = { ...link, sourceResourceName: name };
    }
    if (!write.contact) {
      if (group === null) continue;
      creates.push({
        fields: write.fields,
        memberships: [group, MY_CONTACTS],
        clientData: withLink([], shareId, link),
      });
      continue;
    }
    const update: ContactUpdate = {
      resourceName: write.contact.resourceName,
      etag: write.contact.etag,
      fields: write.fields,
      mask: write.mask,
      clientData: withLink(write.contact.clientData, shareId, link),
    };
    if (write.membership && group !== null) {
      update.memberships =
        write.membership === 'add'
          ? [...write.contact.memberships.filter((name) => name !== group), group]
          : withoutGroup(write.contact.memberships, group);
    }
    updates.push(update);
  }
  const writes: AccountWrite[] = [
    ...chunk(updates, MAX_WRITE_BATCH).map((batch): AccountWrite => ({
      kind: 'updateContacts',
      updates: batch,
    })),
    ...chunk(creates, MAX_WRITE_BATCH).map((batch): AccountWrite => ({
      kind: 'createContacts',
      contacts: batch,
    })),
    ...chunk(recipient.deletes, MAX_DELETE_BATCH).map((batch): AccountWrite => ({
      kind: 'deleteContacts',
      resourceNames: batch,
    })),
  ];
  if (recipient.deleteGroup && group !== null)
    writes.push({ kind: 'deleteGroup', resourceName: group });
  return writes;
}
