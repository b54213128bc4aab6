/**
 * This file defines the sync planner: from complete listings of the owner's account and of every
 * recipient's, it decides the writes that bring all copies level with the master (DESIGN.md §5).
 * It is pure: plain data in, plain data out, so that every rule can be tested on its own. Its
 * fingerprints live in sync-plan-fields.ts; the writes that carry a plan out in sync-plan-writes.ts.
 */
import {
  isMergeCandidate,
  matchKeys,
  originKey,
  readLink,
  samePerson,
  visibleFields,
  type ContactSnapshot,
  type CopyLink,
  type FieldValues,
  type SyncedField,
} from './contact-model';
import { MY_CONTACTS } from './footprint';
import { levelAllows, type Level, type Share } from './sharing-model';
import {
  baseOf,
  copyHashesOf,
  FIELDS,
  hashesOf,
  isUpToDate,
  pick,
  sameFingerprint,
  UNKNOWN_BASE,
  withoutGroup,
  type Linked,
} from './sync-plan-fields';
import type { ContactUpdate, NewContact } from './sync-ports';

/** A recipient's account as listed for a sync. */
export interface RecipientState {
  account: string;
  /** The recipient's level, or null when they no longer take part: what the share brought goes. */
  level: Level | null;
  /** The copy group, or null when it does not exist (yet). */
  group: string | null;
  /** True when a sync of this share has completed for the account before. */
  joined: boolean;
  /** Every live contact of the account, from a complete listing. */
  contacts: ContactSnapshot[];
}

/** What the planner is given. `masterChanged` is null when the changes since the last sync are unknown. */
export interface PlanInput {
  share: Share;
  master: ContactSnapshot[];
  recipients: RecipientState[];
  masterChanged: ReadonlySet<string> | null;
}

/** A field edited on two sides: the later edit won; the losing value is reported. */
export interface Conflict {
  masterResourceName: string;
  field: SyncedField;
  winner: string;
  loser: string;
  losingValue: unknown[] | null;
}

/** A change that a recipient's level does not allow, undone by the sync. */
export interface Revert {
  account: string;
  resourceName: string;
  kind: 'edit' | 'add' | 'remove';
}

/** A write to a copy, still to be tied to its group and to masters created in the same sync. */
export interface CopyWrite {
  /** The copy to update, or null to create one. */
  contact: ContactSnapshot | null;
  fields: FieldValues;
  mask: SyncedField[];
  /** The new link; its `sourceResourceName` may be `new:<n>`, a master created in this sync. */
  link: CopyLink | null;
  membership?: 'add' | 'remove';
}

/** The writes for one recipient. */
export interface RecipientPlan {
  account: string;
  needsGroup: boolean;
  writes: CopyWrite[];
  deletes: string[];
  deleteGroup: boolean;
}

/** Everything a sync would do, and what it would report. */
export interface SyncPlan {
  /** Masters to create for contacts that recipients added; `ref` is the `new:<n>` name. */
  masterCreates: { ref: string; contact: NewContact }[];
  masterUpdates: ContactUpdate[];
  /** Duplicate masters to delete (made twice from one recipient's contact). */
  masterDeletes: string[];
  recipients: RecipientPlan[];
  /** Master contacts that leave the label in this sync (removed by owner or a contributor). */
  labelDeletions: number;
  labelSize: number;
  conflicts: Conflict[];
  reverts: Revert[];
  merges: number;
}

/**
 * Plans one sync of a share. Decisions, per master contact of the label:
 * a copy missing from a joined account, or taken out of the copy group, counts as a removal by a
 * `contribute`+ recipient when the master did not change since the last sync, and is re-created
 * otherwise; a field edited since the copy's base is taken from `edit`+ recipients, the later edit
 * winning against the master and other recipients, and reverted for `view` recipients; contacts a
 * recipient put into the copy group become new masters (`contribute`+), copied to every other
 * recipient in the same sync, or leave the group again.
 */
export function planShareSync(input: PlanInput): SyncPlan {
  const { share, masterChanged } = input;
  const visible = visibleFields(share.hiddenFields);
  const visibleSet = new Set(visible);
  const visibleIndexes = visible.map((field) => FIELDS.indexOf(field));
  const label = share.labelResourceName;

  const masters = new Map<string, ContactSnapshot>();
  const renamed = new Map<string, string>();
  for (const contact of input.master) {
    for (const previous of contact.previousResourceNames)
      renamed.set(previous, contact.resourceName);
    if (contact.memberships.includes(label)) masters.set(contact.resourceName, contact);
  }
  const resolve = (name: string): string =>
    masters.has(name) ? name : (renamed.get(name) ?? name);
  // Two masters made from one recipient's contact are the work of two syncs that ran at once:
  // the first by resource name stays, the other is deleted and its copies follow the first.
  const origins = new Map<string, string>();
  const duplicates: string[] = [];
  for (const name of [...masters.keys()].sort()) {
    const master = masters.get(name) as ContactSnapshot;
    const origin = master.clientData.find((entry) => entry.key === originKey(share.id));
    if (!origin) continue;
    const first = origins.get(origin.value);
    if (first === undefined) origins.set(origin.value, name);
    else {
      masters.delete(name);
      renamed.set(name, first);
      duplicates.push(name);
    }
  }
  const linkTo = (name: string): CopyLink => ({
    shareId: share.id,
    sourceOwner: share.owner,
    sourceResourceName: name,
    merged: false,
    base: UNKNOWN_BASE,
  });

  const plan: SyncPlan = {
    masterCreates: [],
    masterUpdates: [],
    masterDeletes: duplicates,
    recipients: [],
    labelDeletions: 0,
    labelSize: masters.size,
    conflicts: [],
    reverts: [],
    merges: 0,
  };

  interface Side {
    state: RecipientState;
    plan: RecipientPlan;
    copies: Map<string, Linked>;
    /** The account's unlinked contacts that may be merged, by match key. */
    pool: Map<string, ContactSnapshot[]>;
    used: Set<ContactSnapshot>;
  }
  const sides: Side[] = [];
  const gone = new Set<string>();
  /** Contacts that recipients added, becoming masters in this sync: everyone else gets a copy. */
  const contributions: { account: string; fields: FieldValues; link: CopyLink }[] = [];

  const dropCopy = (side: Side, linked: Linked): void => {
    if (!linked.link.merged) side.plan.deletes.push(linked.contact.resourceName);
    else
      side.plan.writes.push({
        contact: linked.contact,
        fields: {},
        mask: [],
        link: null,
        membership: side.state.level === null ? undefined : 'remove',
      });
  };
  const reverted = new Set<string>();
  const revert = (account: string, resourceName: string, kind: Revert['kind']): void => {
    if (reverted.has(account + ' ' + resourceName)) return;
    reverted.add(account + ' ' + resourceName);
    plan.reverts.push({ account, resourceName, kind });
  };

  for (const state of input.recipients) {
    const recipientPlan: RecipientPlan = {
      account: state.account,
      needsGroup: state.level !== null && state.group === null,
      writes: [],
      deletes: [],
      deleteGroup: state.level === null && state.group !== null,
    };
    plan.recipients.push(recipientPlan);
    const side: Side = {
      state,
      plan: recipientPlan,
      copies: new Map(),
      pool: new Map(),
      used: new Set(),
    };
    sides.push(side);
    for (const contact of state.contacts) {
      const link = readLink(contact.clientData, share.id);
      const inGroup = state.group !== null && contact.memberships.includes(state.group);
      if (!link) {
        if (state.level === null) continue;
        const origin = inGroup
          ? origins.get(`${state.account}|${contact.resourceName}`)
          : undefined;
        if (origin !== undefined && masters.has(origin)) {
          side.copies.set(origin, { contact, link: { ...linkTo(origin), base: UNKNOWN_BASE } });
          continue;
        }
        if (inGroup) {
          if (levelAllows(state.level, 'contribute')) {
            const ref = `new:${plan.masterCreates.length}`;
            plan.masterCreates.push({
              ref,
              contact: {
                fields: contact.fields,
                memberships: [label, MY_CONTACTS],
                clientData: [
                  { key: originKey(share.id), value: `${state.account}|${contact.resourceName}` },
                ],
              },
            });
            const link: CopyLink = {
              shareId: share.id,
              sourceOwner: share.owner,
              sourceResourceName: ref,
              // The contributor's own contact (often one they had before): when the share leaves
              // their account it is unlinked and kept, never deleted.
              merged: true,
              base: baseOf(contact.fields, visibleSet),
            };
            recipientPlan.writes.push({ contact, fields: {}, mask: [], link });
            contributions.push({ account: state.account, fields: contact.fields, link });
          } else {
            revert(state.account, contact.resourceName, 'add');
            recipientPlan.writes.push({
              contact,
              fields: {},
              mask: [],
              link: null,
              membership: 'remove',
            });
          }
        } else if (isMergeCandidate(contact))
          for (const key of matchKeys(contact.fields)) {
            const candidates = side.pool.get(key);
            if (candidates) candidates.push(contact);
            else side.pool.set(key, [contact]);
          }
        continue;
      }
      const linked = { contact, link };
      const source = resolve(link.sourceResourceName);
      if (state.level === null) {
        dropCopy(side, linked);
        continue;
      }
      if (!masters.has(source)) {
        gone.add(source);
        dropCopy(side, linked);
        continue;
      }
      const twin = side.copies.get(source);
      if (twin) {
        // Two copies of one master (two syncs wrote at once): keep one, preferring a merged
        // pre-existing contact, which is never deleted, only unlinked.
        const [keep, extra] =
          twin.link.merged || !linked.link.merged ? [twin, linked] : [linked, twin];
        side.copies.set(source, keep);
        if (extra.link.merged)
          recipientPlan.writes.push({
            contact: extra.contact,
            fields: {},
            mask: [],
            link: null,
            membership: 'remove',
          });
        else recipientPlan.deletes.push(extra.contact.resourceName);
        continue;
      }
      side.copies.set(source, linked);
    }
  }
  const active = sides.filter((side) => side.state.level !== null);

  /**
   * Gives a recipient its copy of a master it has none of: its own contact for the same person
   * (matched by e-mail or phone, each used once) is merged, or else a copy is created.
   */
  const copyInto = (side: Side, desired: FieldValues, link: CopyLink): void => {
    let existing: ContactSnapshot | undefined;
    for (const key of matchKeys(desired)) {
      existing = side.pool
        .get(key)
        ?.find((candidate) => !side.used.has(candidate) && samePerson(desired, candidate.fields));
      if (existing) break;
    }
    if (existing) {
      side.used.add(existing);
      plan.merges++;
      side.plan.writes.push({
        contact: existing,
        fields: desired,
        mask: visible,
        link: { ...link, merged: true },
        membership: 'add',
      });
    } else side.plan.writes.push({ contact: null, fields: desired, mask: visible, link });
  };

  for (const [name, master] of masters) {
    const masterHashes = hashesOf(master);
    const masterBase = FIELDS.map((field, index) =>
      visibleSet.has(field) ? (masterHashes[index] as string) : '',
    );
    if (
      active.every((side) =>
        isUpToDate(side.copies.get(name), side.state.group, master, masterBase, visible),
      )
    )
      continue;
    const unchangedMaster = masterChanged !== null && !masterChanged.has(name);
    let removedBy: string | null = null;
    for (const side of active) {
      const level = side.state.level as Level;
      const linked = side.copies.get(name);
      const outOfGroup =
        linked !== undefined &&
        side.state.group !== null &&
        !linked.contact.memberships.includes(side.state.group);
      const vanished = linked === undefined && side.state.joined && unchangedMaster;
      if ((outOfGroup || vanished) && levelAllows(level, 'contribute')) {
        removedBy = side.state.account;
        break;
      }
    }
    if (removedBy !== null) {
      plan.labelDeletions++;
      plan.masterUpdates.push({
        resourceName: name,
        etag: master.etag,
        fields: {},
        mask: [],
        memberships: withoutGroup(master.memberships, label),
      });
      for (const side of active) {
        const linked = side.copies.get(name);
        if (!linked) continue;
        if (side.state.account === removedBy)
          side.plan.writes.push({ contact: linked.contact, fields: {}, mask: [], link: null });
        else dropCopy(side, linked);
      }
      continue;
    }

    const desired: FieldValues = pick(master.fields, visible);
    const desiredHashes = masterHashes.slice();
    for (const index of visibleIndexes) {
      const field = FIELDS[index] as SyncedField;
      let winner: {
        account: string;
        time: number;
        value: unknown[] | undefined;
        hash: string;
      } | null = null;
      const contenders: { account: string; value: unknown[] | undefined; hash: string }[] = [];
      let masterContends = false;
      for (const side of active) {
        const linked = side.copies.get(name);
        if (!linked) continue;
        linked.hashes ??= copyHashesOf(linked.contact, master, masterHashes);
        const hash = linked.hashes[index] as string;
        const base = linked.link.base[index];
        if (hash === base) continue;
        if (!levelAllows(side.state.level as Level, 'edit')) {
          revert(side.state.account, linked.contact.resourceName, 'edit');
          continue;
        }
        if (masterHashes[index] !== base) masterContends = true;
        const value = linked.contact.fields[field];
        contenders.push({ account: side.state.account, value, hash });
        if (!winner || linked.contact.updateTime > winner.time)
          winner = { account: side.state.account, time: linked.contact.updateTime, value, hash };
      }
      if (!winner) continue;
      if (masterContends) {
        contenders.push({
          account: share.owner,
          value: master.fields[field],
          hash: masterHashes[index] as string,
        });
        if (master.updateTime >= winner.time)
          winner = {
            account: share.owner,
            time: master.updateTime,
            value: master.fields[field],
            hash: masterHashes[index] as string,
          };
      }
      for (const contender of contenders)
        if (contender.hash !== winner.hash)
          plan.conflicts.push({
            masterResourceName: name,
            field,
            winner: winner.account,
            loser: contender.account,
            losingValue: contender.value ?? null,
          });
      if (winner.value === undefined) delete desired[field];
      else desired[field] = winner.value;
      desiredHashes[index] = winner.hash;
    }
    const masterMask = visible.filter(
      (_field, position) =>
        desiredHashes[visibleIndexes[position] as number] !==
        masterHashes[visibleIndexes[position] as number],
    );
    if (masterMask.length > 0)
      plan.masterUpdates.push({
        resourceName: name,
        etag: master.etag,
        fields: pick(desired, masterMask),
        mask: masterMask,
      });

    const base = FIELDS.map((field, index) =>
      visibleSet.has(field) ? (desiredHashes[index] as string) : '',
    );
    const link: CopyLink = {
      shareId: share.id,
      sourceOwner: share.owner,
      sourceResourceName: name,
      merged: false,
      base,
    };
    for (const side of active) {
      const level = side.state.level as Level;
      const linked = side.copies.get(name);
      if (linked) {
        const copyHashes = (linked.hashes ??= copyHashesOf(linked.contact, master, masterHashes));
        const mask = visible.filter(
          (_field, position) =>
            copyHashes[visibleIndexes[position] as number] !==
            desiredHashes[visibleIndexes[position] as number],
        );
        const linkChanged =
          linked.link.sourceResourceName !== name || !sameFingerprint(linked.link.base, base);
        const outOfGroup =
          side.state.group === null || !linked.contact.memberships.includes(side.state.group);
        if (outOfGroup && side.state.group !== null)
          revert(side.state.account, linked.contact.resourceName, 'remove');
        if (mask.length > 0 || linkChanged || outOfGroup)
          side.plan.writes.push({
            contact: linked.contact,
            fields: pick(desired, mask),
            mask,
            link: { ...link, merged: linked.link.merged },
            membership: outOfGroup ? 'add' : undefined,
          });
        continue;
      }
      if (side.state.joined && unchangedMaster && !levelAllows(level, 'contribute'))
        revert(side.state.account, name, 'remove');
      copyInto(side, desired, link);
    }
  }
  // A contact a recipient added reaches everyone in the sync that makes it a master, so that a
  // completed sync leaves every copy with all of the master's contacts.
  for (const contribution of contributions) {
    const desired = pick(contribution.fields, visible);
    for (const side of active)
      if (side.state.account !== contribution.account) copyInto(side, desired, contribution.link);
  }
  plan.labelDeletions += gone.size;
  plan.labelSize += gone.size;
  return plan;
}

/** True when a plan deletes more of a label than max(5 contacts, 10 %) allows without asking. */
export function exceedsDeletionGuard(plan: SyncPlan): boolean {
  return plan.labelDeletions > Math.max(5, Math.floor(plan.labelSize * 0.1));
}
