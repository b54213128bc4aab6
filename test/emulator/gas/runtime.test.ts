/**
 * Tests of the runtime's mechanics on small scripts: the bare global scope, fresh globals per
 * execution, errors with the script's stack, the execution limits (FACTS.md: 30 s per card action,
 * 6 min per trigger run) and the virtual clock.
 */
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../../src/emulator/gas/runtime';
import { testEmulator, testManifest, writeBundle } from './runtime-support';

const script = `
var counter = 0;
function probe() {
  return ['require', 'module', 'process', 'Buffer', 'setTimeout', 'setInterval', 'fetch', 'URL',
    'TextEncoder', 'window', 'global', '__dirname', 'queueMicrotask']
    .filter(function (name) { return typeof globalThis[name] !== 'undefined'; });
}
function services() {
  return ['CardService', 'PropertiesService', 'CacheService', 'LockService', 'Session', 'ScriptApp',
    'Utilities', 'UrlFetchApp', 'Logger', 'console'].filter(function (name) { return typeof globalThis[name] === 'object'; });
}
function count() { counter += 1; return counter; }
function fail() { helper(); }
function helper() { throw new Error('the script broke'); }
function serviceError() {
  try { CardService.newCardBuilder().build(); } catch (e) { return [e instanceof Error, e.name, String(e)]; }
}
function logs() { Logger.log('value %s', 42); console.warn('careful', { a: 1 }); return Logger.getLog(); }
function sleepy(e) { Utilities.sleep(25000); Utilities.sleep(25000); return 'finished'; }
function stubborn() {
  try { Utilities.sleep(25000); Utilities.sleep(25000); } catch (e) { }
  return 'survived';
}
function longTrigger() { for (var i = 0; i < 5; i++) Utilities.sleep(60000); return 'done'; }
function spin() { while (true) { } }
function clock() { var before = Date.now(); Utilities.sleep(60000); return [before, Date.now(), new Date().getTime() >= before + 60000]; }
function echo(e) { return e.commonEventObject.parameters; }
`;

describe('the Apps Script runtime', () => {
  const api = testEmulator();
  let runtime: AppsScriptRuntime;
  const user = 'ann@example.com';

  beforeAll(() => {
    runtime = createAppsScriptRuntime({
      api,
      bundlePath: writeBundle(script),
      manifest: testManifest([]),
      limits: { cardActionMs: 30_000 },
    });
  });
  afterAll(() => runtime.close());

  it('gives the script no Node or browser globals, and every Apps Script service', async () => {
    expect((await runtime.runFunction('probe', { user })).result?.json).toEqual([]);
    expect((await runtime.runFunction('services', { user })).result?.json).toHaveLength(10);
  });

  it('starts every execution with fresh globals, as Apps Script does', async () => {
    expect((await runtime.runFunction('count', { user })).result?.json).toBe(1);
    expect((await runtime.runFunction('count', { user })).result?.json).toBe(1);
  });

  it('reports an uncaught error with the script stack for developers', async () => {
    const run = await runtime.runFunction('fail', { user });
    expect(run.result).toBeUndefined();
    expect(run.error?.message).toBe('the script broke');
    expect(run.error?.stack).toMatch(/at helper \(Code\.js:\d+/);
    expect(run.error?.stack).toMatch(/at fail \(Code\.js:\d+/);
  });

  it('throws service errors as Exceptions of the script realm', async () => {
    const run = await runtime.runFunction('serviceError', { user });
    expect(run.result?.json).toEqual([
      true,
      'Exception',
      'Exception: A card must contain at least one section.',
    ]);
  });

  it('names a missing function as Apps Script does', async () => {
    const run = await runtime.runFunction('missing', { user });
    expect(run.error?.message).toBe('Script function not found: missing');
  });

  it('collects Logger and console output', async () => {
    const run = await runtime.runFunction('logs', { user });
    expect(run.result?.json).toBe('value 42\n');
    expect(run.logs).toEqual([
      { level: 'info', message: 'value 42' },
      { level: 'warn', message: 'careful { a: 1 }' },
    ]);
  });

  it('passes the event object into the script', async () => {
    const event = { commonEventObject: { parameters: { action: 'about' } } };
    expect((await runtime.runFunction('echo', { user, event })).result?.json).toEqual({
      action: 'about',
    });
  });

  it('aborts a card action past 30 s of modelled time, even when the script catches the error', async () => {
    const sleepy = await runtime.runFunction('sleepy', { user });
    expect(sleepy.error?.message).toBe('Exceeded maximum execution time');
    expect(sleepy.modelledMs).toBe(50_000);
    const stubborn = await runtime.runFunction('stubborn', { user });
    expect(stubborn.result).toBeUndefined();
    expect(stubborn.error?.message).toBe('Exceeded maximum execution time');
  });

  it('gives a trigger run 6 minutes, and a card action 30 s', async () => {
    expect((await runtime.runFunction('longTrigger', { user, kind: 'trigger' })).result?.json).toBe(
      'done',
    );
    expect((await runtime.runFunction('longTrigger', { user })).error?.message).toBe(
      'Exceeded maximum execution time',
    );
  });

  it('moves the script clock and the emulator clock with Utilities.sleep', async () => {
    const before = api.clock.now();
    const run = await runtime.runFunction('clock', { user, kind: 'trigger' });
    const [start, end, advanced] = run.result?.json as [number, number, boolean];
    expect(start).toBeGreaterThanOrEqual(before);
    expect(end - start).toBeGreaterThanOrEqual(60_000);
    expect(advanced).toBe(true);
    expect(api.clock.now()).toBe(before + 60_000);
  });
});

describe('a runaway script', () => {
  it('is stopped at the limit and the runtime keeps serving', async () => {
    const runtime = createAppsScriptRuntime({
      api: testEmulator(),
      bundlePath: writeBundle(script),
      manifest: testManifest([]),
      limits: { cardActionMs: 300 },
    });
    try {
      const run = await runtime.runFunction('spin', { user: 'bob@example.com' });
      expect(run.error?.message).toBe('Exceeded maximum execution time');
      expect((await runtime.runFunction('count', { user: 'bob@example.com' })).result?.json).toBe(
        1,
      );
    } finally {
      await runtime.close();
    }
  });
});
