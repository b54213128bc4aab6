/**
 * This file resolves a share's grants into the users who take part in it and their levels,
 * expanding Google Groups and domains through the Directory port (DESIGN.md §4).
 */
import { effectiveLevel, type Level, type Share } from './sharing-model';
import type { GroupDirectory } from './sync-ports';

/** A user taking part in a share, at their effective level. */
export interface Participant {
  account: string;
  level: Level;
}

/**
 * Returns every participant of a share, the owner first, each at their effective level (a user
 * grant overrides group and domain grants). Group members are read anew on every call, so new
 * members join and departed ones drop out on the next sync.
 */
export function resolveParticipants(share: Share, directory: GroupDirectory): Participant[] {
  const groupsOf = new Map<string, string[]>();
  const candidates = new Set<string>([share.owner.toLowerCase()]);
  for (const grant of share.grants) {
    const target = grant.target;
    if (target.kind === 'user') candidates.add(target.email.toLowerCase());
    else if (target.kind === 'group') {
      const group = target.email.toLowerCase();
      for (const member of directory.membersOfGroup(group)) {
        const account = member.toLowerCase();
        candidates.add(account);
        groupsOf.set(account, [...(groupsOf.get(account) ?? []), group]);
      }
    } else
      for (const user of directory.usersOfDomain(target.domain)) candidates.add(user.toLowerCase());
  }
  const participants: Participant[] = [];
  for (const account of candidates) {
    const level = effectiveLevel(share, account, groupsOf.get(account) ?? []);
    if (level) participants.push({ account, level });
  }
  return participants;
}
