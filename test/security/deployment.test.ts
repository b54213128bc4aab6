/**
 * This file tests how the backend is deployed and secrets are wired: scripts/deploy-backend.sh run
 * for real with stand-ins for `gcloud` (a stateful stand-in for the environment's project) and
 * `npm` (which record their arguments; gcloud cannot reach Google here). It wires the three
 * production secrets as Secret Manager references and never by value, runs its pre-flight (a
 * runtime the support schedule has decommissioned, a secret without a value and a service account
 * that cannot sign, and an audit anchors' bucket that is missing, unlocked or closed to the function
 * each stop it before anything is built or deployed), deploys with NODE_ENV=production, the
 * anchors' bucket and the environment's instance limits, and connects the function to Cloud SQL. Also: the environments' configs are apart; the add-on keeps nothing in script properties
 * and cannot mint tokens itself; the staging data set is generated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentSettings } from '../../scripts/deploy-environment';
import { configFromEnv, productionProblems } from '../../src/backend/platform/config';
import { buildStagingDataset } from '../../scripts/seed-staging';
import {
  changes,
  provisionedProject,
  ROOT,
  runScript,
  words,
  type ScriptRun,
} from './fixtures/gcloud-harness';

const SECRET_REFERENCES =
  'DATABASE_URL=database_url:latest,OTP_ENCRYPTION_KEYS=otp_encryption_keys:latest,ALERT_WEBHOOK_URL=alert_webhook_url:latest';

/** The day the runtime schedule is compared with, unless a test chooses another. */
const TODAY = '2026-11-30';

/** Deploys an environment whose project provision has set up (or the given state). */
function deploy(
  environment: string,
  options: { env?: Record<string, string>; state?: ReturnType<typeof provisionedProject> } = {},
): ScriptRun {
  return runScript('deploy-backend', environment, {
    state: options.state ?? provisionedProject(environment),
    env: { DEPLOY_TODAY: TODAY, ...options.env },
  });
}

/** The recorded flags of a call, as name → value. */
function flagsOf(call: string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (call ?? [])
      .filter((arg) => arg.startsWith('--'))
      .map((arg) => {
        const [name = '', ...value] = arg.slice(2).split('=');
        return [name, value.join('=')];
      }),
  );
}

function config(name: string): { backendUrl: string; oauthClientId: string; scriptId: string } {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'config', `${name}.json`), 'utf8'));
}

describe('secrets used once per deployment', () => {
  it('wires the database URL, OTP key ring and Chat webhook as Secret Manager references', () => {
    const run = deploy('staging', { env: { STAFF_SUPPORT_AGENTS: 'agent@vendor.example' } });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/refused|warning|deploy-backend:/);
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
    expect(run.calls.filter((call) => call[0] === 'npm').map((call) => words(call))).toEqual([
      'npm run lint',
      'npm test',
      'npm run build:backend',
    ]);
    const deployed = Object.values(run.state.functions)[0];
    expect(deployed?.envVars).toContain(`STAFF_SUPPORT_AGENTS: "agent@vendor.example"`);
    expect(deployed?.envVars).toContain('SIGNER: "iam"');
    expect(deployed?.envVars).not.toMatch(/DATABASE_URL|OTP_ENCRYPTION_KEYS|ALERT_WEBHOOK_URL/);
    const everything = [...run.calls.flat(), run.stdout, run.stderr, deployed?.envVars].join(' ');
    expect(everything).not.toMatch(/postgres(ql)?:\/\/|\?key=|[A-Za-z0-9+/]{43}=|value of /);
  });

  it('refuses secrets offered by value in the deployer’s shell, before touching anything', () => {
    for (const variable of ['DATABASE_URL', 'OTP_ENCRYPTION_KEYS', 'ALERT_WEBHOOK_URL']) {
      const run = deploy('prod', { env: { [variable]: 'postgres://user:pw@10.0.0.1/db' } });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`unset ${variable}`);
      expect(run.stderr).not.toContain('pw@');
      expect(run.calls).toEqual([]);
    }
  });

  it('stops when Secret Manager lacks a secret, and names it', () => {
    const run = deploy('prod', {
      state: provisionedProject('prod', { secret: 'otp_encryption_keys' }),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('shared-contacts-prod lacks otp_encryption_keys');
    expect(run.stderr).toContain('npm run provision -- prod');
    expect(run.calls.some((call) => call[1] === 'functions')).toBe(false);
    expect(run.calls.some((call) => call[0] === 'npm')).toBe(false);
  });

  it('stops when a secret holds no value yet, and says how a person sets it', () => {
    const run = deploy('dev', {
      state: provisionedProject('dev', { secretValue: 'alert_webhook_url' }),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no value yet in alert_webhook_url of shared-contacts-dev');
    expect(run.stderr).toContain(
      'gcloud secrets versions add NAME --project=shared-contacts-dev --data-file=-',
    );
    expect(run.calls.some((call) => call[1] === 'functions')).toBe(false);
    expect(run.calls.some((call) => call[0] === 'npm')).toBe(false);
  });

  it('deploys only dev, staging and prod', () => {
    for (const environment of ['local', 'production', '../config/prod']) {
      const run = runScript('deploy-backend', environment);
      expect(run.status).toBe(2);
      expect(run.calls).toEqual([]);
    }
  });

  it('is never run from CI', () => {
    const run = deploy('staging', { env: { CI: 'true' } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('never run from CI');
    expect(run.calls).toEqual([]);
  });
});

describe('pre-flight before the deployment', () => {
  it('refuses a runtime that the support schedule lists as decommissioned, on the day it is', () => {
    const refused = deploy('prod', { env: { DEPLOY_TODAY: '2028-10-31' } });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('nodejs24 was decommissioned on 2028-10-31');
    expect(refused.stderr).toContain('https://cloud.google.com/functions/docs/runtime-support');
    expect(refused.stderr).toContain('nothing was deployed');
    expect(refused.calls).toEqual([]);

    const lastDay = deploy('prod', { env: { DEPLOY_TODAY: '2028-10-30' } });
    expect(lastDay.status).toBe(0);
    expect(lastDay.stderr).toContain('warning: nodejs24 is deprecated since 2028-04-30');
    expect(changes(lastDay.calls)).toContain('gcloud functions deploy sharedContacts');
  });

  it('refuses to deploy when the service account cannot sign as itself', () => {
    const run = deploy('staging', {
      state: provisionedProject('staging', { selfTokenCreator: true }),
    });
    const broker = environmentSettings('staging').brokerAccount;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${broker} cannot sign through IAM signJwt`);
    expect(run.stderr).toContain("Permission 'iam.serviceAccounts.signJwt' denied");
    expect(run.stderr).toContain('Nothing was deployed');
    expect(run.state.signedJwts).toBe(0);
    expect(run.calls.some((call) => call[0] === 'npm')).toBe(false);
    expect(changes(run.calls)).toEqual([]);
  });

  it("refuses to deploy without the audit anchors' bucket, locked and open to the function", () => {
    const s = environmentSettings('staging');
    const cases: [Parameters<typeof provisionedProject>[1], string][] = [
      [{ bucket: true }, `gs://${s.anchorBucket} does not exist`],
      [{ bucketLock: true }, `retention policy of gs://${s.anchorBucket} must be locked`],
      [
        { bucketRole: 'roles/storage.objectCreator' },
        `lacks roles/storage.objectCreator on gs://${s.anchorBucket}`,
      ],
      [
        { bucketRole: 'roles/storage.objectViewer' },
        `lacks roles/storage.objectViewer on gs://${s.anchorBucket}`,
      ],
    ];
    for (const [without, reason] of cases) {
      const run = deploy('staging', { state: provisionedProject('staging', without) });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(reason);
      expect(run.stderr).toContain('Nothing was deployed');
      expect(run.state.signedJwts).toBe(0);
      expect(run.calls.some((call) => call[0] === 'npm')).toBe(false);
      expect(changes(run.calls)).toEqual([]);
    }
    const short = provisionedProject('staging');
    const bucket = short.buckets[s.anchorBucket];
    if (bucket) bucket.retentionPeriod = 86_400;
    const run = deploy('staging', { state: short });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('at least 400d long');
  });

  it('refuses to deploy when the deployer cannot make the test-mint as the service account', () => {
    const run = deploy('staging', {
      state: provisionedProject('staging', { deployerTokenCreator: true }),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Failed to impersonate');
    expect(changes(run.calls)).toEqual([]);
  });

  it('checks the runtime, the secrets and a test-mint, then tests, builds and deploys, in that order', () => {
    const run = deploy('prod');
    expect(run.status).toBe(0);
    const s = environmentSettings('prod');
    const steps = run.calls.map(words);
    const first = (prefix: string) => steps.findIndex((step) => step.startsWith(prefix));
    const order = [
      'gcloud secrets describe database_url',
      'gcloud secrets versions list alert_webhook_url',
      `gcloud storage buckets describe gs://${s.anchorBucket}`,
      `gcloud storage buckets get-iam-policy gs://${s.anchorBucket}`,
      'gcloud iam service-accounts sign-jwt',
      'npm run lint',
      'npm test',
      'npm run build:backend',
      'gcloud functions deploy sharedContacts',
      `gcloud run services describe ${s.runService}`,
    ].map(first);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.state.signedJwts).toBe(1);

    const signJwt = run.calls.find((call) => call[3] === 'sign-jwt');
    expect(flagsOf(signJwt)).toMatchObject({
      'iam-account': s.brokerAccount,
      'impersonate-service-account': s.brokerAccount,
    });
    expect(flagsOf(run.calls.find((call) => call[1] === 'functions'))).toMatchObject({
      runtime: 'nodejs24',
      'min-instances': String(s.minInstances),
      'max-instances': String(s.maxInstances),
    });
    expect(s.minInstances).toBeGreaterThanOrEqual(1);
    const envVars = Object.values(run.state.functions)[0]?.envVars ?? '';
    expect(envVars).toContain('NODE_ENV: "production"');
    expect(envVars).toContain('SIGNER: "iam"');
    expect(envVars).toContain(`ANCHOR_BUCKET: "${s.anchorBucket}"`);
    expect(envVars).toContain(`AUTH_AUDIENCES: "${config('prod').oauthClientId},${s.backendUrl}"`);
    expect(envVars).toContain(`SCHEDULER_INVOKERS: "${s.schedulerAccount}"`);
    // The project already has its Cloud SQL connection: nothing is changed but the function.
    expect(changes(run.calls)).toEqual(['gcloud functions deploy sharedContacts']);
    expect(run.stdout).toContain('prod deployed as sharedContacts in shared-contacts-prod');
  });

  it('deploys a configuration that production mode accepts (config.ts productionProblems)', () => {
    const run = deploy('prod');
    expect(run.status).toBe(0);
    const envVars = Object.values(run.state.functions)[0]?.envVars ?? '';
    const deployed: NodeJS.ProcessEnv = Object.fromEntries(
      envVars
        .split('\n')
        .map((line) => /^([A-Z_]+): "(.*)"$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1], match[2]]),
    );
    // The secrets reach the function as references; stand-in values of the same shape here.
    const secrets = {
      DATABASE_URL: 'postgresql://u:p@/db?host=/cloudsql/p:r:i',
      OTP_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      ALERT_WEBHOOK_URL: 'https://chat.googleapis.com/v1/spaces/x/messages',
    };
    const configuration = configFromEnv({ ...deployed, ...secrets });
    expect(configuration.production).toBe(true);
    expect(productionProblems(configuration)).toEqual([]);
    expect(() => configFromEnv({ ...deployed, ...secrets, ANCHOR_BUCKET: '' })).toThrow(
      /ANCHOR_BUCKET is required/,
    );
  });

  it('connects a function that lacks it to Cloud SQL, and keeps extra scheduler invokers', () => {
    const state = provisionedProject('dev');
    const s = environmentSettings('dev');
    const service = Object.keys(state.runServices)[0] ?? '';
    state.runServices[service] = { cloudsqlInstances: [] };
    const run = deploy('dev', { state, env: { SCHEDULER_INVOKERS: 'ops@vendor.example' } });
    expect(run.status).toBe(0);
    expect(changes(run.calls)).toEqual([
      'gcloud functions deploy sharedContacts',
      `gcloud run services update ${s.runService}`,
    ]);
    expect(run.state.runServices[service]?.cloudsqlInstances).toEqual([s.sqlConnection]);
    expect(Object.values(run.state.functions)[0]?.envVars).toContain(
      `SCHEDULER_INVOKERS: "${s.schedulerAccount},ops@vendor.example"`,
    );
  });

  it('refuses staff lists that are not lists of addresses (they go into a YAML file)', () => {
    const run = deploy('dev', {
      env: { STAFF_SECURITY_MANAGERS: 'a@vendor.example"\nSIGNER: "local' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('STAFF_SECURITY_MANAGERS must be a comma list');
    expect(run.calls).toEqual([]);
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
