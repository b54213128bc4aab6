/**
 * This file is the script's worker thread: it compiles the bundle once, and for each execution
 * creates a fresh node:vm context holding Apps Script's globals and nothing else (no require,
 * process, timers, fetch, URL or TextEncoder), runs the bundle's top level and the requested
 * function, and reports the result, the logs and the time spent. Service calls that need shared
 * state block on the host through the synchronous call of sync-rpc.ts.
 */
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createCardService, describeResult, type ScriptResult } from './card-service';
import { EXCEEDED_MAXIMUM_EXECUTION_TIME, scriptException, useScriptRealm } from './script-errors';
import { createServiceGlobals, type ExecutionIdentity, type LogEntry } from './services';
import { createSyncCaller } from './sync-rpc';
import { createUtilities } from './utilities';

/** What the host asks the worker to run. */
export interface RunRequest {
  executionId: string;
  functionName: string;
  event: unknown;
  identity: ExecutionIdentity;
  scriptId: string;
  limitMs: number;
  virtualNow: number;
}

/** The error of a failed execution, with the script's stack for developers. */
export interface ScriptError {
  name: string;
  message: string;
  stack?: string;
}

/** What the worker reports when an execution ends. */
export interface RunOutcome {
  executionId: string;
  result?: ScriptResult;
  error?: ScriptError;
  logs: LogEntry[];
  /** Real time spent running script code: wall time of the worker outside host calls. */
  cpuMs: number;
  /** Modelled time of the services: emulator latency, real HTTP, lock waits, sleeps. */
  modelledMs: number;
}

/** The host's reply to a service call: the value and the modelled time the call took. */
export interface HostReply {
  value: unknown;
  modelledMs: number;
}

interface WorkerSetup {
  bundlePath: string;
  hostPort: MessagePort;
  flag: SharedArrayBuffer;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const setup = workerData as WorkerSetup;
const bundle = new vm.Script(fs.readFileSync(setup.bundlePath, 'utf8'), { filename: 'Code.js' });
const callHost = createSyncCaller(setup.hostPort, setup.flag);

/** The time accounting of the running execution. */
class Execution {
  readonly startedAt = performance.now();
  hostWaitMs = 0;
  modelledMs = 0;
  aborted = false;
  constructor(readonly request: RunRequest) {}
  cpuMs(): number {
    return performance.now() - this.startedAt - this.hostWaitMs;
  }
  virtualNow(): number {
    return this.request.virtualNow + this.cpuMs() + this.modelledMs;
  }
  overLimit(): boolean {
    return this.cpuMs() + this.modelledMs > this.request.limitMs;
  }
}

function hostCallFor(execution: Execution) {
  return (method: string, ...args: unknown[]): unknown => {
    if (execution.aborted || execution.overLimit()) {
      execution.aborted = true;
      throw scriptException(EXCEEDED_MAXIMUM_EXECUTION_TIME);
    }
    const before = performance.now();
    const answer = callHost(method, args);
    execution.hostWaitMs += performance.now() - before;
    if (!answer.ok) {
      execution.modelledMs += answer.modelledMs;
      if (answer.kind === 'abort' || execution.overLimit()) execution.aborted = true;
      throw scriptException(answer.message);
    }
    const reply = answer.value as HostReply;
    execution.modelledMs += reply.modelledMs;
    if (execution.overLimit()) {
      execution.aborted = true;
      throw scriptException(EXCEEDED_MAXIMUM_EXECUTION_TIME);
    }
    return reply.value;
  };
}

/** Replaces the context's Date so that "now" is the emulator's virtual time. */
const VIRTUAL_DATE = `(function (now) {
  var RealDate = Date;
  function VirtualDate() {
    if (!(this instanceof VirtualDate)) return new RealDate(now()).toString();
    var args = Array.prototype.slice.call(arguments);
    var date = args.length === 0 ? new RealDate(now()) : new (Function.prototype.bind.apply(RealDate, [null].concat(args)))();
    Object.setPrototypeOf(date, VirtualDate.prototype);
    return date;
  }
  VirtualDate.prototype = RealDate.prototype;
  VirtualDate.now = now;
  VirtualDate.parse = RealDate.parse;
  VirtualDate.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: VirtualDate, writable: true, configurable: true });
  globalThis.Date = VirtualDate;
})`;

function toScriptError(error: unknown): ScriptError {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message, stack } = error as {
      name?: unknown;
      message?: unknown;
      stack?: unknown;
    };
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      return { name: 'Exception', message: EXCEEDED_MAXIMUM_EXECUTION_TIME };
    }
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: String(message),
      stack: typeof stack === 'string' ? stack : undefined,
    };
  }
  return { name: 'Error', message: String(error) };
}

function run(request: RunRequest): RunOutcome {
  const logs: LogEntry[] = [];
  const execution = new Execution(request);
  const host = hostCallFor(execution);
  const context = vm.createContext({
    CardService: createCardService(),
    Utilities: createUtilities((milliseconds) => void host('sleep', milliseconds)),
    ...createServiceGlobals(host, request.identity, request.scriptId, logs),
  });
  useScriptRealm(vm.runInContext('Error', context) as ErrorConstructor);
  (vm.runInContext(VIRTUAL_DATE, context) as (now: () => number) => void)(() =>
    Math.round(execution.virtualNow()),
  );
  const finish = (partial: Pick<RunOutcome, 'result' | 'error'>): RunOutcome => ({
    executionId: request.executionId,
    ...(execution.aborted
      ? { error: { name: 'Exception', message: EXCEEDED_MAXIMUM_EXECUTION_TIME } }
      : partial),
    logs,
    cpuMs: Math.round(execution.cpuMs()),
    modelledMs: Math.round(execution.modelledMs),
  });
  try {
    bundle.runInContext(context, { timeout: request.limitMs });
    if (
      !IDENTIFIER.test(request.functionName) ||
      vm.runInContext(`typeof ${request.functionName}`, context) !== 'function'
    ) {
      return finish({
        error: { name: 'Exception', message: `Script function not found: ${request.functionName}` },
      });
    }
    const remaining = Math.max(
      1,
      Math.round(request.limitMs - execution.cpuMs() - execution.modelledMs),
    );
    const value: unknown = vm.runInContext(
      `${request.functionName}(JSON.parse(${JSON.stringify(JSON.stringify(request.event ?? {}))}))`,
      context,
      { timeout: remaining, filename: 'invocation' },
    );
    return finish({ result: describeResult(value) });
  } catch (error) {
    const scriptError = toScriptError(error);
    logs.push({ level: 'error', message: `${scriptError.name}: ${scriptError.message}` });
    return finish({ error: scriptError });
  } finally {
    useScriptRealm(Error);
  }
}

parentPort?.on('message', (message: { type: 'run'; request: RunRequest }) => {
  if (message.type === 'run')
    parentPort?.postMessage({ type: 'done', outcome: run(message.request) });
});
