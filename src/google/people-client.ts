/**
 * This file defines the typed People API v1 client: one method per endpoint the product uses,
 * each an ApiCall (see transport.ts) for one user's token. Request and response types come from
 * @googleapis/people as type-only imports, so none of that package reaches the Apps Script bundle.
 */
import type { people_v1 } from '@googleapis/people';
import { peopleBucketsOf } from './quota-pacer';
import { json, query, type ApiCall, type ApiRequest } from './transport';

export type Person = people_v1.Schema$Person;
export type ContactGroup = people_v1.Schema$ContactGroup;
export type ListConnectionsResponse = people_v1.Schema$ListConnectionsResponse;
export type ListContactGroupsResponse = people_v1.Schema$ListContactGroupsResponse;

/** The People API's root URL. */
export const PEOPLE_API = 'https://people.googleapis.com/v1/';

/** Batch and page limits of the People API (FACTS.md). */
export const PEOPLE_LIMITS = {
  batchWrite: 200,
  batchDelete: 500,
  batchGet: 200,
  membersModify: 1000,
  connectionsPage: 1000,
  groupsPage: 1000,
  searchPage: 30,
  /** UrlFetchApp's URL limit (FACTS.md): batchGet splits its names to stay below it. */
  urlLength: 2000,
} as const;

/** Parameters of `people.connections.list`. */
export interface ListConnectionsParams {
  personFields: string;
  pageSize?: number;
  pageToken?: string;
  requestSyncToken?: boolean;
  syncToken?: string;
  sortOrder?: string;
  sources?: string[];
}

/** The parameters that `people.listDirectoryPeople` and `searchDirectoryPeople` share. */
interface DirectoryPeoplePage {
  readMask: string;
  sources: string[];
  pageSize?: number;
  pageToken?: string;
}

/** The People API for one user's access token. */
export class PeopleClient {
  constructor(private readonly token: string) {}

  private request(
    operation: string,
    method: ApiRequest['method'],
    path: string,
    body?: unknown,
    idempotent = true,
  ): ApiRequest {
    return {
      operation,
      method,
      url: PEOPLE_API + path,
      headers: { authorization: `Bearer ${this.token}` },
      ...(body === undefined
        ? {}
        : { contentType: 'application/json', payload: JSON.stringify(body) }),
      idempotent,
      quota: peopleBucketsOf(operation, PEOPLE_API + path),
    };
  }

  /** Sends the batch method `people.people.<method>` (POST `people:<method>`) and reads its answer. */
  private *batch<T>(method: string, body: unknown, idempotent = true): ApiCall<T> {
    return json<T>(
      yield this.request(`people.people.${method}`, 'post', `people:${method}`, body, idempotent),
    );
  }

  /** One page of `people.connections.list`. */
  *listConnections(params: ListConnectionsParams): ApiCall<ListConnectionsResponse> {
    return json<ListConnectionsResponse>(
      yield this.request(
        'people.connections.list',
        'get',
        `people/me/connections${query({ ...params })}`,
      ),
    );
  }

  /** `people.getBatchGet`, split so that each call names ≤ 200 people within the URL limit. */
  *getBatchGet(resourceNames: string[], personFields: string): ApiCall<Person[]> {
    const people: Person[] = [];
    let index = 0;
    while (index < resourceNames.length) {
      const batch: string[] = [];
      let length = PEOPLE_API.length + 60 + personFields.length;
      while (index < resourceNames.length && batch.length < PEOPLE_LIMITS.batchGet) {
        const name = resourceNames[index] as string;
        const extra = encodeURIComponent(name).length + 15;
        if (batch.length > 0 && length + extra > PEOPLE_LIMITS.urlLength) break;
        batch.push(name);
        length += extra;
        index++;
      }
      const response = json<people_v1.Schema$GetPeopleResponse>(
        yield this.request(
          'people.people.getBatchGet',
          'get',
          `people:batchGet${query({ resourceNames: batch, personFields })}`,
        ),
      );
      for (const item of response.responses ?? []) if (item.person) people.push(item.person);
    }
    return people;
  }

  /** `people.createContact`. */
  *createContact(person: Person, personFields?: string): ApiCall<Person> {
    return json<Person>(
      yield this.request(
        'people.people.createContact',
        'post',
        `people:createContact${query({ personFields })}`,
        person,
        false,
      ),
    );
  }

  /** `people.updateContact`; `person.etag` must be the current one. */
  *updateContact(
    resourceName: string,
    person: Person,
    updatePersonFields: string[],
  ): ApiCall<Person> {
    return json<Person>(
      yield this.request(
        'people.people.updateContact',
        'patch',
        `${resourceName}:updateContact${query({ updatePersonFields: updatePersonFields.join(',') })}`,
        person,
      ),
    );
  }

  /** `people.deleteContact`. */
  *deleteContact(resourceName: string): ApiCall<void> {
    yield this.request('people.people.deleteContact', 'delete', `${resourceName}:deleteContact`);
  }

  /**
   * `people.batchCreateContacts` (≤ 200); returns the created people in order. All or nothing: a
   * refused contact fails the whole batch with a GoogleApiError whose `details.contactErrors`
   * names the refused indexes (batch-isolation.ts writes the others).
   */
  *batchCreateContacts(contacts: Person[], readMask = 'metadata'): ApiCall<Person[]> {
    if (contacts.length > PEOPLE_LIMITS.batchWrite)
      throw new RangeError('At most 200 contacts a call.');
    const body: people_v1.Schema$BatchCreateContactsRequest = {
      contacts: contacts.map((contactPerson) => ({ contactPerson })),
      readMask,
    };
    const response: people_v1.Schema$BatchCreateContactsResponse = yield* this.batch(
      'batchCreateContacts',
      body,
      false,
    );
    return (response.createdPeople ?? []).map((item) => item.person ?? {});
  }

  /**
   * `people.batchUpdateContacts` (≤ 200), keyed by resource name. All or nothing, like
   * batchCreateContacts: `details.contactErrors` names the refused resource names.
   */
  *batchUpdateContacts(
    contacts: Record<string, Person>,
    updateMask: string[],
    readMask = 'metadata',
  ): ApiCall<Record<string, Person>> {
    if (Object.keys(contacts).length > PEOPLE_LIMITS.batchWrite)
      throw new RangeError('At most 200 contacts a call.');
    const body: people_v1.Schema$BatchUpdateContactsRequest = {
      contacts,
      updateMask: updateMask.join(','),
      readMask,
    };
    const response: people_v1.Schema$BatchUpdateContactsResponse = yield* this.batch(
      'batchUpdateContacts',
      body,
    );
    const result: Record<string, Person> = {};
    for (const [name, item] of Object.entries(response.updateResult ?? {}))
      if (item.person) result[name] = item.person;
    return result;
  }

  /** `people.batchDeleteContacts` (≤ 500). */
  *batchDeleteContacts(resourceNames: string[]): ApiCall<void> {
    if (resourceNames.length > PEOPLE_LIMITS.batchDelete)
      throw new RangeError('At most 500 contacts a call.');
    yield this.request('people.people.batchDeleteContacts', 'post', 'people:batchDeleteContacts', {
      resourceNames,
    });
  }

  /**
   * `people.searchContacts` (≤ 30 results). Sends the empty-query warm-up first, as the API asks.
   */
  *searchContacts(text: string, readMask: string, pageSize = 10): ApiCall<Person[]> {
    yield this.request(
      'people.people.searchContacts',
      'get',
      `people:searchContacts${query({ query: '', readMask })}`,
    );
    const response = json<people_v1.Schema$SearchResponse>(
      yield this.request(
        'people.people.searchContacts',
        'get',
        `people:searchContacts${query({ query: text, readMask, pageSize: Math.min(pageSize, PEOPLE_LIMITS.searchPage) })}`,
      ),
    );
    return (response.results ?? []).map((result) => result.person ?? {});
  }

  /** One page of `contactGroups.list`. */
  *listContactGroups(params: {
    groupFields?: string;
    pageSize?: number;
    pageToken?: string;
    syncToken?: string;
  }): ApiCall<ListContactGroupsResponse> {
    return json<ListContactGroupsResponse>(
      yield this.request(
        'people.contactGroups.list',
        'get',
        `contactGroups${query({ ...params })}`,
      ),
    );
  }

  /** Every contact group, all pages. */
  *listAllContactGroups(groupFields: string): ApiCall<ContactGroup[]> {
    const groups: ContactGroup[] = [];
    let pageToken: string | undefined;
    do {
      const page: ListContactGroupsResponse = yield* this.listContactGroups({
        groupFields,
        pageSize: PEOPLE_LIMITS.groupsPage,
        pageToken,
      });
      groups.push(...(page.contactGroups ?? []));
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return groups;
  }

  /** `contactGroups.get`. */
  *getContactGroup(
    resourceName: string,
    groupFields?: string,
    maxMembers?: number,
  ): ApiCall<ContactGroup> {
    return json<ContactGroup>(
      yield this.request(
        'people.contactGroups.get',
        'get',
        `${resourceName}${query({ groupFields, maxMembers })}`,
      ),
    );
  }

  /** `contactGroups.batchGet` (≤ 200). */
  *batchGetContactGroups(resourceNames: string[], groupFields?: string): ApiCall<ContactGroup[]> {
    const response = json<people_v1.Schema$BatchGetContactGroupsResponse>(
      yield this.request(
        'people.contactGroups.batchGet',
        'get',
        `contactGroups:batchGet${query({ resourceNames, groupFields })}`,
      ),
    );
    return (response.responses ?? []).map((item) => item.contactGroup ?? {});
  }

  /** `contactGroups.create`. */
  *createContactGroup(
    contactGroup: ContactGroup,
    readGroupFields = 'name,clientData',
  ): ApiCall<ContactGroup> {
    const body: people_v1.Schema$CreateContactGroupRequest = { contactGroup, readGroupFields };
    return json<ContactGroup>(
      yield this.request('people.contactGroups.create', 'post', 'contactGroups', body, false),
    );
  }

  /** `contactGroups.update`; `contactGroup.etag` must be the current one. */
  *updateContactGroup(
    resourceName: string,
    contactGroup: ContactGroup,
    updateGroupFields = 'name,clientData',
  ): ApiCall<ContactGroup> {
    const body: people_v1.Schema$UpdateContactGroupRequest = {
      contactGroup,
      updateGroupFields,
      readGroupFields: updateGroupFields,
    };
    return json<ContactGroup>(
      yield this.request('people.contactGroups.update', 'put', resourceName, body),
    );
  }

  /** `contactGroups.delete`; the group's contacts stay unless `deleteContacts`. */
  *deleteContactGroup(resourceName: string, deleteContacts = false): ApiCall<void> {
    yield this.request(
      'people.contactGroups.delete',
      'delete',
      `${resourceName}${query({ deleteContacts })}`,
    );
  }

  /** `contactGroups.members.modify` (≤ 1,000 added + removed). */
  *modifyMembers(
    resourceName: string,
    add: string[],
    remove: string[],
  ): ApiCall<people_v1.Schema$ModifyContactGroupMembersResponse> {
    if (add.length + remove.length > PEOPLE_LIMITS.membersModify)
      throw new RangeError('At most 1,000 members a call.');
    const body: people_v1.Schema$ModifyContactGroupMembersRequest = {
      resourceNamesToAdd: add,
      resourceNamesToRemove: remove,
    };
    return json<people_v1.Schema$ModifyContactGroupMembersResponse>(
      yield this.request(
        'people.contactGroups.members.modify',
        'post',
        `${resourceName}/members:modify`,
        body,
      ),
    );
  }

  /** One page of `people.listDirectoryPeople`. */
  listDirectoryPeople(
    params: DirectoryPeoplePage,
  ): ApiCall<people_v1.Schema$ListDirectoryPeopleResponse> {
    return this.directoryPage('listDirectoryPeople', params);
  }

  /** One page of `people.searchDirectoryPeople`. */
  searchDirectoryPeople(
    params: DirectoryPeoplePage & { query: string },
  ): ApiCall<people_v1.Schema$SearchDirectoryPeopleResponse> {
    return this.directoryPage('searchDirectoryPeople', params);
  }

  /** Reads one page of a directory method `people.people.<method>` (GET `people:<method>`). */
  private *directoryPage<T>(method: string, params: DirectoryPeoplePage): ApiCall<T> {
    return json<T>(
      yield this.request(
        `people.people.${method}`,
        'get',
        `people:${method}${query({ ...params })}`,
      ),
    );
  }
}
