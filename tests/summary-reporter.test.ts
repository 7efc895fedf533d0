import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import SummaryReporter from './summary-reporter';

type State = 'passed' | 'failed' | 'skipped' | 'pending';

// Just what the reporter reads of vitest's TestModule.
function fakeModule(moduleId: string, states: State[], loadError = false): TestModule {
  return {
    moduleId,
    children: { allTests: () => states.map((state) => ({ result: () => ({ state }) })) },
    errors: () => (loadError ? [{ message: 'Cannot find module' }] : []),
  } as unknown as TestModule;
}

const output = () => {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return () => write.mock.calls.map(([chunk]) => String(chunk)).join('');
};

afterEach(() => vi.restoreAllMocks());

describe('the closing summary line', () => {
  it('counts passed, failed and skipped tests', () => {
    const read = output();
    new SummaryReporter().onTestRunEnd([fakeModule('a.test.ts', ['passed', 'passed', 'failed', 'skipped', 'pending'])], []);
    expect(read()).toBe('2 passed, 1 failed, 2 skipped\n');
  });

  it('counts a test file that failed to load as a failure, and names it', () => {
    const read = output();
    new SummaryReporter().onTestRunEnd([fakeModule('a.test.ts', ['passed']), fakeModule(`${process.cwd()}/tests/e2e/pipeline.test.ts`, [], true)], []);
    expect(read()).toBe('failed to run: tests/e2e/pipeline.test.ts\n1 passed, 1 failed, 0 skipped\n');
  });

  it('counts errors thrown outside any test', () => {
    const read = output();
    new SummaryReporter().onTestRunEnd([fakeModule('a.test.ts', ['passed'])], [{ message: 'unhandled rejection' } as never]);
    expect(read()).toBe('errors outside any test: 1\n1 passed, 1 failed, 0 skipped\n');
  });
});
