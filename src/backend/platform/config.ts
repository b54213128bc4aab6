/**
 * This file defines the backend's configuration: every setting, its default, and how it is read
 * from environment variables. Vendor staff (security managers, support agents) come only from here.
 */
import type { DeliveryOptions } from '../rules/notifier';

/** Thresholds of the anomaly rules (DESIGN.md §7). Windows are in seconds. */
export interface RuleThresholds {
  /** One actor opening this many distinct users of one domain within the window raises an alert. */
  distinctUsers: number;
  distinctUsersWindowSeconds: number;
  /** This many failed second-factor checks by one actor within the window. */
  otpFailures: number;
  otpFailuresWindowSeconds: number;
  /** This many revocations or deletions by one actor within the window. */
  massRevocations: number;
  massRevocationsWindowSeconds: number;
  /** One actor reaching this many distinct accounts through the share gateway within the window. */
  tokenVolume: number;
  tokenVolumeWindowSeconds: number;
}

/** Everything the backend needs to run. */
export interface BackendConfig {
  /** postgres:// URL; when absent the backend uses PGlite. */
  databaseUrl?: string;
  /** PostgreSQL schema holding the tables (default `public`); tests use one schema per file. */
  databaseSchema: string;
  /** Folder of a persistent PGlite database; in memory when absent. */
  pgliteDir?: string;
  /** Accepted `aud` values of ID tokens: the OAuth client ids of the add-on's scripts. */
  authAudiences: string[];
  /** A file in the format of Google's oauth2/v1/certs (key id → PEM); Google's certs when absent. */
  authCertsFile?: string;
  securityManagers: string[];
  supportAgents: string[];
  /** Service accounts (e.g. Cloud Scheduler's) allowed to call /v1/scan. */
  schedulerInvokers: string[];
  /** The service account whose domain-wide delegation mints the delegated tokens. */
  serviceAccountEmail: string;
  /** `iam`: sign with IAM Credentials signJwt; `local`: a key generated at start-up. */
  signer: 'iam' | 'local';
  googleTokenUrl: string;
  iamCredentialsUrl: string;
  adminDirectoryUrl: string;
  /** The Groups Settings API's base URL (who may view a group's members). */
  groupsSettingsUrl: string;
  /** The People API's base URL (the share gateway's calls in other users' accounts). */
  peopleApiUrl: string;
  /** Seconds before expiry at which a cached delegated token is no longer handed out. */
  tokenRefreshMarginSeconds: number;
  /** Seconds an admin check (Directory users.get) is cached. */
  adminCacheSeconds: number;
  /** Seconds after which a customer's domains (and a domain's customer) are read again. */
  tenantRefreshSeconds: number;
  /** Refused requests per caller per minute that are audited; further ones get 429 unaudited. */
  refusalsPerMinute: number;
  rules: RuleThresholds;
  /** Google Chat incoming-webhook URL for alerts; no notification when absent. */
  alertWebhookUrl?: string;
  /** Timing of alert notifications (notifier.ts DEFAULT_DELIVERY when absent). */
  alertDelivery?: Partial<DeliveryOptions>;
  /** Requests per caller per minute. */
  rateLimitPerMinute: number;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Google Cloud project id, for the trace field of log entries. */
  projectId?: string;
  /** Key ring sealing support agents' OTP secrets (`keyId:base64key,…`, OTP_ENCRYPTION_KEYS). */
  otpEncryptionKeys?: string;
  /**
   * Cloud Storage bucket (with a locked retention policy) receiving the signed audit anchors;
   * anchoring is off when absent (refused in production).
   */
  anchorBucket?: string;
  /** The Cloud Storage JSON API (https://storage.googleapis.com). */
  storageUrl: string;
  /** Where Google publishes service accounts' public keys as JWK, without the account. */
  serviceAccountKeysUrl: string;
  /** The fixed interval between audit anchors, in seconds (3600). */
  anchorIntervalSeconds: number;
  /** Days audit events are kept unless the tenant's policy says otherwise (400). */
  auditRetentionDays: number;
  /**
   * Key of the admin card's signed download links (DOWNLOAD_LINK_KEY, a secret); when absent it
   * is derived from the OTP key ring, else generated at start (admin/download-links.ts).
   */
  downloadLinkKey?: string;
  /** How long a signed download link is valid. */
  downloadLinkSeconds: number;
  /** NODE_ENV=production: settings only fit for local runs are refused (productionProblems). */
  production: boolean;
}

/** Configuration that does not parse. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function emails(value: string | undefined): string[] {
  return list(value).map((item) => item.toLowerCase());
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** The default rule thresholds: 3 distinct users in 10 minutes, and so on. */
export const DEFAULT_RULES: RuleThresholds = {
  distinctUsers: 3,
  distinctUsersWindowSeconds: 600,
  otpFailures: 5,
  otpFailuresWindowSeconds: 600,
  massRevocations: 20,
  massRevocationsWindowSeconds: 600,
  tokenVolume: 500,
  tokenVolumeWindowSeconds: 600,
};

/** Returns a complete configuration from defaults and the given overrides (used by tests). */
export function defaultConfig(overrides: Partial<BackendConfig> = {}): BackendConfig {
  return {
    databaseSchema: 'public',
    authAudiences: [],
    securityManagers: [],
    supportAgents: [],
    schedulerInvokers: [],
    serviceAccountEmail: 'shared-contacts@local-project.iam.gserviceaccount.com',
    signer: 'local',
    googleTokenUrl: 'https://oauth2.googleapis.com/token',
    iamCredentialsUrl: 'https://iamcredentials.googleapis.com',
    adminDirectoryUrl: 'https://admin.googleapis.com',
    groupsSettingsUrl: 'https://www.googleapis.com',
    peopleApiUrl: 'https://people.googleapis.com',
    tokenRefreshMarginSeconds: 120,
    adminCacheSeconds: 300,
    tenantRefreshSeconds: 6 * 3600,
    refusalsPerMinute: 60,
    rules: DEFAULT_RULES,
    rateLimitPerMinute: 600,
    maxBodyBytes: 1024 * 1024 + 4096,
    storageUrl: 'https://storage.googleapis.com',
    serviceAccountKeysUrl: 'https://www.googleapis.com/service_accounts/v1/metadata/jwk',
    anchorIntervalSeconds: 3600,
    auditRetentionDays: 400,
    downloadLinkSeconds: 300,
    production: false,
    ...overrides,
  };
}

/** Reads the configuration from environment variables; throws ConfigError on a bad value. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  const signer = env.SIGNER ?? 'local';
  if (signer !== 'iam' && signer !== 'local')
    throw new ConfigError(`SIGNER must be "iam" or "local", got "${signer}"`);
  const audiences = list(env.AUTH_AUDIENCES);
  if (audiences.length === 0)
    throw new ConfigError('AUTH_AUDIENCES must name at least one OAuth client id');
  const base = defaultConfig();
  const config = defaultConfig({
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || 'public',
    pgliteDir: env.PGLITE_DIR || undefined,
    authAudiences: audiences,
    authCertsFile: env.AUTH_CERTS_FILE || undefined,
    securityManagers: emails(env.STAFF_SECURITY_MANAGERS),
    supportAgents: emails(env.STAFF_SUPPORT_AGENTS),
    schedulerInvokers: emails(env.SCHEDULER_INVOKERS),
    serviceAccountEmail: env.SERVICE_ACCOUNT_EMAIL || base.serviceAccountEmail,
    signer,
    googleTokenUrl: env.GOOGLE_TOKEN_URL || base.googleTokenUrl,
    iamCredentialsUrl: env.IAM_CREDENTIALS_URL || base.iamCredentialsUrl,
    adminDirectoryUrl: env.ADMIN_DIRECTORY_URL || base.adminDirectoryUrl,
    groupsSettingsUrl: env.GROUPS_SETTINGS_URL || base.groupsSettingsUrl,
    peopleApiUrl: env.PEOPLE_API_URL || base.peopleApiUrl,
    tokenRefreshMarginSeconds: positiveInt(env, 'TOKEN_REFRESH_MARGIN_SECONDS', 120),
    adminCacheSeconds: positiveInt(env, 'ADMIN_CACHE_SECONDS', 300),
    tenantRefreshSeconds: positiveInt(env, 'TENANT_REFRESH_SECONDS', base.tenantRefreshSeconds),
    refusalsPerMinute: positiveInt(env, 'REFUSALS_PER_MINUTE', base.refusalsPerMinute),
    rules: {
      distinctUsers: positiveInt(env, 'RULE_DISTINCT_USERS', DEFAULT_RULES.distinctUsers),
      distinctUsersWindowSeconds: positiveInt(
        env,
        'RULE_DISTINCT_USERS_WINDOW_SECONDS',
        DEFAULT_RULES.distinctUsersWindowSeconds,
      ),
      otpFailures: positiveInt(env, 'RULE_OTP_FAILURES', DEFAULT_RULES.otpFailures),
      otpFailuresWindowSeconds: positiveInt(
        env,
        'RULE_OTP_FAILURES_WINDOW_SECONDS',
        DEFAULT_RULES.otpFailuresWindowSeconds,
      ),
      massRevocations: positiveInt(env, 'RULE_MASS_REVOCATIONS', DEFAULT_RULES.massRevocations),
      massRevocationsWindowSeconds: positiveInt(
        env,
        'RULE_MASS_REVOCATIONS_WINDOW_SECONDS',
        DEFAULT_RULES.massRevocationsWindowSeconds,
      ),
      tokenVolume: positiveInt(env, 'RULE_TOKEN_VOLUME', DEFAULT_RULES.tokenVolume),
      tokenVolumeWindowSeconds: positiveInt(
        env,
        'RULE_TOKEN_VOLUME_WINDOW_SECONDS',
        DEFAULT_RULES.tokenVolumeWindowSeconds,
      ),
    },
    alertWebhookUrl: env.ALERT_WEBHOOK_URL || undefined,
    alertDelivery: {
      baseDelayMs: positiveInt(env, 'ALERT_RETRY_BASE_MS', 200),
      leaseMs: positiveInt(env, 'ALERT_LEASE_SECONDS', 30) * 1000,
    },
    rateLimitPerMinute: positiveInt(env, 'RATE_LIMIT_PER_MINUTE', 600),
    projectId: env.GOOGLE_CLOUD_PROJECT || undefined,
    otpEncryptionKeys: env.OTP_ENCRYPTION_KEYS || undefined,
    anchorBucket: env.ANCHOR_BUCKET || undefined,
    storageUrl: env.STORAGE_URL || base.storageUrl,
    serviceAccountKeysUrl: env.SERVICE_ACCOUNT_KEYS_URL || base.serviceAccountKeysUrl,
    anchorIntervalSeconds: positiveInt(env, 'ANCHOR_INTERVAL_SECONDS', 3600),
    auditRetentionDays: positiveInt(env, 'AUDIT_RETENTION_DAYS', 400),
    downloadLinkKey: env.DOWNLOAD_LINK_KEY || undefined,
    downloadLinkSeconds: positiveInt(env, 'DOWNLOAD_LINK_SECONDS', 300),
    production: env.NODE_ENV === 'production',
  });
  const problems = productionProblems(config);
  if (problems.length > 0)
    throw new ConfigError(`NODE_ENV=production refuses this configuration: ${problems.join('; ')}`);
  return config;
}

/**
 * What a production deployment (NODE_ENV=production) may not run with: an in-memory or local
 * database, a signing key made at start-up, ID-token keys from a file instead of Google's, Google
 * endpoints replaced, or no anchoring of the audit chains outside the database.
 */
export function productionProblems(config: BackendConfig): string[] {
  if (!config.production) return [];
  const base = defaultConfig();
  const problems: string[] = [];
  if (!config.databaseUrl) problems.push('DATABASE_URL is required (no PGlite)');
  if (config.pgliteDir) problems.push('PGLITE_DIR is for local runs');
  if (config.signer !== 'iam') problems.push('SIGNER must be iam (no key made at start-up)');
  if (config.authCertsFile)
    problems.push("AUTH_CERTS_FILE is for local runs (Google's certs are used)");
  for (const key of [
    'googleTokenUrl',
    'iamCredentialsUrl',
    'adminDirectoryUrl',
    'peopleApiUrl',
    'storageUrl',
    'serviceAccountKeysUrl',
  ] as const)
    if (config[key] !== base[key]) problems.push(`${key} must be Google's (${base[key]})`);
  if (!config.anchorBucket)
    problems.push('ANCHOR_BUCKET is required: the audit chains are anchored outside the database');
  return problems;
}
