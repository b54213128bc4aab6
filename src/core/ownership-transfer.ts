/**
 * This file defines what a transfer of a share's ownership changes in contacts (DESIGN.md §4–§5):
 * the new owner's copies become the masters (keeping their links, which name the masters they
 * were copied from), the former owner's masters become copies of them, and every other copy is
 * re-linked to the new masters through those links.
 */
import {
  carriesLink,
  readLink,
  withLink,
  type ContactSnapshot,
  type Fingerprint,
} from './contact-model';
import type { Share } from './sharing-model';
import type { RecipientPlan } from './sync-planner';
import type { AccountWrite, ContactUpdate } from './sync-ports';

/** The store key under which a former owner's account awaits adoption of its former masters. */
export function pendingTransferKey(shareId: string): string {
  return `sc:${shareId}:transfer`;
}

/** What the former owner's account must still do after a transfer: its former label. */
export interface PendingTransfer {
  formerOwner: string;
  formerLabel: string;
}

function where(account: string, resourceName: string): string {
  return `${account.toLowerCase()}|${resourceName}`;
}

/**
 * Maps `account|resourceName` of every contact that stands for a master (the master itself, the
 * contact its link names, and, following links, copies of copies made by earlier owners) to the
 * master's resource name.
 */
export function mastersByFormerName(
  share: Share,
  master: readonly ContactSnapshot[],
  recipients: ReadonlyMap<string, readonly ContactSnapshot[]>,
): Map<string, string> {
  const owner = share.owner.toLowerCase();
  const names = new Map<string, string>();
  for (const contact of master) {
    if (!contact.memberships.includes(share.labelResourceName)) continue;
    names.set(where(owner, contact.resourceName), contact.resourceName);
    const link = readLink(contact.clientData, share.id);
    if (link) names.set(where(link.sourceOwner, link.sourceResourceName), contact.resourceName);
  }
  for (let round = 0, grown = true; grown && round < 4; round++) {
    grown = false;
    for (const [account, contacts] of recipients)
      for (const contact of contacts) {
        const link = readLink(contact.clientData, share.id);
        const key = where(account, contact.resourceName);
        if (!link || names.has(key)) continue;
        const target = names.get(where(link.sourceOwner, link.sourceResourceName));
        if (target === undefined) continue;
        names.set(key, target);
        grown = true;
      }
  }
  return names;
}

/** Recipients' contacts with their links re-pointed, and those whose link changed, by account. */
export interface Relinked {
  contacts: Map<string, ContactSnapshot[]>;
  changed: Map<string, ContactSnapshot[]>;
}

/**
 * Returns each recipient's contacts with links that name a former owner re-pointed at the current
 * master they stand for, and, apart, the contacts so re-pointed (`linkRewrites` stores their new
 * links). Links to the current owner, and links that lead to no master, are left as they are.
 */
export function relinkToCurrentMasters(
  share: Share,
  master: readonly ContactSnapshot[],
  recipients: ReadonlyMap<string, ContactSnapshot[]>,
): Relinked {
  const owner = share.owner.toLowerCase();
  const needed = [...recipients.values()].some((contacts) =>
    contacts.some((contact) => {
      const link = readLink(contact.clientData, share.id);
      return link !== null && link.sourceOwner.toLowerCase() !== owner;
    }),
  );
  const changed = new Map<string, ContactSnapshot[]>();
  if (!needed) return { contacts: new Map(recipients), changed };
  const names = mastersByFormerName(share, master, recipients);
  const result = new Map<string, ContactSnapshot[]>();
  for (const [account, contacts] of recipients) {
    const rewritten: ContactSnapshot[] = [];
    result.set(
      account,
      contacts.map((contact) => {
        const link = readLink(contact.clientData, share.id);
        if (!link || link.sourceOwner.toLowerCase() === owner) return contact;
        const target = names.get(where(link.sourceOwner, link.sourceResourceName));
        if (target === undefined) return contact;
        const relinked = {
          ...contact,
          clientData: withLink(contact.clientData, share.id, {
            ...link,
            sourceOwner: share.owner,
            sourceResourceName: target,
          }),
        };
        rewritten.push(relinked);
        return relinked;
      }),
    );
    if (rewritten.length > 0) changed.set(account, rewritten);
  }
  return { contacts: result, changed };
}

/**
 * The writes that store the re-pointed links of a recipient's copies that its plan leaves alone
 * (a copy the plan writes or deletes gets its link, or goes, with that write), 200 a call.
 */
export function linkRewrites(
  plan: RecipientPlan,
  relinked: readonly ContactSnapshot[],
): AccountWrite[] {
  const touched = new Set(plan.deletes);
  for (const write of plan.writes) if (write.contact) touched.add(write.contact.resourceName);
  const updates: ContactUpdate[] = relinked
    .filter((contact) => !touched.has(contact.resourceName))
    .map((contact) => ({
      resourceName: contact.resourceName,
      etag: contact.etag,
      fields: {},
      mask: [],
      clientData: contact.clientData,
    }));
  const writes: AccountWrite[] = [];
  for (let index = 0; index < updates.length; index += 200)
    writes.push({ kind: 'updateContacts', updates: updates.slice(index, index + 200) });
  return writes;
}

/**
 * Plans the changes that turn the former owner's masters into copies of the new masters: each
 * contact of the former label moves to the copy group and, when the new owner holds a copy of it,
 * is linked to that copy (now its master) with the base that copy was last synced at, so that an
 * edit made on either side since then still wins. A contact the new owner has no copy of stays
 * unlinked in the copy group: the next sync adds it as the former owner's contribution.
 */
export function planFormerMasters(
  share: Share,
  formerOwner: string,
  formerLabel: string,
  copyGroup: string,
  formerContacts: readonly ContactSnapshot[],
  newOwnerContacts: readonly ContactSnapshot[],
): ContactUpdate[] {
  const copies = new Map<string, { resourceName: string; base: Fingerprint }>();
  const former = formerOwner.toLowerCase();
  for (const contact of newOwnerContacts) {
    const link = readLink(contact.clientData, share.id);
    if (!link || link.sourceOwner.toLowerCase() !== former) continue;
    if (!contact.memberships.includes(share.labelResourceName)) continue;
    copies.set(link.sourceResourceName, { resourceName: contact.resourceName, base: link.base });
  }
  const updates: ContactUpdate[] = [];
  for (const contact of formerContacts) {
    if (!contact.memberships.includes(formerLabel)) continue;
    if (carriesLink(contact.clientData, share.id)) continue;
    const copy = copies.get(contact.resourceName);
    updates.push({
      resourceName: contact.resourceName,
      etag: contact.etag,
      fields: {},
      mask: [],
      memberships: [...contact.memberships.filter((name) => name !== formerLabel), copyGroup],
      clientData: copy
        ? withLink(contact.clientData, share.id, {
            shareId: share.id,
            sourceOwner: share.owner,
            sourceResourceName: copy.resourceName,
            merged: false,
            base: copy.base,
          })
        : [...contact.clientData],
    });
  }
  return updates;
}
