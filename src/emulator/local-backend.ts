/**
 * This file starts the backend on PGlite wired to a running API emulator, as `npm start` and the
 * end-to-end tests need it: ID tokens trusted through a certificates file holding the emulator's
 * keys, Google's token, IAM and Directory URLs at the emulator, and a signing key generated at
 * start-up, registered with the emulator and granted domain-wide delegation in the given domains.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBackendServer, type BackendOptions, type BackendServer } from '../backend/app';
import { defaultConfig, type BackendConfig } from '../backend/config';
import { LocalKeySigner } from '../backend/google-access';
import type { WorkspaceEmulator } from './api';

/** The broker's service account in local runs. */
export const LOCAL_SERVICE_ACCOUNT = 'shared-contacts-broker@local-project.iam.gserviceaccount.com';

/** The scopes a domain's admin grants the broker (docs/marketplace.md). */
export const DELEGATED_SCOPES = [
  'https://www.googleapis.com/auth/contacts',
  'https://www.googleapis.com/auth/contacts.readonly',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
];

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
    const backend = await startBackendServer({
      config: defaultConfig({
        authAudiences: [options.audience],
        authCertsFile: certsFile,
        serviceAccountEmail: LOCAL_SERVICE_ACCOUNT,
        googleTokenUrl: `${base}/token`,
        iamCredentialsUrl: base,
        adminDirectoryUrl: base,
        peopleApiUrl: base,
        ...options.config,
      }),
      signer,
      logger: options.logger,
    });
    const clientId = emulator.registerServiceAccountKey(
      LOCAL_SERVICE_ACCOUNT,
      signer.publicKeyPem,
      signer.keyId,
    );
    for (const domain of options.delegatedDomains)
      emulator.grantDomainWideDelegation(domain, clientId, DELEGATED_SCOPES);
    return {
      ...backend,
      async close() {
        await backend.close();
        removeCerts();
      },
    };
  } catch (error) {
    removeCerts();
    throw error;
  }
}
