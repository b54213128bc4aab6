/**
 * This file tests that the backend's Node.js versions agree, each read from the file that sets it:
 * package.json's engines accepts every Node.js from 20 up (this machine runs 20, production 24),
 * scripts/build-backend.js targets the major version of the runtime that scripts/deploy-backend.sh
 * deploys on, and that runtime is in the Cloud Run functions runtime support schedule
 * (config/runtime-schedule.json). Also how the schedule is judged: a runtime is refused from its
 * decommission date on (and when the schedule does not list it), with a warning from its
 * deprecation date on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  readRuntimeSchedule,
  runtimeVerdict,
  SettingsError,
} from '../../scripts/deploy-environment';

const ROOT = path.join(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/**
 * Whether an npm engines range accepts a major version (every minor of it). Understands what
 * such ranges are made of: `||` alternatives of space-separated comparators `>=N`, `>N`, `<=N`,
 * `<N`, `N`, `N.x` on major versions.
 */
function acceptsMajor(range: string, major: number): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const match = /^(>=|>|<=|<|=)?\s*v?(\d+)(?:\.[x*\d]+)*$/.exec(comparator);
        if (!match) throw new Error(`engines: cannot read "${comparator}"`);
        const bound = Number(match[2]);
        switch (match[1]) {
          case '>=':
            return major >= bound;
          case '>':
            return major > bound;
          case '<=':
            return major <= bound;
          case '<':
            return major < bound;
          default:
            return major === bound;
        }
      }),
  );
}

describe('the Node.js versions of the backend', () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const buildMajor = Number(
    /^const NODE_MAJOR = (\d+);$/m.exec(read('scripts/build-backend.js'))?.[1],
  );
  const deployScript = read('scripts/deploy-backend.sh');
  const runtime = /^RUNTIME=(nodejs(\d+))$/m.exec(deployScript);

  it('agree: engines, the build target and the deploy runtime', () => {
    expect(runtime?.[1]).toBeDefined();
    const runtimeMajor = Number(runtime?.[2]);
    expect(read('scripts/build-backend.js')).toContain('target: `node${NODE_MAJOR}`');
    expect(deployScript).toContain('--runtime="$RUNTIME"');
    expect(buildMajor).toBe(runtimeMajor);
    expect(acceptsMajor(engines, runtimeMajor)).toBe(true);
    expect(Object.keys(readRuntimeSchedule().runtimes)).toContain(runtime?.[1]);
    const built = JSON.parse(read('build/backend/package.json')) as { engines: { node: string } };
    expect(acceptsMajor(built.engines.node, runtimeMajor)).toBe(true);
  });

  it('engines accepts every Node.js from 20 up, and this machine’s', () => {
    for (const major of [20, 22, 24, 26, 30, 99]) expect(acceptsMajor(engines, major)).toBe(true);
    for (const major of [16, 18, 19]) expect(acceptsMajor(engines, major)).toBe(false);
    expect(acceptsMajor(engines, Number(process.versions.node.split('.')[0]))).toBe(true);
  });

  it('reads engines ranges as npm does for whole majors', () => {
    expect(acceptsMajor('>=20 <21', 22)).toBe(false);
    expect(acceptsMajor('>=20 <21', 20)).toBe(true);
    expect(acceptsMajor('20.x || 24', 24)).toBe(true);
    expect(acceptsMajor('20.x || 24', 22)).toBe(false);
  });
});

describe('the Cloud Run functions runtime support schedule', () => {
  const schedule = readRuntimeSchedule();

  it('names its source and gives each runtime a deprecation before its decommission date', () => {
    expect(schedule.source).toMatch(
      /^https:\/\/cloud\.google\.com\/functions\/docs\/runtime-support/,
    );
    for (const dates of Object.values(schedule.runtimes)) {
      expect(dates.deprecated < dates.decommissioned).toBe(true);
      for (const date of [dates.deprecated, dates.decommissioned])
        expect(Number.isNaN(Date.parse(`${date}T00:00:00Z`))).toBe(false);
    }
  });

  it('refuses a runtime from its decommission date on, and warns from its deprecation date on', () => {
    const cases: [string, string, boolean, RegExp | undefined][] = [
      ['nodejs22', '2026-11-30', true, undefined],
      ['nodejs20', '2026-04-29', true, undefined],
      ['nodejs20', '2026-04-30', true, /deprecated since 2026-04-30.*move to nodejs22 or nodejs24/],
      ['nodejs20', '2026-10-29', true, /decommissioned on 2026-10-30/],
      ['nodejs20', '2026-10-30', false, /nodejs20 was decommissioned on 2026-10-30/],
      ['nodejs20', '2026-11-30', false, /supported runtime: nodejs22 until 2027-10-31, nodejs24/],
      ['nodejs24', '2028-10-31', false, /no runtime is left/],
      ['nodejs18', '2026-11-30', false, /not in the runtime support schedule/],
    ];
    for (const [runtime, today, allowed, message] of cases) {
      const verdict = runtimeVerdict(runtime, today, schedule);
      expect({ runtime, today, allowed: verdict.allowed }).toEqual({ runtime, today, allowed });
      if (message) expect(verdict.message).toMatch(message);
      else expect(verdict.message).toBeUndefined();
    }
  });

  it('refuses a day that is not a date', () => {
    for (const today of ['30/11/2026', '2026-13-45', ''])
      expect(() => runtimeVerdict('nodejs24', today, schedule)).toThrow(SettingsError);
  });
});
