/**
 * This file tests the backend's HTTP surface on PGlite and PostgreSQL: ID-token verification
 * (signature, audience, issuer, expiry, email_verified, tenant), content type, body limits,
 * unknown paths and methods, the per-caller rate limit, security headers, the OpenAPI document,
 * and logs that carry no tokens.
 */
import { generateKeyPairSync } from 'node:crypto';
import { signJwt } from '../../src/emulator/api/id-token-issuer';
import { AUDIENCE, DATABASES, auditEvent, writeCerts, type Harness } from './harness';
import { startEmulatedHarness } from './emulated';
import { serveForSuite } from '../fixtures/suite-server';

describe.each(DATABASES)('HTTP surface on %s', (kind) => {
  let h: Harness;
  serveForSuite(async () => (h = await startEmulatedHarness(kind)));

  const ingest = (token: string) =>
    h.request('POST', '/v1/events', { token, body: { events: [auditEvent()] } });

  it('answers /healthz without a token', async () => {
    const response = await h.request('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('sets security headers on every answer', async () => {
    for (const response of [
      await h.request('GET', '/healthz'),
      await h.request('GET', '/nowhere'),
    ]) {
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  it.each([
    ['no header', undefined],
    ['not bearer', 'Basic abc'],
    ['garbage', 'Bearer not-a-jwt'],
  ])('refuses a request with %s as 401', async (_name, authorization) => {
    const response = await h.request('POST', '/v1/events', {
      body: { events: [auditEvent()] },
      headers: authorization ? { authorization } : {},
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.body.error.code).toBe('unauthenticated');
  });

  it('refuses tokens of the wrong audience, expired, unverified, or signed by another key', async () => {
    expect((await ingest(h.token('alice@acme.example', { audience: 'someone-else' }))).status).toBe(
      401,
    );
    const expired = h.token('alice@acme.example', {
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
    });
    expect((await ingest(expired)).status).toBe(401);
    expect((await ingest(h.token('alice@acme.example', { emailVerified: false }))).status).toBe(
      401,
    );
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'https://accounts.google.com',
      aud: AUDIENCE,
      sub: '1',
      email: 'alice@acme.example',
      email_verified: true,
      hd: 'acme.example',
      iat: now,
      exp: now + 600,
    };
    const forged = signJwt({ alg: 'RS256', kid: h.issuer.keyId, typ: 'JWT' }, claims, privateKey);
    expect((await ingest(forged)).status).toBe(401);
  });

  it('refuses a token from another issuer even when its key is trusted', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const certsFile = writeCerts({
      other: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const other = await startEmulatedHarness(kind, { authCertsFile: certsFile });
    try {
      const now = Math.floor(Date.now() / 1000);
      const base = {
        aud: AUDIENCE,
        sub: '1',
        email: 'alice@acme.example',
        email_verified: true,
        hd: 'acme.example',
        iat: now,
        exp: now + 600,
      };
      const sign = (iss: string) =>
        signJwt({ alg: 'RS256', kid: 'other', typ: 'JWT' }, { ...base, iss }, privateKey);
      expect(
        (
          await other.request('POST', '/v1/events', {
            token: sign('https://evil.example'),
            body: { events: [auditEvent()] },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await other.request('POST', '/v1/events', {
            token: sign('accounts.google.com'),
            body: { events: [auditEvent()] },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await other.request('POST', '/v1/events', {
            token: sign('https://accounts.google.com'),
            body: { events: [auditEvent()] },
          })
        ).status,
      ).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuses accounts outside a Workspace domain where a tenant is needed', async () => {
    const consumer = h.issuer.mint({ email: 'someone@gmail.example', audience: AUDIENCE });
    const response = await ingest(consumer);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('no_tenant');
  });

  it('takes the tenant from the token, never from the body', async () => {
    const response = await h.request('POST', '/v1/events', {
      token: h.token('alice@acme.example'),
      body: { events: [auditEvent()], tenant: 'globex.example' },
    });
    expect(response.status).toBe(400);
  });

  it('requires application/json in UTF-8, and valid JSON', async () => {
    const token = h.token('alice@acme.example');
    const body = JSON.stringify({ events: [auditEvent()] });
    expect(
      (await h.request('POST', '/v1/events', { token, rawBody: body, contentType: 'text/plain' }))
        .status,
    ).toBe(415);
    expect(
      (
        await h.request('POST', '/v1/events', {
          token,
          rawBody: body,
          contentType: 'application/json; charset=latin1',
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await h.request('POST', '/v1/events', {
          token,
          rawBody: body,
          contentType: 'application/json; charset=utf-8',
        })
      ).status,
    ).toBe(200);
    const broken = await h.request('POST', '/v1/events', { token, rawBody: '{"events": [' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    const notUtf8 = await h.request('POST', '/v1/events', {
      token,
      rawBody: Buffer.from([0x7b, 0xff, 0x7d]),
    });
    expect(notUtf8.status).toBe(400);
  });

  it('refuses bodies over the limit with 413 without reading them whole', async () => {
    const response = await h.request('POST', '/v1/events', {
      token: h.token('alice@acme.example'),
      rawBody: `{"events":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('body_too_large');
  });

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    expect((await h.request('GET', '/v2/anything')).status).toBe(404);
    const wrong = await h.request('PUT', '/healthz');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('rejects repeated and unknown query parameters', async () => {
    const token = h.token('security@vendor.example', { hostedDomain: 'vendor.example' });
    expect(
      (await h.request('GET', '/v1/events?tenant=a.example&tenant=b.example', { token })).status,
    ).toBe(400);
    expect((await h.request('GET', '/v1/events?tenant=a.example&bogus=1', { token })).status).toBe(
      400,
    );
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const response = await h.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const events = response.body.paths['/v1/events'];
    expect(
      events.post.requestBody.content['application/json'].schema.properties.events.maxItems,
    ).toBe(500);
    expect(events.get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['tenant', 'pageSize', 'pageToken']),
    );
    for (const path of [
      '/v1/shares',
      '/v1/shares/{id}',
      '/v1/delegated-tokens',
      '/v1/tenants/{domain}/policy',
      '/v1/alerts',
      '/v1/alerts/{id}/justify',
      '/v1/alerts/{id}/resolve',
      '/v1/scan',
      '/v1/audit/verify',
      '/healthz',
    ])
      expect(response.body.paths[path]).toBeDefined();
  });

  it('logs requests in Cloud Logging format without tokens', async () => {
    const token = h.token('alice@acme.example');
    await h.request('POST', '/v1/events', {
      token,
      body: { events: [auditEvent()] },
      headers: { 'x-cloud-trace-context': '0123456789abcdef0123456789abcdef/1;o=1' },
    });
    const entry = h.logger.entries.find(
      (e) => e['logging.googleapis.com/trace'] === '0123456789abcdef0123456789abcdef',
    );
    expect(entry).toMatchObject({
      severity: 'INFO',
      httpRequest: { requestMethod: 'POST', requestUrl: '/v1/events', status: 200 },
    });
    const all = JSON.stringify(h.logger.entries);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
  });

  it('rate-limits each caller with 429 and Retry-After, without affecting others', async () => {
    const limited = await startEmulatedHarness(kind, { rateLimitPerMinute: 3 });
    try {
      const mallory = limited.token('mallory@acme.example');
      const statuses = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await limited.request('GET', '/v1/shares', { token: mallory })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const last = await limited.request('GET', '/v1/shares', { token: mallory });
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(last.body.error.code).toBe('rate_limited');
      expect(
        (await limited.request('GET', '/v1/shares', { token: limited.token('alice@acme.example') }))
          .status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
