/**
 * This file holds how the emulated Directory API shows its records: users (in full or as
 * `viewType=domain_public` shows them) and groups, and the matching of a users.list query.
 */
import type { admin_directory_v1 } from '@googleapis/admin';
import { hashOf } from './route-context';
import type { DirectoryGroup, DirectoryUser } from './workspace-store';

type User = admin_directory_v1.Schema$User;

/** Renders a user as the Admin SDK does; `publicOnly` for `viewType=domain_public`. */
export function renderUser(user: DirectoryUser, publicOnly: boolean, now: number): User {
  const fullName = [user.givenName, user.familyName].filter(Boolean).join(' ');
  const common: User = {
    kind: 'admin#directory#user',
    id: user.id,
    etag: `"${hashOf(`${user.id}|${user.primaryEmail}|${user.givenName}|${user.familyName}`)}"`,
    primaryEmail: user.primaryEmail,
    name: { givenName: user.givenName, familyName: user.familyName, fullName },
    emails: [{ address: user.primaryEmail, primary: true }],
    ...(user.phone ? { phones: [{ value: user.phone, type: 'work' }] } : {}),
    ...(user.title || user.department
      ? { organizations: [{ title: user.title, department: user.department, primary: true }] }
      : {}),
  };
  if (publicOnly) return common;
  return {
    ...common,
    isAdmin: user.isAdmin,
    isDelegatedAdmin: false,
    lastLoginTime: new Date(now).toISOString(),
    creationTime: user.creationTime,
    agreedToTerms: true,
    suspended: false,
    archived: false,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    customerId: user.customerId,
    orgUnitPath: '/',
    isMailboxSetup: true,
    isEnrolledIn2Sv: false,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
  };
}

/** Renders a group as the Admin SDK does. */
export function renderGroup(group: DirectoryGroup): admin_directory_v1.Schema$Group {
  return {
    kind: 'admin#directory#group',
    id: group.id,
    etag: `"${hashOf(group.email + group.name)}"`,
    email: group.email,
    name: group.name,
    description: group.description,
    directMembersCount: String(group.members.size),
    adminCreated: true,
  };
}

/**
 * Compiles a users.list `query` (developers.google.com/admin-sdk/directory/v1/guides/search-users):
 * `field:value` with a trailing `*` for prefixes (email, givenName, familyName, name),
 * `isAdmin=true|false`, and bare words matched against names and e-mail.
 */
export function userQuery(query: string): (user: DirectoryUser) => boolean {
  const terms = query.match(/(?:[^\s']+|'[^']*')+/g) ?? [];
  const tests = terms.map((term): ((user: DirectoryUser) => boolean) => {
    const admin = /^isAdmin\s*=\s*(true|false)$/i.exec(term);
    if (admin) return (user) => user.isAdmin === (admin[1]?.toLowerCase() === 'true');
    const field = /^(email|givenName|familyName|name)\s*[:=]\s*'?([^']*)'?$/i.exec(term);
    const rawValue = (field ? field[2] : term) ?? '';
    const prefix = rawValue.endsWith('*');
    const value = rawValue.replace(/\*$/, '').toLowerCase();
    const test = (text: string): boolean =>
      prefix ? text.toLowerCase().startsWith(value) : text.toLowerCase() === value;
    const name = field?.[1]?.toLowerCase();
    if (name === 'email') return (user) => test(user.primaryEmail);
    if (name === 'givenname') return (user) => test(user.givenName);
    if (name === 'familyname') return (user) => test(user.familyName);
    if (name === 'name') return (user) => test(`${user.givenName} ${user.familyName}`);
    return (user) =>
      [
        user.givenName,
        user.familyName,
        user.primaryEmail,
        user.primaryEmail.split('@')[0] ?? '',
      ].some((text) => text.toLowerCase().startsWith(value));
  });
  return (user) => tests.every((test) => test(user));
}
