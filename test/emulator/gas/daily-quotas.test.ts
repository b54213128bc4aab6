/**
 * Tests of Apps Script's daily quotas in the runtime (developers.google.com/apps-script/guides/
 * services/quotas): URL Fetch calls and properties reads/writes per user and day, with Google's
 * exception text, the total runtime of triggers, the consumer and Workspace values, and the reset
 * 24 hours after the first request; and one OAuth token per execution.
 */
import { DAILY_QUOTAS, DailyQuotas } from '../../../src/emulator/gas/daily-quotas';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../../src/emulator/gas/runtime';
import { testEmulator, testManifest, writeBundle } from './runtime-support';

const script = `
function fetchTwice() {
  try {
    var list = 'https://people.googleapis.com/v1/people/me/connections?personFields=names';
    var headers = { Authorization: 'Bearer ' + ScriptApp.getOAuthToken() };
    var answers = UrlFetchApp.fetchAll([{ url: list, headers: headers }, { url: list, headers: headers }]);
    return answers.map(function (answer) { return answer.getResponseCode(); });
  } catch (err) { return String(err); }
}
function touchProperties() {
  try {
    var store = PropertiesService.getUserProperties();
    store.setProperty('k', 'v');
    return store.getProperty('k');
  } catch (err) { return String(err); }
}
function sleepy() {
  Utilities.sleep(25000);
  return 'slept';
}
function sameToken() {
  return ScriptApp.getOAuthToken() === ScriptApp.getOAuthToken();
}
`;

describe('Apps Script daily quotas in the runtime', () => {
  const api = testEmulator();
  let runtime: AppsScriptRuntime;

  beforeAll(() => {
    runtime = createAppsScriptRuntime({
      api,
      bundlePath: writeBundle(script),
      manifest: testManifest(['https://people.googleapis.com/']),
      dailyQuotas: { urlFetchCalls: 3, propertiesReadWrites: 4, triggerRuntimeMs: 40_000 },
    });
  });
  afterAll(() => runtime.close());

  // quotas page: "URL Fetch calls 20,000 / day | 100,000 / day"; "Quotas are per user and reset 24 hours after the first request"
  it('refuses UrlFetchApp calls beyond the daily quota with Google’s words, per user, until a day after the first call (quotas page: URL Fetch calls)', async () => {
    const first = await runtime.runFunction('fetchTwice', { user: 'ann@a.example' });
    expect(first.result?.json).toEqual([200, 200]);
    const second = await runtime.runFunction('fetchTwice', { user: 'ann@a.example' });
    expect(second.result?.json).toBe(
      'Exception: Service invoked too many times for one day: urlfetch.',
    );
    const other = await runtime.runFunction('fetchTwice', { user: 'bob@a.example' });
    expect(other.result?.json).toEqual([200, 200]);
    api.clock.advance(24 * 3600_000);
    const nextDay = await runtime.runFunction('fetchTwice', { user: 'ann@a.example' });
    expect(nextDay.result?.json).toEqual([200, 200]);
  });

  // quotas page: "Properties read/write 50,000 / day | 500,000 / day"
  it('refuses property reads and writes beyond the daily quota (quotas page: Properties read/write)', async () => {
    expect(
      (await runtime.runFunction('touchProperties', { user: 'val@a.example' })).result?.json,
    ).toBe('v');
    expect(
      (await runtime.runFunction('touchProperties', { user: 'val@a.example' })).result?.json,
    ).toBe('v');
    expect(
      (await runtime.runFunction('touchProperties', { user: 'val@a.example' })).result?.json,
    ).toBe('Exception: Service invoked too many times for one day: properties.');
  });

  // quotas page: "Triggers total runtime 90 min / day | 6 hr / day"
  it('cuts a trigger run at the runtime left today and runs no trigger once it is spent (quotas page: Triggers total runtime)', async () => {
    const first = await runtime.runFunction('sleepy', { user: 'trig@a.example', kind: 'trigger' });
    expect(first.error).toBeUndefined();
    expect(first.result?.json).toBe('slept');
    const second = await runtime.runFunction('sleepy', { user: 'trig@a.example', kind: 'trigger' });
    expect(second.error?.message).toMatch(/Exceeded maximum execution time/);
    const third = await runtime.runFunction('sleepy', { user: 'trig@a.example', kind: 'trigger' });
    expect(third.error?.message).toBe('Service using too much computer time for one day.');
    const card = await runtime.runFunction('sleepy', { user: 'trig@a.example' });
    expect(card.result?.json).toBe('slept');
  });

  it('gives one OAuth token per execution, as ScriptApp.getOAuthToken does', async () => {
    expect((await runtime.runFunction('sameToken', { user: 'other@a.example' })).result?.json).toBe(
      true,
    );
  });
});

describe('DailyQuotas', () => {
  // quotas page: consumer accounts (gmail.com) and Google Workspace accounts have different values
  it('applies the consumer values to gmail.com accounts and the Workspace values to the others (quotas page: Current quotas)', () => {
    const quotas = new DailyQuotas(() => 0);
    expect(quotas.quotasOf('someone@gmail.com')).toEqual(DAILY_QUOTAS.consumer);
    expect(quotas.quotasOf('ann@a.example')).toEqual(DAILY_QUOTAS.workspace);
    expect(DAILY_QUOTAS.consumer).toEqual({
      urlFetchCalls: 20_000,
      propertiesReadWrites: 50_000,
      triggerRuntimeMs: 90 * 60_000,
    });
    expect(DAILY_QUOTAS.workspace).toEqual({
      urlFetchCalls: 100_000,
      propertiesReadWrites: 500_000,
      triggerRuntimeMs: 6 * 3600_000,
    });
  });
});
