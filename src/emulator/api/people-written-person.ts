/**
 * This file defines how the emulator reads what a People API client writes and asks for: the
 * field lists and masks of people.v1, and the validation of written persons (singletons,
 * memberships, unknown fields).
 */
import { invalidArgument } from './google-errors';
import { checkFields } from './route-context';
import type { AddressBook } from './workspace-store';

/** Every `personFields` / `readMask` path of people.v1. */
export const PERSON_FIELDS = [
  'addresses',
  'ageRanges',
  'biographies',
  'birthdays',
  'calendarUrls',
  'clientData',
  'coverPhotos',
  'emailAddresses',
  'events',
  'externalIds',
  'genders',
  'imClients',
  'interests',
  'locales',
  'locations',
  'memberships',
  'metadata',
  'miscKeywords',
  'names',
  'nicknames',
  'occupations',
  'organizations',
  'phoneNumbers',
  'photos',
  'relations',
  'sipAddresses',
  'skills',
  'urls',
  'userDefined',
] as const;

/** Fields of Person a client may send but which a contact write ignores (server-set). */
const READ_ONLY_FIELDS = [
  'resourceName',
  'etag',
  'metadata',
  'photos',
  'coverPhotos',
  'ageRanges',
  'ageRange',
  'braggingRights',
  'fileAses',
  'relationshipInterests',
  'relationshipStatuses',
  'residences',
  'skills',
  'taglines',
];

/** The fields a contact write may set (`updatePersonFields` paths). */
export const UPDATABLE_FIELDS = PERSON_FIELDS.filter((field) => !READ_ONLY_FIELDS.includes(field));

/** Fields that hold one value on a contact (FACTS.md, People API: "names, birthdays, genders and biographies hold one value each"). */
export const SINGLETON_FIELDS = ['names', 'birthdays', 'genders', 'biographies'];

/** Item properties that Google computes and a write does not store. */
const DERIVED_ITEM_KEYS = [
  'metadata',
  'formattedType',
  'canonicalForm',
  'displayName',
  'displayNameLastFirst',
  'formattedValue',
  'formattedProtocol',
];

const PERSON_MASK_DOC = 'https://developers.google.com/people/api/rest/v1/people.connections/list';

/** Validates a read mask (`personFields`/`readMask`), required unless `fallback` is given. */
export function readMask(paths: string[], name: string, fallback?: readonly string[]): Set<string> {
  if (paths.length === 0) {
    if (fallback) return new Set(fallback);
    throw invalidArgument(
      `${name} mask is required. Please specify one or more valid paths. Valid paths are documented at ${PERSON_MASK_DOC}.`,
    );
  }
  for (const path of paths)
    if (!(PERSON_FIELDS as readonly string[]).includes(path))
      throw invalidArgument(
        `Invalid ${name} mask path: "${path}". Valid paths are documented at ${PERSON_MASK_DOC}.`,
      );
  return new Set(paths);
}

/** Validates `updatePersonFields` (required). */
export function updateMask(paths: string[]): string[] {
  if (paths.length === 0)
    throw invalidArgument(
      'updatePersonFields mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/updateContact.',
    );
  for (const path of paths)
    if (!(UPDATABLE_FIELDS as readonly string[]).includes(path))
      throw invalidArgument(
        `Invalid updatePersonFields mask path: "${path}". Valid update paths are documented at https://developers.google.com/people/api/rest/v1/people/updateContact.`,
      );
  return paths;
}

/** A person as written, reduced to what the emulator stores. */
export interface WrittenPerson {
  fields: Record<string, unknown[]>;
  /** Contact-group ids, when the person carried memberships. */
  groups?: string[];
}

/**
 * Validates a person sent to createContact/updateContact and reduces it to stored fields.
 * `book` resolves membership groups; throws 400 INVALID_ARGUMENT with Google's wording.
 */
export function parseWrittenPerson(
  value: unknown,
  book: AddressBook,
  where = 'person',
): WrittenPerson {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidArgument(`Invalid JSON payload received. '${where}' must be an object.`);
  const person = value as Record<string, unknown>;
  checkFields(person, [...UPDATABLE_FIELDS, ...READ_ONLY_FIELDS], where);
  const fields: Record<string, unknown[]> = {};
  let groups: string[] | undefined;
  for (const field of UPDATABLE_FIELDS) {
    const items = person[field];
    if (items === undefined || items === null) continue;
    if (
      !Array.isArray(items) ||
      items.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))
    )
      throw invalidArgument(`Invalid value at '${where}.${field}': expected a list of objects.`);
    if (SINGLETON_FIELDS.includes(field) && items.length > 1)
      throw invalidArgument(
        `Invalid ${where}.${field}: only one ${field.replace(/s$/, '')} is allowed on a contact; got ${items.length}.`,
      );
    if (field === 'memberships') {
      groups = parseMemberships(items as Record<string, unknown>[], book, where);
      continue;
    }
    (items as Record<string, unknown>[]).forEach((item, index) =>
      checkItem(field, item, `${where}.${snakeCase(field)}[${index}]`),
    );
    if (field === 'clientData')
      for (const item of items as Record<string, unknown>[])
        if (typeof item.key !== 'string' || item.key === '')
          throw invalidArgument(`Invalid ${where}.clientData: every entry needs a non-empty key.`);
    if (items.length > 0) fields[field] = (items as Record<string, unknown>[]).map(stripDerived);
  }
  return groups === undefined ? { fields } : { fields, groups };
}

type ItemKind = 'string' | 'object' | 'boolean' | 'number';

const S = 'string' as const;
const O = 'object' as const;

/** The properties of the items of the fields a contacts product writes (people.v1 schemas). */
const ITEM_SCHEMAS: Record<string, Record<string, ItemKind>> = {
  names: {
    metadata: O,
    displayName: S,
    displayNameLastFirst: S,
    unstructuredName: S,
    familyName: S,
    givenName: S,
    middleName: S,
    honorificPrefix: S,
    honorificSuffix: S,
    phoneticFullName: S,
    phoneticFamilyName: S,
    phoneticGivenName: S,
    phoneticMiddleName: S,
    phoneticHonorificPrefix: S,
    phoneticHonorificSuffix: S,
  },
  emailAddresses: { metadata: O, value: S, type: S, formattedType: S, displayName: S },
  phoneNumbers: { metadata: O, value: S, canonicalForm: S, type: S, formattedType: S },
  organizations: {
    metadata: O,
    type: S,
    formattedType: S,
    startDate: O,
    endDate: O,
    current: 'boolean',
    name: S,
    phoneticName: S,
    department: S,
    title: S,
    jobDescription: S,
    symbol: S,
    domain: S,
    location: S,
    costCenter: S,
    fullTimeEquivalentMillipercent: 'number',
  },
  addresses: {
    metadata: O,
    formattedValue: S,
    type: S,
    formattedType: S,
    poBox: S,
    streetAddress: S,
    extendedAddress: S,
    city: S,
    region: S,
    postalCode: S,
    country: S,
    countryCode: S,
  },
  biographies: { metadata: O, value: S, contentType: S },
  birthdays: { metadata: O, date: O, text: S },
  urls: { metadata: O, value: S, type: S, formattedType: S },
  userDefined: { metadata: O, key: S, value: S },
  clientData: { metadata: O, key: S, value: S },
  nicknames: { metadata: O, value: S, type: S },
};

/** Checks an item against its field's schema: unknown properties and wrong types are 400s. */
function checkItem(field: string, item: Record<string, unknown>, where: string): void {
  const schema = ITEM_SCHEMAS[field];
  if (!schema) return;
  for (const [key, value] of Object.entries(item)) {
    const kind = schema[key];
    if (kind === undefined)
      throw invalidArgument(
        `Invalid JSON payload received. Unknown name "${key}" at '${where}': Cannot find field.`,
      );
    const ok =
      kind === 'object'
        ? typeof value === 'object' && value !== null && !Array.isArray(value)
        : typeof value === kind;
    if (!ok)
      throw invalidArgument(
        `Invalid value at '${where}.${snakeCase(key)}' (${kind === 'object' ? 'TYPE_MESSAGE' : `TYPE_${kind.toUpperCase()}`}), ${JSON.stringify(value)}`,
      );
  }
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function stripDerived(item: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item))
    if (!DERIVED_ITEM_KEYS.includes(key)) copy[key] = value;
  return copy;
}

function parseMemberships(
  items: Record<string, unknown>[],
  book: AddressBook,
  where: string,
): string[] {
  const groups: string[] = [];
  for (const item of items) {
    const membership = item.contactGroupMembership as Record<string, unknown> | undefined;
    const name =
      typeof membership?.contactGroupResourceName === 'string'
        ? membership.contactGroupResourceName.replace(/^contactGroups\//, '')
        : typeof membership?.contactGroupId === 'string'
          ? membership.contactGroupId
          : undefined;
    if (name === undefined) {
      if (item.domainMembership !== undefined) continue;
      throw invalidArgument(
        `Invalid ${where}.memberships: a contactGroupMembership needs contactGroupResourceName.`,
      );
    }
    const group = book.groups.get(name);
    if (!group || group.deleted)
      throw invalidArgument(
        `Invalid ${where}.memberships: contact group "contactGroups/${name}" not found.`,
      );
    if (group.system && name !== 'myContacts' && name !== 'starred')
      throw invalidArgument(
        `Invalid ${where}.memberships: cannot add a contact to system contact group "contactGroups/${name}".`,
      );
    if (!groups.includes(name)) groups.push(name);
  }
  return groups;
}
