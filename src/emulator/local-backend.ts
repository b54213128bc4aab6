/**
 * This file starts the backend on PGlite wired to a running API emulator, as `npm start` and the
 * end-to-end tests need it: ID tokens trusted through a certificates file holding the emulator's
 * keys, Google's token, IAM, Directory and Cloud Storage URLs at the emulator, a signing key
 * generated at start-up, registered with the emulator and granted domain-wide delegation in the
 * given domains, and the audit anchors in an emulated bucket with a locked retention policy,
 * signed with a second start-up key that the emulator publishes as the account's.
 */
import { GRANTED_SCOPES } from '../core/google-scopes';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBackendServer, type BackendOptions, type BackendServer } from '../backend/app';
import { defaultConfig, type BackendConfig } from '../backend/platform/config';
import { LocalKeySigner } from '../backend/platform/signer';
import { LocalBlobSigner } from '../backend/audit/blob-signer';
import { runScheduledWork } from '../backend/audit/scheduled';
import type { WorkspaceEmulator } from './api';

/** The broker's service account in local runs. */
export const LOCAL_SERVICE_ACCOUNT = 'shared-contacts-broker@local-project.iam.gserviceaccount.com';

/** The emulated bucket of the local audit anchors (400 days of locked retention). */
export const LOCAL_ANCHOR_BUCKET = 'shared-contacts-local-audit-anchors';

/** The scopes a domain's admin grants the broker (docs/marketplace.md). */
export const DELEGATED_SCOPES = GRANTED_SCOPES;

/** How to start a local backend. */
export interface LocalBackendOptions {
  emulator: WorkspaceEmulator;
  /** The emulator's HTTP server, e.g. http://127.0.0.1:8400. */
  emulatorBaseUrl: string;
  /** The add-on's OAuth client id: the audience of the ID tokens the backend accepts. */
  audience: string;
  /** Domains whose admins granted the broker domain-wide delegation. */
  delegatedDomains: string[];
  config?: Partial<BackendConfig>;
  logger?: BackendOptions['logger'];
  /**
   * Every this many seconds, do what Cloud Scheduler's call of /v1/scan does besides the rules
   * (alert notifications, retention, the audit anchor when due); off when absent.
   */
  schedulerSeconds?: number;
  /** The backend's time (default Date.now): the local stack gives it the emulator's wall clock. */
  clock?: () => number;
}

/** Starts the backend on PGlite against the emulator; `close()` also removes the certificates file. */
export async function startLocalBackend(options: LocalBackendOptions): Promise<BackendServer> {
  const { emulator, emulatorBaseUrl: base } = options;
  const certsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-contacts-certs-'));
  const removeCerts = () => fs.rmSync(certsDir, { recursive: true, force: true });
  try {
    const certsFile = path.join(certsDir, 'certs.json');
    fs.writeFileSync(certsFile, JSON.stringify(emulator.idTokens.certs()));
    const signer = new LocalKeySigner(LOCAL_SERVICE_ACCOUNT);
    const anchorSigner = new LocalBlobSigner(LOCAL_SERVICE_ACCOUNT);
    if (!emulator.storage.buckets.has(LOCAL_ANCHOR_BUCKET))
      emulator.createBucket({
        name: LOCAL_ANCHOR_BUCKET,
        retentionSeconds: 400 * 86_400,
        locked: true,
        writers: [LOCAL_SERVICE_ACCOUNT],
      });
    emulator.registerServiceAccountKey(
      LOCAL_SERVICE_ACCOUNT,
      anchorSigner.publicKeyPem,
      anchorSigner.keyId,
    );
    const backend = await startBackendServer({
      config: defaultConfig({
        authAudiences: [options.audience],
        authCertsFile: certsFile,
        serviceAccountEmail: LOCAL_SERVICE_ACCOUNT,
        googleTokenUrl: `${base}/token`,
        iamCredentialsUrl: base,
        adminDirectoryUrl: base,
        groupsSettingsUrl: base,
        peopleApiUrl: base,
        anchorBucket: LOCAL_ANCHOR_BUCKET,
        storageUrl: base,
        serviceAccountKeysUrl: `${base}/service_accounts/v1/metadata/jwk`,
        ...options.config,
      }),
      signer,
      anchorSigner,
      // The backend's own token for the emulated Cloud Storage, as ADC gives it in production.
      ownAccessToken: async () =>
        emulator.mintAccessToken(LOCAL_SERVICE_ACCOUNT, ['cloud-platform'], 600),
      logger: options.logger,
      clock: options.clock,
    });
    const clientId = emulator.registerServiceAccountKey(
      LOCAL_SERVICE_ACCOUNT,
      signer.publicKeyPem,
      signer.keyId,
    );
    for (const domain of options.delegatedDomains)
      emulator.grantDomainWideDelegation(domain, clientId, DELEGATED_SCOPES);
    const { services } = backend.backend;
    const scheduler =
      options.schedulerSeconds === undefined
        ? undefined
        : setInterval(() => {
            runScheduledWork(services).catch((error: unknown) =>
              services.logger.log('WARNING', 'local scheduled work failed', {
                error: error instanceof Error ? error.message : String(error),
              }),
            );
          }, options.schedulerSeconds * 1000);
    scheduler?.unref();
    return {
      ...backend,
      async close() {
        if (scheduler) clearInterval(scheduler);
        await backend.close();
        removeCerts();
      },
    };
  } catch (error) {
    removeCerts();
    throw error;
  }
}
