/**
 * This file tests the share gateway against the Workspace API emulator over real HTTP, on PGlite
 * and PostgreSQL: reads of another participant's account reduced to the share's footprint and
 * without hidden fields, writes decided by the caller's level, nothing outside the footprint, no
 * account outside the share, every call and refusal audited, one delegated token per account
 * reused until shortly before expiry and never returned, IAM signJwt signing, and the retired
 * token endpoint refusing everyone.
 */
import { IamSigner } from '../../src/backend/platform/signer';
import { encodeGroupLink, linkKey } from '../../src/core/contact-model';
import { contactsOf, labelWith, peopleAs, type PeopleAs } from '../fixtures/emulator-people';
import { DATABASES } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';
import { OPEN_POLICY } from '../fixtures/policy';

const person = (name: string, extra: Record<string, unknown> = {}) => ({
  names: [{ givenName: name, familyName: 'Client' }],
  emailAddresses: [{ value: `${name.toLowerCase()}@client.test` }],
  phoneNumbers: [{ value: '+1 555 0100' }],
  ...extra,
});

describe.each(DATABASES)('share gateway on %s', (kind) => {
  let h: EmulatedHarness;
  let people: PeopleAs;
  let shareId: string;
  let label: string;
  beforeAll(async () => {
    h = await startEmulatedHarness(kind);
    people = peopleAs(h.emulator);
    await h.request('PUT', '/v1/tenants/acme.example/policy', {
      token: h.token('admin@acme.example'),
      body: OPEN_POLICY,
    });
    label = labelWith(people, 'alice@acme.example', 'Team', [person('Ann'), person('Ben')]);
    people('alice@acme.example', (client) => client.createContact(person('Private')));
    const share = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: label,
        labelName: 'Team',
        grants: [
          { target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' },
          { target: { kind: 'group', email: 'team@acme.example' }, level: 'edit' },
        ],
        hiddenFields: ['phoneNumbers'],
      },
    });
    expect(share.status).toBe(201);
    shareId = share.body.id;
  });
  afterAll(async () => {
    await h.close();
  });

  const call = (caller: string, operation: string, body: Record<string, unknown>, id = shareId) =>
    h.request('POST', `/v1/shares/${id}/gateway/${operation}`, { token: h.token(caller), body });
  const events = async (type: string) =>
    (
      await h.request('GET', `/v1/events?type=${type}&pageSize=500`, {
        token: h.token('admin@acme.example'),
      })
    ).body.events as {
      target: string;
      actor: string;
      outcome: string;
      shareId: string;
      detail: Record<string, unknown>;
    }[];
  const masters = () =>
    contactsOf(people, 'alice@acme.example').filter((contact) =>
      (contact.memberships ?? []).some(
        (membership) => membership.contactGroupMembership?.contactGroupResourceName === label,
      ),
    );

  it("lists the owner's label for a view participant: its contacts only, without hidden fields", async () => {
    const response = await call('bob@acme.example', 'list-contacts', {
      account: 'alice@acme.example',
    });
    expect(response.status).toBe(200);
    const names = (response.body.contacts as { fields: { names?: { givenName: string }[] } }[])
      .map((contact) => contact.fields.names?.[0]?.givenName)
      .sort();
    expect(names).toEqual(['Ann', 'Ben']);
    expect(response.body.omitted).toBe(1);
    expect(response.body.totalPeople).toBe(3);
    expect(typeof response.body.nextSyncToken).toBe('string');
    expect(response.text).not.toContain('+1 555 0100');
    expect(response.text).not.toContain('Private');
    expect(response.text).not.toMatch(/ya29\.|"accessToken"/);
    expect((await events('gateway.call')).at(-1)).toMatchObject({
      actor: 'bob@acme.example',
      target: 'alice@acme.example',
      shareId,
      outcome: 'success',
      detail: {
        operation: 'list-contacts',
        role: 'master',
        level: 'view',
        returned: 2,
        omitted: 1,
      },
    });
  });

  it('writes only what the level allows, and audits each refusal', async () => {
    const [ann] = masters().filter((contact) => contact.names?.[0]?.givenName === 'Ann');
    const update = (mask: string[], fields: Record<string, unknown>) => ({
      kind: 'updateContacts',
      updates: [{ resourceName: ann?.resourceName, etag: ann?.etag, fields, mask }],
    });
    const byViewer = await call('bob@acme.example', 'write', {
      account: 'alice@acme.example',
      write: update(['organizations'], { organizations: [{ name: 'Viewer Corp' }] }),
    });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.error.code).toBe('insufficient_level');
    const hidden = await call('carol@acme.example', 'write', {
      account: 'alice@acme.example',
      write: update(['phoneNumbers'], { phoneNumbers: [{ value: '+1 555 0199' }] }),
    });
    expect(hidden.status).toBe(400);
    expect(hidden.body.error.code).toBe('hidden_field');
    const create = await call('carol@acme.example', 'write', {
      account: 'alice@acme.example',
      write: {
        kind: 'createContacts',
        contacts: [
          {
            fields: { names: [{ givenName: 'Nobody' }] },
            memberships: [label],
            clientData: [{ key: `${linkKey(shareId)}:from`, value: 'x' }],
          },
        ],
      },
    });
    expect(create.status).toBe(403);
    const byEditor = await call('carol@acme.example', 'write', {
      account: 'alice@acme.example',
      write: update(['organizations'], { organizations: [{ name: 'Editor Corp' }] }),
    });
    expect(byEditor.status).toBe(200);
    const after = masters().find((contact) => contact.resourceName === ann?.resourceName);
    expect(after?.organizations?.[0]?.name).toBe('Editor Corp');
    expect(after?.phoneNumbers?.[0]?.value).toBe('+1 555 0100');
    const denied = (await events('gateway.denied')).filter((event) => event.shareId === shareId);
    expect(denied.map((event) => [event.actor, event.detail.reason])).toEqual(
      expect.arrayContaining([
        ['bob@acme.example', 'insufficient_level'],
        ['carol@acme.example', 'hidden_field'],
        ['carol@acme.example', 'insufficient_level'],
      ]),
    );
  });

  it('touches no contact outside the footprint, even for the owner', async () => {
    const own = people('bob@acme.example', (client) => client.createContact(person('Bobs')));
    const remove = await call('alice@acme.example', 'write', {
      account: 'bob@acme.example',
      write: { kind: 'deleteContacts', resourceNames: [own.resourceName] },
    });
    expect(remove.status).toBe(400);
    expect(remove.body.error.code).toBe('outside_footprint');
    const overwrite = await call('alice@acme.example', 'write', {
      account: 'bob@acme.example',
      write: {
        kind: 'updateContacts',
        updates: [
          {
            resourceName: own.resourceName,
            etag: own.etag,
            fields: { names: [{ givenName: 'Taken' }], emailAddresses: [{ value: 'x@y.test' }] },
            mask: ['names'],
            clientData: [],
          },
        ],
      },
    });
    expect(overwrite.status).toBe(400);
    expect(contactsOf(people, 'bob@acme.example').map((c) => c.names?.[0]?.givenName)).toContain(
      'Bobs',
    );
    const group = await call('alice@acme.example', 'write', {
      account: 'bob@acme.example',
      write: { kind: 'createGroup', name: 'Anything', clientData: [] },
    });
    expect(group.status).toBe(400);
  });

  it('reaches no one outside the share, and no one through it without taking part', async () => {
    const outsider = await call('alice@acme.example', 'list-contacts', {
      account: 'dave@acme.example',
    });
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.code).toBe('target_not_participant');
    for (const caller of ['dave@acme.example', 'zed@globex.example'])
      expect((await call(caller, 'list-contacts', { account: 'alice@acme.example' })).status).toBe(
        404,
      );
    const own = await call('bob@acme.example', 'list-groups', { account: 'bob@acme.example' });
    expect(own.status).toBe(400);
    expect(own.body.error.code).toBe('own_account');
    const unknown = await call(
      'alice@acme.example',
      'list-groups',
      {
        account: 'bob@acme.example',
      },
      'no-such-share',
    );
    expect(unknown.status).toBe(404);
    const reasons = (await events('gateway.denied')).map((event) => [
      event.actor,
      event.target,
      event.detail.reason,
    ]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['alice@acme.example', 'dave@acme.example', 'target_not_participant'],
        ['dave@acme.example', 'alice@acme.example', 'not_found'],
        ['bob@acme.example', 'bob@acme.example', 'own_account'],
        ['alice@acme.example', 'bob@acme.example', 'not_found'],
      ]),
    );
  });

  it('mints one delegated token per account and reuses it; none is ever answered', async () => {
    const before = h.emulator.callCount({ operation: 'oauth2.token' });
    await call('alice@acme.example', 'list-groups', { account: 'carol@acme.example' });
    await call('alice@acme.example', 'list-contacts', { account: 'carol@acme.example' });
    expect(h.emulator.callCount({ operation: 'oauth2.token' }) - before).toBeLessThanOrEqual(1);
    const document = await h.request('GET', '/openapi.json');
    expect(document.text).not.toMatch(/accessToken/);
  });

  it('answers 403 with the reason when domain-wide delegation is not granted', async () => {
    const other = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: labelWith(people, 'alice@acme.example', 'Erin only', []),
        labelName: 'Erin only',
        grants: [{ target: { kind: 'user', email: 'erin@acme.example' }, level: 'view' }],
      },
    });
    h.emulator.revokeDomainWideDelegation('acme.example', h.clientId);
    try {
      const viaOwner = await call(
        'alice@acme.example',
        'list-groups',
        { account: 'erin@acme.example' },
        other.body.id,
      );
      expect(viaOwner.status).toBe(403);
      expect(viaOwner.body.error.code).toBe('delegation_denied');
    } finally {
      h.emulator.grantDomainWideDelegation('acme.example', h.clientId, [
        'https://www.googleapis.com/auth/contacts',
        'https://www.googleapis.com/auth/contacts.readonly',
        'https://www.googleapis.com/auth/admin.directory.user.readonly',
        'https://www.googleapis.com/auth/admin.directory.group.readonly',
      ]);
    }
  });

  it('refuses every request of the retired token endpoint, and audits it', async () => {
    const response = await h.request('POST', '/v1/delegated-tokens', {
      token: h.token('alice@acme.example'),
      body: {
        targetUser: 'bob@acme.example',
        scopes: ['https://www.googleapis.com/auth/contacts'],
      },
    });
    expect(response.status).toBe(410);
    expect(response.body.error.code).toBe('tokens_not_issued');
    expect(response.text).not.toMatch(/accessToken/);
    expect((await events('delegated_token.denied')).at(-1)).toMatchObject({
      actor: 'alice@acme.example',
      outcome: 'denied',
    });
  });

  it('asks Google again after a transient 503 of the token endpoint instead of refusing the caller', async () => {
    const other = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: labelWith(people, 'alice@acme.example', 'Retried', []),
        labelName: 'Retried',
        grants: [{ target: { kind: 'user', email: 'dave@acme.example' }, level: 'view' }],
      },
    });
    h.emulator.injectFault({ operation: 'oauth2.token', status: 503, times: 2 });
    const response = await call(
      'alice@acme.example',
      'list-groups',
      { account: 'dave@acme.example' },
      other.body.id,
    );
    expect(response.status).toBe(200);
    expect(h.emulator.callCount({ operation: 'oauth2.token', status: 503 })).toBe(2);
  });

  // FACTS.md Delegation: signJwt "needs iam.serviceAccounts.signJwt (Service Account Token Creator) on the account even when a function signs as its own service account"
  it('tells the admin card that the backend lacks Token Creator on itself when IAM refuses it, and works once granted (FACTS.md Delegation)', async () => {
    const self = 'iam-self@test-project.iam.gserviceaccount.com';
    const iam = await startEmulatedHarness(
      kind,
      {},
      {},
      (base, emulator) =>
        new IamSigner(self, base, async () =>
          emulator.mintAccessToken(self, ['https://www.googleapis.com/auth/cloud-platform']),
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
      iam.emulator.grantTokenCreator(self, self);
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
      const iamLabel = labelWith(peopleAs(iam.emulator), 'alice@acme.example', 'Y', []);
      const share = await iam.request('POST', '/v1/shares', {
        token: iam.token('alice@acme.example'),
        body: {
          labelResourceName: iamLabel,
          labelName: 'Y',
          grants: [{ target: { kind: 'user', email: 'bob@acme.example' }, level: 'view' }],
        },
      });
      const response = await iam.request(
        'POST',
        `/v1/shares/${share.body.id}/gateway/list-contacts`,
        {
          token: iam.token('bob@acme.example'),
          body: { account: 'alice@acme.example' },
        },
      );
      expect(response.status).toBe(200);
      expect(
        iam.emulator.callCount({ operation: 'iamcredentials.projects.serviceAccounts.signJwt' }),
      ).toBeGreaterThan(0);
    } finally {
      await iam.close();
    }
  });

  it('lists what a view participant added to the copy group his own sync made, though nothing in it is linked to the share', async () => {
    const visits = labelWith(people, 'alice@acme.example', 'Visits', []);
    const other = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: visits,
        labelName: 'Visits',
        grants: [{ target: { kind: 'user', email: 'dave@acme.example' }, level: 'view' }],
      },
    });
    const id = other.body.id as string;
    // The owner's sync looks for dave's copy group before dave ever synced: there is none.
    const before = await call(
      'alice@acme.example',
      'list-groups',
      { account: 'dave@acme.example' },
      id,
    );
    expect(before.body.groups).toEqual([]);
    // dave's own sync reads the label through the gateway, then makes his copy group with his own
    // token; dave adds a contact of his to it.
    expect(
      (await call('dave@acme.example', 'list-contacts', { account: 'alice@acme.example' }, id))
        .status,
    ).toBe(200);
    const group =
      people('dave@acme.example', (client) =>
        client.createContactGroup({
          name: 'Visits',
          clientData: [
            encodeGroupLink({
              shareId: id,
              sourceOwner: 'alice@acme.example',
              labelResourceName: visits,
            }),
          ],
        }),
      ).resourceName ?? '';
    people('dave@acme.example', (client) =>
      client.createContact(
        person('Dora', {
          memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
        }),
      ),
    );
    const listing = await call(
      'alice@acme.example',
      'list-contacts',
      { account: 'dave@acme.example' },
      id,
    );
    expect(listing.status).toBe(200);
    const contacts = listing.body.contacts as {
      fields: { names?: { givenName: string }[] };
      memberships: string[];
    }[];
    expect(
      contacts.map((contact) => [contact.fields.names?.[0]?.givenName, contact.memberships]),
    ).toEqual([['Dora', expect.arrayContaining([group])]]);
  });
});
