/**
 * This file is `npm start`: it builds the add-on, starts the Workspace API emulator with a
 * generated demo domain (and its HTTP server on loopback), the backend on PGlite wired to the
 * emulator (ID tokens trusted through a certificates file, Google URLs pointing at the
 * emulator, a local signing key registered for domain-wide delegation, audit anchors in an
 * emulated write-once bucket, the scheduled work every five minutes), the Apps Script runtime
 * and the sidebar host, then prints the sidebar's URL. Ctrl-C (SIGINT) or SIGTERM stops it all.
 *
 * `startLocalStack()` is the same without the build and the signal handling, for browser tests.
 * `npm start -- --production-like` (or EMULATOR_TRAFFIC_PROFILE=production-like) makes the
 * emulator as strict as Google in production: quotas, latency, propagation delay, faults.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createWorkspaceEmulator,
  profileFromEnvironment,
  type SeedSpec,
  type TrafficProfileName,
  type WorkspaceEmulator,
} from './api';
import { startEmulatorServer } from './api/server';
import type { BackendServer } from '../backend/app';
import { createAppsScriptRuntime, type RuntimeAddonConfig } from './gas/runtime';
import { startLocalBackend } from './local-backend';
import { addDemoLabels } from './seed/demo-labels';
import { startSidebarHost, type DemoProfile } from './web/sidebar-host';

const ROOT = path.join(__dirname, '../..');

/** The demo Workspace `npm start` generates: two customers, a few users each. */
export const DEMO_SEED: SeedSpec = {
  seed: 7,
  customers: 2,
  usersPerCustomer: 6,
  groupsPerCustomer: 2,
  contactsPerUser: 25,
};

/**
 * The vendor's staff in the local stack (vendor.example): a support agent, who enrols a second
 * factor in the Support access card, and a security manager.
 */
export const DEMO_STAFF = {
  supportAgent: 'agent@vendor.example',
  securityManager: 'security@vendor.example',
} as const;

/** How to start the local stack. */
export interface LocalStackOptions {
  /** Sidebar port on 127.0.0.1 (0 picks a free one). */
  port?: number;
  seed?: SeedSpec;
  /** Start the backend on PGlite (default true). */
  backend?: boolean;
  /** The emulator's traffic profile (traffic-profile.ts); default EMULATOR_TRAFFIC_PROFILE, else `off`. */
  profile?: TrafficProfileName;
  /** Run the backend's scheduled work (anchors, retention, notifications) every this many seconds. */
  schedulerSeconds?: number;
  /**
   * The real time the whole stack runs on (default Date.now): the emulator's clock follows it
   * (modelled time still passes) and the backend signs its tokens with it, so that delegation
   * holds however long the stack runs. Tests shift it to see hours pass.
   */
  wallClock?: () => number;
  /** Give every demo user a few labels of their own (DEMO_LABELS; default true). */
  demoLabels?: boolean;
}

/** A running local stack. */
export interface LocalStack {
  sidebarUrl: string;
  emulatorUrl: string;
  backendUrl?: string;
  /** The backend, when started (tests reach its services). */
  backend?: BackendServer;
  users: string[];
  emulator: WorkspaceEmulator;
  close(): Promise<void>;
}

/** Starts emulator, backend, runtime and sidebar host from an existing build/addon. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const addonConfig = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'config/local.json'), 'utf8'),
  ) as RuntimeAddonConfig;
  const wallClock = options.wallClock ?? Date.now;
  const emulator = createWorkspaceEmulator({ wallClock });
  const summary = emulator.seed(options.seed ?? DEMO_SEED);
  const customerUsers = [
    ...new Set(summary.customers.flatMap((customer) => [...customer.admins, ...customer.users])),
  ];
  if (options.demoLabels ?? true) addDemoLabels(emulator, customerUsers);
  emulator.addCustomer('vendor.example');
  emulator.addUser(DEMO_STAFF.supportAgent, { givenName: 'Sam', familyName: 'Support' });
  emulator.addUser(DEMO_STAFF.securityManager, { givenName: 'Sasha', familyName: 'Security' });
  emulator.useTrafficProfile(
    options.profile ?? profileFromEnvironment(process.env.EMULATOR_TRAFFIC_PROFILE),
  );
  const closers: (() => Promise<void>)[] = [];
  try {
    const emulatorServer = await startEmulatorServer(emulator);
    closers.push(() => emulatorServer.close());
    let backend: BackendServer | undefined;
    if (options.backend ?? true) {
      const started = await startLocalBackend({
        emulator,
        emulatorBaseUrl: emulatorServer.baseUrl,
        audience: addonConfig.oauthClientId,
        delegatedDomains: summary.customers.map((customer) => customer.primaryDomain),
        schedulerSeconds: options.schedulerSeconds,
        clock: wallClock,
        config: {
          supportAgents: [DEMO_STAFF.supportAgent],
          securityManagers: [DEMO_STAFF.securityManager],
          // The support OTP key ring: a fresh key at every start, never written anywhere.
          otpEncryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
        },
        logger: {
          log: (severity, message, fields) => {
            if (severity === 'WARNING' || severity === 'ERROR') {
              console.error(`backend ${severity}: ${message}`, fields ?? '');
            }
          },
        },
      });
      closers.push(() => started.close());
      backend = started;
    }
    const backendBaseUrl = backend?.url;
    const runtime = createAppsScriptRuntime({ api: emulator, addonConfig, backendBaseUrl });
    closers.push(() => runtime.close());
    const uniqueUsers = [...customerUsers, DEMO_STAFF.supportAgent, DEMO_STAFF.securityManager];
    const host = await startSidebarHost({
      runtime,
      api: emulator,
      users: uniqueUsers,
      senders: customerUsers,
      profiles: demoProfiles(emulator, uniqueUsers),
      port: options.port ?? 0,
      ...(backendBaseUrl
        ? { linkOrigins: { [new URL(addonConfig.backendUrl).origin]: backendBaseUrl } }
        : {}),
    });
    closers.push(() => host.close());
    return {
      sidebarUrl: host.url,
      emulatorUrl: emulatorServer.baseUrl,
      backendUrl: backendBaseUrl,
      backend,
      users: uniqueUsers,
      emulator,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/** Each demo user's name and what they are (admin, support agent, security manager). */
function demoProfiles(emulator: WorkspaceEmulator, users: string[]): Record<string, DemoProfile> {
  const byEmail = new Map(
    [...emulator.workspace.users.values()].map((user) => [user.primaryEmail.toLowerCase(), user]),
  );
  return Object.fromEntries(
    users.map((email) => {
      const user = byEmail.get(email.toLowerCase());
      const marks = [
        ...(user?.isAdmin ? ['admin'] : []),
        ...(email === DEMO_STAFF.supportAgent ? ['staff: support agent'] : []),
        ...(email === DEMO_STAFF.securityManager ? ['staff: security manager'] : []),
      ];
      const name = [user?.givenName, user?.familyName].filter(Boolean).join(' ');
      return [email, { ...(name ? { name } : {}), marks }];
    }),
  );
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close();
}

async function main(): Promise<void> {
  const build = spawnSync('npx', ['webpack', '--env', 'config=local'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('The add-on build failed; see the output above.');
  const port = Number(process.env.PORT ?? 8300);
  const profile = process.argv.includes('--production-like')
    ? 'production-like'
    : profileFromEnvironment(process.env.EMULATOR_TRAFFIC_PROFILE);
  // Cloud Scheduler calls /v1/scan every few minutes in production; locally the stack does it.
  const stack = await startLocalStack({
    port: Number.isInteger(port) ? port : 8300,
    profile,
    schedulerSeconds: 300,
  });
  console.log(`\nShared Contacts runs locally.`);
  console.log(`  Gmail sidebar:     ${stack.sidebarUrl}`);
  console.log(`  API emulator:      ${stack.emulatorUrl}`);
  if (stack.backendUrl) console.log(`  Backend (PGlite):  ${stack.backendUrl}`);
  console.log(`  Demo users:        ${stack.users.slice(0, 3).join(', ')}, …`);
  console.log(
    `  Support agent:     ${DEMO_STAFF.supportAgent} (security manager ${DEMO_STAFF.securityManager})`,
  );
  console.log(
    '  Support codes:     enrol in ⋮ › Support access, then: npx tsx scripts/totp-code.ts <secret>',
  );
  if (profile !== 'off')
    console.log(`  Traffic profile:   ${profile} (quotas, latency, propagation delay, faults)`);
  console.log('Press Ctrl-C to stop.');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Could not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
