import { safeStorage } from 'electron';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ENCRYPTED_SECRETS_FILE, PLAIN_SECRETS_FILE, type ConnectionSecrets, type SecretStore } from '../services/connection-settings';

/**
 * The desktop app's credentials, encrypted with Electron's safeStorage (the macOS Keychain,
 * Windows DPAPI, the Linux Secret Service or KWallet) and never written in clear. Where the OS has
 * no real encryption to offer (Linux without a keyring: the `basic_text` backend), saving refuses
 * and says so, instead of writing secrets a copy of the disk could read.
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'os_keychain' as const;
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = path.join(dataDir, ENCRYPTED_SECRETS_FILE);
  }

  read(): ConnectionSecrets {
    if (!existsSync(this.file) || !safeStorage.isEncryptionAvailable()) return {};
    return JSON.parse(safeStorage.decryptString(readFileSync(this.file))) as ConnectionSecrets;
  }

  async write(secrets: ConnectionSecrets): Promise<void> {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('this system offers no encryption for stored secrets (no keychain): set them as environment variables instead');
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      throw new Error('this Linux session has no keyring (GNOME Keyring or KWallet), so secrets would be stored unencrypted: start one, or set them as environment variables');
    }
    writeFileSync(this.file, safeStorage.encryptString(JSON.stringify(secrets)), { mode: 0o600 });
    // A plain copy left by `switchboard serve` on this data dir goes: the desktop keeps them encrypted only.
    rmSync(path.join(this.dataDir, PLAIN_SECRETS_FILE), { force: true });
  }
}
