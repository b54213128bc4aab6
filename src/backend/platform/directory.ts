/**
 * This file defines the Directory API checks the backend makes in users' names, as an admin of
 * their customer (is a user an admin, which groups a user belongs to, a customer's domains, who
 * may view a group's members), with a short cache.
 */
import {
  DIRECTORY_DOMAIN_SCOPE,
  DIRECTORY_GROUP_SCOPE,
  DIRECTORY_USER_SCOPE,
  GROUPS_SETTINGS_SCOPE,
} from '../../core/google-scopes';
import type { DelegatedToken, DelegatedTokenMinter } from './delegated-token-minter';
import { UpstreamError, fetchGoogle } from './google-fetch';

/** What users.get tells of a user in their own name: their customer and whether they are an admin. */
export interface DirectoryProfile {
  customerId: string;
  isAdmin: boolean;
}

/** A domain of a customer as domains.list names it. */
export interface CustomerDomain {
  domain: string;
  kind: 'primary' | 'secondary' | 'alias';
}

/** Who may view a group's member list (Groups Settings API `whoCanViewMembership`). */
export type MembershipVisibility =
  'ALL_IN_DOMAIN_CAN_VIEW' | 'ALL_MEMBERS_CAN_VIEW' | 'ALL_MANAGERS_CAN_VIEW';

/**
 * The admins the backend may act as to read a customer's directory (tenancy.ts): the current
 * candidates for the customer owning `domain`, best first, and a report when one turned out
 * unusable (no longer an admin, or delegation refused in their name).
 */
export interface DirectoryAdmins {
  candidates(domain: string): Promise<string[]>;
  unusable(domain: string, admin: string): Promise<void>;
}

/** What the backend asks of the Directory API. */
export interface Directory {
  /** users.get in the user's own name; null when delegation is refused or the user is unknown. */
  profile(email: string): Promise<DirectoryProfile | null>;
  /** True when the user is an administrator of their Workspace account. */
  isAdmin(email: string): Promise<boolean>;
  /** domains.list in an admin's name: every domain and alias; null when they may not list them. */
  domainsOf(admin: string): Promise<CustomerDomain[] | null>;
  /** True when `domain` is a domain of the viewer's own account (users.list in their name). */
  hasDomain(viewer: string, domain: string): Promise<boolean>;
  /** True when the viewer's directory shows the user (users.get domain_public in their name). */
  sees(viewer: string, user: string): Promise<boolean>;
  /** The lower-case addresses of the groups the user belongs to, read as an admin of theirs. */
  groupsOf(email: string): Promise<string[]>;
  /** The lower-case addresses of a group's users, nested groups included; throws when unreadable. */
  membersOfGroup(groupEmail: string): Promise<string[]>;
  /** The group's direct owners and managers, lower-case; throws when unreadable. */
  managersOfGroup(groupEmail: string): Promise<string[]>;
  /** Who may view the group's members; null when the group is not one of its account's. */
  membershipVisibility(groupEmail: string): Promise<MembershipVisibility | null>;
  /** The lower-case addresses of a domain's users; throws when unreadable. */
  usersOfDomain(domain: string): Promise<string[]>;
  /** The first 200 groups of the account owning `domain` (address and name), read as an admin. */
  groupsOfAccount(domain: string): Promise<{ email: string; name: string }[]>;
}

/** What a Directory read as an admin answers when Google refuses it to that admin. */
const REFUSED: unique symbol = Symbol('refused');

const domainOfAddress = (address: string): string =>
  address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * The Directory API (Admin SDK directory_v1, and the Groups Settings API for who may view a
 * group's members) through delegated tokens. users.get in the user's own name answers `profile`
 * and `isAdmin`; users.list and users.get with `viewType=domain_public` in a user's name say what
 * their own account holds. Reading groups, their settings and whole domains needs an admin: it is
 * done in the name of any current admin of the customer (`admins`, tenancy.ts), the next one
 * being tried when one is no longer an admin, so that no single person is needed. Answers about
 * users are cached for `cacheSeconds`.
 */
export class GoogleDirectory implements Directory {
  private readonly profileCache = new Map<
    string,
    { value: DirectoryProfile | null; until: number }
  >();
  private readonly groupCache = new Map<string, { value: string[]; until: number }>();
  private readonly settingsCache = new Map<
    string,
    { value: MembershipVisibility | null | string[]; until: number }
  >();

  constructor(
    private readonly minter: DelegatedTokenMinter,
    private readonly directoryUrl: string,
    private readonly groupsSettingsUrl: string,
    private readonly cacheSeconds: number,
    private readonly admins: DirectoryAdmins,
    private readonly now: () => number = Date.now,
  ) {}

  async profile(email: string): Promise<DirectoryProfile | null> {
    const key = email.toLowerCase();
    const hit = this.profileCache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const body = await this.get<{ isAdmin?: boolean; customerId?: string }>(
      key,
      DIRECTORY_USER_SCOPE,
      `/admin/directory/v1/users/${encodeURIComponent(key)}?projection=basic`,
    );
    const value =
      body && typeof body.customerId === 'string' && body.customerId !== ''
        ? { customerId: body.customerId, isAdmin: body.isAdmin === true }
        : null;
    if (this.profileCache.size >= 10_000) this.profileCache.clear();
    this.profileCache.set(key, { value, until: this.now() + this.cacheSeconds * 1000 });
    return value;
  }

  async isAdmin(email: string): Promise<boolean> {
    return (await this.profile(email))?.isAdmin === true;
  }

  async domainsOf(admin: string): Promise<CustomerDomain[] | null> {
    const body = await this.get<{
      domains?: {
        domainName?: string;
        isPrimary?: boolean;
        domainAliases?: { domainAliasName?: string }[];
      }[];
    }>(admin, DIRECTORY_DOMAIN_SCOPE, '/admin/directory/v1/customer/my_customer/domains');
    if (!body) return null;
    const found: CustomerDomain[] = [];
    for (const entry of body.domains ?? []) {
      if (!entry.domainName) continue;
      found.push({
        domain: entry.domainName.toLowerCase(),
        kind: entry.isPrimary ? 'primary' : 'secondary',
      });
      for (const alias of entry.domainAliases ?? [])
        if (alias.domainAliasName)
          found.push({ domain: alias.domainAliasName.toLowerCase(), kind: 'alias' });
    }
    return found;
  }

  async hasDomain(viewer: string, domain: string): Promise<boolean> {
    const query = new URLSearchParams({
      domain: domain.toLowerCase(),
      viewType: 'domain_public',
      maxResults: '1',
    });
    const body = await this.get<object>(
      viewer.toLowerCase(),
      DIRECTORY_USER_SCOPE,
      `/admin/directory/v1/users?${query.toString()}`,
    );
    return body !== null;
  }

  async sees(viewer: string, user: string): Promise<boolean> {
    const body = await this.get<{ primaryEmail?: string }>(
      viewer.toLowerCase(),
      DIRECTORY_USER_SCOPE,
      `/admin/directory/v1/users/${encodeURIComponent(user.toLowerCase())}?viewType=domain_public`,
    );
    return typeof body?.primaryEmail === 'string';
  }

  async groupsOf(email: string): Promise<string[]> {
    const key = email.toLowerCase();
    const hit = this.groupCache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const groups: string[] = [];
    await this.allPages<{ groups?: { email?: string }[]; nextPageToken?: string }>(
      key,
      DIRECTORY_GROUP_SCOPE,
      '/admin/directory/v1/groups',
      { userKey: key, maxResults: '200' },
      (page) => {
        for (const group of page.groups ?? [])
          if (group.email) groups.push(group.email.toLowerCase());
      },
    );
    if (this.groupCache.size >= 10_000) this.groupCache.clear();
    this.groupCache.set(key, { value: groups, until: this.now() + this.cacheSeconds * 1000 });
    return groups;
  }

  async membersOfGroup(groupEmail: string): Promise<string[]> {
    const group = groupEmail.toLowerCase();
    const members = new Set<string>();
    await this.allPages<{ members?: { email?: string; type?: string }[]; nextPageToken?: string }>(
      group,
      DIRECTORY_GROUP_SCOPE,
      `/admin/directory/v1/groups/${encodeURIComponent(group)}/members`,
      { maxResults: '200', includeDerivedMembership: 'true' },
      (page) => {
        for (const member of page.members ?? [])
          if (member.type === 'USER' && member.email) members.add(member.email.toLowerCase());
      },
    );
    return [...members];
  }

  /** An answer about a group from the cache, or read and kept for `cacheSeconds`. */
  private async cachedGroupFact<T extends MembershipVisibility | null | string[]>(
    key: string,
    read: () => Promise<T>,
  ): Promise<T> {
    const hit = this.settingsCache.get(key);
    if (hit && hit.until > this.now()) return hit.value as T;
    const value = await read();
    if (this.settingsCache.size >= 10_000) this.settingsCache.clear();
    this.settingsCache.set(key, { value, until: this.now() + this.cacheSeconds * 1000 });
    return value;
  }

  async managersOfGroup(groupEmail: string): Promise<string[]> {
    const group = groupEmail.toLowerCase();
    return this.cachedGroupFact(`managers ${group}`, () => this.readManagers(group));
  }

  private async readManagers(group: string): Promise<string[]> {
    const managers: string[] = [];
    await this.allPages<{ members?: { email?: string; type?: string }[]; nextPageToken?: string }>(
      group,
      DIRECTORY_GROUP_SCOPE,
      `/admin/directory/v1/groups/${encodeURIComponent(group)}/members`,
      { maxResults: '200', roles: 'OWNER,MANAGER' },
      (page) => {
        for (const member of page.members ?? [])
          if (member.type === 'USER' && member.email) managers.push(member.email.toLowerCase());
      },
    );
    return managers;
  }

  async membershipVisibility(groupEmail: string): Promise<MembershipVisibility | null> {
    const group = groupEmail.toLowerCase();
    return this.cachedGroupFact(`visibility ${group}`, () => this.readVisibility(group));
  }

  private async readVisibility(group: string): Promise<MembershipVisibility | null> {
    const answer = await this.asAdmin(domainOfAddress(group), async (admin) => {
      const read = await this.read<{ whoCanViewMembership?: string }>(
        admin,
        GROUPS_SETTINGS_SCOPE,
        `/groups/v1/groups/${encodeURIComponent(group)}?alt=json`,
        this.groupsSettingsUrl,
      );
      return read.kind === 'refused' ? REFUSED : read;
    });
    const value = answer.kind === 'ok' ? answer.body.whoCanViewMembership : undefined;
    if (value === undefined) return null;
    // A setting this code does not know is read as the narrowest (managers only).
    return value === 'ALL_IN_DOMAIN_CAN_VIEW' || value === 'ALL_MEMBERS_CAN_VIEW'
      ? value
      : 'ALL_MANAGERS_CAN_VIEW';
  }

  async usersOfDomain(domain: string): Promise<string[]> {
    const users: string[] = [];
    await this.allPages<{ users?: { primaryEmail?: string }[]; nextPageToken?: string }>(
      `@${domain.toLowerCase()}`,
      DIRECTORY_USER_SCOPE,
      '/admin/directory/v1/users',
      { domain: domain.toLowerCase(), maxResults: '500' },
      (page) => {
        for (const user of page.users ?? [])
          if (user.primaryEmail) users.push(user.primaryEmail.toLowerCase());
      },
    );
    return users;
  }

  async groupsOfAccount(domain: string): Promise<{ email: string; name: string }[]> {
    const groups: { email: string; name: string }[] = [];
    await this.allPages<{ groups?: { email?: string; name?: string }[]; nextPageToken?: string }>(
      `@${domain.toLowerCase()}`,
      DIRECTORY_GROUP_SCOPE,
      '/admin/directory/v1/groups',
      { customer: 'my_customer', maxResults: '200' },
      (page) => {
        for (const group of page.groups ?? [])
          if (group.email)
            groups.push({ email: group.email.toLowerCase(), name: group.name ?? '' });
      },
      1,
    );
    return groups;
  }

  /**
   * Runs `work` as a current admin of the customer owning `domain`: each candidate is checked to
   * be an admin still (users.get in their name, cached), and one Google refuses to (`REFUSED`:
   * the role or delegation is gone) is reported unusable and the next is tried. Throws 409
   * `no_directory_admin` when no candidate can be used.
   */
  private async asAdmin<T>(
    domain: string,
    work: (admin: string) => Promise<T | typeof REFUSED>,
  ): Promise<T> {
    for (const admin of await this.admins.candidates(domain)) {
      if (await this.isAdmin(admin)) {
        const done = await work(admin);
        if (done !== REFUSED) return done;
        this.profileCache.delete(admin);
      }
      await this.admins.unusable(domain, admin);
    }
    throw new UpstreamError(
      409,
      'no_directory_admin',
      `no admin of the organisation owning ${domain} can be used to read its directory: an admin must open the add-on once, and domain-wide delegation must be granted`,
    );
  }

  /**
   * Reads every page of a Directory listing (at most `maxPages`) as an admin of the customer
   * owning `address`. A listing that cannot be read throws: a group's members are never guessed,
   * since sync removes departed members' copies.
   */
  private async allPages<T extends { nextPageToken?: string }>(
    address: string,
    scope: string,
    path: string,
    params: Record<string, string>,
    onPage: (page: T) => void,
    maxPages = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    await this.asAdmin(domainOfAddress(address), async (subject) => {
      const pages: T[] = [];
      let pageToken: string | undefined;
      do {
        const query = new URLSearchParams(params);
        if (pageToken) query.set('pageToken', pageToken);
        const read = await this.read<T>(subject, scope, `${path}?${query.toString()}`);
        // Refused before anything was read: this admin cannot, the next one may.
        if (read.kind === 'refused' && pages.length === 0) return REFUSED;
        if (read.kind !== 'ok')
          throw new UpstreamError(
            502,
            'directory_unreadable',
            `the Directory API refused to list ${address} to the organisation's admin ${subject}`,
          );
        pages.push(read.body);
        pageToken = read.body.nextPageToken;
      } while (pageToken && pages.length < maxPages);
      pages.forEach(onPage);
      return undefined;
    });
  }

  /** GETs a Directory path as `subject`; null when Google refuses to or finds nothing. */
  private async get<T>(subject: string, scope: string, pathAndQuery: string): Promise<T | null> {
    const read = await this.read<T>(subject, scope, pathAndQuery);
    return read.kind === 'ok' ? read.body : null;
  }

  /**
   * GETs a path as `subject`: `refused` when delegation is refused in their name or Google
   * answers 401/403, `missing` for 404 (and 400, which the Directory answers for an unknown
   * domain or key), the body otherwise; other failures throw.
   */
  private async read<T>(
    subject: string,
    scope: string,
    pathAndQuery: string,
    base: string = this.directoryUrl,
  ): Promise<{ kind: 'ok'; body: T } | { kind: 'refused' } | { kind: 'missing' }> {
    let token: DelegatedToken;
    try {
      token = await this.minter.tokenFor(subject, [scope]);
    } catch (error) {
      if (error instanceof UpstreamError && error.code === 'delegation_denied')
        return { kind: 'refused' };
      throw error;
    }
    const response = await fetchGoogle(
      `${base}${pathAndQuery}`,
      { headers: { authorization: `Bearer ${token.accessToken}` } },
      'The Directory API',
    );
    if ([400, 401, 403, 404].includes(response.status)) {
      await response.body?.cancel();
      return response.status === 401 || response.status === 403
        ? { kind: 'refused' }
        : { kind: 'missing' };
    }
    if (!response.ok)
      throw new UpstreamError(
        502,
        'directory_failed',
        `the Directory API answered HTTP ${response.status}`,
      );
    return { kind: 'ok', body: (await response.json()) as T };
  }
}
