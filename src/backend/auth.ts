/**
 * This file defines how callers are authenticated: a Google ID token in `Authorization: Bearer`,
 * verified with google-auth-library against trusted certificates (a certs file locally, Google's
 * published certs in production), the configured audiences, Google's issuer, expiry and
 * `email_verified`. The tenant is the token's `hd` claim. Vendor staff roles come from config.
 */
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

/** Verifies ID tokens and turns them into callers. */
export class IdTokenVerifier {
  private readonly client = new OAuth2Client();
  private readonly fileCerts: Certs | undefined;

  constructor(private readonly config: BackendConfig) {
    if (config.authCertsFile)
      this.fileCerts = JSON.parse(fs.readFileSync(config.authCertsFile, 'utf8')) as Certs;
  }

  private async certs(): Promise<Certs> {
    if (this.fileCerts) return this.fileCerts;
    return (await this.client.getFederatedSignonCertsAsync()).certs as Certs;
  }

  /** Returns the caller of an `Authorization` header value; throws a 401 HttpError otherwise. */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    const match = /^Bearer ([A-Za-z0-9_\-.=]+)$/.exec(authorization ?? '');
    if (!match?.[1])
      throw unauthenticated('an "Authorization: Bearer <Google ID token>" header is required');
    let payload;
    try {
      const ticket = await this.client.verifySignedJwtWithCertsAsync(
        match[1],
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
      email,
      subject: payload.sub,
      tenant: payload.hd ? payload.hd.toLowerCase() : null,
      isSecurityManager: this.config.securityManagers.includes(email),
      isSupportAgent: this.config.supportAgents.includes(email),
      isSchedulerInvoker: this.config.schedulerInvokers.includes(email),
    };
  }
}

/** The library's reason without the token payload it sometimes appends (it holds the e-mail). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return (message.split(/[:,\n]/)[0] ?? '').slice(0, 100) || 'invalid token';
}
