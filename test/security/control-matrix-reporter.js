/**
 * This file is a jest reporter that judges the controls table of docs/security.md on the run it
 * reports: when a run executed every test file the table names, unfiltered by `-t`, each control
 * must have a passing test matching its pattern in each of its files, and the run fails listing
 * every control without one. So `npm test` (CI) proves every control at no extra cost.
 */
const path = require('node:path');
const { ROOT, readControls, proofProblems } = require('./control-matrix');

class ControlMatrixReporter {
  constructor(globalConfig) {
    this.filtered = Boolean(globalConfig.testNamePattern);
    this.error = undefined;
  }

  onRunComplete(_contexts, aggregated) {
    if (this.filtered) return;
    let controls;
    try {
      controls = readControls();
    } catch (error) {
      this.error = new Error(`control matrix: ${error.message}`);
      return;
    }
    const ran = new Set(aggregated.testResults.map((result) => result.testFilePath));
    const named = new Set(controls.flatMap((control) => control.tests));
    if (![...named].every((file) => ran.has(path.join(ROOT, file)))) return;
    const problems = controls.flatMap((control) =>
      proofProblems(control, aggregated.testResults).map((problem) => `${control.id}: ${problem}`),
    );
    if (problems.length === 0) {
      process.stderr.write(
        `control matrix: all ${controls.length} controls of docs/security.md proven by passing tests\n`,
      );
      return;
    }
    this.error = new Error(
      `control matrix: controls of docs/security.md without a passing proof:\n  ${problems.join('\n  ')}`,
    );
    process.stderr.write(`${this.error.message}\n`);
  }

  getLastError() {
    return this.error;
  }
}

module.exports = ControlMatrixReporter;
