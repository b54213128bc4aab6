/**
 * This file measures a homepage render through the Apps Script runtime: cold (a new runtime,
 * its worker thread, the bundle compiled and run) and warm (the worker ready; each execution
 * still gets a fresh context and runs the bundle's top level, as Apps Script does). Needs
 * build/addon (npm run build).
 */
import { createWorkspaceEmulator } from '../src/emulator/api';
import { homepageEvent } from '../src/emulator/gas/events';
import { createAppsScriptRuntime } from '../src/emulator/gas/runtime';

const user = 'ann@acme.example';

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? NaN;
}

/** Prints cold and warm homepage render times. */
export async function run(): Promise<void> {
  const api = createWorkspaceEmulator();
  api.addCustomer('acme.example');
  api.addUser(user);
  const event = homepageEvent();

  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const runtime = createAppsScriptRuntime({ api, maxWorkers: 1 });
    const result = await runtime.runFunction('onHomepage', { user, event });
    cold.push(performance.now() - started);
    if (result.error) throw new Error(result.error.message);
    await runtime.close();
  }

  const runtime = createAppsScriptRuntime({ api, maxWorkers: 1 });
  await runtime.runFunction('onHomepage', { user, event });
  const warm: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await runtime.runFunction('onHomepage', { user, event });
    warm.push(performance.now() - started);
  }
  await runtime.close();

  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    `homepage render, cold (new worker + bundle load), 5 runs: median ${ms(percentile(cold, 0.5))}, max ${ms(Math.max(...cold))}`,
  );
  console.log(
    `homepage render, warm (fresh context per execution), 200 runs: median ${ms(percentile(warm, 0.5))}, p95 ${ms(percentile(warm, 0.95))}`,
  );
}
