/**
 * This file tests the emulator's Cloud Storage JSON API and IAM Credentials signBlob against
 * Google's documentation: a bucket retention policy refuses overwriting and deleting an object
 * until it is older than the retention period, a locked policy cannot be reduced or removed
 * (cloud.google.com/storage/docs/bucket-lock), `ifGenerationMatch=0` creates only
 * (cloud.google.com/storage/docs/json_api/v1/objects/insert), listings honour prefix and
 * startOffset, and signBlob signatures verify with the keys of the service account's JWK URL.
 */
import { createPublicKey, createVerify } from 'node:crypto';
import { describeBothWays, type Fixture } from './harness';

const STORAGE = 'https://storage.googleapis.com';
const IAM = 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts';
const WRITER = 'anchor-writer@shared-contacts.iam.gserviceaccount.com';
const ADMIN = 'bucket-admin@shared-contacts.iam.gserviceaccount.com';
const DAY = 86_400;

const upload = (f: Fixture, token: string, name: string, body: unknown, generationMatch?: number) =>
  f.send(
    'POST',
    `${STORAGE}/upload/storage/v1/b/anchors/o?uploadType=media&name=${encodeURIComponent(name)}${
      generationMatch === undefined ? '' : `&ifGenerationMatch=${generationMatch}`
    }`,
    { token, body },
  );

describeBothWays('Cloud Storage and signBlob', (fixture) => {
  const setUp = (locked = true) => {
    const f = fixture();
    f.emulator.createBucket({
      name: 'anchors',
      retentionSeconds: 30 * DAY,
      locked,
      writers: [WRITER],
      admins: [ADMIN],
    });
    return {
      f,
      writer: f.emulator.mintAccessToken(WRITER, ['devstorage.read_write']),
      admin: f.emulator.mintAccessToken(ADMIN, ['cloud-platform']),
    };
  };

  it('stores an object once with ifGenerationMatch=0 and reads it back (objects.insert, objects.get)', async () => {
    const { f, writer } = setUp();
    const created = await upload(f, writer, 'a/1.json', { n: 1 }, 0);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      kind: 'storage#object',
      name: 'a/1.json',
      bucket: 'anchors',
    });
    expect(created.json.retentionExpirationTime).toBe(
      new Date(f.emulator.clock.now() + 30 * DAY * 1000).toISOString(),
    );
    const again = await upload(f, writer, 'a/1.json', { n: 2 }, 0);
    expect(again.status).toBe(412);
    expect(again.json.error.errors[0].reason).toBe('conditionNotMet');
    const read = await f.send(
      'GET',
      `${STORAGE}/storage/v1/b/anchors/o/${encodeURIComponent('a/1.json')}?alt=media`,
      {
        token: writer,
      },
    );
    expect(read.json).toEqual({ n: 1 });
  });

  it('refuses overwriting and deleting before the retention period ends, and allows it after (bucket-lock)', async () => {
    const { f, writer, admin } = setUp();
    await upload(f, writer, 'x.json', { n: 1 }, 0);
    const byWriter = await upload(f, writer, 'x.json', { n: 2 });
    expect(byWriter.status).toBe(403);
    const overwrite = await upload(f, admin, 'x.json', { n: 2 });
    expect(overwrite.status).toBe(403);
    expect(overwrite.json.error.message).toMatch(
      /^Object 'anchors\/x\.json' is subject to bucket's retention policy and cannot be deleted, overwritten or archived until /,
    );
    expect(overwrite.json.error.errors[0].reason).toBe('retentionPolicyNotMet');
    const removal = await f.send('DELETE', `${STORAGE}/storage/v1/b/anchors/o/x.json`, {
      token: admin,
    });
    expect(removal.status).toBe(403);
    const byWriterRemoval = await f.send('DELETE', `${STORAGE}/storage/v1/b/anchors/o/x.json`, {
      token: writer,
    });
    expect(byWriterRemoval.status).toBe(403);
    f.emulator.clock.advance(30 * DAY * 1000 + 1000);
    const later = f.emulator.mintAccessToken(ADMIN, ['cloud-platform']);
    expect(
      (await f.send('DELETE', `${STORAGE}/storage/v1/b/anchors/o/x.json`, { token: later })).status,
    ).toBe(204);
  });

  it('keeps a locked retention policy from being reduced or removed, but lets it grow', async () => {
    const { f, admin } = setUp();
    const bucket = await f.send('GET', `${STORAGE}/storage/v1/b/anchors`, { token: admin });
    expect(bucket.json.retentionPolicy).toMatchObject({
      retentionPeriod: String(30 * DAY),
      isLocked: true,
    });
    for (const retentionPolicy of [null, { retentionPeriod: String(DAY) }]) {
      const patch = await f.send('PATCH', `${STORAGE}/storage/v1/b/anchors`, {
        token: admin,
        body: { retentionPolicy },
      });
      expect(patch.status).toBe(403);
    }
    const grow = await f.send('PATCH', `${STORAGE}/storage/v1/b/anchors`, {
      token: admin,
      body: { retentionPolicy: { retentionPeriod: String(60 * DAY) } },
    });
    expect(grow.json.retentionPolicy.retentionPeriod).toBe(String(60 * DAY));
  });

  it('locks an unlocked policy with lockRetentionPolicy and the current metageneration', async () => {
    const { f, admin } = setUp(false);
    const reduce = await f.send('PATCH', `${STORAGE}/storage/v1/b/anchors`, {
      token: admin,
      body: { retentionPolicy: { retentionPeriod: String(DAY) } },
    });
    expect(reduce.status).toBe(200);
    const stale = await f.send(
      'POST',
      `${STORAGE}/storage/v1/b/anchors/lockRetentionPolicy?ifMetagenerationMatch=1`,
      {
        token: admin,
      },
    );
    expect(stale.status).toBe(412);
    const locked = await f.send(
      'POST',
      `${STORAGE}/storage/v1/b/anchors/lockRetentionPolicy?ifMetagenerationMatch=${reduce.json.metageneration}`,
      { token: admin },
    );
    expect(locked.json.retentionPolicy.isLocked).toBe(true);
  });

  it('lists objects by prefix and startOffset, in name order, a page at a time', async () => {
    const { f, writer } = setUp();
    for (const name of ['p/3', 'p/1', 'q/1', 'p/2']) await upload(f, writer, name, {}, 0);
    const listing = await f.send(
      'GET',
      `${STORAGE}/storage/v1/b/anchors/o?prefix=p%2F&startOffset=p%2F2&maxResults=1`,
      { token: writer },
    );
    expect(listing.json.items.map((item: { name: string }) => item.name)).toEqual(['p/2']);
    const next = await f.send(
      'GET',
      `${STORAGE}/storage/v1/b/anchors/o?prefix=p%2F&maxResults=1&pageToken=${encodeURIComponent(listing.json.nextPageToken)}`,
      { token: writer },
    );
    expect(next.json.items.map((item: { name: string }) => item.name)).toEqual(['p/3']);
    expect(next.json.nextPageToken).toBeUndefined();
  });

  it('refuses callers without a bucket role, and tokens without a storage scope', async () => {
    const { f } = setUp();
    const stranger = f.emulator.mintAccessToken('dba@shared-contacts.iam.gserviceaccount.com', [
      'cloud-platform',
    ]);
    const denied = await upload(f, stranger, 'y.json', {}, 0);
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/storage\.objects\.create/);
    const unscoped = f.emulator.mintAccessToken(WRITER, ['contacts']);
    expect((await upload(f, unscoped, 'y.json', {}, 0)).status).toBe(403);
  });

  it('signs blobs with signBlob only for a token creator, the account itself included, verifiable with the JWK URL of the account', async () => {
    const f = fixture();
    const signer = 'anchor-signer@shared-contacts.iam.gserviceaccount.com';
    f.emulator.createServiceAccount(signer);
    f.emulator.grantTokenCreator(signer, WRITER);
    const payload = Buffer.from('{"heads":[]}');
    const token = f.emulator.mintAccessToken(WRITER, ['cloud-platform']);
    const signed = await f.send('POST', `${IAM}/${signer}:signBlob`, {
      token,
      body: { payload: payload.toString('base64') },
    });
    expect(signed.status).toBe(200);
    const keys = await f.send(
      'GET',
      `https://www.googleapis.com/service_accounts/v1/metadata/jwk/${signer}`,
    );
    const jwk = keys.json.keys.find((key: { kid: string }) => key.kid === signed.json.keyId);
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    const verified = createVerify('RSA-SHA256')
      .update(payload)
      .verify(
        createPublicKey({ key: jwk, format: 'jwk' }),
        Buffer.from(signed.json.signedBlob, 'base64'),
      );
    expect(verified).toBe(true);
    const outsider = f.emulator.mintAccessToken('dba@shared-contacts.iam.gserviceaccount.com', [
      'cloud-platform',
    ]);
    const refused = await f.send('POST', `${IAM}/${signer}:signBlob`, {
      token: outsider,
      body: { payload: payload.toString('base64') },
    });
    expect(refused.status).toBe(403);
    // FACTS.md Delegation: Token Creator is needed on the account even to sign as itself.
    const itself = await f.send('POST', `${IAM}/${signer}:signBlob`, {
      token: f.emulator.mintAccessToken(signer, ['cloud-platform']),
      body: { payload: payload.toString('base64') },
    });
    expect(itself.status).toBe(403);
    expect(itself.json.error.details[0]).toMatchObject({
      reason: 'IAM_PERMISSION_DENIED',
      metadata: { permission: 'iam.serviceAccounts.signBlob' },
    });
    f.emulator.grantTokenCreator(signer, signer);
    const granted = await f.send('POST', `${IAM}/${signer}:signBlob`, {
      token: f.emulator.mintAccessToken(signer, ['cloud-platform']),
      body: { payload: payload.toString('base64') },
    });
    expect(granted.status).toBe(200);
  });
});
