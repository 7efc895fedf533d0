import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLog } from '../../../main/services/rotating-log';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the desktop log file', () => {
  it('timestamps each line, rotates past its size, keeps three old ones and drops the oldest', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-log-'));
    const log = new RotatingLog(dir, { maxBytes: 120, keep: 3 }, () => new Date('2026-11-30T10:00:00.000Z'));
    for (let n = 1; n <= 12; n += 1) log.write(`line ${n} with some words`);
    expect(readFileSync(log.file, 'utf8').split('\n')[0]).toMatch(/^2026-11-30T10:00:00\.000Z line \d+ with some words$/);
    expect(existsSync(`${log.file}.1`)).toBe(true);
    expect(existsSync(`${log.file}.3`)).toBe(true);
    expect(existsSync(`${log.file}.4`)).toBe(false);
    const all = [log.file, `${log.file}.1`, `${log.file}.2`, `${log.file}.3`].map((file) => readFileSync(file, 'utf8')).join('');
    expect(all).toContain('line 12 ');
    expect(all).not.toContain('line 1 ');
  });

  it('indents a multi-line entry (a stack trace) under its time, and survives an unwritable folder', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-log-'));
    const log = new RotatingLog(dir);
    log.write('uncaught: Error: boom\n    at thing (file.js:1:1)');
    expect(readFileSync(log.file, 'utf8')).toMatch(/ uncaught: Error: boom\n {6}at thing/);
    expect(() => new RotatingLog(path.join(dir, 'missing', 'deeper')).write('lost')).not.toThrow();
  });
});
