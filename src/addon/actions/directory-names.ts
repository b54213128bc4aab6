/**
 * This file finds the names of people (members, owners, recipients) in the domain's directory
 * (People API searchDirectoryPeople, with the user's own token), so that cards show "Ann Lee
 * (ann@x.example)" rather than a bare address. Names are kept 6 hours in the user's cache;
 * cards that must stay cheap (the homepage) read the cache only.
 */
import { userCache } from '../gas/adapters';
import type { SharingContext } from '../sharing/sharing-context';

const KEY_PREFIX = 'dirname:';
/** A cached answer "the directory has no name for this address". */
const NO_NAME = '-';
/** How long a name is kept (CacheService's maximum, 6 h). */
const NAME_SECONDS = 21_600;
/** At most this many people are looked up in one execution. */
export const MAX_NAME_LOOKUPS = 30;
const DIRECTORY_ACCESS_KEY = 'directory:access';

function keyOf(email: string): string {
  return KEY_PREFIX + email.slice(0, 240);
}

function displayName(person: {
  names?: { displayName?: string | null; givenName?: string | null; familyName?: string | null }[];
}): string {
  const name = person.names?.[0];
  return (
    name?.displayName ?? [name?.givenName, name?.familyName].filter(Boolean).join(' ')
  ).trim();
}

/**
 * The directory names of the given addresses, by lower-case address (only those known). With
 * `lookUp`, addresses not in the cache are searched in the directory side by side (at most
 * MAX_NAME_LOOKUPS), unless the directory is known to be hidden from apps; a failed search leaves
 * the address without a name.
 */
export function directoryNames(
  context: SharingContext,
  emails: string[],
  lookUp: boolean,
): Record<string, string> {
  const wanted = [...new Set(emails.map((email) => email.toLowerCase()).filter(Boolean))];
  if (wanted.length === 0) return {};
  const cache = userCache();
  const cached = cache?.getAll(wanted.map(keyOf)) ?? {};
  const names: Record<string, string> = {};
  const missing: string[] = [];
  for (const email of wanted) {
    const value = cached[keyOf(email)];
    if (value === undefined || value === null) missing.push(email);
    else if (value !== NO_NAME) names[email] = value;
  }
  const access = cache?.get(DIRECTORY_ACCESS_KEY) ?? null;
  if (!lookUp || missing.length === 0 || access === 'hidden' || access === 'forbidden')
    return names;
  const people = context.ownPeople();
  const lookups = missing.slice(0, MAX_NAME_LOOKUPS);
  const settled = context.transport.runAll(
    lookups.map((email) =>
      people.searchDirectoryPeople({
        query: email,
        readMask: 'names,emailAddresses',
        sources: ['DIRECTORY_SOURCE_TYPE_DOMAIN_PROFILE'],
        pageSize: 5,
      }),
    ),
  );
  const learnt: Record<string, string> = {};
  lookups.forEach((email, index) => {
    const answer = settled[index];
    if (!answer?.ok) return;
    const person = (answer.value.people ?? []).find((candidate) =>
      (candidate.emailAddresses ?? []).some(
        (address) => (address.value ?? '').toLowerCase() === email,
      ),
    );
    const name = person ? displayName(person) : '';
    learnt[keyOf(email)] = name || NO_NAME;
    if (name) names[email] = name;
  });
  if (Object.keys(learnt).length > 0) cache?.putAll(learnt, NAME_SECONDS);
  return names;
}
