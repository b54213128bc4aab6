/**
 * This file tests the backend's configuration for this settings: the anchoring, retention
 * and alert-delivery variables, and production mode (NODE_ENV=production), which refuses every
 * setting only fit for local runs: PGlite, a start-up signing key, ID-token keys from a file,
 * Google endpoints replaced, and no anchoring of the audit chains.
 */
import { ConfigError, configFromEnv, productionProblems } from '../../src/backend/platform/config';

const PRODUCTION: NodeJS.ProcessEnv = {
  NODE_ENV: 'production',
  AUTH_AUDIENCES: 'client.apps.googleusercontent.com',
  DATABASE_URL: 'postgres://app@10.0.0.3:5432/contacts',
  SIGNER: 'iam',
  ANCHOR_BUCKET: 'shared-contacts-audit-anchors',
};

describe('backend configuration', () => {
  it('reads the anchoring, retention and alert-delivery settings, with their defaults', () => {
    const defaults = configFromEnv({ AUTH_AUDIENCES: 'a' });
    expect(defaults).toMatchObject({
      anchorBucket: undefined,
      anchorIntervalSeconds: 3600,
      auditRetentionDays: 400,
      storageUrl: 'https://storage.googleapis.com',
      serviceAccountKeysUrl: 'https://www.googleapis.com/service_accounts/v1/metadata/jwk',
      alertDelivery: { baseDelayMs: 200, leaseMs: 30_000 },
      production: false,
    });
    expect(
      configFromEnv({
        AUTH_AUDIENCES: 'a',
        ANCHOR_BUCKET: 'b',
        ANCHOR_INTERVAL_SECONDS: '900',
        AUDIT_RETENTION_DAYS: '730',
        ALERT_RETRY_BASE_MS: '50',
        ALERT_LEASE_SECONDS: '5',
      }),
    ).toMatchObject({
      anchorBucket: 'b',
      anchorIntervalSeconds: 900,
      auditRetentionDays: 730,
      alertDelivery: { baseDelayMs: 50, leaseMs: 5000 },
    });
    expect(() => configFromEnv({ AUTH_AUDIENCES: 'a', AUDIT_RETENTION_DAYS: '-1' })).toThrow(
      ConfigError,
    );
  });

  it('accepts a production configuration', () => {
    const config = configFromEnv(PRODUCTION);
    expect(config.production).toBe(true);
    expect(productionProblems(config)).toEqual([]);
  });

  it.each([
    ['no DATABASE_URL', { DATABASE_URL: undefined }, /DATABASE_URL is required/],
    ['a PGlite folder', { PGLITE_DIR: '/tmp/db' }, /PGLITE_DIR/],
    ['a start-up signing key', { SIGNER: 'local' }, /SIGNER must be iam/],
    ['ID-token keys from a file', { AUTH_CERTS_FILE: '/tmp/certs.json' }, /AUTH_CERTS_FILE/],
    [
      'an emulated token endpoint',
      { GOOGLE_TOKEN_URL: 'http://127.0.0.1:8400/token' },
      /googleTokenUrl/,
    ],
    ['an emulated People API', { PEOPLE_API_URL: 'http://127.0.0.1:8400' }, /peopleApiUrl/],
    ['an emulated Cloud Storage', { STORAGE_URL: 'http://127.0.0.1:8400' }, /storageUrl/],
    ['no anchor bucket', { ANCHOR_BUCKET: undefined }, /ANCHOR_BUCKET is required/],
  ])('refuses %s in production', (_name, change, reason) => {
    expect(() => configFromEnv({ ...PRODUCTION, ...change })).toThrow(reason);
    expect(() =>
      configFromEnv({ ...PRODUCTION, ...change, NODE_ENV: 'development' }),
    ).not.toThrow();
  });
});
