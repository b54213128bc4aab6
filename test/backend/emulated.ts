/**
 * This file starts a backend wired to the Workspace API emulator over real HTTP: its OAuth token
 * endpoint, IAM signJwt and Directory API. The backend's start-up key is registered for the
 * broker's service account and granted domain-wide delegation in the test domains.
 */
import { createWorkspaceEmulator, type WorkspaceEmulator } from '../../src/emulator/api';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/api/server';
import { LocalKeySigner, type Signer } from '../../src/backend/google-access';
import type { BackendConfig } from '../../src/backend/config';
import type { BackendOptions } from '../../src/backend/app';
import { startHarness, type DatabaseKind, type Harness } from './harness';

export const SERVICE_ACCOUNT = 'shared-contacts-broker@test-project.iam.gserviceaccount.com';
export const DELEGATED_SCOPES = [
  'https://www.googleapis.com/auth/contacts',
  'https://www.googleapis.com/auth/contacts.readonly',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
];

export interface EmulatedHarness extends Harness {
  emulator: WorkspaceEmulator;
  emulatorServer: EmulatorServer;
  /** The broker's service-account client id, as the Admin console shows it. */
  clientId: string;
}

/**
 * Starts the emulator (domains acme.example with admin, alice, bob, carol, dave, erin and group
 * team@acme.example holding carol; globex.example with zed, without delegation) and a backend on it.
 */
export async function startEmulatedHarness(
  kind: DatabaseKind,
  overrides: Partial<BackendConfig> = {},
  options: Omit<BackendOptions, 'config'> = {},
  /** Builds the signer once the emulator's URL is known (default: a LocalKeySigner). */
  makeSigner?: (emulatorBase: string, emulator: WorkspaceEmulator) => Signer,
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
  const harness = await startHarness(
    kind,
    {
      serviceAccountEmail: signer.serviceAccountEmail,
      googleTokenUrl: `${base}/token`,
      iamCredentialsUrl: base,
      adminDirectoryUrl: base,
      peopleApiUrl: base,
      ...overrides,
    },
    { ...options, signer },
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
  return {
    ...harness,
    emulator,
    emulatorServer,
    clientId,
    async close() {
      await harness.close();
      await emulatorServer.close();
    },
  };
}
