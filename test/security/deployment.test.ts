/**
 * This file tests how secrets and environments are deployed: scripts/deploy-backend.sh run for
 * real with stand-ins for `gcloud` and `npm` (which record their arguments; gcloud cannot reach
 * Google here) wires the three production secrets as Secret Manager references and never by
 * value; the environments' configs are apart; the add-on keeps nothing in script properties and
 * cannot mint tokens itself; the staging data set is generated.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildStagingDataset } from '../../scripts/seed-staging';

const ROOT = path.join(__dirname, '../..');
const SECRET_REFERENCES =
  'DATABASE_URL=database_url:latest,OTP_ENCRYPTION_KEYS=otp_encryption_keys:latest,ALERT_WEBHOOK_URL=alert_webhook_url:latest';

interface Deployment {
  status: number | null;
  stderr: string;
  /** Each recorded command: the program and its arguments. */
  calls: string[][];
  /** The --env-vars-file given to `gcloud functions deploy`, as it was at that moment. */
  envVarsFile?: string;
}

const GCLOUD_STUB = `#!/usr/bin/env bash
printf 'gcloud' >>"$RECORD"; for a in "$@"; do printf '\\t%s' "$a" >>"$RECORD"; done; printf '\\n' >>"$RECORD"
for a in "$@"; do case "$a" in --env-vars-file=*) cp "\${a#--env-vars-file=}" "$RECORD.env";; esac; done
if [ "$1" = secrets ] && [ "$3" = "\${MISSING_SECRET:-}" ]; then exit 1; fi
exit 0
`;
const NPM_STUB = `#!/usr/bin/env bash
printf 'npm' >>"$RECORD"; for a in "$@"; do printf '\\t%s' "$a" >>"$RECORD"; done; printf '\\n' >>"$RECORD"
`;

/** Runs the deploy script with recording stand-ins for gcloud and npm first on PATH. */
function deploy(environment: string, env: Record<string, string> = {}): Deployment {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'gcloud'), GCLOUD_STUB, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'npm'), NPM_STUB, { mode: 0o755 });
    const record = path.join(dir, 'calls');
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(DATABASE_URL|OTP_ENCRYPTION_KEYS|ALERT_WEBHOOK_URL|STAFF_)/.test(name),
      ),
    );
    const result = spawnSync('bash', [path.join(ROOT, 'scripts/deploy-backend.sh'), environment], {
      env: { ...clean, PATH: `${bin}:${process.env.PATH ?? ''}`, RECORD: record, ...env },
      encoding: 'utf8',
    });
    const calls = fs.existsSync(record)
      ? fs
          .readFileSync(record, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\t'))
      : [];
    const envFile = `${record}.env`;
    return {
      status: result.status,
      stderr: result.stderr,
      calls,
      envVarsFile: fs.existsSync(envFile) ? fs.readFileSync(envFile, 'utf8') : undefined,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function config(name: string): { backendUrl: string; oauthClientId: string; scriptId: string } {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'config', `${name}.json`), 'utf8'));
}

describe('secrets used once per deployment', () => {
  it('wires the database URL, OTP key ring and Chat webhook as Secret Manager references', () => {
    const run = deploy('staging', {
      STAFF_SUPPORT_AGENTS: 'agent@vendor.example',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const functionsDeploy = run.calls.find((call) => call[1] === 'functions');
    expect(functionsDeploy?.slice(0, 4)).toEqual([
      'gcloud',
      'functions',
      'deploy',
      'sharedContacts',
    ]);
    expect(functionsDeploy).toEqual(
      expect.arrayContaining([
        '--project=shared-contacts-staging',
        '--region=europe-west1',
        '--source=build/backend',
        `--set-secrets=${SECRET_REFERENCES}`,
        '--service-account=shared-contacts-broker@shared-contacts-staging.iam.gserviceaccount.com',
      ]),
    );
    for (const secret of ['database_url', 'otp_encryption_keys', 'alert_webhook_url'])
      expect(run.calls).toContainEqual(
        expect.arrayContaining(['gcloud', 'secrets', 'describe', secret]),
      );
    expect(
      run.calls.filter((call) => call[0] === 'npm').map((call) => call.slice(1, 3).join(' ')),
    ).toEqual(['run lint', 'test', 'run build:backend']);
    expect(run.envVarsFile).toContain(`AUTH_AUDIENCES: "${config('staging').oauthClientId}"`);
    expect(run.envVarsFile).toContain('SIGNER: "iam"');
    expect(run.envVarsFile).not.toMatch(/DATABASE_URL|OTP_ENCRYPTION_KEYS|ALERT_WEBHOOK_URL/);
    expect(run.calls.flat().join(' ')).not.toMatch(/postgres(ql)?:\/\/|\?key=|[A-Za-z0-9+/]{43}=/);
  });

  // FACTS.md Delegation: signJwt "needs iam.serviceAccounts.signJwt (Service Account Token Creator) on the account even when a function signs as its own service account"
  it('grants the function’s service account Token Creator on itself before deploying, as IAM signJwt needs (FACTS.md Delegation)', () => {
    const run = deploy('prod');
    expect(run.status).toBe(0);
    const account = 'shared-contacts-broker@shared-contacts-prod.iam.gserviceaccount.com';
    const grant = run.calls.findIndex(
      (call) => call[1] === 'iam' && call[3] === 'add-iam-policy-binding',
    );
    expect(run.calls[grant]).toEqual([
      'gcloud',
      'iam',
      'service-accounts',
      'add-iam-policy-binding',
      account,
      '--project=shared-contacts-prod',
      `--member=serviceAccount:${account}`,
      '--role=roles/iam.serviceAccountTokenCreator',
      '--condition=None',
    ]);
    expect(grant).toBeLessThan(run.calls.findIndex((call) => call[1] === 'functions'));
  });

  it('refuses secrets offered by value in the deployer’s shell, before touching anything', () => {
    for (const variable of ['DATABASE_URL', 'OTP_ENCRYPTION_KEYS', 'ALERT_WEBHOOK_URL']) {
      const run = deploy('prod', { [variable]: 'postgres://user:pw@10.0.0.1/db' });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`unset ${variable}`);
      expect(run.calls).toEqual([]);
    }
  });

  it('stops when Secret Manager lacks a secret, and names it', () => {
    const run = deploy('prod', { MISSING_SECRET: 'otp_encryption_keys' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('shared-contacts-prod lacks otp_encryption_keys');
    expect(run.calls.some((call) => call[1] === 'functions')).toBe(false);
    expect(run.calls.some((call) => call[0] === 'npm')).toBe(false);
  });

  it('deploys only dev, staging and prod', () => {
    for (const environment of ['local', 'production', '../config/prod']) {
      const run = deploy(environment);
      expect(run.status).toBe(2);
      expect(run.calls).toEqual([]);
    }
  });
});

describe('environments', () => {
  it('gives dev, staging and prod their own project, OAuth client and script', () => {
    const environments = ['dev', 'staging', 'prod'].map(config);
    for (const key of ['backendUrl', 'oauthClientId', 'scriptId'] as const)
      expect(new Set(environments.map((environment) => environment[key])).size).toBe(3);
    environments.forEach((environment, index) =>
      expect(new URL(environment.backendUrl).hostname).toBe(
        `europe-west1-shared-contacts-${['dev', 'staging', 'prod'][index]}.cloudfunctions.net`,
      ),
    );
    expect(new URL(config('local').backendUrl).hostname).toMatch(/\.test$/);
  });

  it('generates the staging data set under reserved example domains only, the same each time', () => {
    const dataset = buildStagingDataset({ seed: 7, customers: 2, usersPerCustomer: 4 });
    expect(dataset.generated).toBe(true);
    expect(dataset.users).toHaveLength(8);
    const addresses = [
      ...dataset.users.map((user) => user.email),
      ...dataset.users.flatMap((user) =>
        user.contacts.flatMap(
          (contact) =>
            (contact.emailAddresses as { value: string }[] | undefined)?.map(
              (address) => address.value,
            ) ?? [],
        ),
      ),
    ];
    expect(addresses.length).toBeGreaterThan(8);
    for (const address of addresses) expect(address).toMatch(/@([a-z0-9-]+\.)*example(\.org)?$/);
    expect(buildStagingDataset({ seed: 7, customers: 2, usersPerCustomer: 4 })).toEqual(dataset);
  });
});

describe('the add-on bundle', () => {
  const bundle = () => fs.readFileSync(path.join(ROOT, 'build/addon/Code.js'), 'utf8');

  it('keeps nothing in script properties or the script cache (shared by every customer)', () => {
    const code = bundle();
    expect(code).toContain('getUserProperties');
    expect(code).not.toMatch(/getScriptProperties|getScriptCache|getDocumentProperties/);
  });

  it('cannot mint tokens for other users: no signing, no token endpoint, whitelist without them', () => {
    const code = bundle();
    expect(code).not.toMatch(/jwt-bearer|signJwt|oauth2\.googleapis\.com\/token|createSign/);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'build/addon/appsscript.json'), 'utf8'),
    ) as { urlFetchWhitelist: string[] };
    expect(manifest.urlFetchWhitelist).toEqual([
      'https://people.googleapis.com/',
      'https://admin.googleapis.com/',
      `${new URL(config('local').backendUrl).origin}/`,
    ]);
  });
});
