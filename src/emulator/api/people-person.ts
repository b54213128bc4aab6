/**
 * This file defines how the emulator turns stored contacts into People API `Person` objects: the
 * rendering with resource names, etags, metadata and derived fields, and contact search.
 */
import type { people_v1 } from '@googleapis/people';
import type { ContactRecord } from './workspace-store';
import { SYSTEM_GROUPS } from './workspace-store';

type Person = people_v1.Schema$Person;

/** The resource name of a contact: `people/c` + 16 digits. */
export function contactResourceName(n: number): string {
  return `people/c${1e15 + n}`;
}

/** The number of a contact resource name, or undefined if the name is not a contact's. */
export function contactNumber(resourceName: string): number | undefined {
  const match = /^people\/c(\d{16})$/.exec(resourceName);
  if (!match) return undefined;
  const n = Number(match[1]) - 1e15;
  return n > 0 ? n : undefined;
}

/** The person etag (top level) and the contact source etag of a version. */
export function contactEtags(record: ContactRecord): { person: string; source: string } {
  const tag = `${record.n.toString(36)}.${record.version.toString(36)}`;
  return { person: `%EgU${tag}`, source: `#${tag}` };
}

/** Renders a stored contact as a Person with the fields of the mask. */
export function renderContact(record: ContactRecord, mask: Set<string>, inSync = false): Person {
  const etags = contactEtags(record);
  const sourceId = (1e15 + record.n).toString(16);
  const source = { type: 'CONTACT', id: sourceId };
  const person: Person = { resourceName: contactResourceName(record.n), etag: etags.person };
  if (record.deleted) {
    person.metadata = {
      deleted: true,
      sources: [{ ...source, etag: etags.source, updateTime: iso(record.updated) }],
    };
    return person;
  }
  if (mask.has('metadata') || (inSync && record.previous)) {
    person.metadata = {
      sources: [{ ...source, etag: etags.source, updateTime: iso(record.updated) }],
      objectType: 'PERSON',
      ...(inSync && record.previous ? { previousResourceNames: record.previous } : {}),
    };
  }
  const dataFields = [...mask].filter((field) => !HEAD_FIELDS.includes(field));
  const stored = (dataFields.length > 0 ? JSON.parse(record.data) : {}) as Record<
    string,
    Record<string, unknown>[]
  >;
  const bag = person as Record<string, unknown>;
  const primary = { primary: true, source };
  const secondary = { source };
  for (const field of dataFields) {
    const items = stored[field];
    if (!items) continue;
    bag[field] = items.map((item, index) => {
      const rendered = derived(field, item);
      return { metadata: index === 0 ? primary : secondary, ...rendered };
    });
  }
  if (mask.has('memberships'))
    person.memberships = record.groups.map((id) => ({
      metadata: { source },
      contactGroupMembership: {
        contactGroupId: id,
        contactGroupResourceName: `contactGroups/${id}`,
      },
    }));
  if (mask.has('photos'))
    person.photos = [
      {
        metadata: { primary: true, source },
        url: `https://lh3.googleusercontent.com/cm/emulator-default-${sourceId}`,
        default: true,
      },
    ];
  return person;
}

/** Fields rendered from the record itself rather than from its stored JSON. */
const HEAD_FIELDS = ['metadata', 'memberships', 'photos'];

/** A read mask split once per request for renderContactJson. */
export interface PreparedMask {
  head: Set<string>;
  data: string[];
}

/** Splits a read mask into the fields rendered from the record and those from its stored JSON. */
export function prepareMask(mask: Set<string>): PreparedMask {
  return {
    head: new Set([...mask].filter((field) => HEAD_FIELDS.includes(field))),
    data: [...mask].filter((field) => !HEAD_FIELDS.includes(field)),
  };
}

/**
 * Renders a contact straight to JSON text, equal in content to `renderContact` but without
 * building the object graph: the fast path of connections.list on big accounts.
 */
export function renderContactJson(
  record: ContactRecord,
  mask: PreparedMask,
  inSync = false,
): string {
  const simple = !record.deleted && !mask.head.has('photos') && !(inSync && record.previous);
  const head = simple
    ? headJson(record, mask.head)
    : JSON.stringify(renderContact(record, mask.head, inSync));
  if (record.deleted || mask.data.length === 0) return head;
  const stored = JSON.parse(record.data) as Record<string, Record<string, unknown>[]>;
  const source = `{"type":"CONTACT","id":"${(1e15 + record.n).toString(16)}"}`;
  const primary = `{"metadata":{"primary":true,"source":${source}}`;
  const secondary = `{"metadata":{"source":${source}}`;
  const parts: string[] = [];
  for (const field of mask.data) {
    const items = stored[field];
    if (!items) continue;
    const rendered = items.map((item, index) => {
      const extra = derivedExtra(field, item);
      const text = JSON.stringify(item);
      const body = extra
        ? `${text.slice(1, -1)}${text === '{}' ? '' : ','}${JSON.stringify(extra).slice(1, -1)}`
        : text.slice(1, -1);
      const prefix = index === 0 ? primary : secondary;
      return body === '' ? `${prefix}}` : `${prefix},${body}}`;
    });
    parts.push(`"${field}":[${rendered.join(',')}]`);
  }
  return parts.length === 0 ? head : `${head.slice(0, -1)},${parts.join(',')}}`;
}

/** The JSON of resource name, etag, metadata and memberships of a live contact. */
function headJson(record: ContactRecord, head: Set<string>): string {
  const etags = contactEtags(record);
  const source = `"type":"CONTACT","id":"${(1e15 + record.n).toString(16)}"`;
  let text = `{"resourceName":"${contactResourceName(record.n)}","etag":"${etags.person}"`;
  if (head.has('metadata'))
    text += `,"metadata":{"sources":[{${source},"etag":"${etags.source}","updateTime":"${iso(record.updated)}"}],"objectType":"PERSON"}`;
  if (head.has('memberships'))
    text += `,"memberships":[${record.groups
      .map(
        (id) =>
          `{"metadata":{"source":{${source}}},"contactGroupMembership":{"contactGroupId":${JSON.stringify(id)},"contactGroupResourceName":${JSON.stringify(`contactGroups/${id}`)}}}`,
      )
      .join(',')}]`;
  return `${text}}`;
}

function derived(field: string, item: Record<string, unknown>): Record<string, unknown> {
  const extra = derivedExtra(field, item);
  return extra ? { ...item, ...extra } : item;
}

/** The properties Google computes for an item of a field (display names, formatted types). */
function derivedExtra(
  field: string,
  item: Record<string, unknown>,
): Record<string, string> | undefined {
  if (field === 'names') {
    const given = typeof item.givenName === 'string' ? item.givenName : '';
    const family = typeof item.familyName === 'string' ? item.familyName : '';
    const unstructured =
      typeof item.unstructuredName === 'string'
        ? item.unstructuredName
        : [given, family].filter(Boolean).join(' ');
    return {
      displayName: unstructured,
      displayNameLastFirst: family && given ? `${family}, ${given}` : unstructured,
      ...(typeof item.unstructuredName === 'string' ? {} : { unstructuredName: unstructured }),
    };
  }
  if (
    (field === 'emailAddresses' ||
      field === 'phoneNumbers' ||
      field === 'addresses' ||
      field === 'urls') &&
    typeof item.type === 'string'
  )
    return { formattedType: item.type.charAt(0).toUpperCase() + item.type.slice(1) };
  return undefined;
}

/** An RFC 3339 timestamp of a virtual-clock time. */
export function iso(milliseconds: number): string {
  if (milliseconds !== lastIso.milliseconds) {
    lastIso.milliseconds = milliseconds;
    lastIso.text = new Date(milliseconds).toISOString();
  }
  return lastIso.text;
}

const lastIso = { milliseconds: Number.NaN, text: '' };

/**
 * Whether searchContacts finds a contact: "The query matches on a contact's names, nickNames,
 * emailAddresses, phoneNumbers, and organizations fields" and "is used to match prefix phrases of
 * the fields on a person. For example, a person with name "foo name" matches queries such as "f",
 * "fo", "foo", "foo n", "nam", etc., but not "oo n"" (people.searchContacts reference): the
 * query, as a whole, must begin one of a field's values or begin at one of its words. Words are
 * taken to be separated by white space only, so "lee" does not find "ann.lee@x.example", and a
 * phone number matches by its digits from the start of one of its groups (assumptions).
 */
export function searchMatches(record: ContactRecord, query: string): boolean {
  const stored = JSON.parse(record.data) as Record<string, Record<string, unknown>[]>;
  const needle = query.toLowerCase().replace(/\s+/g, ' ').trim();
  if (needle === '') return false;
  const values: string[] = [];
  const push = (value: unknown): void => {
    if (typeof value === 'string' && value.trim() !== '') values.push(value);
  };
  for (const name of stored.names ?? []) {
    push(name.givenName);
    push(name.familyName);
    push(name.middleName);
    push(
      typeof name.unstructuredName === 'string'
        ? name.unstructuredName
        : [name.givenName, name.familyName].filter((part) => typeof part === 'string').join(' '),
    );
  }
  for (const item of stored.nicknames ?? []) push(item.value);
  for (const item of stored.emailAddresses ?? []) push(item.value);
  for (const item of stored.organizations ?? []) {
    push(item.name);
    push(item.title);
  }
  for (const value of values) {
    const phrase = value.toLowerCase().replace(/\s+/g, ' ').trim();
    const words = phrase.split(' ');
    for (let index = 0; index < words.length; index++)
      if (words.slice(index).join(' ').startsWith(needle)) return true;
  }
  const digits = needle.replace(/[^\d]/g, '');
  if (digits.length >= 3 && /^[\d\s()+.-]+$/.test(needle))
    for (const item of stored.phoneNumbers ?? []) {
      if (typeof item.value !== 'string') continue;
      const groups = item.value.split(/[\s()./-]+/).filter(Boolean);
      for (let index = 0; index < groups.length; index++)
        if (groups.slice(index).join('').replace(/[^\d]/g, '').startsWith(digits)) return true;
    }
  return false;
}

/** The display name Google gives a system contact group. */
export function systemGroupFormattedName(id: string): string {
  const names: Record<string, string> = {
    myContacts: 'My Contacts',
    starred: 'Starred',
    friends: 'Friends',
    family: 'Family',
    coworkers: 'Coworkers',
    chatBuddies: 'Chat contacts',
    all: 'All Contacts',
    blocked: 'Blocked',
  };
  return names[id] ?? SYSTEM_GROUPS[id] ?? id;
}
