/**
 * This file defines the listing guard: a listing counts only if it is complete and in order
 * (DESIGN.md §5, "Guards"). Anything else is refused, so that no deletion is ever decided on it.
 */
import type { ContactSnapshot } from './contact-model';
import type { ListingPage } from './sync-ports';

/** A listing that passed the guard, or why it did not. */
export type CheckedListing =
  | { ok: true; contacts: ContactSnapshot[]; syncToken: string | null }
  | { ok: false; problem: string };

/**
 * Checks that a `connections.list` listing is whole: pages chain to a last page that carries the
 * sync token (when one was asked for: `tokenRequested`), no resource name repeats, and a full
 * listing holds as many people as `totalPeople` says (counting those the share gateway left out).
 * Returns the contacts (deleted ones only for incremental listings) and the new sync token, null
 * when none was asked for.
 */
export function checkListing(
  pages: readonly ListingPage[],
  full: boolean,
  tokenRequested = true,
): CheckedListing {
  if (pages.length === 0) return { ok: false, problem: 'no page came back' };
  const seen = new Set<string>();
  const contacts: ContactSnapshot[] = [];
  let total: number | null = null;
  let omitted = 0;
  for (let index = 0; index < pages.length; index++) {
    const page = pages[index] as ListingPage;
    const last = index === pages.length - 1;
    if (!last && (!page.nextPageToken || page.nextSyncToken))
      return { ok: false, problem: `page ${index + 1} ends the listing early` };
    if (page.totalPeople !== null) {
      if (total !== null && total !== page.totalPeople)
        return { ok: false, problem: 'the total changed between pages' };
      total = page.totalPeople;
    }
    omitted += page.omitted;
    for (const contact of page.contacts) {
      if (seen.has(contact.resourceName))
        return { ok: false, problem: `${contact.resourceName} came back twice` };
      seen.add(contact.resourceName);
      if (full && contact.deleted)
        return { ok: false, problem: 'a full listing held a deleted contact' };
      contacts.push(contact);
    }
  }
  const last = pages[pages.length - 1] as ListingPage;
  if (last.nextPageToken) return { ok: false, problem: 'the listing stopped before its last page' };
  if (tokenRequested && !last.nextSyncToken)
    return { ok: false, problem: 'the last page carried no sync token' };
  if (full && total !== null && total !== contacts.length + omitted)
    return {
      ok: false,
      problem: `the listing held ${contacts.length + omitted} of ${total} contacts`,
    };
  return { ok: true, contacts, syncToken: last.nextSyncToken };
}
