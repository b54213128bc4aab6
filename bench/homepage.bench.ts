/**
 * This file measures the homepage through the real bundle in the Apps Script runtime, for a user
 * with 20 shared labels (the backend on PGlite, the API emulator's latency model of 300 ms a
 * call plus 1 ms a contact): the first open after the labels were shared (they are due, so it
 * syncs the labels it can start within 1.5 s, ending them within its 5-s budget), then after the
 * hourly trigger has synced them all, the first open (labels synced over two minutes before are
 * checked again) and opens with nothing changed (warm). The first open also starts the runtime's worker and compiles the bundle. It prints modelled and CPU time and the API calls: People API calls,
 * token exchanges and requests to our backend (counted by a loopback proxy in front of it).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { homepageEvent } from '../src/emulator/gas/events';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../src/emulator/gas/runtime';
import { makeLabel, peopleCalls, startE2eStack } from '../test/e2e/stack';

const LABELS = 20;
const OWNER = 'alice@acme.example';
const USER = 'bob@acme.example';

/** A loopback proxy that forwards to the backend and counts the requests. */
export async function countingProxy(
  target: string,
): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    const upstream = http.request(
      new URL(request.url ?? '/', target),
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Prints the homepage's figures. */
export async function run(): Promise<void> {
  const stack = await startE2eStack();
  const proxy = await countingProxy(stack.backend.url);
  const runtimes: AppsScriptRuntime[] = [];
  try {
    for (let index = 0; index < LABELS; index++) {
      const label = makeLabel(stack, OWNER, `Label ${index}`, 50, `h${index}x`);
      const shared = await stack.act(
        OWNER,
        { action: 'createShare', labelResourceName: label },
        { targetKind: ['user'], recipients: [USER], level: ['edit'] },
      );
      if (shared.run.error) throw new Error(shared.run.error.message);
    }
    stack.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
    const open = async (runtime: AppsScriptRuntime, what: string) => {
      const people = peopleCalls(stack.emulator);
      const tokens = stack.emulator.callCount({ operation: 'oauth2.token' });
      const backend = proxy.count();
      const result = await runtime.runFunction('onHomepage', {
        user: USER,
        event: homepageEvent(),
      });
      if (result.error) throw new Error(result.error.message);
      const calls = {
        people: peopleCalls(stack.emulator) - people,
        tokens: stack.emulator.callCount({ operation: 'oauth2.token' }) - tokens,
        backend: proxy.count() - backend,
      };
      console.log(
        `homepage, ${LABELS} shared labels, ${what}: ${result.modelledMs} ms modelled + ${result.cpuMs} ms CPU; ` +
          `API calls ${calls.people + calls.tokens + calls.backend} (People ${calls.people}, token ${calls.tokens}, backend ${calls.backend})`,
      );
    };
    const runtime = createAppsScriptRuntime({ api: stack.emulator, backendBaseUrl: proxy.url });
    runtimes.push(runtime);
    await open(runtime, 'cold: new worker, 20 labels never synced by the user');
    const trigger = await runtime.runFunction('onSyncTrigger', { user: USER, kind: 'trigger' });
    if (trigger.error) throw new Error(trigger.error.message);
    console.log(`  then the hourly trigger syncs the rest: ${trigger.modelledMs} ms modelled`);
    // The trigger ran for minutes: the labels it synced first are due again (2-minute interval).
    await open(
      runtime,
      'after the hourly sync, 1st open (labels synced over 2 min before checked)',
    );
    await open(runtime, 'after the hourly sync, 2nd open (the rest of those labels checked)');
    await open(runtime, 'warm: opened again, nothing changed');
  } finally {
    for (const runtime of runtimes) await runtime.close();
    await proxy.close();
    await stack.close();
  }
}
