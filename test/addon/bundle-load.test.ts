/**
 * The Apps Script load test: loads build/addon/Code.js (built by `npm test`) into a bare node:vm
 * context holding only what Apps Script's V8 runtime provides, and calls every manifest function
 * as Apps Script would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as ts from 'typescript';
import { manifestFunctionNames, type AddonManifest } from '../../src/emulator/gas/manifest';
import { createRecordingCardService, type RecordedObject } from '../support/recording-card-service';

const buildDir = path.join(__dirname, '../../build/addon');
const code = fs.readFileSync(path.join(buildDir, 'Code.js'), 'utf8');
const manifest = JSON.parse(
  fs.readFileSync(path.join(buildDir, 'appsscript.json'), 'utf8'),
) as AddonManifest;

function loadBundle(): vm.Context {
  const logs: unknown[][] = [];
  const context = vm.createContext({
    CardService: createRecordingCardService(),
    console: { log: (...a: unknown[]) => logs.push(a), error: (...a: unknown[]) => logs.push(a) },
    Logger: { log: (...a: unknown[]) => logs.push(a) },
  });
  vm.runInContext(code, context, { filename: 'Code.js' });
  return context;
}

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

const homepageEvent = {
  commonEventObject: {
    hostApp: 'GMAIL',
    platform: 'WEB',
    userLocale: 'en',
    timeZone: { id: 'Etc/UTC', offset: 0 },
  },
};

describe('the built bundle, loaded as Apps Script loads it', () => {
  const names = manifestFunctionNames(manifest);

  it('names the entry points the add-on needs', () => {
    expect(names).toEqual(['onHomepage', 'onSettings', 'onSupport', 'onGmailMessage', 'onCompose']);
  });

  it('declares every manifest function at top level', () => {
    const declared = topLevelFunctionDeclarations(code);
    for (const name of names) expect(declared).toContain(name);
  });

  it('loads in a context without Node or browser globals', () => {
    const context = loadBundle();
    for (const name of [
      'require',
      'module',
      'process',
      'Buffer',
      'setTimeout',
      'fetch',
      'URL',
      'TextEncoder',
      'window',
    ]) {
      expect(vm.runInContext(`typeof ${name}`, context)).toBe('undefined');
    }
  });

  it.each(names)('runs %s and gets a card back', (name) => {
    const context = loadBundle();
    const result = vm.runInContext(
      `${name}(event)`,
      Object.assign(context, { event: homepageEvent }),
    ) as RecordedObject;
    expect(['Card', 'UniversalActionResponse']).toContain(result.built);
    expect(result.calls.length).toBeGreaterThan(0);
  });

  it('fails to load when a bundled module touches a missing global', () => {
    const broken = code.replace('"use strict";', '"use strict";setTimeout(()=>{},0);');
    expect(broken).not.toBe(code);
    expect(() => vm.runInContext(broken, vm.createContext({}))).toThrow(
      /setTimeout is not defined/,
    );
  });
});
