/**
 * This file defines the emulator's ID-token issuer: it plays accounts.google.com, signing OIDC ID
 * tokens (RS256) with a key generated at start-up, and publishes its public keys in the format
 * of Google's https://www.googleapis.com/oauth2/v1/certs (key id → PEM) for the backend to trust.
 * The PEMs are SubjectPublicKeyInfo keys rather than X.509 certificates; google-auth-library's
 * verifier accepts both.
 */
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/** The claims of an ID token that the issuer is asked for. */
export interface IdTokenRequest {
  email: string;
  /** The audience: the OAuth client id of the script. */
  audience: string;
  /** The hosted domain claim; omitted for consumer accounts. */
  hostedDomain?: string;
  subject?: string;
  emailVerified?: boolean;
  issuedAt?: number;
  lifetimeSeconds?: number;
}

export const GOOGLE_ISSUER = 'https://accounts.google.com';

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** Signs ID tokens as Google does and exposes the matching certificates. */
export class IdTokenIssuer {
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKeyPem: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = randomBytes(20).toString('hex');
  }

  /** Returns a signed RS256 ID token with Google's claims. */
  mint(request: IdTokenRequest): string {
    const issuedAt = request.issuedAt ?? Math.floor(Date.now() / 1000);
    const claims = {
      iss: GOOGLE_ISSUER,
      azp: request.audience,
      aud: request.audience,
      sub: request.subject ?? stableSubject(request.email),
      email: request.email,
      email_verified: request.emailVerified ?? true,
      ...(request.hostedDomain ? { hd: request.hostedDomain } : {}),
      iat: issuedAt,
      exp: issuedAt + (request.lifetimeSeconds ?? 3600),
    };
    return signJwt({ alg: 'RS256', kid: this.keyId, typ: 'JWT' }, claims, this.privateKey);
  }

  /** Returns the public keys in the format of Google's oauth2/v1/certs: key id → PEM. */
  certs(): Record<string, string> {
    return { [this.keyId]: this.publicKeyPem };
  }
}

/** Signs a JWT with RS256. */
export function signJwt(header: object, claims: object, privateKey: KeyObject | string): string {
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey);
  return `${unsigned}.${base64url(signature)}`;
}

/** A numeric subject derived from the e-mail, stable across runs as Google's `sub` is for a user. */
function stableSubject(email: string): string {
  let hash = 0n;
  for (const char of email.toLowerCase())
    hash = (hash * 131n + BigInt(char.codePointAt(0) ?? 0)) % 10n ** 21n;
  return (10n ** 20n + hash).toString();
}
