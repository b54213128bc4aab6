/**
 * This file defines what a support session reads and repairs in its user's account, in the backend
 * with a delegated token that never leaves it (DESIGN.md §6): for each share the user takes part in,
 * only that share's footprint (its label or copy group, and the contacts in it or linked to it) —
 * the state of each label, a label's contacts (names and addresses), and the one repair a repair
 * session allows: putting back into the copy group the contacts linked to the share.
 */
import { carriesLink, readLink, type ContactSnapshot } from '../../core/contact-model';
import { inFootprint } from '../../core/footprint';
import type { Share } from '../../core/sharing-model';
import type { ContactLine, LabelState } from '../../core/support-contract';
import type { ContactGroup, PeopleClient } from '../../google/people-client';
import { allPages, connectionsPage } from '../../google/people-gateway';
import type { ApiCall } from '../../google/transport';

function* everyContact(client: PeopleClient): ApiCall<ContactSnapshot[]> {
  const pages =
    (yield* allPages(
      () => 0,
      Number.POSITIVE_INFINITY,
      (pageToken) => connectionsPage(client, null, pageToken),
    )) ?? [];
  return pages.flatMap((page) => page.contacts);
}

/** The share's group in the user's account: the label (owner) or the copy group carrying its link. */
function groupOf(share: Share, user: string, groups: ContactGroup[]): ContactGroup | null {
  if (share.owner.toLowerCase() === user.toLowerCase())
    return groups.find((group) => group.resourceName === share.labelResourceName) ?? null;
  return groups.find((group) => carriesLink(group.clientData, share.id)) ?? null;
}

/** Reads each share's label or copy group and linked contacts in the user's account. */
export function* readLabelStates(
  client: PeopleClient,
  user: string,
  shares: Share[],
): ApiCall<LabelState[]> {
  if (shares.length === 0) return [];
  const groups = yield* client.listAllContactGroups('name,clientData,memberCount');
  const contacts = yield* everyContact(client);
  return shares.map((share) => {
    const group = groupOf(share, user, groups);
    const owner = share.owner.toLowerCase() === user.toLowerCase();
    const linked = owner
      ? 0
      : contacts.filter((contact) => readLink(contact.clientData, share.id) !== null).length;
    const members = group?.memberCount ?? 0;
    let summary: string;
    if (!group) summary = owner ? 'Label missing from the account' : 'No copy yet: not synced';
    else if (owner) summary = `Master label, ${members} contacts`;
    else if (linked > members) summary = `Copy out of step: ${linked} linked, ${members} in label`;
    else summary = `Copy in step: ${members} contacts`;
    return {
      shareId: share.id,
      labelName: share.labelName,
      owner: share.owner,
      found: group !== null,
      memberCount: members,
      linkedContacts: linked,
      summary,
    };
  });
}

/** The contacts of one share's footprint in the user's account (at most `limit`), names and addresses only. */
export function* readLabelContacts(
  client: PeopleClient,
  user: string,
  share: Share,
  limit = 50,
): ApiCall<{ contacts: ContactLine[]; total: number }> {
  const groups = yield* client.listAllContactGroups('name,clientData');
  const group = groupOf(share, user, groups)?.resourceName ?? null;
  const members = (yield* everyContact(client)).filter((contact) =>
    inFootprint(contact, share.id, group),
  );
  return {
    total: members.length,
    contacts: members.slice(0, limit).map((contact) => {
      const name = (contact.fields.names?.[0] ?? {}) as {
        displayName?: string;
        givenName?: string;
        familyName?: string;
      };
      const email = (contact.fields.emailAddresses?.[0] ?? {}) as { value?: string };
      return {
        name:
          name.displayName ??
          ([name.givenName, name.familyName].filter(Boolean).join(' ') || '(no name)'),
        email: email.value ?? '',
      };
    }),
  };
}

/**
 * Re-syncs a recipient's copy group: adds every contact linked to the share that has dropped out
 * of the group. Returns how many were added, or null when the account has no copy group yet (the
 * next sync creates it). Nothing else is changed.
 */
export function* repairCopyGroup(
  client: PeopleClient,
  user: string,
  share: Share,
): ApiCall<number | null> {
  const groups = yield* client.listAllContactGroups('name,clientData');
  const group = groupOf(share, user, groups)?.resourceName;
  if (!group) return null;
  const missing = (yield* everyContact(client))
    .filter((contact) => readLink(contact.clientData, share.id) !== null)
    .filter((contact) => !contact.memberships.includes(group))
    .map((contact) => contact.resourceName);
  for (let start = 0; start < missing.length; start += 1000)
    yield* client.modifyMembers(group, missing.slice(start, start + 1000), []);
  return missing.length;
}
