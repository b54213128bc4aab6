/**
 * This file tests the gcloud stand-in (test/security/fixtures/fake-gcloud.js) on its own, against
 * what gcloud does (gcloud reference pages; checked by hand with gcloud 528, which parses every
 * command line the provision and deploy scripts emit and prints the same projections): describe
 * fails until a create, a second create fails, flags outside a command's synopsis are refused,
 * `--flags-file=-` and `--data-file=-` read standard input, `value(…)`, `--flatten`, `--filter`
 * and `--limit` shape the output, IAM signJwt needs Token Creator on the signing account even
 * for the account itself, with impersonation needing it for the caller first, and a bucket's
 * retention policy is locked only when the person confirms, and cannot be reduced once locked.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FAKE = path.join(__dirname, 'fixtures/fake-gcloud.js');
const SA = 'broker-account@p-project.iam.gserviceaccount.com';

interface Call {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('the gcloud stand-in', () => {
  let dir: string;
  let gcloud: (args: string[], input?: string) => Call;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-gcloud-'));
    const state = path.join(dir, 'state.json');
    fs.writeFileSync(state, JSON.stringify({ account: 'ann@vendor.example' }));
    gcloud = (args, input = '') => {
      const result = spawnSync(process.execPath, [FAKE, ...args], {
        env: { FAKE_GCLOUD_STATE: state, STAND_IN_LOG: path.join(dir, 'log') },
        input,
        encoding: 'utf8',
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('describes a resource only once it is created, and refuses to create it twice', () => {
    const describe = ['iam', 'service-accounts', 'describe', SA, '--format=value(email)'];
    expect(gcloud(describe)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('NOT_FOUND'),
    });
    const create = ['iam', 'service-accounts', 'create', 'broker-account', '--project=p-project'];
    expect(gcloud(create).status).toBe(0);
    expect(gcloud(describe)).toMatchObject({ status: 0, stdout: `${SA}\n` });
    expect(gcloud(create)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('ALREADY_EXISTS'),
    });
    expect(fs.readFileSync(path.join(dir, 'log'), 'utf8').split('\n')[0]).toBe(
      ['gcloud', ...describe].join('\t'),
    );
  });

  it('refuses flags outside the synopsis, missing required flags and unknown commands', () => {
    expect(gcloud(['secrets', 'create', 's', '--project=p', '--data=x'])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('unrecognized arguments: --data'),
    });
    expect(gcloud(['secrets', 'versions', 'add', 's', '--project=p'])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('argument --data-file: Must be specified'),
    });
    expect(gcloud(['compute', 'instances', 'list']).status).toBe(2);
  });

  it('reads flags and secret payloads from standard input', () => {
    gcloud([
      'sql',
      'instances',
      'create',
      'db',
      '--project=p',
      '--region=r',
      '--database-version=POSTGRES_16',
      '--tier=t',
    ]);
    expect(
      gcloud(
        ['sql', 'users', 'create', 'u', '--instance=db', '--project=p', '--flags-file=-'],
        '--password: "p4ss"\n',
      ).status,
    ).toBe(0);
    expect(
      gcloud(
        ['sql', 'users', 'create', 'v', '--instance=db', '--project=p', '--flags-file=-'],
        '--pasword: "x"\n',
      ),
    ).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('unrecognized arguments: --pasword'),
    });
    gcloud(['secrets', 'create', 's', '--project=p', '--replication-policy=automatic']);
    expect(
      gcloud(['secrets', 'versions', 'add', 's', '--project=p', '--data-file=-'], 'v1').status,
    ).toBe(0);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    expect(state.sqlUsers['p/db/u']).toEqual({ password: 'p4ss' });
    expect(state.secrets['p/s']).toEqual({ versions: ['v1'] });
    expect(fs.readFileSync(path.join(dir, 'log'), 'utf8')).not.toMatch(/p4ss|\tv1/);
  });

  it('prints value projections of flattened policies, filtered and limited lists', () => {
    gcloud(['iam', 'service-accounts', 'create', 'broker-account', '--project=p-project']);
    for (const member of [`serviceAccount:${SA}`, 'user:ann@vendor.example'])
      gcloud([
        'iam',
        'service-accounts',
        'add-iam-policy-binding',
        SA,
        `--member=${member}`,
        '--role=roles/iam.serviceAccountTokenCreator',
        '--condition=None',
      ]);
    const policy = gcloud([
      'iam',
      'service-accounts',
      'get-iam-policy',
      SA,
      '--flatten=bindings[].members',
      '--format=value(bindings.role,bindings.members)',
    ]);
    expect(policy.stdout).toBe(
      `roles/iam.serviceAccountTokenCreator\tserviceAccount:${SA}\nroles/iam.serviceAccountTokenCreator\tuser:ann@vendor.example\n`,
    );
    gcloud(['secrets', 'create', 's', '--project=p']);
    const latest = [
      'secrets',
      'versions',
      'list',
      's',
      '--project=p',
      '--filter=state:enabled',
      '--limit=1',
      '--format=value(name)',
    ];
    expect(gcloud(latest).stdout).toBe('');
    gcloud(['secrets', 'versions', 'add', 's', '--project=p', '--data-file=-'], 'a');
    gcloud(['secrets', 'versions', 'add', 's', '--project=p', '--data-file=-'], 'b');
    expect(gcloud(latest).stdout).toBe('2\n');
  });

  // cloud.google.com/storage/docs/bucket-lock: a locked retention policy cannot be removed or reduced.
  it('keeps a bucket with its retention policy, locked only on confirmation and never reduced after', () => {
    const url = 'gs://p-project-audit-anchors';
    const describe = [
      'storage',
      'buckets',
      'describe',
      url,
      '--project=p-project',
      '--format=value(retention_policy.isLocked,retention_policy.retentionPeriod)',
    ];
    expect(gcloud(describe)).toMatchObject({ status: 1, stderr: expect.stringContaining('404') });
    const create = [
      'storage',
      'buckets',
      'create',
      url,
      '--project=p-project',
      '--location=europe-west1',
      '--retention-period=400d',
      '--uniform-bucket-level-access',
      '--public-access-prevention',
    ];
    expect(gcloud(create).status).toBe(0);
    expect(gcloud(create)).toMatchObject({ status: 1, stderr: expect.stringContaining('409') });
    expect(gcloud(describe).stdout).toBe('False\t34560000\n');
    const lock = [
      'storage',
      'buckets',
      'update',
      url,
      '--project=p-project',
      '--lock-retention-period',
    ];
    expect(gcloud(lock)).toMatchObject({ status: 1, stderr: expect.stringContaining('Aborted') });
    expect(gcloud(describe).stdout).toBe('False\t34560000\n');
    expect(gcloud(lock, 'y\n').status).toBe(0);
    expect(gcloud(describe).stdout).toBe('True\t34560000\n');
    expect(gcloud(['storage', 'buckets', 'update', url, '--retention-period=1d'])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('Cannot reduce'),
    });
    expect(gcloud(['storage', 'buckets', 'update', url, '--retention-period=500d']).status).toBe(0);
    expect(gcloud(describe).stdout).toBe('True\t43200000\n');
    expect(gcloud(['storage', 'buckets', 'update', url, '--versioning'])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('unrecognized arguments'),
    });
    gcloud([
      'storage',
      'buckets',
      'add-iam-policy-binding',
      url,
      `--member=serviceAccount:${SA}`,
      '--role=roles/storage.objectCreator',
      '--condition=None',
    ]);
    expect(
      gcloud([
        'storage',
        'buckets',
        'get-iam-policy',
        url,
        '--flatten=bindings[].members',
        '--format=value(bindings.role,bindings.members)',
      ]).stdout,
    ).toBe(`roles/storage.objectCreator\tserviceAccount:${SA}\n`);
  });

  it('signs a JWT only for a signer holding Token Creator on the account, itself included', () => {
    fs.writeFileSync(
      path.join(dir, 'claims.json'),
      JSON.stringify({ aud: 'x', exp: Math.floor(Date.now() / 1000) + 60 }),
    );
    const sign = [
      'iam',
      'service-accounts',
      'sign-jwt',
      path.join(dir, 'claims.json'),
      path.join(dir, 'out.jwt'),
      `--iam-account=${SA}`,
      `--impersonate-service-account=${SA}`,
    ];
    gcloud(['iam', 'service-accounts', 'create', 'broker-account', '--project=p-project']);
    const bind = (member: string) =>
      gcloud([
        'iam',
        'service-accounts',
        'add-iam-policy-binding',
        SA,
        `--member=${member}`,
        '--role=roles/iam.serviceAccountTokenCreator',
      ]);
    expect(gcloud(sign)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('Failed to impersonate'),
    });
    bind('user:ann@vendor.example');
    expect(gcloud(sign)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("'iam.serviceAccounts.signJwt' denied"),
    });
    bind(`serviceAccount:${SA}`);
    expect(gcloud(sign).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out.jwt'), 'utf8').split('.')).toHaveLength(3);
    fs.writeFileSync(
      path.join(dir, 'claims.json'),
      JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 13 * 3600 }),
    );
    expect(gcloud(sign)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('at most 12 h'),
    });
  });
});
