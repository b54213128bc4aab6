/**
 * This file defines how callers are authenticated: a Google ID token in `Authorization: Bearer`,
 * verified with google-auth-library against trusted certificates (a certs file locally, Google's
 * published certs in production), the configured audiences, Google's issuer, expiry and
 * `email_verified`. The tenant is the token's `hd` claim. Vendor staff roles come from config.
 * A verified token's caller is kept until the token expires, so repeated calls skip the signature.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { OAuth2Client } from 'google-auth-library';
import type { BackendConfig } from './config';
import { unauthenticated } from './errors';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** An authenticated caller. `tenant` is null for accounts outside any Workspace domain. */
export interface Caller {
  email: string;
  subject: string;
  tenant: string | null;
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
    if (!payload?.email) throw unauthenticated('the ID token has no email claim');
    if (payload.email_verified !== true)
      throw unauthenticated('the ID token e-mail is not verified');
    const email = payload.email.toLowerCase();
    return {
      caller: {
        email,
        subject: payload.sub,
        tenant: payload.hd ? payload.hd.toLowerCase() : null,
        isSecurityManager: this.config.securityManagers.includes(email),
        isSupportAgent: this.config.supportAgents.includes(email),
        isSchedulerInvoker: this.config.schedulerInvokers.includes(email),
      },
      expiresAt: payload.exp * 1000,
    };
  }
}

/** The library's reason without the token payload it sometimes appends (it holds the e-mail). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return (message.split(/[:,\n]/)[0] ?? '').slice(0, 100) || 'invalid token';
}
