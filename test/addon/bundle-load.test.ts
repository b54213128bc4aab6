/**
 * The Apps Script load test: loads build/addon/Code.js (built by `npm test`) into the emulator's
 * Apps Script runtime — a bare node:vm context holding only Apps Script's globals, with the
 * faithful service fakes — and calls every manifest function as Apps Script would, as a user of
 * an emulated Workspace, with the event object of its host.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { createWorkspaceEmulator } from '../../src/emulator/api';
import {
  cardActionEvent,
  composeEvent,
  gmailMessageEvent,
  homepageEvent,
} from '../../src/emulator/gas/events';
import { manifestFunctionNames, type AddonManifest } from '../../src/emulator/gas/manifest';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../src/emulator/gas/runtime';

const buildDir = path.join(__dirname, '../../build/addon');
const code = fs.readFileSync(path.join(buildDir, 'Code.js'), 'utf8');
const manifest = JSON.parse(
  fs.readFileSync(path.join(buildDir, 'appsscript.json'), 'utf8'),
) as AddonManifest;
const user = 'ann@acme.example';

function topLevelFunctionDeclarations(source: string): string[] {
  const file = ts.createSourceFile(
    'Code.js',
    source,
    ts.ScriptTarget.ES2020,
    false,
    ts.ScriptKind.JS,
  );
  return file.statements
    .filter(ts.isFunctionDeclaration)
    .map((declaration) => declaration.name?.text ?? '');
}

function writeBundle(source: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-load-')), 'Code.js');
  fs.writeFileSync(file, source);
  return file;
}

const events: Record<string, unknown> = {
  onGmailMessage: gmailMessageEvent({ messageId: 'msg-1', accessToken: 'message-token' }),
  onCompose: composeEvent({ toRecipients: ['bob@acme.example'] }),
};

/** The cards a result carries: a Card itself, or those a UniversalActionResponse pushes. */
function cardsOf(result: { type: string; json: unknown } | undefined): Record<string, unknown>[] {
  if (result?.type === 'Card') return [result.json as Record<string, unknown>];
  if (result?.type === 'UniversalActionResponse') {
    const json = result.json as {
      renderActions: { action: { navigations: { pushCard: Record<string, unknown> }[] } };
    };
    return json.renderActions.action.navigations.map((navigation) => navigation.pushCard);
  }
  return [];
}

describe('the built bundle, loaded as Apps Script loads it', () => {
  const names = manifestFunctionNames(manifest);
  const api = createWorkspaceEmulator();
  let runtime: AppsScriptRuntime;

  beforeAll(() => {
    api.addCustomer('acme.example');
    api.addUser(user, {});
    api.putGmailMessage(user, {
      id: 'msg-1',
      threadId: 'msg-1',
      from: 'Bob <bob@acme.example>',
      to: [user],
      cc: [],
      subject: 'Hello',
      date: api.clock.now(),
    });
    events.onGmailMessage = gmailMessageEvent({
      messageId: 'msg-1',
      accessToken: api.mintAccessToken(user, [
        'https://www.googleapis.com/auth/gmail.addons.current.message.metadata',
      ]),
    });
    runtime = createAppsScriptRuntime({ api });
  });
  afterAll(() => runtime.close());

  it('names the entry points the add-on needs', () => {
    expect(names).toEqual(['onHomepage', 'onSettings', 'onGmailMessage', 'onCompose']);
  });

  it('declares every manifest function at top level', () => {
    const declared = topLevelFunctionDeclarations(code);
    for (const name of names) expect(declared).toContain(name);
  });

  it('loads in a context without Node or browser globals', async () => {
    const globalsProbe = `${code}
function probeGlobals() {
  return ['require', 'module', 'process', 'Buffer', 'setTimeout', 'fetch', 'URL', 'TextEncoder', 'window']
    .map(function (name) { return typeof globalThis[name]; });
}`;
    const probing = createAppsScriptRuntime({ api, bundlePath: writeBundle(globalsProbe) });
    try {
      const run = await probing.runFunction('probeGlobals', { user });
      expect(run.error).toBeUndefined();
      expect(run.result?.json).toEqual(new Array(9).fill('undefined'));
    } finally {
      await probing.close();
    }
  });

  it.each(names)('runs %s and gets a card back', async (name) => {
    const run = await runtime.runFunction(name, { user, event: events[name] ?? homepageEvent() });
    expect(run.error).toBeUndefined();
    expect(['Card', 'UniversalActionResponse']).toContain(run.result?.type);
    const cards = cardsOf(run.result);
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      expect(card).toHaveProperty('header.title');
      expect((card.sections as unknown[]).length).toBeGreaterThan(0);
    }
    expect(run.logs.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  describe('the card-action router onAction', () => {
    const act = (parameters: Record<string, string>, feedback?: string) =>
      runtime.runFunction('onAction', {
        user,
        event: cardActionEvent(homepageEvent(), {
          parameters,
          formInputs: feedback === undefined ? {} : { feedback: [feedback] },
        }),
      });
    const actionOf = (run: Awaited<ReturnType<typeof act>>) =>
      (run.result?.json as { renderActions: { action: Record<string, unknown> } }).renderActions
        .action;

    it('pushes the About card with its feedback field', async () => {
      const run = await act({ action: 'showAbout' });
      expect(run.result?.type).toBe('ActionResponse');
      const [step] = actionOf(run).navigations as {
        pushCard: { name: string; sections: unknown };
      }[];
      expect(step?.pushCard.name).toBe('about');
      expect(JSON.stringify(step?.pushCard.sections)).toContain('"name":"feedback"');
    });

    it('sends feedback, pops the card and logs it for the vendor', async () => {
      const run = await act({ action: 'sendFeedback' }, 'More colours, please');
      expect(actionOf(run)).toEqual({
        navigations: [{ popCard: true }],
        notification: { text: 'Thanks, your feedback was sent.' },
      });
      expect(run.logs).toEqual([
        { level: 'log', message: '{"type":"feedback","text":"More colours, please"}' },
      ]);
    });

    it('refuses empty or over-long feedback with a notification and keeps the card', async () => {
      expect(actionOf(await act({ action: 'sendFeedback' }))).toEqual({
        notification: { text: 'Write your feedback first.' },
      });
      const long = await act({ action: 'sendFeedback' }, 'x'.repeat(1001));
      expect(actionOf(long)).toEqual({
        notification: { text: 'Feedback can be at most 1000 characters; yours has 1001.' },
      });
      expect(long.logs).toEqual([]);
    });

    it('answers an unknown action with a notification, not a stack trace', async () => {
      const run = await act({ action: 'toString' });
      expect(run.error).toBeUndefined();
      expect(actionOf(run)).toEqual({
        notification: {
          text: 'This button no longer works. Reopen Shared Contacts and try again.',
        },
      });
    });
  });

  it('fails to load when a bundled module touches a missing global', async () => {
    const broken = code.replace('"use strict";', '"use strict";setTimeout(()=>{},0);');
    expect(broken).not.toBe(code);
    const failing = createAppsScriptRuntime({ api, bundlePath: writeBundle(broken) });
    try {
      const run = await failing.runFunction('onHomepage', { user, event: homepageEvent() });
      expect(run.result).toBeUndefined();
      expect(run.error?.message).toMatch(/setTimeout is not defined/);
    } finally {
      await failing.close();
    }
  });
});
