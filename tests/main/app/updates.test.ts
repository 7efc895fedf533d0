import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startUpdates, UPDATE_CHECK_EVERY_MS, updatesConfigured, type Updater } from '../../../main/app/updates';

function fakeUpdater() {
  const listeners = new Map<string, (value: never) => void>();
  const updater = {
    autoDownload: false,
    autoInstallOnAppQuit: false,
    checks: 0,
    installed: 0,
    checkForUpdates: vi.fn(() => {
      updater.checks += 1;
      return Promise.resolve(null);
    }),
    quitAndInstall: vi.fn(() => {
      updater.installed += 1;
    }),
    on(event: string, listener: (value: never) => void) {
      listeners.set(event, listener);
      return updater;
    },
    emit(event: string, value: unknown) {
      listeners.get(event)?.(value as never);
    },
  };
  return updater;
}

afterEach(() => vi.useRealTimers());

describe('automatic updates', () => {
  it('are off unless the app is packaged with a publish target (app-update.yml beside the archive)', () => {
    const resources = mkdtempSync(path.join(os.tmpdir(), 'switchboard-resources-'));
    expect(updatesConfigured(true, resources)).toBe(false);
    writeFileSync(path.join(resources, 'app-update.yml'), 'provider: generic\nurl: https://updates.example.com\n');
    expect(updatesConfigured(false, resources)).toBe(false);
    expect(updatesConfigured(true, resources)).toBe(true);
    rmSync(resources, { recursive: true, force: true });
  });

  it('check at start and daily, and ask before restarting: yes installs now, later installs on quit', async () => {
    vi.useFakeTimers();
    const updater = fakeUpdater();
    const answers = [false, true];
    const lines: string[] = [];
    const stop = startUpdates(updater as unknown as Updater, () => Promise.resolve(answers.shift() ?? false), (line) => lines.push(line));
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true, checks: 1 });
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_EVERY_MS);
    expect(updater.checks).toBe(2);
    updater.emit('update-downloaded', { version: '0.2.0' });
    await vi.advanceTimersByTimeAsync(0);
    expect(updater.installed).toBe(0);
    expect(lines).toContain('updates: 0.2.0 downloaded; it installs when Switchboard quits');
    updater.emit('update-downloaded', { version: '0.2.1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(updater.installed).toBe(1);
    updater.emit('error', new Error('net::ERR_INTERNET_DISCONNECTED'));
    expect(lines).toContain('updates: net::ERR_INTERNET_DISCONNECTED');
    stop();
    await vi.advanceTimersByTimeAsync(UPDATE_CHECK_EVERY_MS);
    expect(updater.checks).toBe(2);
  });
});
