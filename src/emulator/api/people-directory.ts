/**
 * This file defines the directory and profile side of the emulated People API:
 * people.listDirectoryPeople, people.searchDirectoryPeople, and the domain profiles that
 * people.get and people.getBatchGet answer for people/me and people/{id}.
 */
import type { people_v1 } from '@googleapis/people';
import { GoogleApiError, invalidArgument, notFound } from './google-errors';
import { readMask } from './people-written-person';
import {
  DIRECTORY_READ,
  PEOPLE_LIMITS,
  fullSyncOf,
  listPageOffset,
  nextListPageToken,
  nextSyncToken,
  peopleRoute,
  readSyncToken,
  type PeopleDeps,
} from './people-shared';
import {
  boolParam,
  checkQuery,
  hashOf,
  intParam,
  maskParam,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import type { DirectoryUser, WorkspaceStore } from './workspace-store';

type Person = people_v1.Schema$Person;

const DIRECTORY_SOURCES = [
  'DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE',
  'DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT',
];

/** Builds the directory people routes over a store. */
export function directoryPeopleRoutes({ store, settings }: PeopleDeps): Route[] {
  /**
   * The directory a caller's app may see. An admin may restrict External Directory Sharing
   * (support.google.com/a/answer/6343701, FACTS.md Delegation): the People API directory then
   * answers no domain data (`none`) or 403 (`forbidden`).
   */
  const directoryUsers = (context: RouteContext): DirectoryUser[] => {
    const self = store.users.get(context.caller.email);
    if (!self)
      throw new GoogleApiError(403, 'The caller does not have permission', 'PERMISSION_DENIED');
    const sharing = settings.directorySharing.get(self.customerId) ?? 'shared';
    if (sharing === 'forbidden')
      throw new GoogleApiError(
        403,
        'The caller does not have permission: the domain does not share its directory with apps.',
        'PERMISSION_DENIED',
        { reason: 'DIRECTORY_SHARING_DISABLED', domain: 'people.googleapis.com' },
      );
    if (sharing === 'none') return [];
    return [...store.users.values()].filter((user) => user.customerId === self.customerId);
  };

  const directorySources = (url: URL): string[] => {
    const sources = url.searchParams.getAll('sources');
    if (sources.length === 0)
      throw invalidArgument(
        'sources must be specified: DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE and/or DIRECTORY_SOURCE_TYPE_DOMAIN_CONTACT.',
      );
    for (const source of sources)
      if (!DIRECTORY_SOURCES.includes(source))
        throw invalidArgument(`Invalid value at 'sources', "${source}"`);
    return sources;
  };

  const listDirectoryPeople = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'readMask',
      'sources',
      'mergeSources',
      'pageSize',
      'pageToken',
      'requestSyncToken',
      'syncToken',
    ]);
    const mask = readMask(maskParam(context.url, 'readMask'), 'readMask');
    const sources = directorySources(context.url);
    const pageSize = directoryPageSize(context.url, PEOPLE_LIMITS.directoryPageSize);
    const syncTokenText = context.url.searchParams.get('syncToken');
    let since = 0;
    let fullSyncAt = context.now;
    if (syncTokenText) {
      const token = readSyncToken(syncTokenText, 'directory', context);
      fullSyncAt = fullSyncOf(token, context.now);
      since = token.s;
    }
    const people = sources.includes('DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE')
      ? directoryUsers(context).filter((user) => (user.addedSeq ?? 0) > since)
      : [];
    const pageHash = hashOf(
      [
        context.caller.email,
        [...mask].join(','),
        sources.join(','),
        pageSize,
        syncTokenText ?? '',
      ].join('|'),
    );
    const offset = listPageOffset(context.url, pageHash);
    const slice = people.slice(offset, offset + pageSize);
    const response: people_v1.Schema$ListDirectoryPeopleResponse = {};
    if (slice.length > 0) response.people = slice.map((user) => renderProfile(user, mask));
    if (offset + pageSize < people.length)
      response.nextPageToken = nextListPageToken(offset + pageSize, pageHash);
    else if (boolParam(context.url, 'requestSyncToken') || syncTokenText)
      response.nextSyncToken = nextSyncToken('directory', context, store.currentSeq(), fullSyncAt);
    return { body: response, items: slice.length };
  };

  const searchDirectoryPeople = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'query',
      'readMask',
      'sources',
      'mergeSources',
      'pageSize',
      'pageToken',
    ]);
    const query = context.url.searchParams.get('query');
    if (query === null) throw invalidArgument('query is required.');
    const mask = readMask(maskParam(context.url, 'readMask'), 'readMask');
    const sources = directorySources(context.url);
    const pageSize = directoryPageSize(context.url, PEOPLE_LIMITS.directorySearchPageSize);
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = (
      sources.includes('DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE') ? directoryUsers(context) : []
    ).filter((user) => {
      const words = [
        user.givenName,
        user.familyName,
        user.primaryEmail,
        user.primaryEmail.split('@')[0] ?? '',
      ].map((word) => word.toLowerCase());
      return terms.every((term) => words.some((word) => word.startsWith(term)));
    });
    const pageHash = hashOf(
      [context.caller.email, query, [...mask].join(','), sources.join(','), pageSize].join('|'),
    );
    const offset = listPageOffset(context.url, pageHash);
    const slice = matches.slice(offset, offset + pageSize);
    const response: people_v1.Schema$SearchDirectoryPeopleResponse = { totalSize: matches.length };
    if (slice.length > 0) response.people = slice.map((user) => renderProfile(user, mask));
    if (offset + pageSize < matches.length)
      response.nextPageToken = nextListPageToken(offset + pageSize, pageHash);
    return { body: response, items: slice.length };
  };

  return [
    peopleRoute(
      'GET',
      /^\/v1\/people:listDirectoryPeople$/,
      'people.people.listDirectoryPeople',
      'PeopleService.ListDirectoryPeople',
      DIRECTORY_READ,
      'read',
      listDirectoryPeople,
    ),
    peopleRoute(
      'GET',
      /^\/v1\/people:searchDirectoryPeople$/,
      'people.people.searchDirectoryPeople',
      'PeopleService.SearchDirectoryPeople',
      DIRECTORY_READ,
      'read',
      searchDirectoryPeople,
    ),
  ];
}

/** The pageSize of a directory listing or search: 100 unless given, at most `max`. */
function directoryPageSize(url: URL, max: number): number {
  return intParam(url, 'pageSize', 100, 1, max, 'pageSize');
}

/** The domain profile people/me or people/{id} names, within the caller's customer; else 404. */
export function profilePerson(
  store: WorkspaceStore,
  context: RouteContext,
  name: string,
  mask: Set<string>,
): Person {
  const self = store.users.get(context.caller.email);
  const target =
    name === 'people/me'
      ? self
      : [...store.users.values()].find((user) => `people/${user.id}` === name);
  if (!self || !target || target.customerId !== self.customerId) throw notFound();
  return renderProfile(target, mask);
}

/** Renders a directory user as a domain-profile Person. */
export function renderProfile(user: DirectoryUser, mask: Set<string>): Person {
  const source = { type: 'DOMAIN_PROFILE', id: user.id };
  const person: Person = {
    resourceName: `people/${user.id}`,
    etag: `%Eg${Buffer.from(user.id).toString('base64')}`,
  };
  if (mask.has('metadata'))
    person.metadata = { sources: [{ ...source, etag: `#${user.id}` }], objectType: 'PERSON' };
  const meta = { primary: true, source };
  if (mask.has('names')) {
    const display = [user.givenName, user.familyName].filter(Boolean).join(' ');
    person.names = [
      {
        metadata: meta,
        givenName: user.givenName,
        familyName: user.familyName,
        displayName: display,
        displayNameLastFirst: user.familyName ? `${user.familyName}, ${user.givenName}` : display,
        unstructuredName: display,
      },
    ];
  }
  if (mask.has('emailAddresses'))
    person.emailAddresses = [
      { metadata: meta, value: user.primaryEmail, type: 'work', formattedType: 'Work' },
    ];
  if (mask.has('phoneNumbers') && user.phone)
    person.phoneNumbers = [
      { metadata: meta, value: user.phone, type: 'work', formattedType: 'Work' },
    ];
  if (mask.has('organizations') && (user.title || user.department))
    person.organizations = [
      {
        metadata: meta,
        ...(user.title ? { title: user.title } : {}),
        ...(user.department ? { department: user.department } : {}),
      },
    ];
  if (mask.has('photos'))
    person.photos = [
      {
        metadata: meta,
        url: `https://lh3.googleusercontent.com/a/emulator-${user.id}`,
        default: true,
      },
    ];
  return person;
}
