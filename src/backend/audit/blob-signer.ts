/**
 * This file defines how audit anchors are signed and checked: IAM Credentials `signBlob` as the
 * backend's service account in production (no key at rest; the account already holds Token
 * Creator on itself for signJwt), a key generated at start-up locally, and the check of a
 * signature against the account's public keys as Google publishes them
 * (https://www.googleapis.com/service_accounts/v1/metadata/jwk/{email}). Google's reference of
 * SignBlobResponse: "The key used for signing will remain valid for at least 12 hours after the
 * blob is signed. To verify the signature, you can retrieve the public key … JSON Web Key (JWK):
 * https://www.googleapis.com/service_accounts/v1/metadata/jwk/ACCOUNT_EMAIL". The signature is
 * RSASSA-PKCS1-v1_5 with SHA-256.
 */
import { createPublicKey, createVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { LocalRsaKey } from '../platform/signer';

/** A signature of some bytes and the id of the key that made it. */
export interface BlobSignature {
  keyId: string;
  /** Base64. */
  signature: string;
}

/** Signs bytes as a service account. */
export interface BlobSigner {
  readonly serviceAccountEmail: string;
  signBlob(payload: Buffer): Promise<BlobSignature>;
}

/** Signing or checking failed for a reason outside our data (network, IAM, a missing key). */
export class SigningUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningUnavailableError';
  }
}

const TIMEOUT_MS = 10_000;

/** Signs through IAM Credentials `projects/-/serviceAccounts/{email}:signBlob`. */
export class IamBlobSigner implements BlobSigner {
  constructor(
    readonly serviceAccountEmail: string,
    private readonly iamCredentialsUrl: string,
    private readonly ownAccessToken: () => Promise<string>,
  ) {}

  async signBlob(payload: Buffer): Promise<BlobSignature> {
    const url = `${this.iamCredentialsUrl}/v1/projects/-/serviceAccounts/${encodeURIComponent(this.serviceAccountEmail)}:signBlob`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await this.ownAccessToken()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ payload: payload.toString('base64') }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new SigningUnavailableError(
        `IAM signBlob could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      keyId?: unknown;
      signedBlob?: unknown;
    };
    if (!response.ok || typeof body.keyId !== 'string' || typeof body.signedBlob !== 'string')
      throw new SigningUnavailableError(
        `IAM signBlob for ${this.serviceAccountEmail} failed with HTTP ${response.status}; check roles/iam.serviceAccountTokenCreator`,
      );
    return { keyId: body.keyId, signature: body.signedBlob };
  }
}

/** Signs blobs with a key generated at start-up (LocalRsaKey); its public key must be published. */
export class LocalBlobSigner extends LocalRsaKey implements BlobSigner {
  async signBlob(payload: Buffer): Promise<BlobSignature> {
    return { keyId: this.keyId, signature: this.sign(payload).toString('base64') };
  }
}

/**
 * Checks signatures against a service account's published public keys, fetched from the JWK URL
 * and kept 15 minutes (the refresh Google recommends for cached service-account keys); an unknown
 * key id refreshes at once.
 */
export class PublishedKeys {
  private cache: { keys: Map<string, KeyObject>; until: number } | undefined;

  constructor(
    readonly serviceAccountEmail: string,
    /** e.g. https://www.googleapis.com/service_accounts/v1/metadata/jwk */
    private readonly keysUrl: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * True when `signature` (base64) is the account's signature of `payload` with key `keyId`; false
   * also when no published key has that id (never the account's, or retired by Google). Throws
   * SigningUnavailableError when the keys cannot be read.
   */
  async verify(payload: Buffer, keyId: string, signature: string): Promise<boolean> {
    let key = (await this.keys(false)).get(keyId);
    if (!key) key = (await this.keys(true)).get(keyId);
    if (!key) return false;
    return createVerify('RSA-SHA256').update(payload).verify(key, Buffer.from(signature, 'base64'));
  }

  private async keys(refresh: boolean): Promise<Map<string, KeyObject>> {
    if (!refresh && this.cache && this.cache.until > this.now()) return this.cache.keys;
    const url = `${this.keysUrl.replace(/\/$/, '')}/${encodeURIComponent(this.serviceAccountEmail)}`;
    let body: { keys?: (JsonWebKey & { kid?: unknown })[] };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new SigningUnavailableError(
        `the public keys of ${this.serviceAccountEmail} could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? [])
      if (typeof jwk.kid === 'string' && jwk.kty === 'RSA')
        keys.set(
          jwk.kid,
          createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }),
        );
    this.cache = { keys, until: this.now() + 15 * 60_000 };
    return keys;
  }
}
