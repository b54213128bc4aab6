/**
 * This file tests the emulator's OAuth token endpoint (JWT bearer with domain-wide delegation),
 * IAM Credentials signJwt and the certificate URL, against FACTS.md ("Delegation, Marketplace,
 * verification") and developers.google.com/identity/protocols/oauth2/service-account.
 */
import { generateKeyPairSync, createVerify, type KeyObject } from 'node:crypto';
import { signJwt } from '../../../src/emulator/api/id-token-issuer';
import { ANNA, PEOPLE, describeBothWays, type Fixture } from './harness';

const SA = 'broker@shared-contacts.iam.gserviceaccount.com';
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CONTACTS = 'https://www.googleapis.com/auth/contacts';

function keyPair(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function assertion(f: Fixture, key: KeyObject, claims: Record<string, unknown> = {}): string {
  const iat = Math.floor(f.emulator.clock.now() / 1000);
  return signJwt(
    { alg: 'RS256', typ: 'JWT' },
    { iss: SA, sub: ANNA, scope: CONTACTS, aud: TOKEN_URL, iat, exp: iat + 3600, ...claims },
    key,
  );
}

const exchange = (f: Fixture, jwt: string): ReturnType<Fixture['send']> =>
  f.send('POST', TOKEN_URL, {
    rawBody: new URLSearchParams({ grant_type: JWT_BEARER, assertion: jwt }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });

describeBothWays('OAuth and IAM', (fixture) => {
  // FACTS.md Delegation: "JWT {iss, sub, scope, aud=token URL, iat, exp} signed RS256, posted as grant_type=…jwt-bearer"
  it('exchanges a signed assertion for a token of the subject when the domain granted delegation (FACTS.md Delegation)', async () => {
    const f = fixture();
    const { privateKey, publicPem } = keyPair();
    const clientId = f.emulator.registerServiceAccountKey(SA, publicPem);
    f.emulator.grantDomainWideDelegation('acme.example', clientId, [CONTACTS]);
    const answer = await exchange(f, assertion(f, privateKey));
    expect(answer.status).toBe(200);
    expect(answer.json.token_type).toBe('Bearer');
    const list = await f.send('POST', `${PEOPLE}/people:createContact`, {
      token: answer.json.access_token,
      body: { names: [{ givenName: 'Via broker' }] },
    });
    expect(list.status).toBe(200);
    expect(f.emulator.contactCount(ANNA)).toBe(1);
  });

  // support.google.com/a/answer/162106 and the issue: "without a grant → 401 unauthorized_client as Google answers"
  it('answers 401 unauthorized_client without a grant or for scopes outside it (FACTS.md Delegation)', async () => {
    const f = fixture();
    const { privateKey, publicPem } = keyPair();
    const clientId = f.emulator.registerServiceAccountKey(SA, publicPem);
    const none = await exchange(f, assertion(f, privateKey));
    expect(none.status).toBe(401);
    expect(none.json).toEqual({
      error: 'unauthorized_client',
      error_description:
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    });
    f.emulator.grantDomainWideDelegation('acme.example', clientId, [
      'https://www.googleapis.com/auth/contacts.readonly',
    ]);
    expect((await exchange(f, assertion(f, privateKey))).status).toBe(401);
    f.emulator.grantDomainWideDelegation('acme.example', clientId, [CONTACTS]);
    expect((await exchange(f, assertion(f, privateKey))).status).toBe(200);
    f.emulator.revokeDomainWideDelegation('acme.example', clientId);
    expect((await exchange(f, assertion(f, privateKey))).status).toBe(401);
  });

  // support.google.com/a/answer/162106: delegation is set once in the Admin console of the account
  it("grants delegation for the users of every domain of the customer, and no other customer's (support.google.com/a/answer/162106)", async () => {
    const f = fixture();
    const { privateKey, publicPem } = keyPair();
    const clientId = f.emulator.registerServiceAccountKey(SA, publicPem);
    f.emulator.grantDomainWideDelegation('acme.example', clientId, [CONTACTS]);
    const secondary = await exchange(f, assertion(f, privateKey, { sub: 'chloe@acme-eu.example' }));
    expect(secondary.status).toBe(200);
    const other = await exchange(f, assertion(f, privateKey, { sub: 'root@globex.example' }));
    expect(other.status).toBe(401);
  });

  it('rejects a bad signature, a wrong audience, a long-lived or expired assertion and an unknown subject (service-account OAuth guide)', async () => {
    const f = fixture();
    const { privateKey, publicPem } = keyPair();
    const clientId = f.emulator.registerServiceAccountKey(SA, publicPem);
    f.emulator.grantDomainWideDelegation('acme.example', clientId, [CONTACTS]);
    const now = Math.floor(f.emulator.clock.now() / 1000);
    const cases: [string, string][] = [
      [assertion(f, keyPair().privateKey), 'Invalid JWT Signature.'],
      [
        assertion(f, privateKey, { aud: 'https://example.org/token' }),
        'Invalid JWT: Failed audience check.',
      ],
      [
        assertion(f, privateKey, { exp: now + 7200 }),
        'Invalid JWT: Token must be a short-lived token',
      ],
      [
        assertion(f, privateKey, { iat: now - 7200, exp: now - 3600 }),
        'Invalid JWT: Token must be a short-lived token',
      ],
      [assertion(f, privateKey, { sub: 'nobody@acme.example' }), 'Invalid email or User ID'],
      ['not.a.jwt', 'Invalid JWT'],
    ];
    for (const [jwt, description] of cases) {
      const answer = await exchange(f, jwt);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toBe('invalid_grant');
      expect(answer.json.error_description).toContain(description);
    }
    const wrongGrant = await f.send('POST', TOKEN_URL, {
      rawBody: 'grant_type=password',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(wrongGrant.json.error).toBe('unsupported_grant_type');
  });

  // FACTS.md Delegation: "keyless signing via IAM Credentials projects/-/serviceAccounts/{email}:signJwt"
  it('signs with IAM signJwt for a caller holding cloud-platform, and the assertion then buys a delegated token (FACTS.md Delegation)', async () => {
    const f = fixture();
    const clientId = f.emulator.createServiceAccount(SA);
    f.emulator.grantDomainWideDelegation('acme.example', clientId, [CONTACTS]);
    const iat = Math.floor(f.emulator.clock.now() / 1000);
    const payload = JSON.stringify({
      iss: SA,
      sub: ANNA,
      scope: CONTACTS,
      aud: TOKEN_URL,
      iat,
      exp: iat + 3600,
    });
    const url = `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SA}:signJwt`;
    const noScope = await f.send('POST', url, {
      token: f.emulator.mintAccessToken(SA, ['contacts']),
      body: { payload },
    });
    expect(noScope.status).toBe(403);
    const stranger = await f.send('POST', url, {
      token: f.emulator.mintAccessToken('other@p.iam.gserviceaccount.com', ['cloud-platform']),
      body: { payload },
    });
    expect(stranger.status).toBe(403);
    // FACTS.md Delegation: signJwt "needs iam.serviceAccounts.signJwt … even when a function signs as its own service account"
    const ungranted = await f.send('POST', url, {
      token: f.emulator.mintAccessToken(SA, ['cloud-platform']),
      body: { payload },
    });
    expect(ungranted.status).toBe(403);
    expect(ungranted.json.error.details[0]).toMatchObject({
      reason: 'IAM_PERMISSION_DENIED',
      metadata: { permission: 'iam.serviceAccounts.signJwt' },
    });
    f.emulator.grantTokenCreator(SA, SA);
    const signed = await f.send('POST', url, {
      token: f.emulator.mintAccessToken(SA, ['cloud-platform']),
      body: { payload },
    });
    expect(signed.status).toBe(200);
    expect(typeof signed.json.keyId).toBe('string');
    expect((await exchange(f, signed.json.signedJwt)).status).toBe(200);
    expect(
      (
        await f.send('POST', url, {
          token: f.emulator.mintAccessToken(SA, ['cloud-platform']),
          body: { payload: '{not json' },
        })
      ).status,
    ).toBe(400);
    const unknown = await f.send('POST', url.replace('broker', 'ghost'), {
      token: f.emulator.mintAccessToken(SA, ['cloud-platform']),
      body: { payload },
    });
    expect(unknown.status).toBe(404);
  });

  it('publishes the ID-token issuer keys at oauth2/v1/certs, verifying its tokens (DESIGN.md §6)', async () => {
    const f = fixture();
    const certs = await f.send('GET', 'https://www.googleapis.com/oauth2/v1/certs');
    expect(certs.status).toBe(200);
    const token = f.emulator.idTokens.mint({ email: ANNA, audience: 'client-1' });
    const [header, claims, signature] = token.split('.');
    const kid = JSON.parse(Buffer.from(header ?? '', 'base64url').toString()).kid as string;
    const ok = createVerify('RSA-SHA256')
      .update(`${header}.${claims}`)
      .verify(certs.json[kid], Buffer.from(signature ?? '', 'base64url'));
    expect(ok).toBe(true);
  });
});
