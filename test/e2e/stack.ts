/**
 * This file starts the end-to-end stack for the add-on's tests: the Workspace API emulator (with
 * its HTTP server for the backend), the backend on PGlite wired to it, and the Apps Script
 * runtime loading build/addon/Code.js. Helpers run the add-on's entry points as a user, and read
 * and write contacts directly through the People API as that user (what they would do in Google
 * Contacts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendServer } from '../../src/backend/app';
import { ClockSleeper } from '../../src/core/memory-adapters';
import {
  createWorkspaceEmulator,
  EmulatorHttpClient,
  profileFromEnvironment,
  type TrafficProfileName,
  type WorkspaceEmulator,
} from '../../src/emulator/api';
import { startEmulatorServer, type EmulatorServer } from '../../src/emulator/api/server';
import { startLocalBackend } from '../../src/emulator/local-backend';
import { cardActionEvent, homepageEvent } from '../../src/emulator/gas/events';
import {
  createAppsScriptRuntime,
  type AppsScriptRuntime,
  type ExecutionResult,
  type RuntimeAddonConfig,
} from '../../src/emulator/gas/runtime';
import { PeopleClient, type Person } from '../../src/google/people-client';
import { LISTING_PERSON_FIELDS } from '../../src/google/people-gateway';
import { GoogleTransport, type ApiCall } from '../../src/google/transport';

const ROOT = path.join(__dirname, '../..');
const CONTACTS_SCOPE = ['https://www.googleapis.com/auth/contacts'];

/** The People API's operations, as the emulator counts them. */
export const PEOPLE_OPERATIONS = [
  'people.people.connections.list',
  'people.people.getBatchGet',
  'people.people.createContact',
  'people.people.batchCreateContacts',
  'people.people.batchUpdateContacts',
  'people.people.batchDeleteContacts',
  'people.people.updateContact',
  'people.people.deleteContact',
  'people.people.get',
  'people.contactGroups.list',
  'people.contactGroups.create',
  'people.contactGroups.batchGet',
  'people.contactGroups.members.modify',
  'people.contactGroups.get',
  'people.contactGroups.update',
  'people.contactGroups.delete',
];

/** People API calls the emulator answered so far (the backend's Directory and token calls left out). */
export function peopleCalls(emulator: WorkspaceEmulator): number {
  return PEOPLE_OPERATIONS.reduce((sum, operation) => sum + emulator.callCount({ operation }), 0);
}

/** The vendor's security manager, who may read every tenant's audit trail. */
export const SECURITY_MANAGER = 'secops@vendor.example';

/** A card action's (or homepage's) answer, as the tests read it. */
export interface Step {
  run: ExecutionResult;
  /** The notification text, if any. */
  notification?: string;
  /** The card shown: pushed, updated, or returned. */
  card?: { name?: string; header?: { title?: string }; sections?: unknown[] };
}

/** A running stack. */
export interface E2eStack {
  emulator: WorkspaceEmulator;
  runtime: AppsScriptRuntime;
  backend: BackendServer;
  /** Opens the homepage as a user. */
  home(user: string): Promise<Step>;
  /** Clicks a card action as a user: parameters (with `action`) and form inputs. */
  act(
    user: string,
    parameters: Record<string, string>,
    form?: Record<string, string[]>,
  ): Promise<Step>;
  /** Runs the user's hourly trigger. */
  trigger(user: string): Promise<ExecutionResult>;
  /** Calls the backend as a user (Google ID token minted by the emulator). */
  api(
    user: string,
    method: string,
    urlPath: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON
  ): Promise<{ status: number; body: any }>;
  /** Runs a People API call as a user. */
  people<T>(user: string, call: (client: PeopleClient) => ApiCall<T>): T;
  /** Every contact of a user. */
  contactsOf(user: string): Person[];
  /** A user's contact groups by name. */
  groupsOf(user: string): Map<string, string>;
  close(): Promise<void>;
}

type CardJson = NonNullable<Step['card']>;

interface ActionResponseJson {
  renderActions?: {
    action?: {
      navigations?: { pushCard?: CardJson; updateCard?: CardJson }[];
      notification?: { text?: string };
    };
  };
}

function stepOf(run: ExecutionResult): Step {
  if (run.result?.type === 'Card') return { run, card: run.result.json as CardJson };
  const action = (run.result?.json as ActionResponseJson | undefined)?.renderActions?.action;
  const card = (action?.navigations ?? [])
    .map((step) => step.pushCard ?? step.updateCard)
    .find((found) => found !== undefined);
  return { run, notification: action?.notification?.text, card };
}

/** How to start the stack. */
export interface E2eStackOptions {
  /**
   * The emulator's traffic profile (traffic-profile.ts): `production-like` makes Google as strict
   * as in production (quotas, latency, propagation delay with reordering, occasional 429/500/503).
   * Default: EMULATOR_TRAFFIC_PROFILE, else `off`; so any end-to-end suite can run under it.
   */
  profile?: TrafficProfileName;
  /** More domains of acme's customer (secondary domains), e.g. `acme-eu.example`. */
  acmeSecondaryDomains?: string[];
}

/** Starts the stack with acme.example (admin, alice, bob, carol, dave, erin; sales group with carol) and globex.example (zed). */
export async function startE2eStack(options: E2eStackOptions = {}): Promise<E2eStack> {
  const addonConfig = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'config/local.json'), 'utf8'),
  ) as RuntimeAddonConfig;
  const emulator = createWorkspaceEmulator({ startTime: Date.now() });
  const acmeSecondaries = options.acmeSecondaryDomains ?? [];
  emulator.addCustomer('acme.example', acmeSecondaries);
  emulator.addUser('admin@acme.example', { isAdmin: true });
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin'])
    emulator.addUser(`${name}@acme.example`, { givenName: name });
  emulator.addGroup('sales@acme.example', 'Sales');
  emulator.addGroupMember('sales@acme.example', 'carol@acme.example');
  emulator.addCustomer('globex.example');
  emulator.addUser('admin@globex.example', { isAdmin: true });
  emulator.addUser('zed@globex.example');
  emulator.useTrafficProfile(
    options.profile ?? profileFromEnvironment(process.env.EMULATOR_TRAFFIC_PROFILE),
  );

  const closers: (() => Promise<void>)[] = [];
  const emulatorServer: EmulatorServer = await startEmulatorServer(emulator);
  closers.push(() => emulatorServer.close());
  const backend = await startLocalBackend({
    emulator,
    emulatorBaseUrl: emulatorServer.baseUrl,
    audience: addonConfig.oauthClientId,
    delegatedDomains: ['acme.example', ...acmeSecondaries, 'globex.example'],
    config: { securityManagers: [SECURITY_MANAGER], rateLimitPerMinute: 100_000 },
    logger: { log: () => undefined },
  });
  closers.push(() => backend.close());
  const runtime = createAppsScriptRuntime({
    api: emulator,
    addonConfig,
    backendBaseUrl: backend.url,
  });
  closers.push(() => runtime.close());

  const transport = new GoogleTransport({
    http: new EmulatorHttpClient(emulator, {}),
    clock: emulator.clock,
    sleeper: new ClockSleeper(emulator.clock),
  });
  const people = <T>(user: string, call: (client: PeopleClient) => ApiCall<T>): T =>
    transport.run(call(new PeopleClient(emulator.mintAccessToken(user, CONTACTS_SCOPE))));

  return {
    emulator,
    runtime,
    backend,
    async home(user) {
      return stepOf(await runtime.runFunction('onHomepage', { user, event: homepageEvent() }));
    },
    async act(user, parameters, form = {}) {
      return stepOf(
        await runtime.runFunction('onAction', {
          user,
          event: cardActionEvent(homepageEvent(), { parameters, formInputs: form }),
        }),
      );
    },
    trigger(user) {
      return runtime.runFunction('onSyncTrigger', { user, kind: 'trigger' });
    },
    async api(user, method, urlPath, body) {
      const token = emulator.idTokens.mint({
        email: user,
        audience: addonConfig.oauthClientId,
        hostedDomain: user.endsWith('@vendor.example') ? undefined : user.split('@')[1],
      });
      const response = await fetch(`${backend.url}${urlPath}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    people,
    contactsOf(user) {
      const all: Person[] = [];
      let pageToken: string | undefined;
      do {
        const page = people(user, (client) =>
          client.listConnections({
            personFields: LISTING_PERSON_FIELDS,
            pageSize: 1000,
            pageToken,
          }),
        );
        all.push(...(page.connections ?? []));
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      return all;
    },
    groupsOf(user) {
      const groups = people(user, (client) => client.listAllContactGroups('name'));
      return new Map(groups.map((group) => [group.name ?? '', group.resourceName ?? '']));
    },
    async close() {
      for (const close of closers.splice(0).reverse()) await close();
    },
  };
}

/** The phone number `makeLabel` gives contact `index` of a prefix: distinct across prefixes. */
export function phoneFor(prefix: string, index: number): string {
  const area = 200 + ([...prefix].reduce((sum, char) => sum + char.charCodeAt(0), 0) % 700);
  return `+1 ${area} ${String(index).padStart(5, '0')}`;
}

/** Makes `count` contacts in a new label of the user's; returns the label's resource name. */
export function makeLabel(
  stack: E2eStack,
  user: string,
  name: string,
  count: number,
  prefix: string,
): string {
  const group = stack.people(user, (client) => client.createContactGroup({ name }));
  const resourceName = group.resourceName ?? '';
  for (let start = 0; start < count; start += 200) {
    const batch: Person[] = [];
    for (let index = start; index < Math.min(count, start + 200); index++)
      batch.push({
        names: [{ givenName: `${prefix}${index}`, familyName: 'Customer' }],
        emailAddresses: [{ value: `${prefix}${index}@customers.example` }],
        phoneNumbers: [{ value: phoneFor(prefix, index) }],
        memberships: [{ contactGroupMembership: { contactGroupResourceName: resourceName } }],
      });
    stack.people(user, (client) => client.batchCreateContacts(batch));
  }
  return resourceName;
}
