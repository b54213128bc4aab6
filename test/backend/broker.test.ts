/**
 * This file tests the delegated-token broker against the Workspace API emulator over real HTTP:
 * sync tokens for share participants at allowed levels, the scope allow-list, refusals when
 * delegation is missing, support tokens refused without a session, caching until shortly before
 * expiry, the audit event of every issuance and refusal, a transient answer of Google asked
 * again, and signing through IAM signJwt.
 */
import { IamSigner } from '../../src/backend/google-access';
import { DATABASES } from './harness';
import { SERVICE_ACCOUNT, startEmulatedHarness, type EmulatedHarness } from './emulated';

const CONTACTS = 'https://www.googleapis.com/auth/contacts';
const READONLY = 'https://www.googleapis.com/auth/contacts.readonly';

describe.each(DATABASES)('delegated-token broker on %s', (kind) => {
  let h: EmulatedHarness;
  let shareId: string;
  beforeAll(async () => {
    h = await startEmulatedHarness(kind);
    // Saving the policy makes admin@ the directory admin in whose name group membership is read.
    await h.request('PUT', '/v1/tenants/acme.example/policy', {
      token: h.token('admin@acme.example'),
      body: {
        externalSharing: false,
        allowedExternalDomains: [],
        whoMayShare: 'everyone',
        maxLevel: 'manage',
        supportAccess: 'allowed',
      },
    });
    const share = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: 'contactGroups/team',
        labelName: 'Team',
        grants: [
          { target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' },
          { target: { kind: 'group', email: 'team@acme.example' }, level: 'edit' },
        ],
      },
    });
    shareId = share.body.id;
  });
  afterAll(async () => {
    await h.close();
  });

  const ask = (caller: string, body: Record<string, unknown>) =>
    h.request('POST', '/v1/delegated-tokens', { token: h.token(caller), body });
  const sync = (
    caller: string,
    targetUser: string,
    extra: Record<string, unknown> = {},
    scopes = [CONTACTS],
  ) => ask(caller, { targetUser, scopes, purpose: { kind: 'sync', shareId, ...extra } });
  const events = async (type: string) =>
    (
      await h.request('GET', `/v1/events?type=${type}&pageSize=500`, {
        token: h.token('admin@acme.example'),
      })
    ).body.events as {
      target: string;
      actor: string;
      outcome: string;
      detail: Record<string, unknown>;
    }[];

  it("issues a token in the target user's name that the People API accepts", async () => {
    const response = await sync('alice@acme.example', 'bob@acme.example');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', scopes: [CONTACTS] });
    expect(Date.parse(response.body.expiresAt)).toBeGreaterThan(Date.now());
    const people = await fetch(`${h.emulatorServer.baseUrl}/v1/people/me?personFields=names`, {
      headers: { authorization: `Bearer ${response.body.accessToken}` },
    });
    expect(people.status).toBe(200);
    expect(JSON.stringify(await people.json())).toContain('people/');
    const issued = await events('delegated_token.issued');
    expect(issued.at(-1)).toMatchObject({
      actor: 'alice@acme.example',
      target: 'bob@acme.example',
      outcome: 'success',
      detail: { purpose: 'sync', scopes: CONTACTS },
    });
    expect(JSON.stringify(issued)).not.toContain(response.body.accessToken);
  });

  it('serves a warm token from the cache and audits each issuance', async () => {
    const before = h.emulator.callCount({ operation: 'oauth2.token' });
    const first = await sync('alice@acme.example', 'carol@acme.example', {}, [READONLY]);
    const second = await sync('bob@acme.example', 'carol@acme.example', {}, [READONLY]);
    expect(second.body.accessToken).toBe(first.body.accessToken);
    expect(h.emulator.callCount({ operation: 'oauth2.token' })).toBe(before + 1);
    const issued = (await events('delegated_token.issued')).filter(
      (e) => e.target === 'carol@acme.example',
    );
    expect(issued.map((e) => e.detail.cached)).toEqual([false, true]);
  });

  it('mints a fresh token once the cached one is within the refresh margin of expiry', async () => {
    const clock = { now: Date.now() };
    const local = await startEmulatedHarness(kind, {}, { clock: () => clock.now });
    try {
      const share = await local.request('POST', '/v1/shares', {
        token: local.token('alice@acme.example'),
        body: {
          labelResourceName: 'contactGroups/x',
          labelName: 'X',
          grants: [{ target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' }],
        },
      });
      const body = {
        targetUser: 'bob@acme.example',
        scopes: [CONTACTS],
        purpose: { kind: 'sync', shareId: share.body.id },
      };
      const first = await local.request('POST', '/v1/delegated-tokens', {
        token: local.token('alice@acme.example'),
        body,
      });
      const advance = (ms: number) => {
        clock.now += ms;
        local.emulator.clock.advance(ms);
      };
      advance((3599 - local.config.tokenRefreshMarginSeconds - 10) * 1000);
      const warm = await local.request('POST', '/v1/delegated-tokens', {
        token: local.token('alice@acme.example'),
        body,
      });
      expect(warm.body.accessToken).toBe(first.body.accessToken);
      advance(20_000);
      const fresh = await local.request('POST', '/v1/delegated-tokens', {
        token: local.token('alice@acme.example'),
        body,
      });
      expect(fresh.status).toBe(200);
      expect(fresh.body.accessToken).not.toBe(first.body.accessToken);
    } finally {
      await local.close();
    }
  });

  it('refuses a target outside the share and audits the refusal', async () => {
    const response = await sync('alice@acme.example', 'dave@acme.example');
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('target_not_participant');
    expect((await events('delegated_token.denied')).at(-1)).toMatchObject({
      target: 'dave@acme.example',
      outcome: 'denied',
      detail: { reason: 'target_not_participant' },
    });
  });

  it("refuses an operation above the caller's level and a caller outside the share", async () => {
    const tooHigh = await sync('bob@acme.example', 'alice@acme.example', {
      operation: 'editContact',
    });
    expect(tooHigh.status).toBe(403);
    expect(tooHigh.body.error.code).toBe('insufficient_level');
    expect(
      (await sync('carol@acme.example', 'alice@acme.example', { operation: 'editContact' })).status,
    ).toBe(200);
    expect((await sync('dave@acme.example', 'alice@acme.example')).status).toBe(404);
    expect((await sync('zed@globex.example', 'alice@acme.example')).status).toBe(404);
  });

  it('grants only allow-listed scopes', async () => {
    const response = await sync('alice@acme.example', 'bob@acme.example', {}, [
      'https://mail.google.com/',
    ]);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('scope_not_allowed');
  });

  it('answers 403 with the reason when domain-wide delegation is not granted', async () => {
    h.emulator.revokeDomainWideDelegation('acme.example', h.clientId);
    try {
      const response = await sync('alice@acme.example', 'bob@acme.example', {}, [
        CONTACTS,
        READONLY,
      ]);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('delegation_denied');
      expect(response.body.error.message).toContain(SERVICE_ACCOUNT);
    } finally {
      h.emulator.grantDomainWideDelegation('acme.example', h.clientId, [
        CONTACTS,
        READONLY,
        'https://www.googleapis.com/auth/admin.directory.user.readonly',
        'https://www.googleapis.com/auth/admin.directory.group.readonly',
      ]);
    }
  });

  it('refuses support tokens: to non-agents, and to agents without an open support session', async () => {
    const support = { kind: 'support', sessionId: 'sess-1' };
    const byUser = await ask('alice@acme.example', {
      targetUser: 'bob@acme.example',
      scopes: [READONLY],
      purpose: support,
    });
    expect(byUser.status).toBe(403);
    const byAgent = await ask('agent@vendor.example', {
      targetUser: 'bob@acme.example',
      scopes: [READONLY],
      purpose: support,
    });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error).toEqual({
      code: 'no_support_session',
      message: 'no open support session for this user',
    });
  });

  it('asks Google again after a transient 503 of the token endpoint instead of refusing the caller', async () => {
    h.emulator.injectFault({ operation: 'oauth2.token', status: 503, times: 2 });
    const response = await sync('alice@acme.example', 'bob@acme.example', {}, [READONLY]);
    expect(response.status).toBe(200);
    expect(h.emulator.callCount({ operation: 'oauth2.token', status: 503 })).toBe(2);
  });

  // FACTS.md Delegation: signJwt "needs iam.serviceAccounts.signJwt (Service Account Token Creator) on the account even when a function signs as its own service account"
  it('tells the admin card that the broker lacks Token Creator on itself when IAM refuses it, and works once granted (FACTS.md Delegation)', async () => {
    const broker = 'iam-self@test-project.iam.gserviceaccount.com';
    const iam = await startEmulatedHarness(
      kind,
      {},
      {},
      (base, emulator) =>
        new IamSigner(broker, base, async () =>
          emulator.mintAccessToken(broker, ['https://www.googleapis.com/auth/cloud-platform']),
        ),
    );
    try {
      const overview = await iam.request('GET', '/v1/admin/overview', {
        token: iam.token('admin@acme.example'),
      });
      expect(overview.status).toBe(502);
      expect(overview.body.error).toEqual({
        code: 'signing_failed',
        message: expect.stringContaining('roles/iam.serviceAccountTokenCreator'),
      });
      iam.emulator.grantTokenCreator(broker, broker);
      const granted = await iam.request('GET', '/v1/admin/overview', {
        token: iam.token('admin@acme.example'),
      });
      expect(granted.status).toBe(200);
    } finally {
      await iam.close();
    }
  });

  it('signs through IAM signJwt when configured so, with no key held by the backend', async () => {
    const runtime = 'backend-runtime@test-project.iam.gserviceaccount.com';
    const iam = await startEmulatedHarness(
      kind,
      {},
      {},
      (base, emulator) =>
        new IamSigner('iam-broker@test-project.iam.gserviceaccount.com', base, async () =>
          emulator.mintAccessToken(runtime, ['https://www.googleapis.com/auth/cloud-platform']),
        ),
    );
    try {
      iam.emulator.createServiceAccount(runtime);
      iam.emulator.grantTokenCreator('iam-broker@test-project.iam.gserviceaccount.com', runtime);
      const share = await iam.request('POST', '/v1/shares', {
        token: iam.token('alice@acme.example'),
        body: {
          labelResourceName: 'contactGroups/y',
          labelName: 'Y',
          grants: [{ target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' }],
        },
      });
      const response = await iam.request('POST', '/v1/delegated-tokens', {
        token: iam.token('alice@acme.example'),
        body: {
          targetUser: 'bob@acme.example',
          scopes: [CONTACTS],
          purpose: { kind: 'sync', shareId: share.body.id },
        },
      });
      expect(response.body).toMatchObject({ tokenType: 'Bearer' });
      expect(
        iam.emulator.callCount({ operation: 'iamcredentials.projects.serviceAccounts.signJwt' }),
      ).toBeGreaterThan(0);
    } finally {
      await iam.close();
    }
  });
});
