/**
 * This file defines the contactGroups resource of the emulated People API: list, get, batchGet,
 * create, update, delete, and contactGroups.members.modify.
 */
import type { people_v1 } from '@googleapis/people';
import {
  GoogleApiError,
  failedPrecondition,
  invalidArgument,
  legacyError,
  notFound,
} from './google-errors';
import { contactNumber, iso, systemGroupFormattedName } from './people-person';
import {
  CONTACTS,
  CONTACTS_READ,
  PEOPLE_LIMITS,
  bookOf,
  contactResourceNameOf,
  fullSyncOf,
  listPageOffset,
  nextListPageToken,
  nextSyncToken,
  maskList,
  peopleRoute,
  readSyncToken,
  resourceNamesParam,
  rpcCode,
  stringList,
  type PeopleDeps,
} from './people-shared';
import {
  boolParam,
  checkedBody,
  checkFields,
  checkQuery,
  hashOf,
  intParam,
  maskParam,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import {
  ONLY_MY_CONTACTS,
  type AddressBook,
  type ContactGroupRecord,
  type ContactRecord,
} from './workspace-store';

type ContactGroup = people_v1.Schema$ContactGroup;

/** The fields a group read answers with when groupFields is not set. */
const DEFAULT_GROUP_FIELDS = ['metadata', 'groupType', 'memberCount', 'name'];

/** The fields of a contactGroup in a create or update body. */
const CONTACT_GROUP_FIELDS = [
  'name',
  'clientData',
  'resourceName',
  'etag',
  'metadata',
  'groupType',
  'formattedName',
  'memberResourceNames',
  'memberCount',
];

/** Builds the contactGroups routes over a store. */
export function contactGroupRoutes({ store, clock }: PeopleDeps): Route[] {
  const groupFieldsOf = (url: URL, name: string, fallback: string[]): Set<string> => {
    const paths = maskParam(url, name);
    for (const path of paths)
      if (!['clientData', 'groupType', 'memberCount', 'metadata', 'name'].includes(path))
        throw invalidArgument(
          `Invalid ${name} mask path: "${path}". Valid paths are documented at https://developers.google.com/people/api/rest/v1/contactGroups/list.`,
        );
    return new Set(paths.length > 0 ? paths : fallback);
  };

  const memberCounts = (book: AddressBook): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const record of book.contacts.values())
      if (!record.deleted)
        for (const id of record.groups) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  };

  const renderGroup = (
    group: ContactGroupRecord,
    fields: Set<string>,
    counts: Map<string, number> | undefined,
    members?: string[],
  ): ContactGroup => {
    const result: ContactGroup = {
      resourceName: `contactGroups/${group.id}`,
      etag: `${group.system ? 'S' : 'U'}${Buffer.from(`${group.id}.${group.version}`).toString('base64')}`,
    };
    if (group.deleted) {
      result.metadata = { deleted: true, updateTime: iso(group.updated) };
      return result;
    }
    if (fields.has('metadata'))
      result.metadata = { updateTime: iso(group.system ? clock.now() : group.updated) };
    if (fields.has('groupType'))
      result.groupType = group.system ? 'SYSTEM_CONTACT_GROUP' : 'USER_CONTACT_GROUP';
    if (fields.has('name')) {
      result.name = group.name;
      result.formattedName = group.system ? systemGroupFormattedName(group.id) : group.name;
    }
    if (fields.has('memberCount') && counts) {
      const count = counts.get(group.id) ?? 0;
      if (count > 0) result.memberCount = count;
    }
    if (fields.has('clientData') && group.clientData.length > 0)
      result.clientData = group.clientData.map((entry) => ({ ...entry }));
    if (members && members.length > 0) result.memberResourceNames = members;
    return result;
  };

  const findGroup = (book: AddressBook, id: string): ContactGroupRecord => {
    if (!/^[A-Za-z0-9]+$/.test(id))
      throw invalidArgument(
        `Resource name "contactGroups/${id}" is not a valid contact group resource name.`,
      );
    const group = book.groups.get(id);
    if (!group || group.deleted) throw notFound();
    return group;
  };

  const groupMembers = (book: AddressBook, id: string, max: number): string[] => {
    const members: string[] = [];
    if (max === 0) return members;
    for (const record of book.contacts.values()) {
      if (!record.deleted && record.groups.includes(id))
        members.push(contactResourceNameOf(record));
      if (members.length >= max) break;
    }
    return members;
  };

  const listGroups = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['pageSize', 'pageToken', 'syncToken', 'groupFields']);
    const pageSize = intParam(
      context.url,
      'pageSize',
      PEOPLE_LIMITS.groupsDefaultPageSize,
      1,
      PEOPLE_LIMITS.groupsPageSize,
      'pageSize',
    );
    const fields = groupFieldsOf(context.url, 'groupFields', DEFAULT_GROUP_FIELDS);
    const book = bookOf(store, context);
    const syncTokenText = context.url.searchParams.get('syncToken');
    let since = -1;
    let fullSyncAt = context.now;
    if (syncTokenText) {
      const token = readSyncToken(syncTokenText, 'groups', context);
      fullSyncAt = fullSyncOf(token, context.now);
      since = token.s;
    }
    const pageHash = hashOf(
      [context.caller.email, pageSize, [...fields].join(','), syncTokenText ?? ''].join('|'),
    );
    const offset = listPageOffset(context.url, pageHash);
    const all = [...book.groups.values()].filter((group) =>
      since < 0 ? !group.deleted : group.seq > since,
    );
    const slice = all.slice(offset, offset + pageSize);
    const counts = fields.has('memberCount') ? memberCounts(book) : undefined;
    const response: people_v1.Schema$ListContactGroupsResponse = { totalItems: all.length };
    if (slice.length > 0)
      response.contactGroups = slice.map((group) => renderGroup(group, fields, counts));
    if (offset + pageSize < all.length)
      response.nextPageToken = nextListPageToken(offset + pageSize, pageHash);
    else response.nextSyncToken = nextSyncToken('groups', context, store.currentSeq(), fullSyncAt);
    return { body: response, items: slice.length };
  };

  const getGroup = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['maxMembers', 'groupFields']);
    const max = intParam(context.url, 'maxMembers', 0, 0, 1_000_000_000, 'maxMembers');
    const fields = groupFieldsOf(context.url, 'groupFields', DEFAULT_GROUP_FIELDS);
    const book = bookOf(store, context);
    const group = findGroup(book, context.params[0] ?? '');
    const members = groupMembers(book, group.id, max);
    return {
      body: renderGroup(group, fields, memberCounts(book), members),
      items: 1 + members.length,
    };
  };

  const batchGetGroups = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['resourceNames', 'maxMembers', 'groupFields']);
    const names = resourceNamesParam(context.url, PEOPLE_LIMITS.groupBatchGet);
    const max = intParam(context.url, 'maxMembers', 0, 0, 1_000_000_000, 'maxMembers');
    const fields = groupFieldsOf(context.url, 'groupFields', DEFAULT_GROUP_FIELDS);
    const book = bookOf(store, context);
    const counts = memberCounts(book);
    const responses = names.map((name): people_v1.Schema$ContactGroupResponse => {
      try {
        if (!name.startsWith('contactGroups/'))
          throw invalidArgument(
            `Resource name "${name}" is not a valid contact group resource name.`,
          );
        const group = findGroup(book, name.slice('contactGroups/'.length));
        return {
          requestedResourceName: name,
          contactGroup: renderGroup(group, fields, counts, groupMembers(book, group.id, max)),
          status: {},
        };
      } catch (error) {
        if (!(error instanceof GoogleApiError)) throw error;
        return {
          requestedResourceName: name,
          status: { code: rpcCode(error), message: error.message },
        };
      }
    });
    return {
      body: { responses } satisfies people_v1.Schema$BatchGetContactGroupsResponse,
      items: names.length,
    };
  };

  /**
   * "Created contact group names must be unique to the users contact groups. Attempting to create
   * a group with a duplicate name will return a HTTP 409 error" (contactGroups.create reference).
   * Names are compared without regard to case or surrounding white space, and a system group's
   * display name ("My Contacts") is taken: an assumption, the stricter reading.
   */
  const checkGroupName = (book: AddressBook, name: unknown, except?: string): string => {
    if (typeof name !== 'string' || name.trim() === '')
      throw invalidArgument('contactGroup.name is required and must not be empty.');
    const key = name.trim().toLowerCase();
    for (const group of book.groups.values())
      if (
        !group.deleted &&
        group.id !== except &&
        (group.name.trim().toLowerCase() === key ||
          (group.system && systemGroupFormattedName(group.id).toLowerCase() === key))
      )
        throw legacyError(409, 'Contact group name already exists.', 'ALREADY_EXISTS', 'duplicate');
    return name;
  };

  /**
   * The fields a group create or update answers with: "Defaults to metadata, groupType, and name
   * if not set or set to empty" (contactGroups.create and contactGroups.update references), so
   * clientData comes back only when asked for.
   */
  const readGroupFieldsOf = (value: unknown): Set<string> => {
    const paths = maskList(value);
    for (const path of paths)
      if (!['clientData', 'groupType', 'metadata', 'name'].includes(path))
        throw invalidArgument(`Invalid readGroupFields mask path: "${path}".`);
    return new Set(paths.length > 0 ? paths : ['metadata', 'groupType', 'name']);
  };

  const contactGroupInput = (body: Record<string, unknown>): Record<string, unknown> => {
    const input = body.contactGroup as Record<string, unknown> | undefined;
    if (typeof input !== 'object' || input === null)
      throw invalidArgument('contactGroup is required.');
    checkFields(input, CONTACT_GROUP_FIELDS, 'contact_group');
    return input;
  };

  const parseClientData = (value: unknown): { key: string; value: string }[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalidArgument('contactGroup.clientData must be a list.');
    return value.map((entry: unknown) => {
      const item = entry as Record<string, unknown> | null;
      if (!item || typeof item.key !== 'string' || item.key === '')
        throw invalidArgument('Every contactGroup.clientData entry needs a non-empty key.');
      return { key: item.key, value: typeof item.value === 'string' ? item.value : '' };
    });
  };

  const createGroup = (context: RouteContext): RouteResult => {
    const body = checkedBody(context, ['contactGroup', 'readGroupFields']);
    const input = contactGroupInput(body);
    const book = bookOf(store, context);
    const name = checkGroupName(book, input.name);
    const fields = readGroupFieldsOf(body.readGroupFields);
    const group: ContactGroupRecord = {
      id: (0x1000000000 + store.nextNumber()).toString(16),
      name,
      system: false,
      seq: store.nextSeq(),
      updated: context.now,
      version: 1,
      deleted: false,
      clientData: parseClientData(input.clientData),
    };
    book.groups.set(group.id, group);
    return { body: renderGroup(group, fields, undefined), items: 1 };
  };

  const updateGroup = (context: RouteContext): RouteResult => {
    const body = checkedBody(context, ['contactGroup', 'updateGroupFields', 'readGroupFields']);
    const input = contactGroupInput(body);
    const book = bookOf(store, context);
    const group = findGroup(book, context.params[0] ?? '');
    if (group.system) throw invalidArgument('System contact groups cannot be modified.');
    const updateFields =
      maskList(body.updateGroupFields).length > 0 ? maskList(body.updateGroupFields) : ['name'];
    for (const field of updateFields)
      if (field !== 'name' && field !== 'clientData')
        throw invalidArgument(`Invalid updateGroupFields mask path: "${field}".`);
    const current = renderGroup(group, new Set(), undefined).etag;
    if (typeof input.etag !== 'string')
      throw invalidArgument('contactGroup.etag is required to update a contact group.');
    if (input.etag !== current)
      throw failedPrecondition(
        'Request contactGroup.etag is different than the current etag. Clear local cache and get the latest contact group.',
      );
    if (updateFields.includes('name')) group.name = checkGroupName(book, input.name, group.id);
    if (updateFields.includes('clientData')) group.clientData = parseClientData(input.clientData);
    group.version++;
    group.seq = store.nextSeq();
    group.updated = context.now;
    const fields = readGroupFieldsOf(body.readGroupFields);
    return { body: renderGroup(group, fields, memberCounts(book)), items: 1 };
  };

  const deleteGroup = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['deleteContacts']);
    const deleteContacts = boolParam(context.url, 'deleteContacts');
    const book = bookOf(store, context);
    const group = findGroup(book, context.params[0] ?? '');
    if (group.system) throw invalidArgument('System contact groups cannot be deleted.');
    for (const record of [...book.contacts.values()]) {
      if (record.deleted || !record.groups.includes(group.id)) continue;
      if (deleteContacts) store.deleteContact(book, record, context.now);
      else {
        const rest = record.groups.filter((id) => id !== group.id);
        record.groups = rest.length > 0 ? rest : ONLY_MY_CONTACTS;
        store.touchContact(book, record, context.now);
      }
    }
    group.deleted = true;
    group.clientData = [];
    group.seq = store.nextSeq();
    group.updated = context.now;
    return { body: {}, items: 1 };
  };

  const modifyMembers = (context: RouteContext): RouteResult => {
    const body = checkedBody(context, ['resourceNamesToAdd', 'resourceNamesToRemove']);
    const toAdd = stringList(body.resourceNamesToAdd, 'resourceNamesToAdd');
    const toRemove = stringList(body.resourceNamesToRemove, 'resourceNamesToRemove');
    if (toAdd.length + toRemove.length > PEOPLE_LIMITS.membersModify)
      throw invalidArgument(
        `Too many resource names: at most ${PEOPLE_LIMITS.membersModify} may be added and removed in one request; got ${toAdd.length + toRemove.length}.`,
      );
    const book = bookOf(store, context);
    const group = findGroup(book, context.params[0] ?? '');
    if (toAdd.length > 0 && group.system && group.id !== 'myContacts' && group.id !== 'starred')
      throw invalidArgument(
        `Cannot add contacts to system contact group "contactGroups/${group.id}": only user contact groups, myContacts and starred accept members.`,
      );
    const notFoundResourceNames: string[] = [];
    const canNotRemoveLastContactGroupResourceNames: string[] = [];
    const lookup = (name: string): ContactRecord | undefined => {
      const n = contactNumber(name);
      if (n === undefined)
        throw invalidArgument(`Resource name "${name}" is not a valid resource name of a contact.`);
      const record = book.contacts.get(n);
      return record && !record.deleted ? record : undefined;
    };
    const changed = new Set<ContactRecord>();
    for (const name of toAdd) {
      const record = lookup(name);
      if (!record) notFoundResourceNames.push(name);
      else if (!record.groups.includes(group.id)) {
        record.groups = [...record.groups, group.id];
        changed.add(record);
      }
    }
    for (const name of toRemove) {
      const record = lookup(name);
      if (!record) notFoundResourceNames.push(name);
      else if (record.groups.includes(group.id)) {
        if (record.groups.length === 1) canNotRemoveLastContactGroupResourceNames.push(name);
        else {
          record.groups = record.groups.filter((id) => id !== group.id);
          changed.add(record);
        }
      }
    }
    for (const record of changed) store.touchContact(book, record, context.now);
    const response: people_v1.Schema$ModifyContactGroupMembersResponse = {};
    if (notFoundResourceNames.length > 0) response.notFoundResourceNames = notFoundResourceNames;
    if (canNotRemoveLastContactGroupResourceNames.length > 0)
      response.canNotRemoveLastContactGroupResourceNames =
        canNotRemoveLastContactGroupResourceNames;
    return { body: response, items: toAdd.length + toRemove.length };
  };

  return [
    peopleRoute(
      'GET',
      /^\/v1\/contactGroups$/,
      'people.contactGroups.list',
      'ContactGroupService.ListContactGroups',
      CONTACTS_READ,
      'read',
      listGroups,
    ),
    peopleRoute(
      'POST',
      /^\/v1\/contactGroups$/,
      'people.contactGroups.create',
      'ContactGroupService.CreateContactGroup',
      CONTACTS,
      'write',
      createGroup,
    ),
    peopleRoute(
      'GET',
      /^\/v1\/contactGroups:batchGet$/,
      'people.contactGroups.batchGet',
      'ContactGroupService.BatchGetContactGroups',
      CONTACTS_READ,
      'read',
      batchGetGroups,
    ),
    peopleRoute(
      'POST',
      /^\/v1\/contactGroups\/([^/:]+)\/members:modify$/,
      'people.contactGroups.members.modify',
      'ContactGroupService.ModifyContactGroupMembers',
      CONTACTS,
      'write',
      modifyMembers,
    ),
    peopleRoute(
      'GET',
      /^\/v1\/contactGroups\/([^/:]+)$/,
      'people.contactGroups.get',
      'ContactGroupService.GetContactGroup',
      CONTACTS_READ,
      'read',
      getGroup,
    ),
    peopleRoute(
      'PUT',
      /^\/v1\/contactGroups\/([^/:]+)$/,
      'people.contactGroups.update',
      'ContactGroupService.UpdateContactGroup',
      CONTACTS,
      'write',
      updateGroup,
    ),
    peopleRoute(
      'DELETE',
      /^\/v1\/contactGroups\/([^/:]+)$/,
      'people.contactGroups.delete',
      'ContactGroupService.DeleteContactGroup',
      CONTACTS,
      'write',
      deleteGroup,
    ),
  ];
}
