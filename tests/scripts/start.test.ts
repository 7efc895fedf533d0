import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/cli-process';

const START = path.join(import.meta.dirname, '..', '..', 'scripts', 'start.mjs');

describe('npm start without an Electron binary', () => {
  it('says so in one line and starts browser mode, printing the URL', async () => {
    requireBuild();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-start-'));
    // An empty override folder stands for "no Electron binary", whatever this machine has.
    const noElectron = mkdtempSync(path.join(os.tmpdir(), 'switchboard-no-electron-'));
    const child = spawn(process.execPath, [START, '--port', '0', '--data', dataDir], { env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: noElectron } });
    let out = '';
    const listening = new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^listening (\S+)$/m.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
    });
    const url = await listening;
    expect(out.split('\n')[0]).toBe('Electron binary not available (not installed and cannot be downloaded): starting browser mode instead.');
    expect(out).toMatch(/^open http:\/\/127\.0\.0\.1:\d+\/#token=\S+$/m);
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<div id="root"></div>');
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(noElectron, { recursive: true, force: true });
  });
});
