/**
 * This file defines the sharing vocabulary shared by the add-on and the backend (DESIGN.md §4):
 * permission levels, share targets, shares and what each level allows.
 */

/** Permission levels, lowest first; each includes the ones before it. */
export const LEVELS = ['view', 'edit', 'contribute', 'manage', 'owner'] as const;
export type Level = (typeof LEVELS)[number];

/** Who a share is granted to: one user, a Google Group (expanded on sync) or a whole domain. */
export type ShareTarget =
  | { kind: 'user'; email: string }
  | { kind: 'group'; email: string }
  | { kind: 'domain'; domain: string };

/** Contact fields an owner may hide from a share. */
export const HIDEABLE_FIELDS = [
  'phoneNumbers',
  'addresses',
  'birthdays',
  'biographies',
  'organizations',
  'urls',
  'userDefined',
] as const;
export type HideableField = (typeof HIDEABLE_FIELDS)[number];

/** One grant of a share: a target at a level. A user grant overrides a group or domain grant. */
export interface ShareGrant {
  target: ShareTarget;
  level: Exclude<Level, 'owner'>;
}

/** A shared label as the registry keeps it. */
export interface Share {
  id: string;
  /** The tenant's primary domain. */
  domain: string;
  owner: string;
  /** Resource name of the master contact group in the owner's account, e.g. contactGroups/abc. */
  labelResourceName: string;
  labelName: string;
  grants: ShareGrant[];
  hiddenFields: HideableField[];
  createdAt: string;
  updatedAt: string;
  /** A transfer of ownership the owner offered to this person member, until they accept. */
  offeredTo?: string | null;
  /**
   * After a transfer, the former owner and label, until the former owner's own sync has turned
   * its former masters into copies (ownership-transfer.ts).
   */
  formerOwner?: string | null;
  formerLabel?: string | null;
}

/** What an action needs, by the lowest level that allows it. */
export const ACTION_LEVEL = {
  read: 'view',
  editContact: 'edit',
  addContact: 'contribute',
  removeContact: 'contribute',
  share: 'manage',
  unshare: 'manage',
  rename: 'owner',
  deleteLabel: 'owner',
  transferOwnership: 'owner',
  hideFields: 'owner',
} as const satisfies Record<string, Level>;
export type ShareAction = keyof typeof ACTION_LEVEL;

/** Returns the rank of a level (view = 0 … owner = 4). */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** True when `held` is at least `needed`. */
export function levelAllows(held: Level, needed: Level): boolean {
  return levelRank(held) >= levelRank(needed);
}

/** True when a holder of `level` may perform `action`. */
export function mayPerform(level: Level, action: ShareAction): boolean {
  return levelAllows(level, ACTION_LEVEL[action]);
}

/** True when the value is one of the levels. */
export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

/** The domain part of an e-mail address, lower-cased. */
export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Returns a user's effective level on a share, or null if they take no part in it. The owner is
 * `owner`; a grant to the user overrides group and domain grants; otherwise the highest of the
 * group grants they belong to (`groupsOfUser`, lower-case addresses) and the domain grant.
 */
export function effectiveLevel(
  share: Share,
  email: string,
  groupsOfUser: readonly string[],
): Level | null {
  const user = email.toLowerCase();
  if (share.owner.toLowerCase() === user) return 'owner';
  const direct = share.grants.find(
    (grant) => grant.target.kind === 'user' && grant.target.email.toLowerCase() === user,
  );
  if (direct) return direct.level;
  const inherited = share.grants
    .filter(
      (grant) =>
        (grant.target.kind === 'group' &&
          groupsOfUser.includes(grant.target.email.toLowerCase())) ||
        (grant.target.kind === 'domain' && grant.target.domain.toLowerCase() === domainOf(user)),
    )
    .map((grant) => grant.level);
  if (inherited.length === 0) return null;
  return inherited.reduce((best, level) => (levelRank(level) > levelRank(best) ? level : best));
}
