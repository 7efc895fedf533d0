import path from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends every run with one plain line, `N passed, N failed, N skipped`, that any CI can read. A
 * test file that failed to load (an import that throws, a syntax error) has no tests to count, so it
 * counts as one failure of its own and is named on the line before; so does an error thrown outside
 * any test. A run can therefore never read "0 failed" while something failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const brokenFiles: string[] = [];
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
      if (testModule.errors().length > 0) brokenFiles.push(path.relative(process.cwd(), testModule.moduleId));
    }
    counts.failed += brokenFiles.length + unhandledErrors.length;
    for (const file of brokenFiles) process.stdout.write(`failed to run: ${file}\n`);
    if (unhandledErrors.length > 0) process.stdout.write(`errors outside any test: ${unhandledErrors.length}\n`);
    process.stdout.write(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
