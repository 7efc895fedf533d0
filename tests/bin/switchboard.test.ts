import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsupportedNodeMessage } from '../../bin/node-version.mjs';

const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'switchboard.mjs');

// A Node older than the CLI needs, if this machine has one outside the project (the system Node
// on our build machines is 20): the real crash this check prevents.
function oldSystemNode(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir.includes('node_modules')) continue;
    const candidate = path.join(dir, 'node');
    if (!existsSync(candidate)) continue;
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (unsupportedNodeMessage(version)) return candidate;
  }
  return null;
}

describe('the Node.js version check', () => {
  it.each([
    ['20.20.2', false],
    ['22.13.1', false],
    ['v18.0.0', false],
    ['22.14.0', true],
    ['22.20.0', true],
    ['23.0.0', true],
    ['24.21.0', true],
  ])('on Node %s: runs = %s', (version, runs) => {
    expect(unsupportedNodeMessage(version) === null).toBe(runs);
  });

  it('names the version needed, the one found and what to do, in one line', () => {
    expect(unsupportedNodeMessage('20.20.2')).toBe(
      'switchboard: needs Node.js 22.14.0 or newer, this is 20.20.2: run it with npx switchboard inside the project (its node devDependency brings Node 24), or install Node.js 24 LTS',
    );
  });

  const old = oldSystemNode();
  it.skipIf(old === null)('prints that line and exits 2 under an old Node, instead of crashing in the native module', () => {
    const result = spawnSync(old as string, [BIN, 'serve', '--port', '0'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^switchboard: needs Node\.js 22\.14\.0 or newer, this is 20\.\d+\.\d+: run it with npx switchboard/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs under the project’s Node', () => {
    const result = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('switchboard serve');
  });
});
