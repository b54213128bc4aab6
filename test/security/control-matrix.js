/**
 * This file reads the controls table of docs/security.md and judges it: the form of each row
 * (code paths, test files, pattern, check command) and, given jest results, whether each row is
 * proven by passing tests. The matrix test (control-matrix.test.ts) and the jest reporter
 * (control-matrix-reporter.js) both use it.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '../..');
const DOC = path.join(ROOT, 'docs/security.md');
const HEADER = ['id', 'control', 'code', 'tests', 'pattern', 'check'];

/**
 * @typedef {{ id: string, control: string, code: string[], tests: string[], pattern: string, check: string }} Control
 * @typedef {{ fullName: string, status: string }} Assertion
 * @typedef {{ name?: string, testFilePath?: string, assertionResults?: Assertion[], testResults?: Assertion[], message?: string, failureMessage?: string | null }} FileResult
 */

/** Splits a markdown table row on unescaped pipes; `\|` inside a cell becomes `|`. */
function cells(line) {
  const parts = [];
  let current = '';
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let index = 0; index < inner.length; index++) {
    const char = inner[index];
    if (char === '\\' && inner[index + 1] === '|') {
      current += '|';
      index++;
    } else if (char === '|') {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** The code spans of a cell, in order. */
function codeSpans(cell) {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

/**
 * Reads the controls table that follows the `controls-table` marker of docs/security.md.
 * @returns {Control[]}
 */
function readControls(doc = DOC) {
  const lines = fs.readFileSync(doc, 'utf8').split('\n');
  const marker = lines.findIndex((line) => line.includes('<!-- controls-table'));
  if (marker < 0) throw new Error(`${doc} has no <!-- controls-table --> marker`);
  const start = lines.findIndex((line, index) => index > marker && line.startsWith('|'));
  const table = [];
  for (
    let index = start;
    index >= 0 && index < lines.length && lines[index].startsWith('|');
    index++
  )
    table.push(lines[index]);
  const [header = '', separator = '', ...rows] = table;
  if (cells(header).join(' | ') !== HEADER.join(' | ') || !/^\|[\s|:-]+\|$/.test(separator))
    throw new Error(`the controls table must start with | ${HEADER.join(' | ')} | and a separator`);
  return rows.map((line) => {
    const [id = '', control = '', code = '', tests = '', pattern = '', check = ''] = cells(line);
    return {
      id,
      control,
      code: codeSpans(code),
      tests: codeSpans(tests),
      pattern: codeSpans(pattern).join(''),
      check: codeSpans(check).join(''),
    };
  });
}

/** The command a row's check must be: jest on its files with its pattern. */
function commandOf(control) {
  return `npx jest ${control.tests.join(' ')} -t "${control.pattern}"`;
}

/** Problems of a row's form: paths, files, pattern and command. */
function formProblems(control) {
  const problems = [];
  if (!/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/.test(control.id)) problems.push('id is not UPPER-KEBAB');
  if (control.control.length < 20) problems.push('the control is not described');
  if (control.code.length === 0) problems.push('names no code');
  for (const file of control.code)
    if (!fs.existsSync(path.join(ROOT, file))) problems.push(`code ${file} does not exist`);
  if (control.tests.length === 0) problems.push('names no test file');
  for (const file of control.tests) {
    if (!/^test\/.+\.test\.ts$/.test(file)) problems.push(`${file} is not a test file`);
    else if (!fs.existsSync(path.join(ROOT, file))) problems.push(`test ${file} does not exist`);
  }
  if (control.tests.includes('test/security/control-matrix.test.ts'))
    problems.push('may not be proven by the matrix itself');
  if (control.pattern === '') problems.push('has no test-name pattern');
  else if (/["`$\\]/.test(control.pattern))
    problems.push('pattern holds a character the shell would change ("`$\\)');
  else
    try {
      new RegExp(control.pattern, 'i');
    } catch {
      problems.push(`pattern /${control.pattern}/ is not a regular expression`);
    }
  if (control.check !== commandOf(control))
    problems.push(`check is not the command that runs its tests: ${commandOf(control)}`);
  return problems;
}

/**
 * Why a row has no proof in a run's results, per file (empty when each of its files has a passing
 * test whose full name matches the pattern, as `jest -t` matches, and none that failed).
 * @param {Control} control
 * @param {FileResult[]} results jest's per-file results (JSON output or aggregated results)
 */
function proofProblems(control, results) {
  const pattern = new RegExp(control.pattern, 'i');
  const problems = [];
  for (const file of control.tests) {
    const result = results.find(
      (entry) => (entry.name ?? entry.testFilePath) === path.join(ROOT, file),
    );
    if (!result) {
      problems.push(`${file} did not run`);
      continue;
    }
    const tests = result.assertionResults ?? result.testResults ?? [];
    const matched = tests.filter((test) => pattern.test(test.fullName));
    const failed = matched.filter((test) => test.status === 'failed');
    const message = (result.message ?? result.failureMessage ?? '').split('\n')[0];
    if (failed.length > 0)
      problems.push(`${file}: failed ${failed.map((test) => `"${test.fullName}"`).join(', ')}`);
    else if (!matched.some((test) => test.status === 'passed'))
      problems.push(
        `${file}: no passing test matches /${control.pattern}/${message ? ` (${message})` : ''}`,
      );
  }
  return problems;
}

/** The number of passing tests that prove a row in these results. */
function proofCount(control, results) {
  const pattern = new RegExp(control.pattern, 'i');
  return results
    .filter((entry) =>
      control.tests.some((file) => (entry.name ?? entry.testFilePath) === path.join(ROOT, file)),
    )
    .flatMap((entry) => entry.assertionResults ?? entry.testResults ?? [])
    .filter((test) => test.status === 'passed' && pattern.test(test.fullName)).length;
}

module.exports = { ROOT, readControls, formProblems, proofProblems, proofCount, commandOf };
