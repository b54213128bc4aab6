/**
 * This file finds the people the share dialog suggests as recipients: from the domain's
 * directory (People API searchDirectoryPeople) while the domain shows it to apps, and otherwise
 * from what the user may still see — their own contacts and the people they already share with —
 * remembering for the dialog that the directory is hidden and why. An admin can restrict External
 * Directory Sharing: directory calls then answer no domain data or 403 (FACTS.md Delegation,
 * support.google.com/a/answer/6343701).
 */
import { GoogleApiError } from '../../google/google-error';
import type { Person } from '../../google/people-client';
import { userCache } from '../gas/adapters';
import type { SharingContext } from '../sharing/sharing-context';
import { searchContacts } from './people-data';

/** What the domain's directory shows apps: all of it, nothing, or a refusal. */
export type DirectoryAccess = 'shared' | 'hidden' | 'forbidden';

/** A person to suggest. */
export interface SuggestedPerson {
  name: string;
  email: string;
}

const ACCESS_KEY = 'directory:access';
/** How long a verdict on the directory is kept (CacheService's maximum, 6 h). */
const ACCESS_SECONDS = 21_600;
const READ_MASK = 'names,emailAddresses';
const SOURCES = ['DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE'];
/** At most this many suggestions. */
const MAX_SUGGESTIONS = 10;

function remember(access: DirectoryAccess): void {
  userCache()?.put(ACCESS_KEY, access, ACCESS_SECONDS);
}

function remembered(): DirectoryAccess | null {
  const value = userCache()?.get(ACCESS_KEY) ?? null;
  return value === 'shared' || value === 'hidden' || value === 'forbidden' ? value : null;
}

function toSuggestion(person: Person): SuggestedPerson | null {
  const email = person.emailAddresses?.[0]?.value;
  if (!email) return null;
  const name = person.names?.[0];
  return {
    name: name?.displayName ?? [name?.givenName, name?.familyName].filter(Boolean).join(' '),
    email: email.toLowerCase(),
  };
}

/** Searches the directory; `forbidden` on a 403 (other failures are thrown). */
function searchDirectory(context: SharingContext, text: string): Person[] | 'forbidden' {
  try {
    const answer = context.transport.run(
      context.ownPeople().searchDirectoryPeople({
        query: text,
        readMask: READ_MASK,
        sources: SOURCES,
        pageSize: MAX_SUGGESTIONS,
      }),
    );
    return answer.people ?? [];
  } catch (error) {
    if (error instanceof GoogleApiError && error.httpStatus === 403) return 'forbidden';
    throw error;
  }
}

/**
 * What the directory shows apps, from the last verdict (kept 6 hours) or, when `probe`, by
 * searching for the user's own address: a directory that does not even find the user is hidden.
 */
export function directoryAccess(context: SharingContext, probe: boolean): DirectoryAccess | null {
  const known = remembered();
  if (known !== null || !probe) return known;
  const user = context.addon.user.toLowerCase();
  const found = searchDirectory(context, user);
  const access =
    found === 'forbidden'
      ? 'forbidden'
      : found.some((person) => toSuggestion(person)?.email === user)
        ? 'shared'
        : 'hidden';
  remember(access);
  return access;
}

/**
 * The people to suggest for what the user typed. From the directory while it answers; when it
 * refuses or shows nothing, from the user's own contacts and the people of the shares they own,
 * matched by the start of a name or address.
 */
export function suggestPeople(context: SharingContext, text: string): SuggestedPerson[] {
  const found = searchDirectory(context, text);
  if (found !== 'forbidden' && found.length > 0) {
    remember('shared');
    return found.flatMap((person) => toSuggestion(person) ?? []).slice(0, MAX_SUGGESTIONS);
  }
  if (found === 'forbidden') remember('forbidden');
  else if (directoryAccess(context, true) === 'shared') return [];
  const needle = text.trim().toLowerCase();
  const starts = (value: string) =>
    value
      .toLowerCase()
      .split(/[\s.@<>]+/)
      .some((word) => word.startsWith(needle)) || value.toLowerCase().startsWith(needle);
  const suggestions = new Map<string, SuggestedPerson>();
  const [own = []] = searchContacts(context, [text], READ_MASK);
  for (const person of own) {
    const suggestion = toSuggestion(person);
    if (suggestion) suggestions.set(suggestion.email, suggestion);
  }
  for (const share of context.registry.mine())
    for (const grant of share.grants)
      if (grant.target.kind === 'user' && starts(grant.target.email))
        suggestions.set(grant.target.email.toLowerCase(), {
          name: '',
          email: grant.target.email.toLowerCase(),
        });
  return [...suggestions.values()].slice(0, MAX_SUGGESTIONS);
}

/**
 * Whether the organisation's directory lists a person with this address: `unknown` when the
 * directory is hidden from apps or refuses (then only our service's checks apply).
 */
export function findInDirectory(
  context: SharingContext,
  address: string,
): 'found' | 'absent' | 'unknown' {
  const wanted = address.toLowerCase();
  const found = searchDirectory(context, wanted);
  if (found === 'forbidden') {
    remember('forbidden');
    return 'unknown';
  }
  if (found.some((person) => person.emailAddresses?.some((e) => e.value?.toLowerCase() === wanted)))
    return 'found';
  return directoryAccess(context, true) === 'shared' ? 'absent' : 'unknown';
}
