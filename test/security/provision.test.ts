/**
 * This file tests scripts/provision.sh (`npm run provision -- ENV`) run for real against a
 * stand-in for gcloud that keeps a project's state (gcloud cannot reach Google here): on a new
 * project it creates every resource in order, describing each first; the second run creates
 * nothing; the database password it generates reaches the database user and the database_url
 * secret but never a command line or the screen, and neither do the values a person sets; once
 * every secret holds a value it deploys the function (NODE_ENV=production, instance limits, the
 * Cloud SQL connection, the audit anchors' bucket) and the scheduled scan is an allowed invoker.
 * The anchors' bucket keeps 400 days, is locked once the person confirms (never without), and only
 * the function's service account may create and read objects in it.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { APIS, environmentSettings } from '../../scripts/deploy-environment';
import {
  changes,
  DEPLOYER,
  runScript,
  type FakeProject,
  type ScriptRun,
} from './fixtures/gcloud-harness';

const ENV = 'staging';
const s = environmentSettings(ENV);
const TODAY = { DEPLOY_TODAY: '2026-11-30' };
/** The values a person puts into the two secrets that provision leaves empty (generated here). */
const PERSON_SET = {
  otp_encryption_keys: `k1:${randomBytes(32).toString('base64')}`,
  alert_webhook_url: `https://chat.googleapis.com/v1/spaces/AAAA/messages?key=${randomBytes(24).toString('base64url')}`,
};
const TOKEN_CREATOR = 'roles/iam.serviceAccountTokenCreator';
/** The person confirms gcloud's question before the bucket's retention policy is locked. */
const CONFIRM = 'y\n';

function secretOf(state: FakeProject, name: string): string[] {
  return state.secrets[`${s.project}/${name}`]?.versions ?? [];
}

function passwordOf(state: FakeProject): string {
  return state.sqlUsers[`${s.project}/${s.sqlInstance}/${s.databaseUser}`]?.password ?? '';
}

/** Everything a script showed or passed on a command line. */
function shown(...runs: ScriptRun[]): string {
  return runs.map((run) => [...run.calls.flat(), run.stdout, run.stderr].join('\n')).join('\n');
}

describe('provisioning an environment', () => {
  let first: ScriptRun;
  let second: ScriptRun;
  let third: ScriptRun;

  beforeAll(() => {
    first = runScript('provision', ENV, { env: TODAY, input: CONFIRM });
    const state = structuredClone(first.state);
    for (const [name, value] of Object.entries(PERSON_SET))
      state.secrets[`${s.project}/${name}`]?.versions.push(value);
    second = runScript('provision', ENV, { state, env: TODAY });
    third = runScript('provision', ENV, { state: second.state, env: TODAY });
  }, 120_000);

  it('creates every resource of a new project in order, describing each first', () => {
    expect(first.stderr).not.toContain('ERROR');
    expect(first.status).toBe(0);
    expect(changes(first.calls)).toEqual([
      `gcloud services enable ${APIS.join(' ')}`,
      'gcloud iam service-accounts create shared-contacts-broker',
      `gcloud iam service-accounts add-iam-policy-binding ${s.brokerAccount}`,
      'gcloud iam service-accounts create shared-contacts-scheduler',
      `gcloud iam service-accounts add-iam-policy-binding ${s.brokerAccount}`,
      `gcloud iam service-accounts add-iam-policy-binding ${s.brokerAccount}`,
      `gcloud iam service-accounts add-iam-policy-binding ${s.schedulerAccount}`,
      'gcloud sql instances create shared-contacts',
      'gcloud sql databases create shared_contacts',
      `gcloud projects add-iam-policy-binding ${s.project}`,
      `gcloud storage buckets create gs://${s.anchorBucket}`,
      `gcloud storage buckets add-iam-policy-binding gs://${s.anchorBucket}`,
      `gcloud storage buckets add-iam-policy-binding gs://${s.anchorBucket}`,
      `gcloud storage buckets update gs://${s.anchorBucket}`,
      'gcloud secrets create database_url',
      'gcloud secrets add-iam-policy-binding database_url',
      'gcloud secrets create otp_encryption_keys',
      'gcloud secrets add-iam-policy-binding otp_encryption_keys',
      'gcloud secrets create alert_webhook_url',
      'gcloud secrets add-iam-policy-binding alert_webhook_url',
      'gcloud sql users create shared_contacts',
      'gcloud secrets versions add database_url',
      'gcloud scheduler jobs create http shared-contacts-scan',
    ]);
    const steps = first.calls.map((call) => call.slice(1, 5).join(' '));
    const pairs: [string, string][] = [
      ['iam service-accounts describe', 'iam service-accounts create'],
      ['sql instances describe', 'sql instances create'],
      ['sql databases describe', 'sql databases create'],
      ['storage buckets describe', 'storage buckets create'],
      ['secrets describe database_url', 'secrets create database_url'],
      ['sql users list', 'sql users create'],
      ['scheduler jobs describe', 'scheduler jobs create'],
    ];
    for (const [describe, create] of pairs)
      expect(steps.findIndex((step) => step.startsWith(describe))).toBeLessThan(
        steps.findIndex((step) => step.startsWith(create)),
      );
    expect(first.state.sqlInstances[`${s.project}/${s.sqlInstance}`]).toMatchObject({
      connectionName: s.sqlConnection,
      databaseVersion: 'POSTGRES_16',
    });
  });

  it('leaves the secrets a person sets empty, says which, and deploys nothing yet', () => {
    expect(secretOf(first.state, 'otp_encryption_keys')).toEqual([]);
    expect(secretOf(first.state, 'alert_webhook_url')).toEqual([]);
    expect(first.stdout).toContain('set a value in each of: otp_encryption_keys alert_webhook_url');
    expect(first.stdout).toContain(
      `gcloud secrets versions add NAME --project=${s.project} --data-file=-`,
    );
    expect(first.calls.some((call) => call[1] === 'functions')).toBe(false);
    expect(first.calls.some((call) => call[0] === 'npm')).toBe(false);
  });

  it('gives the service account Token Creator on itself, the deployer what deploying needs, the secrets to it alone', () => {
    const policies = first.state.policies;
    expect(policies[`serviceAccount/${s.brokerAccount}`]).toEqual(
      expect.arrayContaining([
        [TOKEN_CREATOR, `serviceAccount:${s.brokerAccount}`],
        ['roles/iam.serviceAccountUser', `user:${DEPLOYER}`],
        [TOKEN_CREATOR, `user:${DEPLOYER}`],
      ]),
    );
    expect(policies[`serviceAccount/${s.schedulerAccount}`]).toEqual([
      ['roles/iam.serviceAccountUser', `user:${DEPLOYER}`],
    ]);
    expect(policies[`project/${s.project}`]).toEqual([
      ['roles/cloudsql.client', `serviceAccount:${s.brokerAccount}`],
    ]);
    for (const secret of ['database_url', 'otp_encryption_keys', 'alert_webhook_url'])
      expect(policies[`secret/${s.project}/${secret}`]).toEqual([
        ['roles/secretmanager.secretAccessor', `serviceAccount:${s.brokerAccount}`],
      ]);
  });

  it("keeps the audit anchors in a locked bucket that only the function's service account writes to and reads", () => {
    expect(first.state.buckets[s.anchorBucket]).toEqual({
      project: s.project,
      location: s.region,
      retentionPeriod: 400 * 86_400,
      isLocked: true,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: true,
    });
    expect(first.state.policies[`bucket/${s.anchorBucket}`]).toEqual([
      ['roles/storage.objectCreator', `serviceAccount:${s.brokerAccount}`],
      ['roles/storage.objectViewer', `serviceAccount:${s.brokerAccount}`],
    ]);
    const envVars = Object.values(second.state.functions)[0]?.envVars ?? '';
    expect(envVars).toContain(`ANCHOR_BUCKET: "${s.anchorBucket}"`);
  });

  it('locks the bucket only when the person confirms, and deploys nothing while it is unlocked', () => {
    const declined = runScript('provision', ENV, { state: second.state, env: TODAY });
    expect(declined.status).toBe(0);
    expect(declined.state.buckets[s.anchorBucket]?.isLocked).toBe(true);
    const unlocked = structuredClone(second.state);
    const bucket = unlocked.buckets[s.anchorBucket];
    if (bucket) Object.assign(bucket, { isLocked: false, retentionPeriod: 0 });
    const refused = runScript('provision', ENV, { state: unlocked, env: TODAY });
    expect(refused.status).toBe(0);
    expect(refused.stderr).toContain('Aborted by user');
    expect(refused.state.buckets[s.anchorBucket]).toMatchObject({
      isLocked: false,
      retentionPeriod: 400 * 86_400,
    });
    expect(refused.stdout).toContain(
      `gcloud storage buckets update gs://${s.anchorBucket} --project=${s.project} --lock-retention-period`,
    );
    expect(refused.calls.some((call) => call[1] === 'functions')).toBe(false);
    expect(refused.calls.some((call) => call[0] === 'npm')).toBe(false);
    const confirmed = runScript('provision', ENV, {
      state: refused.state,
      env: TODAY,
      input: CONFIRM,
    });
    expect(confirmed.status).toBe(0);
    expect(confirmed.state.buckets[s.anchorBucket]?.isLocked).toBe(true);
    expect(changes(confirmed.calls)).toEqual([
      `gcloud storage buckets update gs://${s.anchorBucket}`,
      'gcloud functions deploy sharedContacts',
    ]);
  });

  it('writes a generated database password into the user and database_url, never on a command line or the screen', () => {
    const password = passwordOf(first.state);
    expect(password.length).toBeGreaterThanOrEqual(40);
    const [url] = secretOf(first.state, 'database_url');
    expect(url).toBe(
      `postgresql://${s.databaseUser}:${password}@/${s.database}?host=/cloudsql/${s.sqlConnection}`,
    );
    // pg, as the backend opens it, reads a unix socket under the function's Cloud SQL connection.
    const client = new Client({ connectionString: url });
    expect({ host: client.host, user: client.user, database: client.database }).toEqual({
      host: `/cloudsql/${s.sqlConnection}`,
      user: s.databaseUser,
      database: s.database,
    });
    const everything = shown(first, second, third);
    for (const value of [password, url ?? '', ...Object.values(PERSON_SET)])
      expect(everything).not.toContain(value);
    expect(Object.values(second.state.functions)[0]?.envVars).not.toContain(password);
  });

  it('creates nothing the second time, and deploys once every secret holds a value', () => {
    expect(second.status).toBe(0);
    expect(changes(second.calls)).toEqual([
      'gcloud functions deploy sharedContacts',
      `gcloud run services update ${s.runService}`,
    ]);
    expect(second.stdout).toContain(`service account ${s.brokerAccount} exists`);
    expect(second.stdout).toContain(`database user ${s.databaseUser} exists`);
    expect(second.state.runServices[`${s.project}/${s.region}/${s.runService}`]).toEqual({
      cloudsqlInstances: [s.sqlConnection],
    });
    const deployed = second.state.functions[`${s.project}/${s.region}/${s.functionName}`];
    expect(deployed?.flags).toMatchObject({
      runtime: 'nodejs24',
      'min-instances': String(s.minInstances),
      'max-instances': String(s.maxInstances),
    });
    expect(deployed?.envVars).toContain('NODE_ENV: "production"');
    expect(passwordOf(second.state)).toBe(passwordOf(first.state));

    expect(third.status).toBe(0);
    expect(changes(third.calls)).toEqual(['gcloud functions deploy sharedContacts']);
    expect(third.state.secrets).toEqual(second.state.secrets);
  });

  it('schedules the scan as a service account that the deployed function accepts as invoker', () => {
    const job = first.state.schedulerJobs[`${s.project}/${s.region}/${s.scanJob}`];
    expect(job).toMatchObject({
      uri: `${s.backendUrl}/v1/scan`,
      'http-method': 'post',
      'message-body': '{}',
      schedule: '*/10 * * * *',
      'oidc-service-account-email': s.schedulerAccount,
      'oidc-token-audience': s.backendUrl,
    });
    const envVars = Object.values(second.state.functions)[0]?.envVars ?? '';
    expect(envVars).toContain(`SCHEDULER_INVOKERS: "${s.schedulerAccount}"`);
    expect(envVars).toMatch(new RegExp(`AUTH_AUDIENCES: "[^"]*${s.backendUrl}"`));
  });

  it('makes a new password when a stopped run left the database user without its URL', () => {
    const stopped = structuredClone(first.state);
    const databaseUrl = stopped.secrets[`${s.project}/database_url`];
    if (databaseUrl) databaseUrl.versions = [];
    const resumed = runScript('provision', ENV, { state: stopped, env: TODAY });
    expect(resumed.status).toBe(0);
    expect(changes(resumed.calls)).toEqual([
      `gcloud sql users set-password ${s.databaseUser}`,
      'gcloud secrets versions add database_url',
    ]);
    const after = passwordOf(resumed.state);
    expect(after).not.toBe(passwordOf(first.state));
    expect(secretOf(resumed.state, 'database_url')[0]).toContain(`:${after}@`);
    expect(shown(resumed)).not.toContain(after);
  });
});

describe('provisioning, restricted', () => {
  it('grants the deployers named in DEPLOYERS, and refuses a list it cannot read', () => {
    const run = runScript('provision', 'prod', {
      env: { ...TODAY, DEPLOYERS: 'group:deployers@vendor.example,user:rm@vendor.example' },
    });
    const p = environmentSettings('prod');
    expect(run.status).toBe(0);
    expect(run.calls.some((call) => call[1] === 'config')).toBe(false);
    expect(run.state.policies[`serviceAccount/${p.brokerAccount}`]).toEqual(
      expect.arrayContaining([
        [TOKEN_CREATOR, 'group:deployers@vendor.example'],
        ['roles/iam.serviceAccountUser', 'user:rm@vendor.example'],
      ]),
    );
    expect(JSON.stringify(run.state.policies)).not.toContain(DEPLOYER);

    const refused = runScript('provision', 'prod', { env: { DEPLOYERS: 'rm@vendor.example' } });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('DEPLOYERS must be a comma list');
    expect(refused.calls).toEqual([]);
  });

  it('is never run from CI, and only for dev, staging and prod', () => {
    const ci = runScript('provision', 'staging', { env: { CI: 'true' } });
    expect(ci.status).toBe(2);
    expect(ci.stderr).toContain('never run from CI');
    expect(ci.calls).toEqual([]);
    const local = runScript('provision', 'local');
    expect(local.status).toBe(2);
    expect(local.calls).toEqual([]);
  });
});
