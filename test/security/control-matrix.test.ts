/**
 * This file tests that docs/security.md is true of the code: it reads the controls table and
 * fails listing every control without a proof — a code path or test file that does not exist, a
 * check command that is not the one running the row's tests, a pattern that matches no test of a
 * file it names, or a named file holding skipped or focused tests.
 *
 * How the proofs run, and why. This file checks the mapping from the test files' source (test
 * names read with the TypeScript parser, `describe.each`/`it.each` placeholders kept as written)
 * and leaves execution to the normal run: `npm test` runs every test file, and the jest reporter
 * test/security/control-matrix-reporter.js (jest.config.js) then fails the run unless every
 * control has a passing test matching its pattern in each of its files. So CI proves every
 * control from real results without running any test twice: running the proving tests again from
 * here, in a child jest, took 90–120 s on the CI machine, nearly doubling a two-minute suite.
 * One row alone is checked by the command in its `check` column.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

interface Control {
  id: string;
  control: string;
  code: string[];
  tests: string[];
  pattern: string;
  check: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const matrix = require('./control-matrix') as {
  ROOT: string;
  readControls(): Control[];
  formProblems(control: Control): string[];
};

const { ROOT } = matrix;

/** The controls the policy must cover (issue 9); more may be added, none removed. */
const REQUIRED = [
  'TENANT-ISOLATION',
  'CUSTOMER-BOUNDARY',
  'SERVER-SIDE-AUTHORISATION',
  'SHARE-GATEWAY',
  'SECOND-FACTOR',
  'OTP-REPLAY',
  'OTP-BRUTE-FORCE',
  'SUPPORT-SESSIONS',
  'SUPPORT-CUSTOMER-CONTROL',
  'AUDIT-CHAIN',
  'AUDIT-COVERAGE',
  'ANOMALY-RULES',
  'FLOOD-LIMITS',
  'PARAMETERISED-SQL',
  'NO-SECRETS-OR-CONTACTS-IN-LOGS',
  'SECRETS-NOT-IN-REPO-OR-BUILD',
  'SECRETS-AT-DEPLOYMENT',
];

const BLOCKS = new Set(['describe', 'it', 'test']);
const DISABLED = new Set(['skip', 'only', 'todo', 'failing']);

/** The test names of a file as written (describe titles joined as jest joins them), and misuse. */
function testNamesOf(file: string): { names: string[]; disabled: string[] } {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(path.join(ROOT, file), 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const names: string[] = [];
  const disabled: string[] = [];
  /** `describe`, `it.each(table)`, `test.skip` … → the block and its modifier, if any. */
  const blockOf = (callee: ts.Expression): { block: string; modifier?: string } | undefined => {
    const target = ts.isCallExpression(callee) ? callee.expression : callee;
    if (ts.isIdentifier(target)) {
      if (BLOCKS.has(target.text)) return { block: target.text };
      if (/^[xf](it|describe|test)$/.test(target.text))
        return { block: target.text.slice(1), modifier: target.text[0] };
    }
    if (
      ts.isPropertyAccessExpression(target) &&
      ts.isIdentifier(target.expression) &&
      BLOCKS.has(target.expression.text)
    )
      return { block: target.expression.text, modifier: target.name.text };
    return undefined;
  };
  const visit = (node: ts.Node, ancestors: string[]) => {
    if (ts.isCallExpression(node)) {
      const found = blockOf(node.expression);
      const [title] = node.arguments;
      if (found && title && (ts.isStringLiteralLike(title) || ts.isTemplateExpression(title))) {
        const text = ts.isStringLiteralLike(title)
          ? title.text
          : title.getText(source).slice(1, -1);
        const full = [...ancestors, text];
        if (found.modifier && (DISABLED.has(found.modifier) || /^[xf]$/.test(found.modifier)))
          disabled.push(`${found.modifier}: ${full.join(' ')}`);
        if (found.block === 'describe') {
          node.arguments.slice(1).forEach((argument) => visit(argument, full));
          return;
        }
        names.push(full.join(' '));
      }
    }
    ts.forEachChild(node, (child) => visit(child, ancestors));
  };
  visit(source, []);
  return { names, disabled };
}

describe('the controls of docs/security.md', () => {
  const controls = matrix.readControls();

  it('cover every required control, once each, in a well-formed row', () => {
    expect(controls.length).toBeGreaterThanOrEqual(REQUIRED.length);
    const ids = controls.map((control) => control.id);
    expect(REQUIRED.filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    const problems = controls.flatMap((control) =>
      matrix.formProblems(control).map((problem) => `${control.id}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it('each name tests that exist in every file they list, none of them skipped', () => {
    const files = [...new Set(controls.flatMap((control) => control.tests))].filter((file) =>
      fs.existsSync(path.join(ROOT, file)),
    );
    const read = new Map(files.map((file) => [file, testNamesOf(file)]));
    const problems: string[] = [];
    let matches = 0;
    for (const control of controls) {
      const pattern = new RegExp(control.pattern, 'i');
      for (const file of control.tests) {
        const found = read.get(file);
        if (!found) continue;
        const matching = found.names.filter((name) => pattern.test(name));
        matches += matching.length;
        if (matching.length === 0)
          problems.push(`${control.id}: no test of ${file} matches /${control.pattern}/`);
      }
    }
    for (const [file, found] of read)
      problems.push(...found.disabled.map((entry) => `${file}: disabled or focused test ${entry}`));
    expect(problems).toEqual([]);
    // Not vacuous: the files were read and every row matched tests.
    expect(matches).toBeGreaterThanOrEqual(controls.length);
  });

  it('reads names as jest builds them, placeholders of .each included', () => {
    const { names } = testNamesOf('test/backend/http.test.ts');
    expect(names).toContain('HTTP surface on %s sets security headers on every answer');
    expect(names).toContain('HTTP surface on %s refuses a request with %s as 401');
  });
});

describe('the control-matrix reporter', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Reporter = require('./control-matrix-reporter') as new (config: {
    testNamePattern?: string;
  }) => {
    onRunComplete(contexts: unknown, aggregated: unknown): void;
    getLastError(): Error | undefined;
  };
  const controls = matrix.readControls();
  const files = [...new Set(controls.flatMap((control) => control.tests))];
  /** A run of every named file in which each test read from its source has the given status. */
  const run = (statusOf: (name: string) => string, only = files) => ({
    testResults: only.map((file) => ({
      testFilePath: path.join(ROOT, file),
      testResults: testNamesOf(file).names.map((fullName) => ({
        fullName,
        status: statusOf(fullName),
      })),
    })),
  });
  const judge = (aggregated: unknown, testNamePattern?: string) => {
    const reporter = new Reporter({ testNamePattern });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      reporter.onRunComplete(new Set(), aggregated);
    } finally {
      stderr.mockRestore();
    }
    return reporter.getLastError();
  };

  it('passes a full run in which every control has passing proofs', () => {
    expect(judge(run(() => 'passed'))).toBeUndefined();
  });

  it('fails a full run listing each control whose proving tests failed or did not run', () => {
    const sql = controls.find((control) => control.id === 'PARAMETERISED-SQL');
    const pattern = new RegExp(sql?.pattern ?? '^$', 'i');
    const error = judge(run((name) => (pattern.test(name) ? 'failed' : 'passed')));
    expect(error?.message).toMatch(/PARAMETERISED-SQL: test\/security\/sql-parameterised/);
    const skipped = judge(run((name) => (pattern.test(name) ? 'pending' : 'passed')));
    expect(skipped?.message).toMatch(/PARAMETERISED-SQL: .* no passing test matches/);
  });

  it('leaves runs of some files, or filtered by -t, to the matrix test', () => {
    expect(judge(run(() => 'failed', files.slice(1)))).toBeUndefined();
    expect(
      judge(
        run(() => 'failed'),
        'security',
      ),
    ).toBeUndefined();
  });
});
