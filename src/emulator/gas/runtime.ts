/**
 * This file defines the Apps Script runtime: it runs the built add-on (build/addon/Code.js) the
 * way Apps Script does, each execution in a fresh node:vm context inside a worker thread, as a
 * chosen user of the emulated Workspace. The main thread is the host: it owns everything that
 * outlives an execution (properties, caches, locks, triggers, the API emulator) and never
 * blocks; the script reaches it through a synchronous call (sync-rpc.ts).
 *
 * Usage:
 *   const runtime = createAppsScriptRuntime({ api: createWorkspaceEmulator(), backendBaseUrl });
 *   const run = await runtime.runFunction('onHomepage', { user: 'ann@example.com', event: gmailHomepageEvent() });
 *   run.result?.json; // the card JSON, as printJson() shows it
 *   await runtime.close();
 *
 * Limits: 30 s for a card action (kind 'card', the default) and 6 min for a trigger run (kind
 * 'trigger'), counted as the script's real CPU time plus the modelled time of its service calls
 * (the emulator's latencyMs, real HTTP time, lock waits, Utilities.sleep; fetchAll counts its
 * slowest request). Exceeding them aborts the execution with "Exceeded maximum execution time";
 * a worker that stops answering is terminated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import type { WorkspaceEmulatorFacade } from '../api/contract';
import { MESSAGE_SCOPES } from '../api/gmail-messages';
import type { ScriptResult } from './card-service';
import {
  CacheStores,
  LockManager,
  PropertyStores,
  TriggerStore,
  type TriggerRecord,
} from './host-state';
import type { AddonManifest } from './manifest';
import { DAILY_QUOTA_MESSAGES, DailyQuotas, type DailyQuotaValues } from './daily-quotas';
import { EXCEEDED_MAXIMUM_EXECUTION_TIME } from './script-errors';
import type { LogEntry } from './services';
import { ScriptFacingError, serveSyncCalls } from './sync-rpc';
import { fetchAllOnHost, type FetchAnswer, type FetchSpec } from './url-fetch-host';
import type { HostReply, RunOutcome, RunRequest, ScriptError } from './worker';

const ROOT = path.join(__dirname, '../../..');

/** Apps Script's execution limits (FACTS.md). */
export const EXECUTION_LIMITS = { cardActionMs: 30_000, triggerMs: 6 * 60_000 } as const;

/** The add-on's per-environment settings that the runtime needs (config/<env>.json). */
export interface RuntimeAddonConfig {
  backendUrl: string;
  oauthClientId: string;
  scriptId: string;
}

/** How to create a runtime. */
export interface AppsScriptRuntimeOptions {
  /** The API emulator: answers Google API requests, mints tokens, keeps the virtual clock. */
  api: WorkspaceEmulatorFacade;
  /** Default build/addon/Code.js. */
  bundlePath?: string;
  /** Default build/addon/appsscript.json; ignored when `manifest` is given. */
  manifestPath?: string;
  manifest?: AddonManifest;
  /** Default config/local.json. */
  addonConfig?: RuntimeAddonConfig;
  /** Where the backend that config.backendUrl names really listens, e.g. http://127.0.0.1:8080. */
  backendBaseUrl?: string;
  /** How many executions may run at once (one worker each); default 2. */
  maxWorkers?: number;
  /** Overrides of the execution limits, for tests of the limits themselves. */
  limits?: Partial<Record<keyof typeof EXECUTION_LIMITS, number>>;
  /** Overrides of the daily quotas (daily-quotas.ts), for tests of the quotas themselves. */
  dailyQuotas?: Partial<DailyQuotaValues>;
}

/** One UrlFetchApp request of an execution, as sent, and its answer. */
export interface ObservedFetch {
  user: string;
  url: string;
  headers: Record<string, string>;
  status: number;
  body: string;
}

export type FetchObserver = (fetch: ObservedFetch) => void;

/** How to run one manifest (or action) function. */
export interface RunOptions {
  /** The acting user's e-mail address. */
  user: string;
  /** The event object Gmail, Calendar or Drive passes (see events.ts). */
  event?: unknown;
  /** 'card' (homepage, contextual, card actions: 30 s) or 'trigger' (time-driven: 6 min). */
  kind?: 'card' | 'trigger';
}

/** What an execution produced. */
export interface ExecutionResult {
  /** The return value: its Card Service type and JSON as printJson() shows it. */
  result?: ScriptResult;
  /** The uncaught error, with the script's stack for developers. */
  error?: ScriptError;
  logs: LogEntry[];
  /** Real time spent running script code. */
  cpuMs: number;
  /** Modelled time of service calls. */
  modelledMs: number;
}

/** A runtime: runs functions of the bundle as users, keeping shared state between executions. */
export interface AppsScriptRuntime {
  runFunction(name: string, options: RunOptions): Promise<ExecutionResult>;
  /** The manifest the runtime enforces (scopes, allow-list, entry points). */
  readonly manifest: AddonManifest;
  /** The triggers users installed, for a scheduler or a test to run. */
  listTriggers(user?: string): TriggerRecord[];
  /**
   * Calls `observer` with every UrlFetchApp request an execution sends and its answer, and the
   * executing user (tests look for tokens where none may be); returns a function that stops it.
   */
  observeFetches(observer: FetchObserver): () => void;
  /** State shared by executions, for tests and the developer panel. */
  readonly state: {
    properties: PropertyStores;
    caches: CacheStores;
    locks: LockManager;
    triggers: TriggerStore;
    /** Each user's use of Apps Script's daily quotas. */
    quotas: DailyQuotas;
  };
  /** Terminates the workers. */
  close(): Promise<void>;
}

let workerSource: string | undefined;

/** Bundles worker.ts into one CommonJS file (once per process), so it runs under node, tsx or jest alike. */
function compiledWorker(): string {
  workerSource ??= buildSync({
    entryPoints: [path.join(__dirname, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return workerSource;
}

interface Slot {
  worker: Worker;
  hostPort: MessagePort;
  current?: {
    request: RunRequest;
    user: string;
    resolve: (outcome: RunOutcome) => void;
    watchdog: NodeJS.Timeout;
    /** The user's OAuth token of this execution: ScriptApp.getOAuthToken() gives the same one throughout. */
    token?: string;
  };
}

const GRACE_MS = 5_000;

/** Creates an Apps Script runtime over the API emulator; see the file header for an example. */
export function createAppsScriptRuntime(options: AppsScriptRuntimeOptions): AppsScriptRuntime {
  const bundlePath = options.bundlePath ?? path.join(ROOT, 'build/addon/Code.js');
  if (!fs.existsSync(bundlePath))
    throw new Error(`No add-on bundle at ${bundlePath}: run npm run build first.`);
  const manifest =
    options.manifest ??
    (JSON.parse(
      fs.readFileSync(
        options.manifestPath ?? path.join(ROOT, 'build/addon/appsscript.json'),
        'utf8',
      ),
    ) as AddonManifest);
  const config =
    options.addonConfig ??
    (JSON.parse(
      fs.readFileSync(path.join(ROOT, 'config/local.json'), 'utf8'),
    ) as RuntimeAddonConfig);
  const limits = { ...EXECUTION_LIMITS, ...options.limits };
  const { api } = options;
  const state = {
    properties: new PropertyStores(),
    caches: new CacheStores(() => api.clock.now()),
    locks: new LockManager(),
    triggers: new TriggerStore(),
    quotas: new DailyQuotas(() => api.clock.now(), options.dailyQuotas),
  };
  const routes = {
    api,
    whitelist: manifest.urlFetchWhitelist,
    backendOrigin: new URL(config.backendUrl).origin,
    backendBaseUrl: options.backendBaseUrl,
  };
  const slots: Slot[] = [];
  const queue: (() => void)[] = [];
  const observers = new Set<FetchObserver>();
  const maxWorkers = options.maxWorkers ?? 2;
  let nextExecution = 1;
  let closed = false;

  function hostHandlers(slot: Slot) {
    const exec = () => {
      if (!slot.current) throw new ScriptFacingError('No execution is running.');
      return slot.current;
    };
    const scope = (name: unknown) => (name === 'script' ? 'script' : `user:${exec().user}`);
    const instant = (value: unknown): HostReply => ({ value, modelledMs: 0 });
    const property = (work: () => unknown): HostReply => {
      state.quotas.charge(exec().user, 'propertiesReadWrites');
      return instant(work());
    };
    const handlers: Record<string, (...args: never[]) => HostReply | Promise<HostReply>> = {
      propertiesGet: (name: string, key: string) =>
        property(() => state.properties.get(scope(name), key)),
      propertiesGetAll: (name: string) => property(() => state.properties.getAll(scope(name))),
      propertiesSet: (name: string, entries: Record<string, string>, deleteAllOthers: boolean) =>
        property(() => state.properties.set(scope(name), entries, deleteAllOthers)),
      propertiesDelete: (name: string, key: string | null) =>
        property(() => state.properties.delete(scope(name), key)),
      cacheGet: (name: string, keys: string[]) => instant(state.caches.get(scope(name), keys)),
      cachePut: (name: string, entries: Record<string, string>, ttl: number | null) =>
        instant(state.caches.put(scope(name), entries, ttl)),
      cacheRemove: (name: string, keys: string[]) =>
        instant(state.caches.remove(scope(name), keys)),
      lockAcquire: async (name: string, timeoutMs: number) => {
        const started = performance.now();
        const acquired = await state.locks.acquire(
          scope(name),
          exec().request.executionId,
          timeoutMs,
        );
        return { value: acquired, modelledMs: performance.now() - started };
      },
      lockRelease: (name: string) =>
        instant(state.locks.release(scope(name), exec().request.executionId)),
      lockHas: (name: string) =>
        instant(state.locks.holds(scope(name), exec().request.executionId)),
      accessToken: () => {
        const current = exec();
        current.token ??= api.mintAccessToken(current.user, manifest.oauthScopes);
        return instant(current.token);
      },
      identityToken: () => {
        if (!manifest.oauthScopes.includes('openid')) {
          throw new ScriptFacingError(
            'ScriptApp.getIdentityToken needs the "openid" scope in the manifest.',
          );
        }
        const email = exec().user;
        const domain = email.split('@')[1] ?? '';
        return instant(
          api.idTokens.mint({
            email,
            audience: config.oauthClientId,
            hostedDomain: domain === 'gmail.com' ? undefined : domain,
          }),
        );
      },
      gmailMessage: (accessToken: string, messageId: string) => {
        if (!MESSAGE_SCOPES.some((scope) => manifest.oauthScopes.includes(scope)))
          throw new ScriptFacingError(
            'GmailApp.getMessageById needs a gmail.addons.current.message scope in the manifest.',
          );
        try {
          return instant(api.readGmailMessage(accessToken, messageId));
        } catch (error) {
          throw new ScriptFacingError(error instanceof Error ? error.message : String(error));
        }
      },
      triggerCreate: (spec: Omit<TriggerRecord, 'id' | 'user' | 'eventType'>) =>
        instant(state.triggers.create(exec().user, spec)),
      triggerList: () => instant(state.triggers.list(exec().user)),
      triggerDelete: (id: string) => instant(state.triggers.delete(exec().user, id)),
      fetchAll: async (specs: FetchSpec[]) => {
        state.quotas.charge(exec().user, 'urlFetchCalls', specs.length);
        const answers = await fetchAllOnHost(specs, routes);
        // Google's modelled time passes on the emulator's clock too, as it does for
        // EmulatorHttpClient: per-minute quotas and propagation delays see the calls spread out.
        const googleMs = Math.max(0, ...answers.map((answer) => answer.googleMs ?? 0));
        if (googleMs > 0) api.clock.advance(googleMs);
        if (observers.size > 0)
          specs.forEach((spec, index) => {
            const answer = answers[index] as FetchAnswer;
            const seen: ObservedFetch = {
              user: exec().user,
              url: spec.url,
              headers: spec.headers,
              status: answer.status,
              body: Buffer.from(answer.bodyBase64, 'base64').toString('utf8'),
            };
            for (const observer of observers) observer(seen);
          });
        return {
          value: answers,
          modelledMs: Math.max(0, ...answers.map((answer) => answer.modelledMs)),
        };
      },
      sleep: (milliseconds: number) => {
        api.clock.advance(milliseconds);
        return { value: undefined, modelledMs: milliseconds };
      },
    };
    return handlers as Record<string, (...args: unknown[]) => unknown>;
  }

  function startSlot(): Slot {
    const channel = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const worker = new Worker(compiledWorker(), {
      eval: true,
      workerData: { bundlePath, hostPort: channel.port2, flag },
      transferList: [channel.port2],
    });
    const slot: Slot = { worker, hostPort: channel.port1 };
    const handlers = hostHandlers(slot);
    serveSyncCalls(channel.port1, flag, (method) => handlers[method]);
    worker.on('message', (message: { type: 'done'; outcome: RunOutcome }) => {
      if (message.type === 'done') settle(slot, message.outcome);
    });
    worker.on('error', (error) => {
      const current = slot.current;
      if (current)
        settle(
          slot,
          failure(current.request, {
            name: 'Error',
            message: `The runtime failed: ${error.message}`,
          }),
        );
      retire(slot);
    });
    slots.push(slot);
    return slot;
  }

  function failure(request: RunRequest, error: ScriptError): RunOutcome {
    return { executionId: request.executionId, error, logs: [], cpuMs: 0, modelledMs: 0 };
  }

  function settle(slot: Slot, outcome: RunOutcome): void {
    const current = slot.current;
    if (!current || current.request.executionId !== outcome.executionId) return;
    clearTimeout(current.watchdog);
    slot.current = undefined;
    state.locks.releaseAll(current.request.executionId);
    current.resolve(outcome);
    queue.shift()?.();
  }

  function retire(slot: Slot): void {
    slots.splice(slots.indexOf(slot), 1);
    slot.hostPort.close();
    void slot.worker.terminate();
  }

  function idleSlot(): Slot | undefined {
    return (
      slots.find((slot) => !slot.current) ?? (slots.length < maxWorkers ? startSlot() : undefined)
    );
  }

  function execute(slot: Slot, request: RunRequest, user: string): Promise<RunOutcome> {
    return new Promise((resolve) => {
      const watchdog = setTimeout(() => {
        settle(
          slot,
          failure(request, { name: 'Exception', message: EXCEEDED_MAXIMUM_EXECUTION_TIME }),
        );
        retire(slot);
      }, request.limitMs + GRACE_MS);
      slot.current = { request, user, resolve, watchdog };
      slot.worker.postMessage({ type: 'run', request });
    });
  }

  async function runFunction(name: string, run: RunOptions): Promise<ExecutionResult> {
    if (closed) throw new Error('The runtime is closed.');
    const trigger = run.kind === 'trigger';
    // Triggers stop for the day once their total runtime is spent (daily-quotas.ts); a run may
    // not last beyond what is left of it.
    const triggerTimeLeft = trigger ? state.quotas.triggerTimeLeft(run.user) : Infinity;
    if (triggerTimeLeft <= 0)
      return {
        error: { name: 'Exception', message: DAILY_QUOTA_MESSAGES.triggerRuntimeMs },
        logs: [],
        cpuMs: 0,
        modelledMs: 0,
      };
    const request: RunRequest = {
      executionId: `exec-${nextExecution++}`,
      functionName: name,
      event: run.event ?? {},
      identity: identityFor(run.user, run.event, manifest.timeZone),
      scriptId: config.scriptId,
      limitMs: trigger ? Math.min(limits.triggerMs, triggerTimeLeft) : limits.cardActionMs,
      virtualNow: api.clock.now(),
    };
    let slot = idleSlot();
    while (!slot) {
      await new Promise<void>((resume) => queue.push(resume));
      slot = idleSlot();
    }
    const { executionId: _id, ...outcome } = await execute(slot, request, run.user);
    if (trigger) state.quotas.addTriggerRuntime(run.user, outcome.cpuMs + outcome.modelledMs);
    return outcome;
  }

  return {
    runFunction,
    manifest,
    state,
    listTriggers: (user) => state.triggers.list(user),
    observeFetches(observer) {
      observers.add(observer);
      return () => observers.delete(observer);
    },
    async close() {
      closed = true;
      await Promise.all(
        slots.splice(0).map((slot) => (slot.hostPort.close(), slot.worker.terminate())),
      );
    },
  };
}

function identityFor(user: string, event: unknown, scriptTimeZone: string) {
  const common = (
    event as { commonEventObject?: { userLocale?: string; timeZone?: { id?: string } } } | undefined
  )?.commonEventObject;
  return {
    user,
    locale: common?.userLocale ?? 'en',
    timeZone: common?.timeZone?.id ?? scriptTimeZone,
    scriptTimeZone,
  };
}
