/**
 * This file defines how callers are authenticated: a Google ID token in `Authorization: Bearer`,
 * verified with google-auth-library against trusted certificates (a certs file locally, Google's
 * published certs in production), the configured audiences, Google's issuer, expiry and
 * `email_verified`. The caller's tenant is resolved afterwards from Google's answers (tenancy.ts):
 * the token's `hd` claim must name a domain of the e-mail's Workspace customer. Vendor staff roles
 * come from config.
 * A verified token's caller is kept until the token expires, so repeated calls skip the signature.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { OAuth2Client, type TokenPayload } from 'google-auth-library';
import type { BackendConfig } from './config';
import { unauthenticated, type HttpError } from './errors';
import { isDomainName, isEmailAddress, textProblem, truncateText } from './text';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/**
 * An authenticated caller. `tenant` (their Workspace customer's key) is null until resolved, and
 * stays null for accounts outside any customer, with `tenantProblem` saying why.
 */
export interface Caller {
  email: string;
  subject: string;
  /** The ID token's `hd` claim, lower-case; null for accounts outside Google Workspace. */
  hostedDomain: string | null;
  tenant: string | null;
  customerId: string | null;
  tenantProblem?: HttpError;
  isSecurityManager: boolean;
  isSupportAgent: boolean;
  isSchedulerInvoker: boolean;
}

type Certs = Record<string, string>;

/** How many verified tokens are remembered at most (the oldest are forgotten first). */
const VERIFIED_CACHE_SIZE = 10_000;

/** Verifies ID tokens and turns them into callers. */
export class IdTokenVerifier {
  private readonly client = new OAuth2Client();
  private readonly fileCerts: Certs | undefined;
  /** SHA-256 of a verified token → its caller and expiry (ms); entries leave at expiry. */
  private readonly verified = new Map<string, { caller: Caller; expiresAt: number }>();

  constructor(private readonly config: BackendConfig) {
    if (config.authCertsFile)
      this.fileCerts = JSON.parse(fs.readFileSync(config.authCertsFile, 'utf8')) as Certs;
  }

  private async certs(): Promise<Certs> {
    if (this.fileCerts) return this.fileCerts;
    return (await this.client.getFederatedSignonCertsAsync()).certs as Certs;
  }

  /**
   * Returns the caller of an `Authorization` header value; throws a 401 HttpError otherwise. A
   * token verified before is answered from memory until its `exp`; from then on it goes through
   * the full verification again (which refuses it once its expiry and clock skew have passed).
   */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    const match = /^Bearer ([A-Za-z0-9_\-.=]+)$/.exec(authorization ?? '');
    if (!match?.[1])
      throw unauthenticated('an "Authorization: Bearer <Google ID token>" header is required');
    const key = createHash('sha256').update(match[1]).digest('base64url');
    const known = this.verified.get(key);
    if (known && known.expiresAt > Date.now()) return { ...known.caller };
    if (known) this.verified.delete(key);
    const fresh = await this.verify(match[1]);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(key, fresh);
    return { ...fresh.caller };
  }

  private async verify(token: string): Promise<{ caller: Caller; expiresAt: number }> {
    let payload;
    try {
      const ticket = await this.client.verifySignedJwtWithCertsAsync(
        token,
        await this.certs(),
        this.config.authAudiences,
        [GOOGLE_ISSUER],
      );
      payload = ticket.getPayload();
    } catch (error) {
      throw unauthenticated(`the ID token was rejected: ${reasonOf(error)}`);
    }
    const claims = checkClaims(payload);
    const email = claims.email.toLowerCase();
    return {
      caller: {
        email,
        subject: claims.sub,
        hostedDomain: claims.hd ? claims.hd.toLowerCase() : null,
        tenant: null,
        customerId: null,
        isSecurityManager: this.config.securityManagers.includes(email),
        isSupportAgent: this.config.supportAgents.includes(email),
        isSchedulerInvoker: this.config.schedulerInvokers.includes(email),
      },
      expiresAt: claims.exp * 1000,
    };
  }
}

/**
 * The claims the backend uses, checked for type like any input: `email` a verified address,
 * `sub` a string, `hd` absent or a domain name, `exp` a number. Anything else is a 401.
 */
function checkClaims(payload: TokenPayload | undefined): {
  email: string;
  sub: string;
  hd?: string;
  exp: number;
} {
  const claims = (payload ?? {}) as Record<string, unknown>;
  const { email, sub, hd, exp } = claims;
  if (typeof email !== 'string' || email === '')
    throw unauthenticated('the ID token has no email claim');
  if (email.length > 254 || !isEmailAddress(email) || textProblem(email) !== null)
    throw unauthenticated('the ID token email claim is not an e-mail address');
  if (claims.email_verified !== true) throw unauthenticated('the ID token e-mail is not verified');
  if (typeof sub !== 'string' || sub.length > 255 || textProblem(sub) !== null)
    throw unauthenticated('the ID token sub claim is not a string');
  if (hd !== undefined && (typeof hd !== 'string' || (hd !== '' && !isDomainName(hd))))
    throw unauthenticated('the ID token hd claim is not a domain name');
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw unauthenticated('the ID token exp claim is not a number');
  return { email, sub, hd: hd === '' ? undefined : hd, exp };
}

/** The library's reason without the token payload it sometimes appends (it holds the e-mail). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return truncateText(message.split(/[:,\n]/)[0] ?? '', 100) || 'invalid token';
}
