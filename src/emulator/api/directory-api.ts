/**
 * This file defines the Admin SDK Directory API v1 methods of the emulator: users.list and
 * users.get (with `viewType=domain_public` for non-admins), groups.list, members.list and
 * members.hasMember, domains.list, and the Groups Settings API's groups.get; the limits, error
 * bodies and paging they share are in directory-shared.ts.
 */
import type { admin_directory_v1 } from '@googleapis/admin';
import { forbidden } from './google-errors';
import {
  DIRECTORY_LIMITS,
  badRequest,
  directoryNotFound,
  listPage,
  maxResults,
} from './directory-shared';
import {
  checkQuery,
  hashOf,
  type Route,
  type RouteContext,
  type RouteResult,
} from './route-context';
import type { DirectoryGroup, DirectoryUser, GroupMember, WorkspaceStore } from './workspace-store';
import { renderGroup, renderUser, userQuery } from './directory-records';

const HOST = 'admin.googleapis.com';
const BASE = '/admin/directory/v1';
const AUTH = 'https://www.googleapis.com/auth/';
const USER_READ = [`${AUTH}admin.directory.user`, `${AUTH}admin.directory.user.readonly`];
const GROUP_READ = [`${AUTH}admin.directory.group`, `${AUTH}admin.directory.group.readonly`];
const DOMAIN_READ = [`${AUTH}admin.directory.domain`, `${AUTH}admin.directory.domain.readonly`];
const MEMBER_READ = [
  ...GROUP_READ,
  `${AUTH}admin.directory.group.member`,
  `${AUTH}admin.directory.group.member.readonly`,
];

/** Builds the Directory API routes over a store. */
export function directoryRoutes(store: WorkspaceStore): Route[] {
  const route = (
    pattern: RegExp,
    operation: string,
    rpc: string,
    scopes: string[],
    run: (context: RouteContext) => RouteResult,
  ): Route => ({
    method: 'GET',
    host: HOST,
    pattern,
    operation,
    rpc,
    scopes,
    quota: 'directory',
    mutation: false,
    run,
  });

  const callerOf = (context: RouteContext): DirectoryUser => {
    const user = store.users.get(context.caller.email);
    if (!user) throw forbidden();
    return user;
  };

  const requireAdmin = (caller: DirectoryUser): void => {
    if (!caller.isAdmin) throw forbidden();
  };

  const scopeCustomer = (context: RouteContext, caller: DirectoryUser): string => {
    const customer = context.url.searchParams.get('customer');
    const domain = context.url.searchParams.get('domain');
    if (!customer && !domain) throw badRequest('Bad Request', 'badRequest');
    if (customer && customer !== 'my_customer' && customer !== caller.customerId) throw forbidden();
    if (domain) {
      const owner = store.domainToCustomer.get(domain.toLowerCase());
      if (owner === undefined) throw badRequest('Domain not found.', 'notFound');
      if (owner !== caller.customerId) throw forbidden();
    }
    return caller.customerId;
  };

  const domainOf = (email: string): string => email.split('@')[1] ?? '';

  const listUsers = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'customer',
      'domain',
      'query',
      'maxResults',
      'pageToken',
      'orderBy',
      'sortOrder',
      'viewType',
      'projection',
      'showDeleted',
      'customFieldMask',
      'event',
    ]);
    const caller = callerOf(context);
    const viewType = context.url.searchParams.get('viewType') ?? 'admin_view';
    if (viewType !== 'admin_view' && viewType !== 'domain_public')
      throw badRequest(`Invalid value '${viewType}' for viewType`);
    if (viewType === 'admin_view') requireAdmin(caller);
    const customerId = scopeCustomer(context, caller);
    const domain = context.url.searchParams.get('domain')?.toLowerCase();
    const size = maxResults(
      context,
      DIRECTORY_LIMITS.usersDefault,
      DIRECTORY_LIMITS.usersMaxResults,
    );
    const query = context.url.searchParams.get('query') ?? '';
    const orderBy = context.url.searchParams.get('orderBy') ?? 'email';
    if (!['email', 'givenName', 'familyName'].includes(orderBy))
      throw badRequest(`Invalid value '${orderBy}' for orderBy`);
    const descending = context.url.searchParams.get('sortOrder') === 'DESCENDING';
    const matcher = userQuery(query);
    const users = [...store.users.values()]
      .filter(
        (user) =>
          user.customerId === customerId &&
          (!domain || domainOf(user.primaryEmail) === domain) &&
          matcher(user),
      )
      .sort((a, b) => {
        const key = (user: DirectoryUser): string =>
          (orderBy === 'email'
            ? user.primaryEmail
            : orderBy === 'givenName'
              ? user.givenName
              : user.familyName
          ).toLowerCase();
        const order = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
        return descending ? -order : order;
      });
    const bind = [
      caller.primaryEmail,
      customerId,
      domain ?? '',
      query,
      orderBy,
      String(descending),
      viewType,
      size,
    ].join('|');
    return listPage(context, bind, users, size, 'admin#directory#users', 'users', (user) =>
      renderUser(user, viewType === 'domain_public', context.now),
    );
  };

  const findUser = (key: string): DirectoryUser | undefined =>
    store.userByAddress(key) ?? [...store.users.values()].find((user) => user.id === key);

  const getUser = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['viewType', 'projection', 'customFieldMask']);
    const caller = callerOf(context);
    const viewType = context.url.searchParams.get('viewType') ?? 'admin_view';
    if (viewType !== 'admin_view' && viewType !== 'domain_public')
      throw badRequest(`Invalid value '${viewType}' for viewType`);
    const user = findUser(context.params[0] ?? '');
    if (!user || user.customerId !== caller.customerId) {
      if (!caller.isAdmin && viewType === 'admin_view') throw forbidden();
      throw directoryNotFound('Resource');
    }
    if (viewType === 'admin_view' && !caller.isAdmin && user !== caller) throw forbidden();
    return { body: renderUser(user, viewType === 'domain_public', context.now), items: 1 };
  };

  const findGroup = (key: string): DirectoryGroup | undefined =>
    store.groups.get(key.toLowerCase()) ??
    [...store.groups.values()].find((group) => group.id === key);

  const listGroups = (context: RouteContext): RouteResult => {
    checkQuery(context.url, [
      'customer',
      'domain',
      'userKey',
      'query',
      'maxResults',
      'pageToken',
      'orderBy',
      'sortOrder',
    ]);
    const caller = callerOf(context);
    requireAdmin(caller);
    const userKey = context.url.searchParams.get('userKey');
    let groups: DirectoryGroup[];
    if (userKey) {
      const member = findUser(userKey) ?? findGroup(userKey);
      if (!member) throw badRequest('Invalid Input: userKey', 'invalid');
      const email = 'primaryEmail' in member ? member.primaryEmail : member.email;
      groups = [...store.groups.values()].filter(
        (group) => group.customerId === caller.customerId && group.members.has(email),
      );
    } else {
      const customerId = scopeCustomer(context, caller);
      const domain = context.url.searchParams.get('domain')?.toLowerCase();
      groups = [...store.groups.values()].filter(
        (group) => group.customerId === customerId && (!domain || domainOf(group.email) === domain),
      );
    }
    groups.sort((a, b) => (a.email < b.email ? -1 : 1));
    const size = maxResults(
      context,
      DIRECTORY_LIMITS.groupsMaxResults,
      DIRECTORY_LIMITS.groupsMaxResults,
    );
    const bind = [
      caller.primaryEmail,
      context.url.searchParams.toString().replace(/&?pageToken=[^&]*/, ''),
    ].join('|');
    return listPage(context, bind, groups, size, 'admin#directory#groups', 'groups', renderGroup);
  };

  const groupFor = (context: RouteContext, caller: DirectoryUser): DirectoryGroup => {
    const group = findGroup(context.params[0] ?? '');
    if (!group || group.customerId !== caller.customerId) throw directoryNotFound('Resource');
    return group;
  };

  const listMembers = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['maxResults', 'pageToken', 'roles', 'includeDerivedMembership']);
    const caller = callerOf(context);
    requireAdmin(caller);
    const group = groupFor(context, caller);
    const roles = (context.url.searchParams.get('roles') ?? '').split(',').filter(Boolean);
    for (const role of roles)
      if (!['OWNER', 'MANAGER', 'MEMBER'].includes(role))
        throw badRequest(`Invalid Input: roles ${role}`);
    const derived = context.url.searchParams.get('includeDerivedMembership') === 'true';
    const members = derived ? expandMembers(group, new Set()) : [...group.members.values()];
    const filtered = members.filter((member) => roles.length === 0 || roles.includes(member.role));
    const size = maxResults(
      context,
      DIRECTORY_LIMITS.membersMaxResults,
      DIRECTORY_LIMITS.membersMaxResults,
    );
    const bind = [caller.primaryEmail, group.id, roles.join(','), String(derived), size].join('|');
    return listPage(
      context,
      bind,
      filtered,
      size,
      'admin#directory#members',
      'members',
      (member) => ({
        kind: 'admin#directory#member',
        etag: `"${hashOf(member.email)}"`,
        id: member.id,
        email: member.email,
        role: member.role,
        type: member.type,
        status: 'ACTIVE',
      }),
    );
  };

  const expandMembers = (group: DirectoryGroup, seen: Set<string>): GroupMember[] => {
    seen.add(group.email);
    const result = [...group.members.values()];
    for (const member of group.members.values()) {
      const nested = member.type === 'GROUP' ? store.groups.get(member.email) : undefined;
      if (nested && !seen.has(nested.email))
        result.push(
          ...expandMembers(nested, seen).filter(
            (inner) => !result.some((known) => known.email === inner.email),
          ),
        );
    }
    return result;
  };

  /**
   * members.hasMember: "Membership can be direct or nested, but if nested, the memberKey and
   * groupKey must be entities in the same domain or an Invalid input error is returned"
   * (members.hasMember reference). A nested look-up only goes through groups of the group's
   * domain (an assumption: a nested group of another domain is another domain's entity).
   */
  const hasMember = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const caller = callerOf(context);
    requireAdmin(caller);
    const group = groupFor(context, caller);
    const key = context.params[1] ?? '';
    const member = findUser(key) ?? findGroup(key);
    if (!member) throw badRequest('Invalid Input: memberKey', 'invalid');
    const email = 'primaryEmail' in member ? member.primaryEmail : member.email;
    if (group.members.has(email))
      return {
        body: { isMember: true } satisfies admin_directory_v1.Schema$MembersHasMember,
        items: 1,
      };
    const domain = domainOf(group.email);
    if (domainOf(email) !== domain) throw badRequest('Invalid Input: memberKey', 'invalid');
    const sameDomain = (nested: DirectoryGroup): GroupMember[] => {
      const seen = new Set<string>([nested.email]);
      const found: GroupMember[] = [];
      const walk = (current: DirectoryGroup): void => {
        for (const entry of current.members.values()) {
          found.push(entry);
          const inner = entry.type === 'GROUP' ? store.groups.get(entry.email) : undefined;
          if (inner && !seen.has(inner.email) && domainOf(inner.email) === domain) {
            seen.add(inner.email);
            walk(inner);
          }
        }
      };
      walk(nested);
      return found;
    };
    const isMember = sameDomain(group).some((entry) => entry.email === email);
    return { body: { isMember } satisfies admin_directory_v1.Schema$MembersHasMember, items: 1 };
  };

  /**
   * domains.list (`GET /admin/directory/v1/customer/{customer}/domains`): the customer's domains,
   * primary and secondary, each with its aliases; admins only, `my_customer` or the caller's own
   * customer id. Source: developers.google.com/admin-sdk/directory/reference/rest/v1/domains/list
   * (Domains2 response of Domains resources: domainName, isPrimary, verified, creationTime,
   * domainAliases[] with domainAliasName and parentDomainName).
   */
  const listDomains = (context: RouteContext): RouteResult => {
    checkQuery(context.url, []);
    const caller = callerOf(context);
    requireAdmin(caller);
    const key = context.params[0] ?? '';
    if (key !== 'my_customer' && key !== caller.customerId) throw forbidden();
    const customer = store.customers.get(caller.customerId);
    if (!customer) throw directoryNotFound('Customer');
    const created = String(Date.parse('2020-01-01T00:00:00Z'));
    const domains = customer.domains.map((domainName) => ({
      kind: 'admin#directory#domain',
      etag: `"${hashOf(domainName)}"`,
      domainName,
      isPrimary: domainName === customer.primaryDomain,
      verified: true,
      creationTime: created,
      ...(domainName === customer.primaryDomain && customer.aliases.length > 0
        ? {
            domainAliases: customer.aliases.map((domainAliasName) => ({
              kind: 'admin#directory#domainAlias',
              domainAliasName,
              parentDomainName: domainName,
              verified: true,
              creationTime: created,
            })),
          }
        : {}),
    }));
    return {
      body: { kind: 'admin#directory#domains', etag: `"${hashOf(customer.id)}"`, domains },
      items: domains.length,
    };
  };

  /**
   * Groups Settings API groups.get (`GET https://www.googleapis.com/groups/v1/groups/{groupUniqueId}`,
   * scope apps.groups.settings): a group's settings, read by an admin of the group's account
   * (developers.google.com/admin-sdk/groups-settings/v1/reference/groups/get). Only the fields
   * the backend reads are modelled; `whoCanViewMembership` is one of ALL_IN_DOMAIN_CAN_VIEW
   * ("Anyone in the account can view the group members list"), ALL_MEMBERS_CAN_VIEW and
   * ALL_MANAGERS_CAN_VIEW (groupssettings_v1 Groups reference). `alt=json` is accepted (the API
   * answered Atom by default once; JSON is the default today).
   */
  const groupSettings = (context: RouteContext): RouteResult => {
    checkQuery(context.url, ['alt']);
    const alt = context.url.searchParams.get('alt');
    if (alt !== null && alt !== 'json') throw badRequest(`Invalid value '${alt}' for alt`);
    const caller = callerOf(context);
    requireAdmin(caller);
    const group = findGroup(decodeURIComponent(context.params[0] ?? ''));
    if (!group || group.customerId !== caller.customerId) throw directoryNotFound('Resource');
    return {
      body: {
        kind: 'groupsSettings#groups',
        email: group.email,
        name: group.name,
        description: group.description,
        whoCanViewMembership: group.whoCanViewMembership,
        whoCanViewGroup: 'ALL_IN_DOMAIN_CAN_VIEW',
        allowExternalMembers: 'false',
      },
      items: 1,
    };
  };

  return [
    {
      method: 'GET',
      host: 'www.googleapis.com',
      pattern: /^\/groups\/v1\/groups\/([^/]+)$/,
      operation: 'groupsSettings.groups.get',
      rpc: 'GroupsSettings.Groups.Get',
      scopes: [`${AUTH}apps.groups.settings`],
      quota: 'directory',
      mutation: false,
      run: groupSettings,
    },
    route(
      new RegExp(`^${BASE}/customer/([^/]+)/domains$`),
      'admin.domains.list',
      'DirectoryDomains.List',
      DOMAIN_READ,
      listDomains,
    ),
    route(
      new RegExp(`^${BASE}/users$`),
      'admin.users.list',
      'DirectoryUsers.List',
      USER_READ,
      listUsers,
    ),
    route(
      new RegExp(`^${BASE}/users/([^/]+)$`),
      'admin.users.get',
      'DirectoryUsers.Get',
      USER_READ,
      getUser,
    ),
    route(
      new RegExp(`^${BASE}/groups$`),
      'admin.groups.list',
      'DirectoryGroups.List',
      GROUP_READ,
      listGroups,
    ),
    route(
      new RegExp(`^${BASE}/groups/([^/]+)/members$`),
      'admin.members.list',
      'DirectoryMembers.List',
      MEMBER_READ,
      listMembers,
    ),
    route(
      new RegExp(`^${BASE}/groups/([^/]+)/hasMember/([^/]+)$`),
      'admin.members.hasMember',
      'DirectoryMembers.HasMember',
      MEMBER_READ,
      hasMember,
    ),
  ];
}
