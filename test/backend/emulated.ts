/**
 * This file starts a backend wired to the Workspace API emulator over real HTTP: its OAuth token
 * endpoint, IAM signJwt and Directory API, and on request the audit anchors' bucket (Cloud
 * Storage with a locked retention policy) and key publication. The backend's start-up keys are
 * registered for the broker's service account, granted domain-wide delegation in the test domains.
 */
import { createWorkspaceEmulator, type WorkspaceEmulator } from '../../src/emulator/api';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/api/server';
import { LocalKeySigner, type Signer } from '../../src/backend/platform/signer';
import { LocalBlobSigner } from '../../src/backend/audit/blob-signer';
import { GRANTED_SCOPES } from '../../src/core/google-scopes';
import type { BackendConfig } from '../../src/backend/platform/config';
import type { BackendOptions } from '../../src/backend/app';
import type { IdTokenRequest } from '../../src/emulator/api/id-token-issuer';
import { startHarness, type DatabaseKind, type Harness } from './harness';

export const SERVICE_ACCOUNT = 'shared-contacts-broker@test-project.iam.gserviceaccount.com';
export const DELEGATED_SCOPES = GRANTED_SCOPES;

/** The anchors' bucket in the emulator: 400 days of locked retention, written by the broker. */
export const ANCHOR_BUCKET = 'shared-contacts-audit-anchors';

/** What else the emulated backend needs. */
export interface EmulatedExtras {
  /** Anchor the audit chains in the emulator's Cloud Storage (bucket ANCHOR_BUCKET). */
  anchoring?: boolean;
  /** More ID-token keys to trust (key id → PEM), for tokens the issuer cannot mint. */
  extraCerts?: Record<string, string>;
}

export interface EmulatedHarness extends Harness {
  emulator: WorkspaceEmulator;
  emulatorServer: EmulatorServer;
  /** The broker's service-account client id, as the Admin console shows it. */
  clientId: string;
  /** Creates a user (and their domain as a customer with delegation) unless the emulator has them. */
  provision(email: string): void;
}

/**
 * Starts the emulator (domains acme.example with admin, alice, bob, carol, dave, erin and group
 * team@acme.example holding carol; globex.example with zed, without delegation) and a backend on it.
 * An ID token for an address the emulator does not know yet creates its user, and its domain as a
 * customer of its own with delegation granted (Google issues ID tokens only for real accounts);
 * a token without `hd` creates nothing.
 */
export async function startEmulatedHarness(
  kind: DatabaseKind,
  overrides: Partial<BackendConfig> = {},
  options: Omit<BackendOptions, 'config'> = {},
  /** Builds the signer once the emulator's URL is known (default: a LocalKeySigner). */
  makeSigner?: (emulatorBase: string, emulator: WorkspaceEmulator) => Signer,
  extras: EmulatedExtras = {},
): Promise<EmulatedHarness> {
  const emulator = createWorkspaceEmulator({ startTime: Date.now() });
  emulator.addCustomer('acme.example');
  emulator.addUser('admin@acme.example', { isAdmin: true });
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin'])
    emulator.addUser(`${name}@acme.example`);
  emulator.addGroup('team@acme.example', 'Team');
  emulator.addGroupMember('team@acme.example', 'carol@acme.example');
  emulator.addCustomer('globex.example');
  emulator.addUser('zed@globex.example');
  const emulatorServer = await startEmulatorServer(emulator);
  const base = emulatorServer.baseUrl;
  const signer = makeSigner?.(base, emulator) ?? new LocalKeySigner(SERVICE_ACCOUNT);
  if (extras.anchoring)
    emulator.createBucket({
      name: ANCHOR_BUCKET,
      retentionSeconds: 400 * 86_400,
      locked: true,
      writers: [signer.serviceAccountEmail],
    });
  const harness = await startHarness(
    kind,
    {
      serviceAccountEmail: signer.serviceAccountEmail,
      googleTokenUrl: `${base}/token`,
      iamCredentialsUrl: base,
      adminDirectoryUrl: base,
      groupsSettingsUrl: base,
      peopleApiUrl: base,
      ...(extras.anchoring
        ? {
            anchorBucket: ANCHOR_BUCKET,
            storageUrl: base,
            serviceAccountKeysUrl: `${base}/service_accounts/v1/metadata/jwk`,
          }
        : {}),
      ...overrides,
    },
    {
      ownAccessToken: async () =>
        emulator.mintAccessToken(signer.serviceAccountEmail, ['cloud-platform'], 600),
      ...options,
      signer,
    },
    extras.extraCerts ?? {},
  );
  const anchorSigner = harness.server.backend.anchorSigner;
  if (anchorSigner instanceof LocalBlobSigner)
    emulator.registerServiceAccountKey(
      anchorSigner.serviceAccountEmail,
      anchorSigner.publicKeyPem,
      anchorSigner.keyId,
    );
  const clientId =
    signer instanceof LocalKeySigner
      ? emulator.registerServiceAccountKey(
          signer.serviceAccountEmail,
          signer.publicKeyPem,
          signer.keyId,
        )
      : emulator.createServiceAccount(signer.serviceAccountEmail);
  emulator.grantDomainWideDelegation('acme.example', clientId, DELEGATED_SCOPES);
  const provision = (email: string, claims: Partial<IdTokenRequest>): void => {
    if ('hostedDomain' in claims && !claims.hostedDomain) return;
    const address = email.toLowerCase();
    const domain = address.slice(address.lastIndexOf('@') + 1);
    if (!emulator.customerOf(address)) {
      emulator.addCustomer(domain);
      emulator.grantDomainWideDelegation(domain, clientId, DELEGATED_SCOPES);
    }
    if (!emulator.hasUser(address)) emulator.addUser(address);
  };
  return {
    ...harness,
    token(email, claims = {}) {
      provision(email, claims);
      return harness.token(email, claims);
    },
    emulator,
    emulatorServer,
    clientId,
    provision: (email) => provision(email, {}),
    async close() {
      await harness.close();
      await emulatorServer.close();
    },
  };
}
