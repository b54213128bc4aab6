/**
 * This file defines a share's footprint in an account and who may do what in it (DESIGN.md §6):
 * the share gateway's decision table, which the backend enforces and the sync engine plans by, and
 * the pure filters that reduce another person's contacts to the footprint before they leave the
 * backend.
 */
import {
  carriesAnyShareEntry,
  linkKey,
  matchKeys,
  normalizePhone,
  originKey,
  PHONE_KEY_LENGTH,
  readLink,
  samePerson,
  samePhone,
  type NormalizedPhone,
  visibleFields,
  type ClientDataEntry,
  type ContactSnapshot,
  type FieldValues,
} from './contact-model';
import { levelAllows, type Level, type Share } from './sharing-model';

/**
 * What an account is to a share: the owner's (its label holds the masters), a participant's (its
 * copy group holds the copies), or a former participant's (the share reached it, and what it
 * brought there may still need removing).
 */
export type AccountRole = 'master' | 'copy' | 'former';

/**
 * The operations of the share gateway, by what they do to the footprint:
 * - `read`: list the footprint's contacts and groups;
 * - `createGroup`, `deleteGroup`: the copy group;
 * - `createContacts`: new masters (in the label) or copies (in the copy group);
 * - `updateFields`: change the visible fields and the share's link of contacts in the footprint,
 *   and put a linked copy back into its group;
 * - `unlink`: take contacts out of the footprint (a master out of the label, a copy or merged
 *   contact out of its group, the share's link removed);
 * - `merge`: bring the account's own contact for the same person into the footprint;
 * - `deleteContacts`: delete copies the share made (never a merged contact), or duplicate masters.
 */
export const FOOTPRINT_OPERATIONS = [
  'read',
  'createGroup',
  'deleteGroup',
  'createContacts',
  'updateFields',
  'unlink',
  'merge',
  'deleteContacts',
] as const;
export type FootprintOperation = (typeof FOOTPRINT_OPERATIONS)[number];

/**
 * The lowest level of the caller that allows an operation in an account of each role; a missing
 * entry is never allowed. Reading the master needs `view`; reading other participants' copies
 * needs `edit`, since only `edit` and above write them; former participants are reached only to
 * clean up, by `manage` and above; only the owner deletes a current participant's copy group (when
 * the share ends).
 */
export const FOOTPRINT_TABLE: Readonly<
  Record<FootprintOperation, Readonly<Partial<Record<AccountRole, Level>>>>
> = {
  read: { master: 'view', copy: 'edit', former: 'manage' },
  createGroup: { copy: 'contribute' },
  deleteGroup: { copy: 'owner', former: 'manage' },
  createContacts: { master: 'contribute', copy: 'contribute' },
  updateFields: { master: 'edit', copy: 'edit' },
  unlink: { master: 'contribute', copy: 'contribute', former: 'manage' },
  merge: { copy: 'contribute' },
  deleteContacts: { master: 'contribute', copy: 'contribute', former: 'manage' },
};

/** The level an operation needs in an account of a role, or null when no level allows it. */
export function levelNeeded(operation: FootprintOperation, role: AccountRole): Level | null {
  return FOOTPRINT_TABLE[operation][role] ?? null;
}

/** True when a caller at `level` may perform `operation` in an account of `role`. */
export function footprintAllows(
  level: Level | null,
  role: AccountRole,
  operation: FootprintOperation,
): boolean {
  const needed = levelNeeded(operation, role);
  return level !== null && needed !== null && levelAllows(level, needed);
}

/** True for a clientData entry that belongs to the share: its link, or a master's origin. */
export function isShareEntry(entry: ClientDataEntry, shareId: string): boolean {
  return entry.key === linkKey(shareId) || entry.key === originKey(shareId);
}

/** The resource name of the group every contact may belong to. */
export const MY_CONTACTS = 'contactGroups/myContacts';

/**
 * System contact groups (People API `contactGroups` of type SYSTEM_CONTACT_GROUP): never a share's
 * label, since a label's members are what the share exposes.
 * Source: developers.google.com/people/api/rest/v1/contactGroups (groupType; the system groups
 * myContacts, starred, friends, family, coworkers, chatBuddies, all, blocked).
 */
export const SYSTEM_GROUPS: readonly string[] = [
  'myContacts',
  'starred',
  'friends',
  'family',
  'coworkers',
  'chatBuddies',
  'all',
  'blocked',
].map((id) => `contactGroups/${id}`);

/** True when a resource name can be a user's own contact group (`contactGroups/<id>`, not a system group). */
export function isUserGroupName(resourceName: string): boolean {
  return (
    /^contactGroups\/[A-Za-z0-9_-]{1,128}$/.test(resourceName) &&
    !SYSTEM_GROUPS.some((system) => system.toLowerCase() === resourceName.toLowerCase())
  );
}

/** True when a contact is in the share's footprint: in its group, or carrying the share's entries. */
export function inFootprint(
  contact: Pick<ContactSnapshot, 'memberships' | 'clientData'>,
  shareId: string,
  group: string | null,
): boolean {
  return (
    (group !== null && contact.memberships.includes(group)) ||
    contact.clientData.some((entry) => isShareEntry(entry, shareId))
  );
}

/**
 * A contact of the footprint as the gateway hands it out: the share's visible fields only (hidden
 * fields never leave the backend), memberships reduced to the footprint's group and `myContacts`,
 * and clientData to the share's own entries. Whatever else the contact holds stays in the account.
 */
export function footprintView(
  contact: ContactSnapshot,
  share: Pick<Share, 'id' | 'hiddenFields'>,
  group: string | null,
): ContactSnapshot {
  const fields: FieldValues = {};
  for (const field of visibleFields(share.hiddenFields))
    if (contact.fields[field] !== undefined) fields[field] = contact.fields[field];
  return {
    resourceName: contact.resourceName,
    etag: contact.etag,
    updateTime: contact.updateTime,
    fields,
    memberships: contact.memberships.filter((name) => name === group || name === MY_CONTACTS),
    clientData: contact.clientData.filter((entry) => isShareEntry(entry, share.id)),
    deleted: contact.deleted,
    previousResourceNames: contact.previousResourceNames,
  };
}

/** A deleted contact of an incremental listing: its resource name and nothing else. */
export function tombstoneView(contact: ContactSnapshot): ContactSnapshot {
  return {
    resourceName: contact.resourceName,
    etag: '',
    updateTime: contact.updateTime,
    fields: {},
    memberships: [],
    clientData: [],
    deleted: true,
    previousResourceNames: [],
  };
}

/**
 * A person the caller wants to find among an account's own contacts, so that a copy is merged
 * into the same person's existing contact instead of duplicating it: e-mail addresses and phone
 * numbers of one master contact, which the caller has read.
 */
export interface MatchDescriptor {
  emails: string[];
  phones: string[];
}

/** The descriptor of a master's visible fields (its addresses and numbers). */
export function matchDescriptor(fields: FieldValues): MatchDescriptor {
  const values = (list: unknown[] | undefined): string[] =>
    (list ?? [])
      .map((item) => (item as { value?: unknown }).value)
      .filter((value): value is string => typeof value === 'string' && value.trim() !== '');
  return { emails: values(fields.emailAddresses), phones: values(fields.phoneNumbers) };
}

function descriptorFields(descriptor: MatchDescriptor): FieldValues {
  return {
    ...(descriptor.emails.length > 0
      ? { emailAddresses: descriptor.emails.map((value) => ({ value })) }
      : {}),
    ...(descriptor.phones.length > 0
      ? { phoneNumbers: descriptor.phones.map((value) => ({ value })) }
      : {}),
  };
}

/** The e-mail value that stands for a contact's addresses that no descriptor names. */
export const OTHER_ADDRESS = 'other-address@redacted.invalid';

/**
 * Finds which of the caller's descriptors name the same person as an account's own contacts, by
 * the match keys of contact-model (e-mail, last digits of a phone) confirmed by `samePerson`.
 */
export class MatchIndex {
  private readonly byKey = new Map<string, FieldValues[]>();
  private readonly emails = new Set<string>();
  private readonly phones = new Map<string, NormalizedPhone[]>();

  constructor(descriptors: readonly MatchDescriptor[]) {
    for (const descriptor of descriptors) {
      const fields = descriptorFields(descriptor);
      for (const key of matchKeys(fields)) {
        const list = this.byKey.get(key);
        if (list) list.push(fields);
        else this.byKey.set(key, [fields]);
      }
      for (const email of descriptor.emails) this.emails.add(email.trim().toLowerCase());
      for (const phone of descriptor.phones) {
        const normalized = normalizePhone(phone);
        if (!normalized) continue;
        const key = normalized.digits.slice(-PHONE_KEY_LENGTH);
        this.phones.set(key, [...(this.phones.get(key) ?? []), normalized]);
      }
    }
  }

  /**
   * What may be said of a contact that a descriptor matches: its resource name and etag, and of
   * its fields only what the caller's descriptors name — its addresses among theirs (and one
   * stand-in, OTHER_ADDRESS, when it holds others) and its numbers that match theirs — so that
   * `samePerson` decides on it exactly as on the contact itself, for every descriptor. Null when
   * none matches. A contact linked to any share is never a candidate (isMergeCandidate).
   */
  view(contact: ContactSnapshot): ContactSnapshot | null {
    if (contact.deleted || carriesAnyShareEntry(contact.clientData)) return null;
    const matched = matchKeys(contact.fields).some((key) =>
      (this.byKey.get(key) ?? []).some((fields) => samePerson(fields, contact.fields)),
    );
    if (!matched) return null;
    const emails: { value: string }[] = [];
    let others = false;
    for (const item of contact.fields.emailAddresses ?? []) {
      const value = (item as { value?: unknown }).value;
      if (typeof value !== 'string' || value.trim() === '') continue;
      if (this.emails.has(value.trim().toLowerCase())) emails.push({ value });
      else others = true;
    }
    if (others) emails.push({ value: OTHER_ADDRESS });
    const phones: { value: string }[] = [];
    for (const item of contact.fields.phoneNumbers ?? []) {
      const value = (item as { value?: unknown }).value;
      const normalized = typeof value === 'string' ? normalizePhone(value) : null;
      if (!normalized) continue;
      const known = this.phones.get(normalized.digits.slice(-PHONE_KEY_LENGTH)) ?? [];
      if (known.some((phone) => samePhone(phone, normalized)))
        phones.push({ value: value as string });
    }
    return {
      resourceName: contact.resourceName,
      etag: contact.etag,
      updateTime: contact.updateTime,
      fields: {
        ...(emails.length > 0 ? { emailAddresses: emails } : {}),
        ...(phones.length > 0 ? { phoneNumbers: phones } : {}),
      },
      memberships: [],
      clientData: [],
      deleted: false,
      previousResourceNames: [],
    };
  }
}

/** True when a contact carries the share's link as a copy the share made (not a merged contact). */
export function isShareCopy(
  contact: Pick<ContactSnapshot, 'clientData'>,
  shareId: string,
): boolean {
  const link = readLink(contact.clientData, shareId);
  return link !== null && !link.merged;
}
