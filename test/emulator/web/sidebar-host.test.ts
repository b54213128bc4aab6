/**
 * Tests of the sidebar host's JSON API without a browser: it opens surfaces with the event
 * objects of their hosts, passes action parameters and form inputs, and refuses bad requests
 * with 400 and the reason, keeping the server up.
 */
import { createWorkspaceEmulator } from '../../../src/emulator/api';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../../src/emulator/gas/runtime';
import { startSidebarHost, type SidebarHost } from '../../../src/emulator/web/sidebar-host';
import { writeBundle } from '../gas/runtime-support';

const script = `
function onHomepage(e) { return ['home', e.commonEventObject.hostApp]; }
function onMessage(e) { return ['message', e.gmail.messageId, typeof e.gmail.accessToken]; }
function onCompose(e) { return ['compose', e.draftMetadata.toRecipients]; }
function onAction(e) { return [e.commonEventObject.parameters, e.commonEventObject.formInputs]; }
function onSettings() { return 'settings'; }
`;

describe('the sidebar host API', () => {
  let runtime: AppsScriptRuntime;
  let host: SidebarHost;
  const user = 'ann@acme.example';

  beforeAll(async () => {
    const api = createWorkspaceEmulator();
    runtime = createAppsScriptRuntime({
      api,
      bundlePath: writeBundle(script),
      manifest: {
        timeZone: 'Etc/UTC',
        runtimeVersion: 'V8',
        oauthScopes: [],
        addOns: {
          common: {
            name: 'Probe',
            homepageTrigger: { runFunction: 'onHomepage' },
            universalActions: [{ label: 'Settings', runFunction: 'onSettings' }],
          },
          gmail: {
            contextualTriggers: [{ unconditional: {}, onTriggerFunction: 'onMessage' }],
            composeTrigger: { selectActions: [{ text: 'Insert', runFunction: 'onCompose' }] },
          },
          calendar: {},
        },
      },
    });
    host = await startSidebarHost({ runtime, api, users: [user], senders: ['bob@globex.example'] });
  });
  afterAll(async () => {
    await host.close();
    await runtime.close();
  });

  async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${host.url}api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  const result = (answer: { json: Record<string, unknown> }) =>
    (answer.json.result as { json: unknown }).json;

  it('opens each host with its event object', async () => {
    expect(result(await post({ kind: 'open', surface: { user, host: 'homepage' } }))).toEqual([
      'home',
      'GMAIL',
    ]);
    expect(result(await post({ kind: 'open', surface: { user, host: 'calendar' } }))).toEqual([
      'home',
      'CALENDAR',
    ]);
    const message = result(
      await post({
        kind: 'open',
        surface: { user, host: 'message', sender: 'bob@globex.example' },
      }),
    );
    expect(message).toEqual(['message', expect.stringMatching(/^msg-/), 'string']);
    const compose = await post({
      kind: 'open',
      surface: { user, host: 'compose', recipients: ['x@acme.example'] },
    });
    expect(result(compose)).toEqual(['compose', ['x@acme.example']]);
  });

  it('passes action parameters and form inputs', async () => {
    const answer = await post({
      kind: 'action',
      surface: { user, host: 'homepage' },
      functionName: 'onAction',
      parameters: { action: 'save' },
      formInputs: { name: ['Ann'], when: { msSinceEpoch: 86_400_000 } },
    });
    expect(result(answer)).toEqual([
      { action: 'save' },
      {
        name: { stringInputs: { value: ['Ann'] } },
        when: { dateInput: { msSinceEpoch: '86400000' } },
      },
    ]);
  });

  it('runs universal actions by their manifest position', async () => {
    expect(
      result(await post({ kind: 'universal', surface: { user, host: 'homepage' }, index: 0 })),
    ).toBe('settings');
    expect(
      await post({ kind: 'universal', surface: { user, host: 'homepage' }, index: 5 }),
    ).toEqual({
      status: 400,
      json: { error: 'No universal action number 5.' },
    });
  });

  it('refuses unknown users, malformed bodies and bad function names', async () => {
    expect(
      await post({ kind: 'open', surface: { user: 'eve@evil.example', host: 'homepage' } }),
    ).toEqual({
      status: 400,
      json: { error: 'eve@evil.example is not a demo user.' },
    });
    expect((await post('{not json')).json).toEqual({ error: 'The request body is not JSON.' });
    const bad = await post({
      kind: 'action',
      surface: { user, host: 'homepage' },
      functionName: 'a(b)',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^functionName: /);
    expect(result(await post({ kind: 'open', surface: { user, host: 'homepage' } }))).toEqual([
      'home',
      'GMAIL',
    ]);
  });
});
