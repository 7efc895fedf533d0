import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayMode } from '../../shared/contract';

/** The WhatsApp credentials the settings screen saves: kept by a secret store, never in settings.json. */
export type ConnectionSecrets = {
  access_token?: string;
  app_secret?: string;
  verify_token?: string;
  /** The developer's ngrok authtoken (Settings → Developer), for the in-process tunnel. */
  ngrok_authtoken?: string;
};

/**
 * Where saved credentials live: an OS-encrypted file in the desktop app (safeStorage: the
 * keychain, DPAPI or the Secret Service), a 0600 file under plain Node.
 */
export interface SecretStore {
  readonly kind: 'os_keychain' | 'file';
  read(): ConnectionSecrets;
  /**
   * Rejects with a sentence when the secrets cannot be kept safely. A promise: in the desktop app
   * the gateway's process asks the main process, the only one with the OS keychain, to encrypt them.
   */
  write(secrets: ConnectionSecrets): Promise<void>;
}

/** What the settings screen saves besides secrets. */
export type ConnectionChoices = { mode: GatewayMode; phone_number_id: string | null; waba_id: string | null; read_receipts: 'on_open' | 'on_reply' | 'never' | null };

const CHOICES_FILE = 'settings.json';
/** The file store's name; the desktop's encrypted one is {@link ENCRYPTED_SECRETS_FILE}. */
export const PLAIN_SECRETS_FILE = 'whatsapp-secrets.json';
export const ENCRYPTED_SECRETS_FILE = 'whatsapp-secrets.enc';

/** The saved choices, or the defaults (sandbox) when nothing was saved. */
export function readChoices(dataDir: string): ConnectionChoices {
  const file = path.join(dataDir, CHOICES_FILE);
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<ConnectionChoices>) : {};
  return { mode: stored.mode === 'live' ? 'live' : 'sandbox', phone_number_id: stored.phone_number_id ?? null, waba_id: stored.waba_id ?? null, read_receipts: stored.read_receipts ?? null };
}

export function writeChoices(dataDir: string, choices: ConnectionChoices): void {
  writeFileSync(path.join(dataDir, CHOICES_FILE), `${JSON.stringify(choices, null, 2)}\n`);
}

/** Whether this data dir's saved credentials are encrypted for the desktop app (plain Node cannot read them). */
export function hasDesktopSecrets(dataDir: string): boolean {
  return existsSync(path.join(dataDir, ENCRYPTED_SECRETS_FILE));
}

/** Credentials in a 0600 JSON file in the data dir: what `switchboard serve` uses. */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, PLAIN_SECRETS_FILE);
  }

  read(): ConnectionSecrets {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as ConnectionSecrets) : {};
  }

  write(secrets: ConnectionSecrets): Promise<void> {
    writeFileSync(this.file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(this.file, 0o600);
    return Promise.resolve();
  }
}
