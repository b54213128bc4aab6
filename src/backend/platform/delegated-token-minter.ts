/**
 * This file defines the domain-wide-delegation token exchange: access tokens minted in a user's
 * name at the OAuth token endpoint, cached until shortly before they expire.
 */
import { UpstreamError, fetchGoogle } from './google-fetch';
import type { Signer } from './signer';

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
      error_description?: string;
    };
    if (response.ok && typeof body.access_token === 'string' && typeof body.expires_in === 'number')
      return { accessToken: body.access_token, expiresAt: this.now() + body.expires_in * 1000 };
    if (body.error === 'unauthorized_client' || body.error === 'invalid_grant') {
      const said =
        typeof body.error_description === 'string' && body.error_description !== ''
          ? `${body.error}: ${body.error_description.slice(0, 200)}`
          : body.error;
      throw new UpstreamError(
        403,
        'delegation_denied',
        `Google refused a delegated token for ${subject} (${said}): domain-wide delegation of these scopes must be granted to ${this.signer.serviceAccountEmail} in the domain's Admin console, and the user must exist`,
      );
    }
    throw new UpstreamError(
      502,
      'token_exchange_failed',
      `the OAuth token endpoint answered HTTP ${response.status}`,
    );
  }
}
