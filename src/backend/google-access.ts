/**
 * This file defines how the backend acts in users' names: the `Signer` port (IAM Credentials
 * signJwt in production, a key generated at start-up locally), the domain-wide-delegation token
 * exchange at the OAuth token endpoint with a cache, and the Directory API checks built on it
 * (is a user their domain's admin, which groups a user belongs to).
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { HttpError } from './errors';

/** Signs JWT claims as the service account. */
export interface Signer {
  readonly serviceAccountEmail: string;
  signJwt(claims: Record<string, unknown>): Promise<string>;
}

/** A call to Google failed; `status` is what the backend answers. */
export class UpstreamError extends HttpError {
  constructor(status: number, code: string, message: string) {
    super(status, code, message);
    this.name = 'UpstreamError';
  }
}

const TIMEOUT_MS = 10_000;

/** Answers of Google worth asking again a moment later (429 and 5xx: transient). */
const TRANSIENT = new Set([429, 500, 502, 503, 504]);
/** Attempts at a call answered with a transient status, and the first wait between them. */
const ATTEMPTS = 3;
const RETRY_MS = 200;

/**
 * Calls Google, asking again after a transient answer (the calls the backend makes, token
 * exchange, signJwt and Directory reads, change nothing when repeated).
 */
async function fetchGoogle(url: string, init: RequestInit, what: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new UpstreamError(
        502,
        'upstream_unavailable',
        `${what} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!TRANSIENT.has(response.status) || attempt >= ATTEMPTS) return response;
    await response.body?.cancel();
    await new Promise((resume) => setTimeout(resume, RETRY_MS * 2 ** (attempt - 1)));
  }
}

/**
 * Signs with an RSA key generated at start-up (local runs and tests). Its public key must be
 * registered for the service account, e.g. with the emulator's `registerServiceAccountKey`.
 */
export class LocalKeySigner implements Signer {
  readonly keyId = randomBytes(20).toString('hex');
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;

  constructor(readonly serviceAccountEmail: string) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  async signJwt(claims: Record<string, unknown>): Promise<string> {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid: this.keyId })}.${encode(claims)}`;
    const signature = createSign('RSA-SHA256').update(unsigned).sign(this.privateKey);
    return `${unsigned}.${signature.toString('base64url')}`;
  }
}

/** Signs through IAM Credentials `projects/-/serviceAccounts/{email}:signJwt`: no key at rest. */
export class IamSigner implements Signer {
  constructor(
    readonly serviceAccountEmail: string,
    private readonly iamCredentialsUrl: string,
    /** The function's own access token (application default credentials in production). */
    private readonly ownAccessToken: () => Promise<string>,
  ) {}

  async signJwt(claims: Record<string, unknown>): Promise<string> {
    const url = `${this.iamCredentialsUrl}/v1/projects/-/serviceAccounts/${this.serviceAccountEmail}:signJwt`;
    const response = await fetchGoogle(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await this.ownAccessToken()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ payload: JSON.stringify(claims) }),
      },
      'IAM Credentials',
    );
    const body = (await response.json().catch(() => ({}))) as { signedJwt?: string };
    if (!response.ok || typeof body.signedJwt !== 'string')
      throw new UpstreamError(
        502,
        'signing_failed',
        `IAM signJwt for ${this.serviceAccountEmail} failed with HTTP ${response.status}; check roles/iam.serviceAccountTokenCreator`,
      );
    return body.signedJwt;
  }
}

/** A delegated access token and when it expires (ms since the epoch). */
export interface DelegatedToken {
  accessToken: string;
  expiresAt: number;
}

/**
 * Mints access tokens in a user's name by domain-wide delegation: a JWT `{iss, sub, scope, aud,
 * iat, exp}` signed by the Signer, exchanged at the token endpoint. Tokens are cached per user and
 * scope set until `marginSeconds` before they expire.
 */
export class DelegatedTokenMinter {
  private readonly cache = new Map<string, DelegatedToken>();
  private readonly inflight = new Map<string, Promise<DelegatedToken>>();

  constructor(
    private readonly signer: Signer,
    private readonly tokenUrl: string,
    private readonly marginSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns a token for `subject` with `scopes`, from the cache when still fresh. */
  async tokenFor(subject: string, scopes: string[]): Promise<DelegatedToken & { cached: boolean }> {
    const key = `${subject.toLowerCase()} ${[...scopes].sort().join(' ')}`;
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - this.marginSeconds * 1000 > this.now())
      return { ...hit, cached: true };
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.exchange(subject, scopes).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const token = await pending;
    this.cache.set(key, token);
    return { ...token, cached: false };
  }

  private async exchange(subject: string, scopes: string[]): Promise<DelegatedToken> {
    const issuedAt = Math.floor(this.now() / 1000);
    const assertion = await this.signer.signJwt({
      iss: this.signer.serviceAccountEmail,
      sub: subject,
      scope: scopes.join(' '),
      aud: this.tokenUrl,
      iat: issuedAt,
      exp: issuedAt + 3600,
    });
    const response = await fetchGoogle(
      this.tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        }).toString(),
      },
      'The OAuth token endpoint',
    );
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (response.ok && typeof body.access_token === 'string' && typeof body.expires_in === 'number')
      return { accessToken: body.access_token, expiresAt: this.now() + body.expires_in * 1000 };
    if (body.error === 'unauthorized_client' || body.error === 'invalid_grant')
      throw new UpstreamError(
        403,
        'delegation_denied',
        `Google refused a delegated token for ${subject} (${body.error}): domain-wide delegation of these scopes must be granted to ${this.signer.serviceAccountEmail} in the domain's Admin console, and the user must exist`,
      );
    throw new UpstreamError(
      502,
      'token_exchange_failed',
      `the OAuth token endpoint answered HTTP ${response.status}`,
    );
  }
}

export const DIRECTORY_USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
export const DIRECTORY_GROUP_SCOPE =
  'https://www.googleapis.com/auth/admin.directory.group.readonly';

/** What the backend asks of the Directory API. */
export interface Directory {
  /** True when the user is an administrator of their domain. */
  isAdmin(email: string): Promise<boolean>;
  /** The lower-case addresses of the groups the user belongs to (empty when not visible). */
  groupsOf(email: string): Promise<string[]>;
  /** The lower-case addresses of a group's users, nested groups included; throws when unreadable. */
  membersOfGroup(groupEmail: string): Promise<string[]>;
  /** The lower-case addresses of a domain's users; throws when unreadable. */
  usersOfDomain(domain: string): Promise<string[]>;
}

/**
 * The Directory API (Admin SDK directory_v1) through delegated tokens. users.get in the user's
 * own name answers `isAdmin`. Group membership (groups.list?userKey=) needs an admin: it is read
 * in the name of the domain's directory admin (`directoryAdminOf`, the admin who last saved the
 * tenant policy), or the user's own when there is none. Answers are cached for `cacheSeconds`.
 */
export class GoogleDirectory implements Directory {
  private readonly adminCache = new Map<string, { value: boolean; until: number }>();
  private readonly groupCache = new Map<string, { value: string[]; until: number }>();

  constructor(
    private readonly minter: DelegatedTokenMinter,
    private readonly directoryUrl: string,
    private readonly cacheSeconds: number,
    private readonly directoryAdminOf: (domain: string) => Promise<string | null>,
    private readonly now: () => number = Date.now,
  ) {}

  async isAdmin(email: string): Promise<boolean> {
    const key = email.toLowerCase();
    const hit = this.adminCache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const body = await this.get<{ isAdmin?: boolean }>(
      key,
      DIRECTORY_USER_SCOPE,
      `/admin/directory/v1/users/${encodeURIComponent(key)}?projection=basic`,
    );
    const value = body?.isAdmin === true;
    this.adminCache.set(key, { value, until: this.now() + this.cacheSeconds * 1000 });
    return value;
  }

  async groupsOf(email: string): Promise<string[]> {
    const key = email.toLowerCase();
    const hit = this.groupCache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const subject = (await this.directoryAdminOf(key.slice(key.lastIndexOf('@') + 1))) ?? key;
    const groups: string[] = [];
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ userKey: key, maxResults: '200' });
      if (pageToken) query.set('pageToken', pageToken);
      const body = await this.get<{ groups?: { email?: string }[]; nextPageToken?: string }>(
        subject,
        DIRECTORY_GROUP_SCOPE,
        `/admin/directory/v1/groups?${query.toString()}`,
      );
      for (const group of body?.groups ?? [])
        if (group.email) groups.push(group.email.toLowerCase());
      pageToken = body?.nextPageToken;
    } while (pageToken);
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

  async usersOfDomain(domain: string): Promise<string[]> {
    const users: string[] = [];
    await this.allPages<{ users?: { primaryEmail?: string }[]; nextPageToken?: string }>(
      domain.toLowerCase(),
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

  /**
   * Reads every page of a Directory listing as the domain's directory admin. A listing that cannot
   * be read throws: a group's members are never guessed, since sync removes departed members' copies.
   */
  private async allPages<T extends { nextPageToken?: string }>(
    address: string,
    scope: string,
    path: string,
    params: Record<string, string>,
    onPage: (page: T) => void,
  ): Promise<void> {
    const domain = address.slice(address.lastIndexOf('@') + 1);
    const subject = await this.directoryAdminOf(domain);
    if (!subject)
      throw new UpstreamError(
        409,
        'no_directory_admin',
        `an admin of ${domain} must save the domain's policy once, so that group members can be read`,
      );
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams(params);
      if (pageToken) query.set('pageToken', pageToken);
      const page = await this.get<T>(subject, scope, `${path}?${query.toString()}`);
      if (!page)
        throw new UpstreamError(
          502,
          'directory_unreadable',
          `the Directory API refused to list ${address} to the domain's admin ${subject}`,
        );
      onPage(page);
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** GETs a Directory path as `subject`; null when Google answers 403 or 404 (not allowed, none). */
  private async get<T>(subject: string, scope: string, pathAndQuery: string): Promise<T | null> {
    let token: DelegatedToken;
    try {
      token = await this.minter.tokenFor(subject, [scope]);
    } catch (error) {
      if (error instanceof UpstreamError && error.code === 'delegation_denied') return null;
      throw error;
    }
    const response = await fetchGoogle(
      `${this.directoryUrl}${pathAndQuery}`,
      { headers: { authorization: `Bearer ${token.accessToken}` } },
      'The Directory API',
    );
    if (response.status === 403 || response.status === 404) return null;
    if (!response.ok)
      throw new UpstreamError(
        502,
        'directory_failed',
        `the Directory API answered HTTP ${response.status}`,
      );
    return (await response.json()) as T;
  }
}
