/**
 * This file tests the ID-token verifier's memory of verified tokens: a token is verified once and
 * then answered from memory until its expiry, never past it, never for a token that differs from
 * it, and a caller's copy cannot change what later calls get.
 */
import { OAuth2Client } from 'google-auth-library';
import { IdTokenVerifier } from '../../src/backend/platform/auth';
import { defaultConfig } from '../../src/backend/platform/config';
import { HttpError } from '../../src/backend/platform/errors';
import { IdTokenIssuer } from '../../src/emulator/api/id-token-issuer';
import { AUDIENCE, writeCerts } from './harness';

describe('ID-token verifier', () => {
  const issuer = new IdTokenIssuer();
  const verifier = new IdTokenVerifier(
    defaultConfig({
      authAudiences: [AUDIENCE],
      authCertsFile: writeCerts(issuer.certs()),
      securityManagers: ['security@vendor.example'],
    }),
  );
  const mint = (email: string, lifetimeSeconds = 3600) =>
    issuer.mint({
      email,
      audience: AUDIENCE,
      hostedDomain: email.slice(email.indexOf('@') + 1),
      lifetimeSeconds,
    });
  const refusal = (token: string) =>
    verifier.authenticate(`Bearer ${token}`).then(
      () => 'accepted',
      (error: unknown) => (error instanceof HttpError ? `${error.status} ${error.code}` : error),
    );

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('verifies a token once and answers it from memory afterwards', async () => {
    const library = jest.spyOn(OAuth2Client.prototype, 'verifySignedJwtWithCertsAsync');
    const token = mint('alice@acme.example');
    const first = await verifier.authenticate(`Bearer ${token}`);
    const second = await verifier.authenticate(`Bearer ${token}`);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ email: 'alice@acme.example', hostedDomain: 'acme.example' });
    expect(library).toHaveBeenCalledTimes(1);
    await verifier.authenticate(`Bearer ${mint('security@vendor.example')}`);
    expect(library).toHaveBeenCalledTimes(2);
  });

  it('refuses a token that differs from a remembered one, e.g. a changed signature', async () => {
    const token = mint('bob@acme.example');
    await verifier.authenticate(`Bearer ${token}`);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const forged = `${token.slice(0, -2)}${last}${token.slice(-1)}`;
    expect(await refusal(forged)).toBe('401 unauthenticated');
    const [header, payload = '', signature] = token.split('.');
    const claims = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as object),
        email: 'security@vendor.example',
      }),
    ).toString('base64url');
    expect(await refusal(`${header}.${claims}.${signature}`)).toBe('401 unauthenticated');
  });

  it('does not answer a remembered token past its expiry', async () => {
    const started = Date.now();
    const token = mint('carol@acme.example', 600);
    await verifier.authenticate(`Bearer ${token}`);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    jest.setSystemTime(started + 590_000);
    expect(await refusal(token)).toBe('accepted');
    // Past expiry plus the library's five minutes of clock skew the token is refused again.
    jest.setSystemTime(started + (600 + 301) * 1000);
    expect(await refusal(token)).toBe('401 unauthenticated');
  });

  it('hands out copies: changing a returned caller changes nothing for later calls', async () => {
    const token = mint('dave@acme.example');
    const caller = await verifier.authenticate(`Bearer ${token}`);
    caller.isSecurityManager = true;
    caller.email = 'security@vendor.example';
    expect(await verifier.authenticate(`Bearer ${token}`)).toMatchObject({
      email: 'dave@acme.example',
      isSecurityManager: false,
    });
  });
});
