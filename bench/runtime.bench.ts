/**
 * This file measures a homepage render through the Apps Script runtime, with the API emulator and
 * the backend on PGlite (test/e2e/stack.ts): cold (a new runtime, its worker thread, the bundle
 * compiled and run) and warm (the worker ready; each execution still gets a fresh context and
 * runs the bundle's top level, as Apps Script does). The user has a label of their own and one
 * shared with them, already synced, so each render reads the registry and lists the labels.
 * Times are wall-clock on this machine (no latency model). Needs build/addon (npm run build).
 */
import { homepageEvent } from '../src/emulator/gas/events';
import { createAppsScriptRuntime, type RuntimeAddonConfig } from '../src/emulator/gas/runtime';
import { makeLabel, startE2eStack, type E2eStack } from '../test/e2e/stack';
import * as fs from 'node:fs';
import * as path from 'node:path';

const OWNER = 'alice@acme.example';
const USER = 'bob@acme.example';
const COLD_RUNS = 5;
const WARM_RUNS = 200;

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? NaN;
}

/** Shares a 50-contact label of alice's with bob and gives bob a label of his own. */
async function prepare(stack: E2eStack): Promise<void> {
  const label = makeLabel(stack, OWNER, 'Customers', 50, 'r');
  const shared = await stack.act(
    OWNER,
    { action: 'createShare', labelResourceName: label },
    { targetKind: ['user'], recipients: [USER], level: ['edit'] },
  );
  if (shared.run.error) throw new Error(shared.run.error.message);
  makeLabel(stack, USER, 'Suppliers', 10, 's');
  const first = await stack.home(USER);
  if (first.run.error) throw new Error(first.run.error.message);
}

/** Fails the bench when the homepage shows an error state instead of the user's labels. */
function expectLabels(json: unknown): void {
  const text = JSON.stringify(json);
  if (!text.includes('Customers') || !text.includes('Suppliers') || /unreachable/i.test(text))
    throw new Error(`The homepage did not list the labels: ${text.slice(0, 300)}`);
}

/** Prints cold and warm homepage render times. */
export async function run(): Promise<void> {
  const stack = await startE2eStack();
  const addonConfig = JSON.parse(
    fs.readFileSync(path.join(__dirname, '../config/local.json'), 'utf8'),
  ) as RuntimeAddonConfig;
  const options = { api: stack.emulator, addonConfig, backendBaseUrl: stack.backend.url };
  const event = homepageEvent();
  try {
    await prepare(stack);
    const cold: number[] = [];
    for (let index = 0; index < COLD_RUNS; index++) {
      const started = performance.now();
      const runtime = createAppsScriptRuntime({ ...options, maxWorkers: 1 });
      const result = await runtime.runFunction('onHomepage', { user: USER, event });
      cold.push(performance.now() - started);
      await runtime.close();
      if (result.error) throw new Error(result.error.message);
      expectLabels(result.result?.json);
    }

    const runtime = createAppsScriptRuntime({ ...options, maxWorkers: 1 });
    const warm: number[] = [];
    try {
      await runtime.runFunction('onHomepage', { user: USER, event });
      for (let index = 0; index < WARM_RUNS; index++) {
        const started = performance.now();
        const result = await runtime.runFunction('onHomepage', { user: USER, event });
        warm.push(performance.now() - started);
        if (result.error) throw new Error(result.error.message);
        if (index === 0) expectLabels(result.result?.json);
      }
    } finally {
      await runtime.close();
    }

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(
      `homepage render with backend (PGlite), cold (new worker + bundle load), ${COLD_RUNS} runs: median ${ms(percentile(cold, 0.5))}, max ${ms(Math.max(...cold))}`,
    );
    console.log(
      `homepage render with backend (PGlite), warm (fresh context per execution), ${WARM_RUNS} runs: median ${ms(percentile(warm, 0.5))}, p95 ${ms(percentile(warm, 0.95))}`,
    );
  } finally {
    await stack.close();
  }
}
