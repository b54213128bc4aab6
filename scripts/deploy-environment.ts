/**
 * This file defines what the provision and deploy scripts know about an environment: its Google
 * Cloud project, region and function (from config/<env>.json's backendUrl), the names and sizes of
 * what is provisioned for it, and whether a Cloud Run functions runtime may still be deployed on a
 * given day (the support schedule in config/runtime-schedule.json). The shell scripts run it:
 *   tsx scripts/deploy-environment.ts settings dev|staging|prod   shell assignments, for eval
 *   tsx scripts/deploy-environment.ts runtime RUNTIME             exit 1 once it is decommissioned
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** The environments that are deployed to Google Cloud (local runs on the emulator only). */
export const DEPLOYABLE_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type DeployableEnvironment = (typeof DEPLOYABLE_ENVIRONMENTS)[number];

/**
 * The secrets the backend reads (src/backend/platform/config.ts): environment variable → Secret Manager
 * secret. Each reaches the function only as a secret reference; provision creates them empty,
 * writes database_url itself (it holds the password it generates) and a person sets the others.
 */
export const SECRETS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'database_url',
  OTP_ENCRYPTION_KEYS: 'otp_encryption_keys',
  ALERT_WEBHOOK_URL: 'alert_webhook_url',
};

/**
 * The APIs an environment's project needs: Cloud Run functions (2nd gen builds with Cloud Build
 * into Artifact Registry and runs on Cloud Run), Cloud SQL Admin (the function's Cloud SQL
 * connection), Secret Manager, Cloud Scheduler, IAM and IAM Credentials (signJwt and signBlob),
 * Cloud Storage (the audit anchors' bucket), and the Admin SDK and People APIs that the backend and
 * the add-on call.
 */
export const APIS = [
  'cloudfunctions.googleapis.com',
  'run.googleapis.com',
  'cloudbuild.googleapis.com',
  'artifactregistry.googleapis.com',
  'sqladmin.googleapis.com',
  'secretmanager.googleapis.com',
  'cloudscheduler.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'storage.googleapis.com',
  'admin.googleapis.com',
  'people.googleapis.com',
];

interface Sizes {
  /** Cloud SQL machine tier (dedicated-core: shared-core tiers carry no SLA). */
  sqlTier: string;
  /** `zonal`, or `regional` for a standby in a second zone. */
  sqlAvailability: 'zonal' | 'regional';
  minInstances: number;
  maxInstances: number;
}

/**
 * Each environment's sizes. maxInstances × the backend's pool of 10 connections
 * (src/backend/platform/db.ts) stays at or under 100, which the default max_connections of these tiers
 * allows (Cloud SQL for PostgreSQL quotas and limits, cloud.google.com/sql/docs/postgres/quotas;
 * the exact defaults per tier are unconfirmed here). Production keeps one instance warm so that a
 * card action (30 s at most) never waits for a cold start.
 */
const SIZES: Record<DeployableEnvironment, Sizes> = {
  dev: { sqlTier: 'db-custom-1-3840', sqlAvailability: 'zonal', minInstances: 0, maxInstances: 3 },
  staging: {
    sqlTier: 'db-custom-1-3840',
    sqlAvailability: 'zonal',
    minInstances: 0,
    maxInstances: 5,
  },
  prod: {
    sqlTier: 'db-custom-2-7680',
    sqlAvailability: 'regional',
    minInstances: 1,
    maxInstances: 10,
  },
};

/** Everything the scripts need about one environment; every name is derived here, once. */
export interface EnvironmentSettings {
  environment: DeployableEnvironment;
  project: string;
  region: string;
  /** The function's name, as in the backend URL (the entry point is sharedContacts). */
  functionName: string;
  /** The Cloud Run service under the 2nd-gen function: the name lower-cased, `_` as `-`. */
  runService: string;
  backendUrl: string;
  /** The add-on's OAuth client id: the `aud` of the users' ID tokens. */
  audience: string;
  /** The function's identity: signs delegation JWTs through IAM signJwt, reads the secrets. */
  brokerAccount: string;
  /** The identity Cloud Scheduler puts in the OIDC token of its /v1/scan calls. */
  schedulerAccount: string;
  sqlInstance: string;
  /** PROJECT:REGION:INSTANCE; the function reaches it at /cloudsql/<this> (a unix socket). */
  sqlConnection: string;
  sqlVersion: string;
  sqlTier: string;
  sqlAvailability: 'zonal' | 'regional';
  database: string;
  databaseUser: string;
  minInstances: number;
  maxInstances: number;
  scanJob: string;
  /** Every 10 minutes, the default window of the windowed anomaly rules (src/backend/platform/config.ts). */
  scanSchedule: string;
  scanUri: string;
  /**
   * The Cloud Storage bucket of the signed audit anchors (the backend's ANCHOR_BUCKET): its
   * retention policy is locked, the function's service account may create and read objects in it
   * and nothing more (roles/storage.objectCreator, roles/storage.objectViewer).
   */
  anchorBucket: string;
  /** The bucket's retention period, as `gcloud storage buckets create --retention-period` takes it. */
  anchorRetention: string;
  /** The same period in seconds, as the bucket's retention policy reports it. */
  anchorRetentionSeconds: number;
}

/** How long an audit anchor is kept unchangeable: the audit trail's default retention, 400 days. */
const ANCHOR_RETENTION_DAYS = 400;

/** A setting that does not hold; the scripts print its message and stop with status 2. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

const SERVICE_ACCOUNT =
  /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/**
 * Returns the settings of a deployable environment. `brokerAccount` may be overridden (the
 * deploy script's SERVICE_ACCOUNT_EMAIL), but only by a service account of the same project.
 */
export function environmentSettings(
  name: string,
  overrides: { brokerAccount?: string } = {},
): EnvironmentSettings {
  if (!(DEPLOYABLE_ENVIRONMENTS as readonly string[]).includes(name))
    throw new SettingsError(
      `unknown environment "${name}" (dev, staging or prod; local runs on the emulator)`,
    );
  const environment = name as DeployableEnvironment;
  const config = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'config', `${environment}.json`), 'utf8'),
  ) as { backendUrl: string; oauthClientId: string };
  const url = new URL(config.backendUrl);
  const host = /^([a-z]+-[a-z]+[0-9]+)-([a-z][a-z0-9-]{4,28}[a-z0-9])\.cloudfunctions\.net$/.exec(
    url.hostname,
  );
  const functionName = url.pathname.replace(/^\//, '');
  if (
    url.protocol !== 'https:' ||
    !host?.[1] ||
    !host[2] ||
    !/^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(functionName)
  )
    throw new SettingsError(
      `config/${environment}.json: backendUrl must be https://REGION-PROJECT.cloudfunctions.net/FUNCTION`,
    );
  if (!/^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$/.test(config.oauthClientId))
    throw new SettingsError(
      `config/${environment}.json: oauthClientId must be an OAuth client id (…apps.googleusercontent.com)`,
    );
  const [region, project] = [host[1], host[2]];
  const brokerAccount =
    overrides.brokerAccount || `shared-contacts-broker@${project}.iam.gserviceaccount.com`;
  if (
    !SERVICE_ACCOUNT.test(brokerAccount) ||
    !brokerAccount.endsWith(`@${project}.iam.gserviceaccount.com`)
  )
    throw new SettingsError(
      `SERVICE_ACCOUNT_EMAIL must be a service account of ${project} (NAME@${project}.iam.gserviceaccount.com)`,
    );
  const backendUrl = `${url.origin}/${functionName}`;
  const sqlInstance = 'shared-contacts';
  return {
    environment,
    project,
    region,
    functionName,
    runService: functionName.toLowerCase().replace(/_/g, '-'),
    backendUrl,
    audience: config.oauthClientId,
    brokerAccount,
    schedulerAccount: `shared-contacts-scheduler@${project}.iam.gserviceaccount.com`,
    sqlInstance,
    sqlConnection: `${project}:${region}:${sqlInstance}`,
    sqlVersion: 'POSTGRES_16',
    database: 'shared_contacts',
    databaseUser: 'shared_contacts',
    scanJob: 'shared-contacts-scan',
    scanSchedule: '*/10 * * * *',
    scanUri: `${backendUrl}/v1/scan`,
    anchorBucket: `${project}-audit-anchors`,
    anchorRetention: `${ANCHOR_RETENTION_DAYS}d`,
    anchorRetentionSeconds: ANCHOR_RETENTION_DAYS * 86_400,
    ...SIZES[environment],
  };
}

/** The settings as shell assignments (snake_case names, single-quoted values) for `eval`. */
export function shellAssignments(settings: EnvironmentSettings): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const lines = Object.entries(settings).map(
    ([name, value]) => `${snake(name)}=${quote(String(value))}`,
  );
  lines.push(
    `secrets=${quote(
      Object.entries(SECRETS)
        .map(([variable, secret]) => `${variable}=${secret}`)
        .join(' '),
    )}`,
    `apis=${quote(APIS.join(' '))}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The Cloud Run functions runtime support schedule, as kept in config/runtime-schedule.json. */
export interface RuntimeSchedule {
  source: string;
  checked: string;
  runtimes: Record<string, { deprecated: string; decommissioned: string }>;
}

/** Reads config/runtime-schedule.json. */
export function readRuntimeSchedule(): RuntimeSchedule {
  return JSON.parse(
    fs.readFileSync(path.join(ROOT, 'config', 'runtime-schedule.json'), 'utf8'),
  ) as RuntimeSchedule;
}

/** Whether a runtime may be deployed on a day, and what to tell the deployer. */
export interface RuntimeVerdict {
  allowed: boolean;
  /** Why it is refused, or a warning while it is deprecated; absent when nothing is to be said. */
  message?: string;
}

/**
 * Judges a runtime against the schedule on `today` (YYYY-MM-DD, UTC): refused from its
 * decommission date on (Google then creates and updates no function on it) or when the schedule
 * does not list it; allowed with a warning from its deprecation date on.
 */
export function runtimeVerdict(
  runtime: string,
  today: string,
  schedule: RuntimeSchedule = readRuntimeSchedule(),
): RuntimeVerdict {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || Number.isNaN(Date.parse(`${today}T00:00:00Z`)))
    throw new SettingsError(`"${today}" is not a date (YYYY-MM-DD)`);
  const supported = Object.entries(schedule.runtimes)
    .filter(([, dates]) => today < dates.decommissioned)
    .map(([name, dates]) => `${name} until ${dates.decommissioned}`)
    .join(', ');
  const instead = supported ? `deploy on a supported runtime: ${supported}` : 'no runtime is left';
  const dates = schedule.runtimes[runtime];
  if (!dates)
    return {
      allowed: false,
      message: `${runtime} is not in the runtime support schedule (config/runtime-schedule.json, from ${schedule.source}); ${instead}`,
    };
  if (today >= dates.decommissioned)
    return {
      allowed: false,
      message: `${runtime} was decommissioned on ${dates.decommissioned} (Cloud Run functions runtime support schedule, ${schedule.source}): no function can be created or updated on it; ${instead}`,
    };
  if (today >= dates.deprecated) {
    const current = Object.entries(schedule.runtimes)
      .filter(([, other]) => today < other.deprecated)
      .map(([name]) => name);
    const move = current.length
      ? `move to ${current.join(' or ')}`
      : 'check the schedule for a newer runtime';
    return {
      allowed: true,
      message: `${runtime} is deprecated since ${dates.deprecated} and decommissioned on ${dates.decommissioned} (${schedule.source}); ${move}`,
    };
  }
  return { allowed: true };
}

/** Today in UTC as YYYY-MM-DD, or DEPLOY_TODAY when set (tests compare with a chosen day). */
export function deployToday(env: NodeJS.ProcessEnv = process.env): string {
  return env.DEPLOY_TODAY || new Date().toISOString().slice(0, 10);
}

function main(argv: string[]): number {
  const [command, argument] = argv;
  try {
    if (command === 'settings' && argument) {
      const settings = environmentSettings(argument, {
        brokerAccount: process.env.SERVICE_ACCOUNT_EMAIL,
      });
      process.stdout.write(shellAssignments(settings));
      return 0;
    }
    if (command === 'runtime' && argument) {
      const verdict = runtimeVerdict(argument, deployToday());
      if (verdict.message)
        process.stderr.write(`${verdict.allowed ? 'warning' : 'refused'}: ${verdict.message}\n`);
      return verdict.allowed ? 0 : 1;
    }
    process.stderr.write(
      'usage: deploy-environment.ts settings dev|staging|prod | runtime RUNTIME\n',
    );
    return 2;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
