/**
 * This file reproduces, through the backend served by startBackendServer on PGlite and
 * PostgreSQL, the failures a fuzz run found (issue 14) and checks each is now a clean 4xx JSON
 * error: malformed, null, latin1, compressed, oversized and deeply nested bodies, bad
 * percent-escapes, NUL and lone surrogates in path parameters and queries, prototype keys,
 * 160 KB values refused on their length before any pattern runs, ID tokens whose claims are not
 * strings, and a GET whose cut-down share id used to break the tenant's audit chain.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { signJwt } from '../../src/emulator/api/id-token-issuer';
import { AUDIENCE, DATABASES, type Harness } from './harness';
import { startEmulatedHarness } from './emulated';
import { errorProblems, hostileCases, rawRequest } from './hostile';
import { MANAGER } from '../fixtures/staff';

describe.each(DATABASES)('hostile input on %s', (kind) => {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  let h: Harness;
  beforeAll(async () => {
    // One more trusted key signs tokens whose claims have the wrong types.
    h = await startEmulatedHarness(kind, {}, {}, undefined, {
      extraCerts: { [kid]: key.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const alice = () => h.token('alice@acme.example');

  it.each(hostileCases('TOKEN').map((c) => [c.name, c] as const))(
    'answers %s with a clean 4xx JSON error',
    async (_name, template) => {
      const token = alice();
      const headers = Object.fromEntries(
        Object.entries(template.request.headers ?? {}).map(([name, value]) => [
          name,
          value.replace('TOKEN', token),
        ]),
      );
      const response = await rawRequest(h.url, { ...template.request, headers });
      expect(errorProblems(response)).toEqual([]);
      expect(response.status).toBe(template.status);
      if (template.code) expect(response.body.error.code).toBe(template.code);
    },
  );

  it('refuses NUL, lone surrogates and bad escapes in every path parameter of the OpenAPI document with 400', async () => {
    const document = (await rawRequest(h.url, { method: 'GET', path: '/openapi.json' })).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const templated = Object.entries(document.paths).filter(([path]) => path.includes('{'));
    expect(templated.length).toBeGreaterThanOrEqual(10);
    const token = alice();
    for (const [path, operations] of templated)
      for (const method of Object.keys(operations))
        for (const value of ['a%00b', '%ED%A0%80', '%E0%A4%A', '%FF']) {
          const response = await rawRequest(h.url, {
            method: method.toUpperCase(),
            path: path.replace(/\{\w+\}/g, value),
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: '{}',
          });
          expect({ path, method, value, problems: errorProblems(response) }).toEqual({
            path,
            method,
            value,
            problems: [],
          });
          expect({ path, method, value, status: response.status }).toEqual({
            path,
            method,
            value,
            status: 400,
          });
        }
  });

  it('checks {domain} as a domain and {agent} as an e-mail address, writing no chain named by them', async () => {
    const manager = h.token(MANAGER, { hostedDomain: 'vendor.example' });
    const reset = await h.request('POST', '/v1/support/factors/xx/reset', {
      token: manager,
      body: { reason: 'left the company' },
    });
    expect(reset.status).toBe(400);
    expect(reset.body.error.message).toMatch(/^path\.agent: /);
    const policy = await h.request('GET', '/v1/tenants/not_a_domain/policy', { token: alice() });
    expect(policy.status).toBe(400);
    expect(policy.body.error.message).toMatch(/^path\.domain: must be a domain name/);
    const chains = await h.server.backend.services.db.query<{ tenant: string }>(
      'SELECT tenant FROM audit_heads WHERE tenant = ANY($1::text[])',
      [['xx', 'not_a_domain']],
    );
    expect(chains).toEqual([]);
  });

  it('checks the length of each of the five e-mail fields before its pattern (160 KB values)', async () => {
    const huge = `${'a'.repeat(80_000)}@${'b.'.repeat(40_000)} `;
    const token = alice();
    const bodies: [string, string, unknown][] = [
      ['POST', '/v1/shares/some-id/gateway/list-contacts', { account: huge }],
      [
        'POST',
        '/v1/shares',
        {
          labelResourceName: 'contactGroups/x',
          labelName: 'X',
          grants: [{ target: { kind: 'user', email: huge }, level: 'view' }],
        },
      ],
      [
        'POST',
        '/v1/shares',
        {
          labelResourceName: 'contactGroups/x',
          labelName: 'X',
          grants: [{ target: { kind: 'group', email: huge }, level: 'view' }],
        },
      ],
      ['POST', '/v1/shares/some-id/transfer', { to: huge }],
      [
        'POST',
        '/v1/support/sessions',
        { tenant: 'acme.example', targetUser: huge, ticket: 'T-1', justification: 'why' },
      ],
    ];
    for (const [method, path, body] of bodies) {
      const response = await h.request(method, path, { token, body });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/<=254/);
      expect(response.body.error.message).not.toMatch(/e-mail address/);
    }
    const domain = await h.request('GET', `/v1/audit/verify?tenant=${'a.'.repeat(4_000)}x`, {
      token: h.token(MANAGER, { hostedDomain: 'vendor.example' }),
    });
    expect(domain.status).toBe(400);
    expect(domain.body.error.message).not.toMatch(/domain name/);
  });

  it('answers 401, not 500, to ID tokens whose email or hd claim is not a string', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = {
      iss: 'https://accounts.google.com',
      aud: AUDIENCE,
      sub: '1234567890',
      email: 'alice@acme.example',
      email_verified: true,
      hd: 'acme.example',
      iat: now,
      exp: now + 600,
    };
    for (const claims of [
      { email: 42 },
      { email: ['alice@acme.example'] },
      { email: { toLowerCase: 1 } },
      { hd: 7 },
      { hd: ['acme.example'] },
      { hd: 'acme.example\u0000' },
      { sub: 5 },
      { email: 'alice\ud800@acme.example' },
    ]) {
      const token = signJwt(
        { alg: 'RS256', kid, typ: 'JWT' },
        { ...base, ...claims },
        key.privateKey,
      );
      const response = await h.request('GET', '/v1/shares', { token });
      expect({ claims, status: response.status }).toEqual({ claims, status: 401 });
      expect(response.body.error.code).toBe('unauthenticated');
    }
    const good = signJwt({ alg: 'RS256', kid, typ: 'JWT' }, base, key.privateKey);
    expect((await h.request('GET', '/v1/shares', { token: good })).status).toBe(200);
  });

  it('keeps the audit chain valid after a GET of a share id cut inside a character', async () => {
    const token = h.token('eve@cut.example');
    // 199 ASCII characters and an emoji: 201 UTF-16 units; the refusal records 200 of them.
    const id = `${'a'.repeat(199)}😀`;
    const response = await h.request('GET', `/v1/shares/${encodeURIComponent(id)}`, { token });
    expect(response.status).toBe(404);
    const manager = h.token(MANAGER, { hostedDomain: 'vendor.example' });
    const events = await h.request('GET', '/v1/events?tenant=cut.example', { token: manager });
    expect(events.body.events).toEqual([
      expect.objectContaining({ type: 'share.denied', shareId: 'a'.repeat(199) }),
    ]);
    const verified = await h.request('GET', '/v1/audit/verify?tenant=cut.example', {
      token: manager,
    });
    expect(verified.body).toMatchObject({ ok: true, checked: 1 });
  });

  it('answers every request with the database still usable afterwards', async () => {
    expect((await h.request('GET', '/healthz')).status).toBe(200);
    expect((await h.request('GET', '/v1/shares', { token: alice() })).status).toBe(200);
  });
});
