/**
 * This file defines the field fingerprints the sync planner compares: of masters, of copies, and
 * of the visible fields that a copy's link records as the base of three-way merges.
 */
import {
  fieldHash,
  sameValues,
  SYNCED_FIELDS,
  type ContactSnapshot,
  type CopyLink,
  type FieldValues,
  type Fingerprint,
  type SyncedField,
} from './contact-model';
import { MY_CONTACTS } from './footprint';

/** A base that matches no value, so that every field counts as changed on that side. */
export const UNKNOWN_BASE: Fingerprint = SYNCED_FIELDS.map(() => '?');

/** The synced fields, bound once: hot loops index it. */
export const FIELDS: readonly SyncedField[] = SYNCED_FIELDS;

/** Returns the fingerprints of a master's fields. */
export function hashesOf(contact: ContactSnapshot): Fingerprint {
  const hashes: Fingerprint = new Array<string>(FIELDS.length);
  for (let index = 0; index < FIELDS.length; index++)
    hashes[index] = fieldHash(contact.fields[FIELDS[index] as SyncedField]);
  return hashes;
}

/**
 * Returns the fingerprints of a copy's fields. A field that equals its master's takes the master's
 * fingerprint, so that only fields that differ are serialized and hashed.
 */
export function copyHashesOf(
  copy: ContactSnapshot,
  master: ContactSnapshot,
  masterHashes: Fingerprint,
): Fingerprint {
  const hashes: Fingerprint = new Array<string>(FIELDS.length);
  for (let index = 0; index < FIELDS.length; index++) {
    const field = FIELDS[index] as SyncedField;
    const value = copy.fields[field];
    hashes[index] = sameValues(value, master.fields[field])
      ? (masterHashes[index] as string)
      : fieldHash(value);
  }
  return hashes;
}

/**
 * Returns true when a copy needs nothing: it is in its group, linked to its master at the master's current
 * fingerprint, and equal to it in every visible field. Most copies are, and this decides it
 * without hashing the copy.
 */
export function isUpToDate(
  linked: Linked | undefined,
  group: string | null,
  master: ContactSnapshot,
  masterBase: Fingerprint,
  visible: readonly SyncedField[],
): boolean {
  return (
    linked !== undefined &&
    group !== null &&
    linked.link.sourceResourceName === master.resourceName &&
    linked.contact.memberships.includes(group) &&
    sameFingerprint(linked.link.base, masterBase) &&
    visible.every((field) => sameValues(linked.contact.fields[field], master.fields[field]))
  );
}

/** Returns true when two fingerprints are equal. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** Returns the fingerprint of the visible fields only; hidden fields hash to the empty string. */
export function baseOf(fields: FieldValues, visible: ReadonlySet<SyncedField>): Fingerprint {
  return SYNCED_FIELDS.map((field) => (visible.has(field) ? fieldHash(fields[field]) : ''));
}

/** Returns the given fields, reduced to the visible ones. */
export function pick(fields: FieldValues, visible: readonly SyncedField[]): FieldValues {
  const result: FieldValues = {};
  for (const field of visible) if (fields[field] !== undefined) result[field] = fields[field];
  return result;
}

/** Returns a contact's memberships less one group; a contact keeps at least `myContacts` (FACTS.md). */
export function withoutGroup(memberships: readonly string[], group: string): string[] {
  const rest = memberships.filter((name) => name !== group);
  return rest.length > 0 ? rest : [MY_CONTACTS];
}

/** A recipient's copy of a master, with its link. */
export interface Linked {
  contact: ContactSnapshot;
  link: CopyLink;
  /** The copy's fingerprints, once compared with its master. */
  hashes?: Fingerprint;
}
