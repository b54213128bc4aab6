/**
 * This file starts what the support card tests need: the Workspace API emulator (acme.example with
 * an admin and four users, vendor.example with the support staff), a backend on PGlite trusting the
 * emulator's ID tokens and minting delegated tokens through it, and the Apps Script runtime running
 * the built bundle. Helpers run the support card as a user and read its cards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createWorkspaceEmulator,
  profileFromEnvironment,
  type WorkspaceEmulator,
} from '../../../src/emulator/api';
import { startEmulatorServer, type EmulatorServer } from '../../../src/emulator/api/server';
import { startLocalBackend } from '../../../src/emulator/local-backend';
import { cardActionEvent, homepageEvent, type FormValue } from '../../../src/emulator/gas/events';
import {
  createAppsScriptRuntime,
  type AppsScriptRuntime,
  type ExecutionResult,
  type RuntimeAddonConfig,
} from '../../../src/emulator/gas/runtime';
import type { BackendServer } from '../../../src/backend/app';
import { memoryLogger } from '../../../src/backend/platform/logger';
import { freshKeyRing } from '../../backend/support/support-harness';
import { requestJson, type JsonResponse } from '../../backend/harness';

const ROOT = path.join(__dirname, '../../..');
const API_AUDIENCE = 'support-tests.apps.googleusercontent.com';
const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';

export const AGENT = 'agent@vendor.example';
export const MANAGER = 'security@vendor.example';
export const ADMIN = 'admin@acme.example';

/** What the card tests work with. */
export interface SupportStack {
  emulator: WorkspaceEmulator;
  runtime: AppsScriptRuntime;
  backend: BackendServer;
  /** Calls the backend's API directly as a user (e.g. a security manager). */
  api(user: string, method: string, urlPath: string, body?: unknown): Promise<JsonResponse>;
  /** Calls the People API of the emulator as a user. */
  people(user: string, method: string, urlPath: string, body?: unknown): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw JSON
  /** Opens Support access (the Settings card's entry) as a user and returns its card. */
  openSupport(user: string): Promise<Card>;
  /** Runs a card action through onAction as a user. */
  act(
    user: string,
    parameters: Record<string, string>,
    formInputs?: Record<string, FormValue>,
  ): Promise<ActionOutcome>;
  close(): Promise<void>;
}

export type Card = Record<string, unknown>;

/** A card action's outcome: its notification and the card it pushed or updated. */
export interface ActionOutcome {
  notification?: string;
  card?: Card;
  run: ExecutionResult;
}

/** Every string in a card's JSON, in order. */
export function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(textsOf);
  return [];
}

/** The parameters of every router action in a card whose `action` is `name`. */
export function actionsOf(card: unknown, name: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.parameters)) {
      const parameters = Object.fromEntries(
        (record.parameters as { key: string; value: string }[]).map((p) => [p.key, p.value]),
      );
      if (parameters.action === name) found.push(parameters);
    }
    Object.values(record).forEach(visit);
  };
  visit(card);
  return found;
}

function outcomeOf(run: ExecutionResult): ActionOutcome {
  if (run.error) throw new Error(`the action failed: ${run.error.message}`);
  const json = run.result?.json as {
    renderActions?: {
      action?: {
        notification?: { text?: string };
        navigations?: { pushCard?: Card; updateCard?: Card }[];
      };
    };
  };
  const action = json?.renderActions?.action;
  const navigation = action?.navigations?.[0];
  return {
    notification: action?.notification?.text,
    card: navigation?.pushCard ?? navigation?.updateCard,
    run,
  };
}

/** Starts the stack: emulator, backend on PGlite, runtime over the built bundle. */
export async function startSupportStack(): Promise<SupportStack> {
  const addonConfig = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'config/local.json'), 'utf8'),
  ) as RuntimeAddonConfig;
  const emulator = createWorkspaceEmulator({ startTime: Date.now() });
  emulator.addCustomer('acme.example');
  emulator.addUser(ADMIN, { isAdmin: true });
  for (const name of ['alice', 'bob', 'carol', 'dave']) emulator.addUser(`${name}@acme.example`);
  emulator.addCustomer('vendor.example');
  for (const staff of [AGENT, MANAGER]) emulator.addUser(staff);
  // Another customer, whose user an agent may name under the wrong tenant.
  emulator.addCustomer('globex.example');
  emulator.addUser('zed@globex.example');
  // As the end-to-end stack: EMULATOR_TRAFFIC_PROFILE=production-like makes Google strict.
  emulator.useTrafficProfile(profileFromEnvironment(process.env.EMULATOR_TRAFFIC_PROFILE));
  const emulatorServer: EmulatorServer = await startEmulatorServer(emulator);
  const backend = await startLocalBackend({
    emulator,
    emulatorBaseUrl: emulatorServer.baseUrl,
    audience: addonConfig.oauthClientId,
    delegatedDomains: ['acme.example', 'globex.example'],
    config: {
      authAudiences: [addonConfig.oauthClientId, API_AUDIENCE],
      securityManagers: [MANAGER],
      supportAgents: [AGENT],
      otpEncryptionKeys: freshKeyRing(),
      rateLimitPerMinute: 100_000,
    },
    logger: memoryLogger(),
  });
  const runtime = createAppsScriptRuntime({
    api: emulator,
    addonConfig,
    backendBaseUrl: backend.url,
  });
  const event = homepageEvent();
  return {
    emulator,
    runtime,
    backend,
    api(user, method, urlPath, body) {
      const token = emulator.idTokens.mint({
        email: user,
        audience: API_AUDIENCE,
        hostedDomain: user.split('@')[1],
      });
      return requestJson(backend.url, method, urlPath, { token, body });
    },
    people(user, method, urlPath, body) {
      const response = emulator.handle({
        method,
        url: `https://people.googleapis.com/v1/${urlPath}`,
        headers: {
          authorization: `Bearer ${emulator.mintAccessToken(user, [CONTACTS_SCOPE])}`,
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status >= 300)
        throw new Error(`People API ${response.status}: ${response.body}`);
      return response.body ? JSON.parse(response.body) : {};
    },
    async openSupport(user) {
      const run = await runtime.runFunction('onAction', {
        user,
        event: cardActionEvent(event, { parameters: { action: 'openSupport' } }),
      });
      if (run.error) throw new Error(`openSupport failed: ${run.error.message}`);
      const json = run.result?.json as {
        renderActions: { action: { navigations: { pushCard: Card }[] } };
      };
      return json.renderActions.action.navigations[0]?.pushCard as Card;
    },
    async act(user, parameters, formInputs = {}) {
      const run = await runtime.runFunction('onAction', {
        user,
        event: cardActionEvent(event, { parameters, formInputs }),
      });
      return outcomeOf(run);
    },
    async close() {
      await runtime.close();
      await backend.close();
      await emulatorServer.close();
    },
  };
}
