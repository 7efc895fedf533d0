import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { safeStorage } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeStorageSecretStore } from '../../../main/app/safe-storage-secrets';
import { FileSecretStore, hasDesktopSecrets, writeChoices } from '../../../main/services/connection-settings';
import { runCli } from '../../helpers/cli-process';

const double = safeStorage as typeof safeStorage & { available: boolean; backend: string };
let dataDir = '';
afterEach(() => {
  double.available = true;
  double.backend = 'gnome_libsecret';
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the desktop app’s secret store (safeStorage)', () => {
  it('keeps the credentials encrypted only, and removes a plain copy a CLI left', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-safe-'));
    await new FileSecretStore(dataDir).write({ access_token: 'EAAG-plain-copy' });
    const store = new SafeStorageSecretStore(dataDir);
    await store.write({ access_token: 'EAAG-secret-token', app_secret: 'meta-app-secret' });
    const onDisk = readFileSync(path.join(dataDir, 'whatsapp-secrets.enc'));
    expect(onDisk.toString('utf8')).not.toContain('EAAG-secret-token');
    expect(existsSync(path.join(dataDir, 'whatsapp-secrets.json'))).toBe(false);
    expect(store.read()).toEqual({ access_token: 'EAAG-secret-token', app_secret: 'meta-app-secret' });
    expect(hasDesktopSecrets(dataDir)).toBe(true);
  });

  it('refuses to save where the OS has no real encryption, and says what to do', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-safe-'));
    const store = new SafeStorageSecretStore(dataDir);
    double.available = false;
    await expect(store.write({ access_token: 'EAAG-x' })).rejects.toThrow(/no encryption for stored secrets .*environment variables/);
    double.available = true;
    if (process.platform === 'linux') {
      double.backend = 'basic_text';
      await expect(store.write({ access_token: 'EAAG-x' })).rejects.toThrow(/no keyring .* unencrypted/);
    }
    expect(existsSync(path.join(dataDir, 'whatsapp-secrets.enc'))).toBe(false);
  });

  it('the CLI on the same data dir: offline commands work; serving it live asks for the credentials in one line', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-safe-'));
    await new SafeStorageSecretStore(dataDir).write({ access_token: 'EAAG-secret-token', app_secret: 'meta-app-secret' });
    writeChoices(dataDir, { mode: 'live', phone_number_id: '200300400500', waba_id: null, read_receipts: null });
    writeFileSync(path.join(dataDir, '.keep'), '');
    const tokens = await runCli(['token', 'add', 'Ana', '--data', dataDir]);
    expect(tokens.code).toBe(0);
    const served = await runCli(['serve', '--port', '0', '--data', dataDir]);
    expect(served.code).toBe(2);
    expect(served.stderr.trim().split('\n')).toEqual([
      'switchboard: the desktop app keeps this data dir’s WhatsApp credentials encrypted in the OS keychain: run the app, or give WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET and WHATSAPP_PHONE_NUMBER_ID',
    ]);
  });
});
