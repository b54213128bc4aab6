/**
 * This file defines the emulator's OAuth side: opaque access tokens bound to a principal, scopes
 * and expiry; service accounts with their keys; the per-domain table of domain-wide-delegation
 * grants; the token endpoint's JWT-bearer exchange, IAM Credentials signJwt and signBlob, and the
 * public keys of service accounts as Google publishes them (JWK).
 */
import {
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { signJwt } from './id-token-issuer';
import { GoogleApiError, OAuthError, invalidArgument, notFound } from './google-errors';
import type { VirtualClock } from './contract';

/** What an access token grants. */
export interface AccessGrant {
  email: string;
  scopes: Set<string>;
  expiresAt: number;
}

/** A service account the emulator knows: its client id and public keys (key id → key). */
export interface ServiceAccount {
  email: string;
  clientId: string;
  privateKey?: KeyObject;
  keyId?: string;
  publicKeys: Map<string, KeyObject>;
  /** Principals allowed to call signJwt as this account (roles/iam.serviceAccountTokenCreator). */
  tokenCreators: Set<string>;
}

/** IAM Credentials' SignJwtResponse. */
type SignedJwt = { keyId: string; signedJwt: string };
/** IAM Credentials' SignBlobResponse. */
type SignedBlob = { keyId: string; signedBlob: string };

export const TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

const UNAUTHORIZED_CLIENT =
  'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.';

/** Tokens, service accounts and delegation grants. */
export class OAuthState {
  private readonly tokens = new Map<string, AccessGrant>();
  readonly serviceAccounts = new Map<string, ServiceAccount>();
  /** domain → client id → granted scopes. */
  private readonly delegation = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly clock: VirtualClock) {}

  /** Mints an opaque access token for a principal and scopes. */
  mint(email: string, scopes: string[], lifetimeSeconds = 3599): string {
    const token = `ya29.emu-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, {
      email: email.toLowerCase(),
      scopes: new Set(scopes.map(expandScope)),
      expiresAt: this.clock.now() + lifetimeSeconds * 1000,
    });
    return token;
  }

  /** Every access token minted so far and whose it is (tests look for them where none may be). */
  issued(): { token: string; email: string }[] {
    return [...this.tokens].map(([token, grant]) => ({ token, email: grant.email }));
  }

  /** Looks a token up: undefined when unknown, 'expired' when past its expiry. */
  lookup(token: string): AccessGrant | 'expired' | undefined {
    const grant = this.tokens.get(token);
    if (!grant) return undefined;
    return grant.expiresAt <= this.clock.now() ? 'expired' : grant;
  }

  /** Creates a service account with a generated key the emulator holds; returns its client id. */
  createServiceAccount(email: string): string {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = randomBytes(20).toString('hex');
    const account = this.ensureAccount(email);
    account.privateKey = privateKey;
    account.keyId = keyId;
    account.publicKeys.set(keyId, publicKey);
    return account.clientId;
  }

  /** Registers a public key (PEM) for a service account that signs its assertions itself. */
  registerServiceAccountKey(email: string, publicKeyPem: string, keyId?: string): string {
    const account = this.ensureAccount(email);
    account.publicKeys.set(keyId ?? randomBytes(20).toString('hex'), createPublicKey(publicKeyPem));
    return account.clientId;
  }

  /** Allows a principal to call signJwt as a service account. */
  grantTokenCreator(serviceAccountEmail: string, principal: string): void {
    const account = this.serviceAccounts.get(serviceAccountEmail.toLowerCase());
    if (!account) throw new Error(`No service account ${serviceAccountEmail}.`);
    account.tokenCreators.add(principal.toLowerCase());
  }

  /** Records a domain-wide-delegation grant: the client id may act for the domain's users in those scopes. */
  grantDomainWideDelegation(domain: string, clientId: string, scopes: string[]): void {
    const byClient = this.delegation.get(domain.toLowerCase()) ?? new Map<string, Set<string>>();
    byClient.set(clientId, new Set(scopes.map(expandScope)));
    this.delegation.set(domain.toLowerCase(), byClient);
  }

  /** Removes a domain-wide-delegation grant. */
  revokeDomainWideDelegation(domain: string, clientId: string): void {
    this.delegation.get(domain.toLowerCase())?.delete(clientId);
  }

  /** Lists the grants, for the control API. */
  delegationGrants(): { domain: string; clientId: string; scopes: string[] }[] {
    return [...this.delegation].flatMap(([domain, byClient]) =>
      [...byClient].map(([clientId, scopes]) => ({ domain, clientId, scopes: [...scopes] })),
    );
  }

  /**
   * The token endpoint's JWT-bearer exchange. `isUser(email)` says whether the subject is a user
   * of a domain; `domainsOfCustomer(domain)` lists every domain of the customer owning a domain;
   * `audiences` are the token URLs accepted as `aud`. A grant is the customer's: a super admin
   * grants delegation once in the Admin console and it covers the users of every domain of the
   * account (support.google.com/a/answer/162106: "Control API access with domain-wide
   * delegation" is a setting of the organisation, not of one domain), so a grant recorded for any
   * of the customer's domains counts.
   */
  exchangeAssertion(
    form: URLSearchParams,
    audiences: string[],
    isUser: (email: string) => boolean,
    domainsOfCustomer: (domain: string) => string[] = (domain) => [domain],
  ): { access_token: string; expires_in: number; token_type: 'Bearer' } {
    const grantType = form.get('grant_type');
    if (grantType === null)
      throw new OAuthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    if (grantType !== JWT_BEARER)
      throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
    const assertion = form.get('assertion');
    if (!assertion)
      throw new OAuthError(400, 'invalid_request', 'Missing required parameter: assertion');
    const { header, claims, signedPart, signature } = decodeJwt(assertion);
    const iss = typeof claims.iss === 'string' ? claims.iss.toLowerCase() : '';
    const account = this.serviceAccounts.get(iss);
    if (!account) throw new OAuthError(400, 'invalid_grant', 'Invalid grant: account not found');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const keys = kid ? [account.publicKeys.get(kid)] : [...account.publicKeys.values()];
    const valid =
      header.alg === 'RS256' &&
      keys.some(
        (key) =>
          key !== undefined && createVerify('RSA-SHA256').update(signedPart).verify(key, signature),
      );
    if (!valid) throw new OAuthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud))
      throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
    const now = Math.floor(this.clock.now() / 1000);
    const iat = claims.iat;
    const exp = claims.exp;
    if (
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      exp <= iat ||
      exp - iat > 3600 ||
      iat > now + 300 ||
      exp < now
    )
      throw new OAuthError(
        400,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      );
    const scopes =
      typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [];
    if (scopes.length === 0)
      throw new OAuthError(400, 'invalid_scope', 'Empty or missing scope not allowed.');
    const sub = typeof claims.sub === 'string' ? claims.sub.toLowerCase() : undefined;
    if (sub === undefined || sub === iss) {
      return { access_token: this.mint(iss, scopes), expires_in: 3599, token_type: 'Bearer' };
    }
    if (!isUser(sub)) throw new OAuthError(400, 'invalid_grant', 'Invalid email or User ID');
    const domain = sub.split('@')[1] ?? '';
    const grants = domainsOfCustomer(domain).flatMap((each) => {
      const granted = this.delegation.get(each)?.get(account.clientId);
      return granted ? [granted] : [];
    });
    if (!grants.some((granted) => scopes.every((scope) => granted.has(expandScope(scope)))))
      throw new OAuthError(401, 'unauthorized_client', UNAUTHORIZED_CLIENT);
    return { access_token: this.mint(sub, scopes), expires_in: 3599, token_type: 'Bearer' };
  }

  /**
   * The key of a service account the caller may sign as: Google holds it, and the caller holds
   * `iam.serviceAccounts.<permission>` on it through roles/iam.serviceAccountTokenCreator (needed
   * even when it signs as itself, FACTS.md Delegation). Google's 404 or 403 otherwise. Returned with
   * the request body's payload, which each method checks.
   */
  private signingKey(
    caller: string,
    accountEmail: string,
    permission: 'signJwt' | 'signBlob',
    body: unknown,
  ): { privateKey: KeyObject; keyId: string; payload: unknown } {
    const account = this.serviceAccounts.get(accountEmail.toLowerCase());
    if (!account || !account.privateKey || !account.keyId)
      throw notFound(`Service account ${accountEmail} not found or has no key held by Google.`);
    if (!account.tokenCreators.has(caller))
      throw new GoogleApiError(
        403,
        `Permission 'iam.serviceAccounts.${permission}' denied on resource (or it may not exist).`,
        'PERMISSION_DENIED',
        {
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'iam.googleapis.com',
          metadata: { permission: `iam.serviceAccounts.${permission}` },
        },
      );
    return {
      privateKey: account.privateKey,
      keyId: account.keyId,
      payload: (body as { payload?: unknown } | null)?.payload,
    };
  }

  /**
   * IAM Credentials signJwt: signs the claims as the service account with the key the emulator
   * holds. The caller needs `iam.serviceAccounts.signJwt` on the account (roles/iam
   * .serviceAccountTokenCreator) even when it is the account itself (FACTS.md Delegation: "needs
   * iam.serviceAccounts.signJwt (Service Account Token Creator) on the account even when a
   * function signs as its own service account"): only principals granted with grantTokenCreator
   * may sign. An `exp` in the past or more than 12 hours ahead is refused ("exp must not be in the
   * past nor more than 12 h ahead", FACTS.md; projects.serviceAccounts.signJwt reference).
   */
  signJwtAs(caller: string, accountEmail: string, body: unknown): SignedJwt {
    const { privateKey, keyId, payload } = this.signingKey(caller, accountEmail, 'signJwt', body);
    if (typeof payload !== 'string')
      throw invalidArgument('Invalid JWT payload: payload is required.');
    let claims: unknown;
    try {
      claims = JSON.parse(payload);
    } catch {
      throw invalidArgument('Invalid JWT payload: it is not valid JSON.');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw invalidArgument('Invalid JWT payload: it must be a JSON object.');
    const exp = (claims as { exp?: unknown }).exp;
    const now = this.clock.now() / 1000;
    if (exp !== undefined && typeof exp !== 'number')
      throw invalidArgument('Invalid JWT payload: exp must be a number of seconds.');
    if (typeof exp === 'number' && exp < now)
      throw invalidArgument('Invalid JWT payload: exp is in the past.');
    if (typeof exp === 'number' && exp > now + 12 * 3600)
      throw invalidArgument('Invalid JWT payload: exp must be at most 12 hours in the future.');
    const signedJwt = signJwt({ alg: 'RS256', kid: keyId, typ: 'JWT' }, claims, privateKey);
    return { keyId, signedJwt };
  }

  /**
   * IAM Credentials signBlob (`projects/-/serviceAccounts/{email}:signBlob`, body `{payload}` in
   * base64): signs the bytes with RSA-SHA256 (PKCS#1 v1.5) under the key the emulator holds and
   * answers `{keyId, signedBlob}`, as Google's SignBlobResponse. Same caller rule as signJwt:
   * `iam.serviceAccounts.signBlob` is held through roles/iam.serviceAccountTokenCreator, needed on
   * the account even when it signs as itself (FACTS.md Delegation), so only principals granted
   * with grantTokenCreator may sign.
   */
  signBlobAs(caller: string, accountEmail: string, body: unknown): SignedBlob {
    const { privateKey, keyId, payload } = this.signingKey(caller, accountEmail, 'signBlob', body);
    if (typeof payload !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload))
      throw invalidArgument("Invalid value at 'payload' (TYPE_BYTES), Base64 decoding failed.");
    const signature = createSign('RSA-SHA256')
      .update(Buffer.from(payload, 'base64'))
      .sign(privateKey);
    return { keyId, signedBlob: signature.toString('base64') };
  }

  /**
   * The account's public keys as https://www.googleapis.com/service_accounts/v1/metadata/jwk/{email}
   * lists them: `{ keys: [{ kty, alg, use, kid, n, e }] }`, keys it holds and keys registered.
   */
  publicJwks(accountEmail: string): { keys: Record<string, unknown>[] } {
    const account = this.serviceAccounts.get(accountEmail.toLowerCase());
    if (!account) throw notFound(`Service account ${accountEmail} not found.`);
    return {
      keys: [...account.publicKeys].map(([kid, key]) => {
        const { n, e, kty } = key.export({ format: 'jwk' });
        return { kty, alg: 'RS256', use: 'sig', kid, n, e };
      }),
    };
  }

  /** Forgets every token, account and grant. */
  reset(): void {
    this.tokens.clear();
    this.serviceAccounts.clear();
    this.delegation.clear();
  }

  private ensureAccount(email: string): ServiceAccount {
    const key = email.toLowerCase();
    if (!key.endsWith('.iam.gserviceaccount.com'))
      throw new Error(`${email} is not a service account address (…@….iam.gserviceaccount.com).`);
    let account = this.serviceAccounts.get(key);
    if (!account) {
      let hash = 0n;
      for (const char of key) hash = (hash * 131n + BigInt(char.codePointAt(0) ?? 0)) % 10n ** 20n;
      account = {
        email: key,
        clientId: (10n ** 20n + hash).toString(),
        publicKeys: new Map(),
        tokenCreators: new Set(),
      };
      this.serviceAccounts.set(key, account);
    }
    return account;
  }
}

/** Turns a short scope ("contacts") into its URL; full URLs and "openid" stay as they are. */
export function expandScope(scope: string): string {
  if (
    scope.startsWith('https://') ||
    scope === 'openid' ||
    scope === 'email' ||
    scope === 'profile'
  )
    return scope;
  return SCOPE_PREFIX + scope;
}

function decodeJwt(jwt: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signedPart: string;
  signature: Buffer;
} {
  const parts = jwt.split('.');
  const fail = (): never => {
    throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: malformed assertion.');
  };
  if (parts.length !== 3) fail();
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as unknown;
    if (
      typeof header !== 'object' ||
      header === null ||
      typeof claims !== 'object' ||
      claims === null
    )
      fail();
    return {
      header: header as Record<string, unknown>,
      claims: claims as Record<string, unknown>,
      signedPart: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2] ?? '', 'base64url'),
    };
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    return fail();
  }
}
