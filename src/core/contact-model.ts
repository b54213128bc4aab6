/**
 * This file defines the sync engine's view of a contact (a People API person reduced to the fields
 * the product copies), field fingerprints, and the `clientData` link that ties a copy to its source.
 */
import type { HideableField, Share } from './sharing-model';

/** The person fields that sharing copies, in a fixed order (fingerprints depend on it). */
export const SYNCED_FIELDS = [
  'names',
  'nicknames',
  'emailAddresses',
  'phoneNumbers',
  'addresses',
  'organizations',
  'biographies',
  'birthdays',
  'urls',
  'userDefined',
  'relations',
  'events',
] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];

/** Field values with output-only keys removed; an absent field means no value. */
export type FieldValues = Partial<Record<SyncedField, unknown[]>>;

/** One `clientData` entry of a person or contact group. */
export interface ClientDataEntry {
  key: string;
  value: string;
}

/** A contact as the engine sees it. `updateTime` is in ms; `memberships` are group resource names. */
export interface ContactSnapshot {
  resourceName: string;
  etag: string;
  updateTime: number;
  fields: FieldValues;
  memberships: string[];
  clientData: ClientDataEntry[];
  deleted: boolean;
  previousResourceNames: string[];
}

/** Keys that the People API computes and that are therefore neither compared nor written back. */
const OUTPUT_ONLY_KEYS = new Set([
  'metadata',
  'formattedType',
  'formattedProtocol',
  'displayName',
  'displayNameLastFirst',
  'canonicalForm',
]);

/** Removes output-only keys from a field value, recursively, and sorts object keys. */
export function normalizeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeValue);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (OUTPUT_ONLY_KEYS.has(key)) continue;
    const inner = (value as Record<string, unknown>)[key];
    if (inner !== undefined) result[key] = normalizeValue(inner);
  }
  return result;
}

/** Normalizes every synced field of a person-like object; empty arrays count as absent. */
export function normalizeFields(person: Record<string, unknown>): FieldValues {
  const fields: FieldValues = {};
  for (const field of SYNCED_FIELDS) {
    const values = person[field];
    if (Array.isArray(values) && values.length > 0)
      fields[field] = values.map(normalizeValue) as unknown[];
  }
  return fields;
}

/**
 * The state of the 53-bit hash (cyrb53) that fingerprints use. Hashing is synchronous and never
 * re-entered, so one module-level state serves every call without allocating.
 */
let h1 = 0;
let h2 = 0;

function mix(code: number): void {
  h1 = Math.imul(h1 ^ code, 2654435761);
  h2 = Math.imul(h2 ^ code, 1597334677);
}

/** Feeds a string, prefixed with its length so that no two sequences of strings read the same. */
function mixText(text: string): void {
  mix(text.length);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
}

/** Feeds a JSON-like value: a type tag, then its length or text, then its parts. */
function mixValue(value: unknown): void {
  if (typeof value === 'string') {
    mix(0x73);
    mixText(value);
  } else if (Array.isArray(value)) {
    mix(0x61);
    mix(value.length);
    for (const item of value) mixValue(item);
  } else if (value !== null && typeof value === 'object') {
    mix(0x6f);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const inner = record[key];
      if (inner === undefined) continue;
      mixText(key);
      mixValue(inner);
    }
    mix(0x7d);
  } else {
    mix(0x76);
    mixText(String(value));
  }
}

function hashDigest(): string {
  const a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  const b = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  return toBase36(4294967296 * (2097151 & b) + (a >>> 0));
}

function hashStart(): void {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
}

/** 36 ** 5: splits a 53-bit integer into two small ones, which engines print much faster. */
const BASE36_SPLIT = 60466176;

/** Prints a non-negative integer below 2 ** 53 in base 36, as `toString(36)` does. */
function toBase36(value: number): string {
  const high = Math.floor(value / BASE36_SPLIT);
  const low = (value - high * BASE36_SPLIT).toString(36);
  return high === 0 ? low : high.toString(36) + low.padStart(5, '0');
}

/**
 * The fingerprint of one field's values (a structural cyrb53 hash of the normalized values, with
 * no serialization); the empty string when the field has no value.
 */
export function fieldHash(values: unknown[] | undefined): string {
  if (values === undefined || values.length === 0) return '';
  hashStart();
  mixValue(values);
  return hashDigest();
}

/**
 * True when two normalized field values are the same (the structural equality that equal
 * fingerprints stand for), without serializing them.
 */
export function sameValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++)
      if (!sameValues(a[index], b[index])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in left) {
    if (!Object.prototype.hasOwnProperty.call(left, key)) continue;
    count++;
    if (!Object.prototype.hasOwnProperty.call(right, key) || !sameValues(left[key], right[key]))
      return false;
  }
  for (const key in right) if (Object.prototype.hasOwnProperty.call(right, key)) count--;
  return count === 0;
}

/** Per-field fingerprints in SYNCED_FIELDS order. */
export type Fingerprint = string[];

/** Fingerprints every synced field of a contact. */
export function fingerprint(fields: FieldValues): Fingerprint {
  return SYNCED_FIELDS.map((field) => fieldHash(fields[field]));
}

/** The fields a share copies: the synced fields less the hidden ones. */
export function visibleFields(hidden: readonly HideableField[]): SyncedField[] {
  return SYNCED_FIELDS.filter((field) => !(hidden as readonly string[]).includes(field));
}

/** The link a copy carries in `clientData` (DESIGN.md §3). */
export interface CopyLink {
  shareId: string;
  sourceOwner: string;
  sourceResourceName: string;
  /** True when the copy is a recipient's pre-existing contact that the share merged into. */
  merged: boolean;
  /** Fingerprints of the visible fields at the last sync: the base of three-way merges. */
  base: Fingerprint;
}

const LINK_PREFIX = 'sharedContacts:';

/** The clientData key of a share's link. */
export function linkKey(shareId: string): string {
  return LINK_PREFIX + shareId;
}

/**
 * The clientData key on a master created from a recipient's contact, naming that contact, so that
 * a slice cut between the two writes links the contact instead of creating the master twice.
 */
export function originKey(shareId: string): string {
  return `${linkKey(shareId)}:from`;
}

/**
 * The link a copy group carries in `clientData` (DESIGN.md §3): the share's owner and label when
 * it was made, so that the group can be found and its share named without any other store.
 */
export interface GroupLink {
  shareId: string;
  sourceOwner: string;
  labelResourceName: string;
}

/** Encodes a copy group's link as one clientData entry. */
export function encodeGroupLink(link: GroupLink): ClientDataEntry {
  return {
    key: linkKey(link.shareId),
    value: ['v1', link.sourceOwner, link.labelResourceName].join('|'),
  };
}

/** Reads a share's link from a group's clientData; null when absent or not understood. */
export function readGroupLink(
  clientData: readonly ClientDataEntry[],
  shareId: string,
): GroupLink | null {
  const entry = clientData.find((item) => item.key === linkKey(shareId));
  if (!entry) return null;
  const [version, sourceOwner, labelResourceName] = entry.value.split('|');
  if (version !== 'v1' || sourceOwner === undefined || labelResourceName === undefined) return null;
  return { shareId, sourceOwner, labelResourceName };
}

/** Returns the link of a share's copy group, as it stands when the copy group is made. */
export function copyGroupLink(
  share: Pick<Share, 'id' | 'owner' | 'labelResourceName'>,
): ClientDataEntry {
  return encodeGroupLink({
    shareId: share.id,
    sourceOwner: share.owner.toLowerCase(),
    labelResourceName: share.labelResourceName,
  });
}

/** Returns true when clientData (of a contact or a group) carries the share's link. */
export function carriesLink(
  clientData: readonly { key?: string | null }[] | null | undefined,
  shareId: string,
): boolean {
  const key = linkKey(shareId);
  return (clientData ?? []).some((entry) => entry.key === key);
}

/**
 * Returns true when clientData carries an entry of any share (a link or an origin key): the
 * contact or group was made or touched by sharing.
 */
export function carriesAnyShareEntry(
  clientData: readonly { key?: string | null }[] | null | undefined,
): boolean {
  return (clientData ?? []).some((entry) => (entry.key ?? '').startsWith(LINK_PREFIX));
}

/** Returns the share id whose link a clientData key is, or null for any other key. */
export function linkedShareId(key: string | null | undefined): string | null {
  if (!key?.startsWith(LINK_PREFIX)) return null;
  const shareId = key.slice(LINK_PREFIX.length);
  return shareId !== '' && !shareId.includes(':') ? shareId : null;
}

/** Encodes a link as one clientData entry. */
export function encodeLink(link: CopyLink): ClientDataEntry {
  return {
    key: linkKey(link.shareId),
    value: [
      'v1',
      link.sourceOwner,
      link.sourceResourceName,
      link.merged ? 'm' : 'c',
      link.base.join('.'),
    ].join('|'),
  };
}

/** Reads a share's link from a contact's clientData; null when absent or not understood. */
export function readLink(clientData: readonly ClientDataEntry[], shareId: string): CopyLink | null {
  const key = linkKey(shareId);
  const entry = clientData.find((item) => item.key === key);
  if (!entry) return null;
  const [version, sourceOwner, sourceResourceName, merged, base] = entry.value.split('|');
  if (version !== 'v1' || !sourceOwner || !sourceResourceName || base === undefined) return null;
  const hashes = base.split('.');
  if (hashes.length !== SYNCED_FIELDS.length) return null;
  return { shareId, sourceOwner, sourceResourceName, merged: merged === 'm', base: hashes };
}

/** Returns clientData with the share's link replaced (or removed when `link` is null). */
export function withLink(
  clientData: readonly ClientDataEntry[],
  shareId: string,
  link: CopyLink | null,
): ClientDataEntry[] {
  const key = linkKey(shareId);
  const others = clientData.filter((item) => item.key !== key);
  return link ? [...others, encodeLink(link)] : others;
}

/** Phone numbers shorter than this (extensions, short codes) identify no one. */
const MIN_PHONE_DIGITS = 7;
/** A phone key compares this many final digits; candidates are then confirmed by `samePhone`. */
export const PHONE_KEY_LENGTH = 7;

/** A phone number reduced for matching: its digits, and whether they start with a country code. */
export interface NormalizedPhone {
  digits: string;
  international: boolean;
}

/**
 * Normalises a phone number for matching: the extension (after "x", "ext", "#", ";" or ",") is
 * dropped, a leading "00" counts as "+", and a national number loses its trunk prefix "0".
 * Returns null for numbers too short to identify a person.
 */
export function normalizePhone(value: string): NormalizedPhone | null {
  const main = (value.split(/(?:ext|x|#|;|,)/i)[0] ?? '').trim();
  const international = main.startsWith('+') || /^00[1-9]/.test(main);
  let digits = main.replace(/\D/g, '');
  if (international && !main.startsWith('+')) digits = digits.slice(2);
  if (!international) digits = digits.replace(/^0+/, '');
  return digits.length >= MIN_PHONE_DIGITS ? { digits, international } : null;
}

/**
 * True when two normalised numbers are the same line: equal when both or neither carry a country
 * code; otherwise the national number must end the international one.
 */
export function samePhone(a: NormalizedPhone, b: NormalizedPhone): boolean {
  if (a.international === b.international) return a.digits === b.digits;
  const [national, full] = a.international ? [b, a] : [a, b];
  return (
    full.digits.length > national.digits.length &&
    full.digits.length - national.digits.length <= 3 &&
    full.digits.endsWith(national.digits)
  );
}

function emailsOf(fields: FieldValues): string[] {
  const emails: string[] = [];
  for (const email of fields.emailAddresses ?? []) {
    const value = (email as { value?: unknown }).value;
    if (typeof value === 'string' && value.trim()) emails.push(value.trim().toLowerCase());
  }
  return emails;
}

function phonesOf(fields: FieldValues): NormalizedPhone[] {
  const phones: NormalizedPhone[] = [];
  for (const phone of fields.phoneNumbers ?? []) {
    const value = (phone as { value?: unknown }).value;
    const normalized = typeof value === 'string' ? normalizePhone(value) : null;
    if (normalized) phones.push(normalized);
  }
  return phones;
}

/**
 * The e-mail and phone keys under which a contact is looked up as possibly the same person as
 * another; e-mail keys first. A phone key only finds candidates: `samePerson` confirms them.
 */
export function matchKeys(fields: FieldValues): string[] {
  const keys = emailsOf(fields).map((email) => 'e:' + email);
  for (const phone of phonesOf(fields)) keys.push('p:' + phone.digits.slice(-PHONE_KEY_LENGTH));
  return keys;
}

/**
 * True when two contacts are taken to be the same person: they share an e-mail address, or they
 * share a phone number (by `samePhone`) and do not both hold e-mail addresses that differ — two
 * colleagues on one switchboard number are two people.
 */
export function samePerson(a: FieldValues, b: FieldValues): boolean {
  const emailsA = emailsOf(a);
  const emailsB = new Set(emailsOf(b));
  if (emailsA.some((email) => emailsB.has(email))) return true;
  if (emailsA.length > 0 && emailsB.size > 0) return false;
  const phonesB = phonesOf(b);
  return phonesOf(a).some((phone) => phonesB.some((other) => samePhone(phone, other)));
}

/**
 * True when a recipient's contact may be merged with a share's copy: it carries no link of any
 * share (a copy of another share, or a master made from one, belongs to that share; merging it
 * would tie two shares' contacts together).
 */
export function isMergeCandidate(contact: ContactSnapshot): boolean {
  return !contact.clientData.some((entry) => entry.key.startsWith(LINK_PREFIX));
}
