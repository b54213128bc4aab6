/**
 * This file reads the user's own contact labels with their own token: those they may share (user
 * labels that are not copies of someone else's share), and one label by resource name, which is
 * how an action checks that a label named in its parameters really is the caller's.
 */
import { carriesAnyShareEntry } from '../../core/contact-model';
import { GoogleApiError } from '../../google/google-error';
import type { ContactGroup, PeopleClient } from '../../google/people-client';
import type { GoogleTransport } from '../../google/transport';
import type { OwnLabel } from '../cards/homepage-card';

const GROUP_FIELDS = 'name,groupType,memberCount,clientData';

function isShareable(group: ContactGroup): boolean {
  return group.groupType === 'USER_CONTACT_GROUP' && !carriesAnyShareEntry(group.clientData);
}

function toOwnLabel(group: ContactGroup): OwnLabel {
  return {
    resourceName: group.resourceName ?? '',
    name: group.name ?? '',
    memberCount: group.memberCount ?? 0,
  };
}

/** The user's labels they may share, by name, leaving out those in `alreadyShared`. */
export function listShareableLabels(
  transport: GoogleTransport,
  people: PeopleClient,
  alreadyShared: ReadonlySet<string>,
): OwnLabel[] {
  return transport
    .run(people.listAllContactGroups(GROUP_FIELDS))
    .filter((group) => isShareable(group) && !alreadyShared.has(group.resourceName ?? ''))
    .map(toOwnLabel)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The user's own shareable label of that resource name, or null when they have none such. */
export function findShareableLabel(
  transport: GoogleTransport,
  people: PeopleClient,
  resourceName: string,
): OwnLabel | null {
  if (!/^contactGroups\/[A-Za-z0-9_-]+$/.test(resourceName)) return null;
  try {
    const group = transport.run(people.getContactGroup(resourceName, GROUP_FIELDS));
    return isShareable(group) ? toOwnLabel(group) : null;
  } catch (error) {
    if (error instanceof GoogleApiError && (error.httpStatus === 404 || error.httpStatus === 400))
      return null;
    throw error;
  }
}
