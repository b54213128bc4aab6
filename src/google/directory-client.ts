/**
 * This file defines the typed Admin SDK Directory API v1 client (users, groups, members) and the
 * GroupDirectory adapter that the sync engine uses to expand group and domain shares. Types come
 * from @googleapis/admin as type-only imports.
 */
import type { admin_directory_v1 } from '@googleapis/admin';
import type { GroupDirectory } from '../core/sync-ports';
import { json, query, type ApiCall, type ApiRequest, type GoogleTransport } from './transport';

export type DirectoryUser = admin_directory_v1.Schema$User;
export type DirectoryGroup = admin_directory_v1.Schema$Group;
export type DirectoryMember = admin_directory_v1.Schema$Member;

/** The Directory API's root URL. */
export const DIRECTORY_API = 'https://admin.googleapis.com/admin/directory/v1/';

/** The paging and scope parameters that `users.list` and `groups.list` share. */
interface DirectoryPage {
  customer?: string;
  domain?: string;
  maxResults?: number;
  pageToken?: string;
}

/** The Directory API for one user's access token. */
export class DirectoryClient {
  constructor(private readonly token: string) {}

  private request(operation: string, path: string): ApiRequest {
    return {
      operation,
      method: 'get',
      url: DIRECTORY_API + path,
      headers: { authorization: `Bearer ${this.token}` },
    };
  }

  /** One page of `users.list`; pass `customer: 'my_customer'` or a `domain`. */
  *listUsers(
    params: DirectoryPage & { viewType?: 'admin_view' | 'domain_public'; query?: string },
  ): ApiCall<admin_directory_v1.Schema$Users> {
    return json<admin_directory_v1.Schema$Users>(
      yield this.request('directory.users.list', `users${query({ ...params })}`),
    );
  }

  /** `users.get`. */
  *getUser(userKey: string, viewType?: 'admin_view' | 'domain_public'): ApiCall<DirectoryUser> {
    return json<DirectoryUser>(
      yield this.request(
        'directory.users.get',
        `users/${encodeURIComponent(userKey)}${query({ viewType })}`,
      ),
    );
  }

  /** One page of `groups.list`. */
  *listGroups(
    params: DirectoryPage & { userKey?: string },
  ): ApiCall<admin_directory_v1.Schema$Groups> {
    return json<admin_directory_v1.Schema$Groups>(
      yield this.request('directory.groups.list', `groups${query({ ...params })}`),
    );
  }

  /** One page of `members.list`. */
  *listMembers(
    groupKey: string,
    params: { maxResults?: number; pageToken?: string; includeDerivedMembership?: boolean } = {},
  ): ApiCall<admin_directory_v1.Schema$Members> {
    return json<admin_directory_v1.Schema$Members>(
      yield this.request(
        'directory.members.list',
        `groups/${encodeURIComponent(groupKey)}/members${query({ ...params })}`,
      ),
    );
  }

  /** `members.hasMember`. */
  *hasMember(groupKey: string, memberKey: string): ApiCall<boolean> {
    const response = json<admin_directory_v1.Schema$MembersHasMember>(
      yield this.request(
        'directory.members.hasMember',
        `groups/${encodeURIComponent(groupKey)}/hasMember/${encodeURIComponent(memberKey)}`,
      ),
    );
    return response.isMember === true;
  }

  /** Every user address of a domain, all pages (public view, as non-admins may read it). */
  *allUsersOfDomain(domain: string): ApiCall<string[]> {
    const emails: string[] = [];
    let pageToken: string | undefined;
    do {
      const page: admin_directory_v1.Schema$Users = yield* this.listUsers({
        domain,
        viewType: 'domain_public',
        maxResults: 500,
        pageToken,
      });
      for (const user of page.users ?? [])
        if (user.primaryEmail) emails.push(user.primaryEmail.toLowerCase());
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return emails;
  }

  /** Every user in a group, nested groups included, all pages. */
  *allUsersOfGroup(groupKey: string): ApiCall<string[]> {
    const emails = new Set<string>();
    let pageToken: string | undefined;
    do {
      const page: admin_directory_v1.Schema$Members = yield* this.listMembers(groupKey, {
        maxResults: 200,
        pageToken,
        includeDerivedMembership: true,
      });
      for (const member of page.members ?? [])
        if (member.type === 'USER' && member.email) emails.add(member.email.toLowerCase());
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return [...emails];
  }
}

/** A GroupDirectory over the Directory API, with the acting user's token. */
export class DirectoryGroupResolver implements GroupDirectory {
  constructor(
    private readonly transport: GoogleTransport,
    private readonly token: () => string,
  ) {}

  membersOfGroup(groupEmail: string): string[] {
    return this.transport.run(new DirectoryClient(this.token()).allUsersOfGroup(groupEmail));
  }

  usersOfDomain(domain: string): string[] {
    return this.transport.run(new DirectoryClient(this.token()).allUsersOfDomain(domain));
  }
}
