/**
 * This file defines the `Signer` port that signs JWTs as the backend's service account: IAM
 * Credentials signJwt in production (no key at rest), a key generated at start-up locally.
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { UpstreamError, fetchGoogle } from './google-fetch';

/** Signs JWT claims as the service account. */
export interface Signer {
  readonly serviceAccountEmail: string;
  signJwt(claims: Record<string, unknown>): Promise<string>;
}

/**
 * An RSA key generated at start-up (local runs and tests), with the id and public key under
 * which it must be registered for the service account, e.g. with the emulator's
 * `registerServiceAccountKey`.
 */
export class LocalRsaKey {
  readonly keyId = randomBytes(20).toString('hex');
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;

  constructor(readonly serviceAccountEmail: string) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Signs the payload with RSA-SHA256. */
  protected sign(payload: string | Buffer): Buffer {
    return createSign('RSA-SHA256').update(payload).sign(this.privateKey);
  }
}

/** Signs JWTs with a key generated at start-up (LocalRsaKey). */
export class LocalKeySigner extends LocalRsaKey implements Signer {
  async signJwt(claims: Record<string, unknown>): Promise<string> {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid: this.keyId })}.${encode(claims)}`;
    return `${unsigned}.${this.sign(unsigned).toString('base64url')}`;
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
