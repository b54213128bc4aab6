/**
 * This file names the Google OAuth scopes the product relies on, once for the add-on's backend,
 * the local stack and the tests: the Contacts scopes and the scopes domain-wide delegation grants
 * the backend's service account in every customer (README "OAuth scopes", docs/marketplace.md).
 */
export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';
export const CONTACTS_READONLY_SCOPE = 'https://www.googleapis.com/auth/contacts.readonly';
export const DIRECTORY_USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
export const DIRECTORY_GROUP_SCOPE =
  'https://www.googleapis.com/auth/admin.directory.group.readonly';
export const DIRECTORY_DOMAIN_SCOPE =
  'https://www.googleapis.com/auth/admin.directory.domain.readonly';
export const GROUPS_SETTINGS_SCOPE = 'https://www.googleapis.com/auth/apps.groups.settings';

/**
 * The scopes domain-wide delegation must grant: contacts for the share gateway; the directory's
 * users (who is whose customer and admin), groups and their settings (who may view a group's
 * members) for expansion; domains for the customer's domains.
 */
export const DELEGATION_SCOPES: readonly string[] = [
  CONTACTS_SCOPE,
  DIRECTORY_USER_SCOPE,
  DIRECTORY_GROUP_SCOPE,
  DIRECTORY_DOMAIN_SCOPE,
  GROUPS_SETTINGS_SCOPE,
];

/** What an admin grants in the Admin console: the delegation scopes and read-only Contacts. */
export const GRANTED_SCOPES: readonly string[] = [
  CONTACTS_SCOPE,
  CONTACTS_READONLY_SCOPE,
  ...DELEGATION_SCOPES.slice(1),
];
