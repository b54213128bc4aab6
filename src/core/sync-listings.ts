/**
 * This file defines the reads of a sync pass: the complete listings of every account (asking the
 * gateway for merge candidates), the contributed people looked for in other accounts, and the copy
 * groups that accounts already hold.
 */
import {
  carriesLink,
  fingerprint,
  readLink,
  SYNCED_FIELDS,
  visibleFields,
  type ContactSnapshot,
} from './contact-model';
import { matchDescriptor, type MatchDescriptor } from './footprint';
import type { Level, Share } from './sharing-model';
import type { AccountCheckpoint } from './sync-checkpoint';
import {
  DEADLINE_REACHED,
  type AccountRef,
  type ContactsGateway,
  type GroupSnapshot,
  type GroupsOutcome,
  type ListingOutcome,
  type ListingRequest,
} from './sync-ports';

/** The accounts of a pass: how each is reached, its level (null: departed) and its checkpoint. */
export interface PassAccounts {
  share: Share;
  refs: Map<string, AccountRef>;
  levels: Map<string, Level | null>;
  states: Map<string, AccountCheckpoint>;
}

/** What a reconciliation's listings are given besides the accounts. */
export interface ListAllOptions {
  /** The acting user's address, lowercased. */
  actor: string;
  merges: boolean;
  firstPass: boolean;
  changedPeople: ContactSnapshot[];
  /** Accounts whose check just gave a sync token: their full listing needs none. */
  tokensKnown: ReadonlyMap<string, string>;
  deadline: number;
}

/**
 * Lists every account for a reconciliation; the outcomes come back in the order of
 * `[owner, ...recipients]`. The gateway finds other accounts' own contacts for people a copy may
 * be merged into only when asked (footprint.ts, MatchIndex): accounts already level with the
 * master are listed with the owner, asking for the people that changed since the last pass; an
 * account this actor never brought level needs every master's people, so it is listed once the
 * master's listing has named them. Records in `asked` the people each account was asked for.
 */
export function listAll(
  contacts: ContactsGateway,
  pass: PassAccounts,
  recipients: string[],
  asked: Map<string, Set<string>>,
  options: ListAllOptions,
): ListingOutcome[] {
  const { share, refs, levels, states } = pass;
  const owner = share.owner.toLowerCase();
  const ask = (account: string): boolean =>
    options.merges &&
    account !== owner &&
    (refs.get(account) as AccountRef).access.kind === 'gateway' &&
    levels.get(account) !== null;
  const later = recipients.filter(
    (account) =>
      ask(account) && (options.firstPass || !(states.get(account) as AccountCheckpoint).j),
  );
  const first = [owner, ...recipients.filter((account) => !later.includes(account))];
  const changed = descriptorsOf(options.changedPeople);
  const request = (account: string, match: MatchDescriptor[]): ListingRequest => {
    const base: ListingRequest = {
      ...(refs.get(account) as AccountRef),
      syncToken: null,
      requestSyncToken: !options.tokensKnown.has(account),
    };
    if (!ask(account) || match.length === 0) return base;
    asked.set(account, new Set(match.map((descriptor) => JSON.stringify(descriptor))));
    return { ...base, match };
  };
  const firstOutcomes = contacts.listContacts(
    first.map((account) => request(account, changed)),
    options.deadline,
  );
  const outcomes = new Map(first.map((account, index) => [account, firstOutcomes[index]]));
  if (later.length > 0) {
    const people: ContactSnapshot[] = [];
    const master = outcomes.get(owner);
    if (master?.ok)
      for (const page of master.pages)
        for (const contact of page.contacts)
          if (contact.memberships.includes(share.labelResourceName)) people.push(contact);
    const own = outcomes.get(options.actor);
    const ownGroup = (states.get(options.actor) as AccountCheckpoint | undefined)?.g ?? null;
    if (own?.ok && ownGroup !== null)
      for (const page of own.pages)
        for (const contact of page.contacts)
          if (contact.memberships.includes(ownGroup) && !readLink(contact.clientData, share.id))
            people.push(contact);
    const match = descriptorsOf(people);
    const laterOutcomes =
      master && !master.ok
        ? later.map(() => skipped())
        : contacts.listContacts(
            later.map((account) => request(account, match)),
            options.deadline,
          );
    later.forEach((account, index) => outcomes.set(account, laterOutcomes[index]));
  }
  return [owner, ...recipients].map((account) => outcomes.get(account) ?? skipped());
}

/**
 * Asks the gateway, in each other account, for its own contacts for the people that participants
 * added to their copy groups (contributions that become masters in this pass), when that account
 * was not listed with them (`asked`): found contacts join its listing in `contactsOf` as merge
 * candidates. Costs a listing of those accounts only when there are such contributions.
 */
export function findContributedPeople(
  contacts: ContactsGateway,
  pass: PassAccounts,
  recipients: string[],
  contactsOf: Map<string, ContactSnapshot[]>,
  asked: Map<string, Set<string>>,
  deadline: number,
): typeof DEADLINE_REACHED | null {
  const { share, refs, levels, states } = pass;
  const contributedBy = new Map<string, ContactSnapshot[]>();
  for (const account of recipients) {
    const group = (states.get(account) as AccountCheckpoint).g;
    if (group === null) continue;
    const added = (contactsOf.get(account) ?? []).filter(
      (contact) =>
        contact.memberships.includes(group) && readLink(contact.clientData, share.id) === null,
    );
    if (added.length > 0) contributedBy.set(account, added);
  }
  if (contributedBy.size === 0) return null;
  const targets = recipients.filter(
    (account) =>
      (refs.get(account) as AccountRef).access.kind === 'gateway' && levels.get(account) !== null,
  );
  const requests = targets
    .map((account) => ({
      account,
      match: descriptorsOf(
        [...contributedBy]
          .filter(([contributor]) => contributor !== account)
          .flatMap(([, contacts]) => contacts),
      ).filter((descriptor) => !asked.get(account)?.has(JSON.stringify(descriptor))),
    }))
    .filter((request) => request.match.length > 0);
  if (requests.length === 0) return null;
  const outcomes = contacts.listContacts(
    requests.map((request) => ({
      ...(refs.get(request.account) as AccountRef),
      syncToken: null,
      match: request.match,
      requestSyncToken: false,
    })),
    deadline,
  );
  for (let index = 0; index < requests.length; index++) {
    const outcome = outcomes[index];
    if (!outcome?.ok) {
      if (outcome?.failure.reason === DEADLINE_REACHED) return DEADLINE_REACHED;
      continue;
    }
    const account = (requests[index] as { account: string }).account;
    const known = new Set((contactsOf.get(account) ?? []).map((contact) => contact.resourceName));
    const found = outcome.pages
      .flatMap((page) => page.contacts)
      .filter((contact) => !known.has(contact.resourceName));
    if (found.length > 0) contactsOf.set(account, [...(contactsOf.get(account) ?? []), ...found]);
  }
  return null;
}

/**
 * Finds the copy groups that accounts without a known one already hold (made by another
 * participant's sync, or by a former owner's transfer under another name), so that none is made
 * twice, and records them in `states`. An account whose groups cannot be listed is left to
 * `createGroup`.
 */
export function findCopyGroups(
  contacts: ContactsGateway,
  shareId: string,
  accounts: string[],
  refs: Map<string, AccountRef>,
  states: Map<string, AccountCheckpoint>,
): void {
  if (accounts.length === 0) return;
  const outcomes = contacts.listGroups(accounts.map((account) => refs.get(account) as AccountRef));
  accounts.forEach((account, index) => {
    const found = copyGroupsIn(outcomes[index], shareId)[0];
    if (found) (states.get(account) as AccountCheckpoint).g = found.resourceName;
  });
}

/** Returns the groups of a listing that carry the share's link: its copy groups. */
export function copyGroupsIn(outcome: GroupsOutcome | undefined, shareId: string): GroupSnapshot[] {
  return outcome?.ok
    ? outcome.groups.filter((group) => carriesLink(group.clientData, shareId))
    : [];
}

/** Returns true when a changed contact of a recipient's account concerns the share. */
export function isRelevant(contact: ContactSnapshot, share: Share, group: string | null): boolean {
  if (contact.deleted) return true;
  const link = readLink(contact.clientData, share.id);
  const inGroup = group !== null && contact.memberships.includes(group);
  if (!link) return inGroup;
  if (!inGroup) return true;
  const visible = new Set(visibleFields(share.hiddenFields));
  const hashes = fingerprint(contact.fields);
  return SYNCED_FIELDS.some(
    (field, index) => visible.has(field) && hashes[index] !== link.base[index],
  );
}

/** The people (addresses and numbers) of contacts, for the gateway to look for. */
function descriptorsOf(contacts: readonly ContactSnapshot[]): MatchDescriptor[] {
  const descriptors: MatchDescriptor[] = [];
  for (const contact of contacts) {
    const descriptor = matchDescriptor(contact.fields);
    if (descriptor.emails.length > 0 || descriptor.phones.length > 0) descriptors.push(descriptor);
  }
  return descriptors;
}

/** The outcome of a listing not made because the master's failed first. */
function skipped(): ListingOutcome {
  return {
    ok: false,
    failure: {
      httpStatus: 0,
      status: 'ABORTED',
      reason: 'MASTER_FAILED',
      message: "The listing was not made: the owner's failed first.",
    },
  };
}
