import { fail, ok, type Result, type SettingsView, type ValidOperationRequest } from '../../shared/contract';
import { ConfigError, resolveConfig, type GatewayConfig } from '../config';
import { readChoices, writeChoices, type ConnectionChoices, type SecretStore } from './connection-settings';
import { OneAtATime } from './one-at-a-time';
import type { Caller } from './operations';

/** Where the inbox's webhook route listens. */
const WEBHOOK_PATH = '/webhook';

/** What the settings service needs from the running gateway. */
export type SettingsDeps = {
  flags: { host: string; port: number; dataDir: string };
  env: Record<string, string | undefined>;
  secrets: SecretStore;
  /** The configuration in force. */
  current(): GatewayConfig;
  /** Puts a new configuration in force (the client, the webhook secrets, the policy), without a restart. */
  apply(config: GatewayConfig): void;
  /** Where the gateway listens now. */
  url(): string;
  /** The desktop app's own preferences (absent under plain Node). */
  desktop?: DesktopPreferences;
  /** Shared with the workbench settings, which rewrite the same secret store. */
  queue?: OneAtATime;
};

/** What only the desktop app can do, given to the settings by `main/index.ts`. */
export type DesktopPreferences = { launchAtLogin(): boolean; setLaunchAtLogin(on: boolean): void };

/** The saved choices and secrets of a data dir, as `resolveConfig` takes them. */
export function savedConnection(dataDir: string, secrets: SecretStore): { choices: ConnectionChoices; secrets: ReturnType<SecretStore['read']> } {
  return { choices: readChoices(dataDir), secrets: secrets.read() };
}

/**
 * The WhatsApp connection as the settings screen sees and changes it: mode, ids, credentials and
 * the read-receipt policy, saved in the data dir (secrets through the secret store) and put in
 * force at once. Environment variables, when set, win and make the screen read-only.
 */
export class ConnectionSettings {
  /** Updates run one at a time, so each reads what the one before it saved. */
  private readonly queue: OneAtATime;

  constructor(private readonly deps: SettingsDeps) {
    this.queue = deps.queue ?? new OneAtATime();
  }

  view(caller: Caller): SettingsView {
    const config = this.deps.current();
    const saved = savedConnection(this.deps.flags.dataDir, this.deps.secrets);
    const live = config.whatsapp.mode === 'live' ? config.whatsapp : null;
    return {
      mode: config.whatsapp.mode,
      source: config.connectionSource,
      secrets_storage: this.deps.secrets.kind,
      can_edit: config.connectionSource === 'settings' && caller.user === config.localUser,
      phone_number_id: live ? live.phoneNumberId : saved.choices.phone_number_id,
      waba_id: live ? live.wabaId : saved.choices.waba_id,
      read_receipts: config.readReceipts,
      verify_token: config.verifyToken,
      has_access_token: Boolean(live?.accessToken ?? saved.secrets.access_token),
      has_app_secret: Boolean(live ? config.appSecret : saved.secrets.app_secret),
      webhook_path: WEBHOOK_PATH,
      gateway_url: this.deps.url(),
      launch_at_login: this.deps.desktop ? this.deps.desktop.launchAtLogin() : null,
    };
  }

  update(request: ValidOperationRequest<'updateSettings'>, caller: Caller): Promise<Result<SettingsView>> {
    return this.queue.run(() => this.apply(request, caller));
  }

  private async apply(request: ValidOperationRequest<'updateSettings'>, caller: Caller): Promise<Result<SettingsView>> {
    const config = this.deps.current();
    if (caller.user !== config.localUser) return fail('forbidden', `only ${config.localUser}, who runs this gateway, can change its WhatsApp connection`);
    if (request.launch_at_login !== undefined) {
      if (!this.deps.desktop) return fail('bad_request', 'launch_at_login: only the desktop app starts at login');
      this.deps.desktop.setLaunchAtLogin(request.launch_at_login);
    }
    // A desktop preference alone leaves the connection as it is (and is allowed when the environment sets it).
    if (request.launch_at_login !== undefined && request.mode === config.whatsapp.mode && Object.keys(request).every((key) => key === 'mode' || key === 'launch_at_login')) {
      return ok(this.view(caller));
    }
    if (config.connectionSource === 'environment') {
      return fail('conflict', 'the WhatsApp connection is set by environment variables (WHATSAPP_ACCESS_TOKEN…): change them and restart instead');
    }
    const { dataDir } = this.deps.flags;
    const saved = savedConnection(dataDir, this.deps.secrets);
    const secrets = {
      ...saved.secrets,
      ...(request.access_token ? { access_token: request.access_token } : {}),
      ...(request.app_secret ? { app_secret: request.app_secret } : {}),
      ...(request.verify_token ? { verify_token: request.verify_token } : {}),
    };
    const choices: ConnectionChoices = {
      mode: request.mode,
      phone_number_id: request.phone_number_id ?? saved.choices.phone_number_id,
      waba_id: request.waba_id === undefined ? saved.choices.waba_id : request.waba_id,
      read_receipts: request.read_receipts ?? saved.choices.read_receipts,
    };
    if (choices.mode === 'live') {
      const missing = [!secrets.access_token && 'the access token', !secrets.app_secret && 'the app secret', !choices.phone_number_id && 'the phone number id'].filter(Boolean);
      if (missing.length > 0) return fail('bad_request', `going live needs ${missing.join(', ')}`);
    }
    let next: GatewayConfig;
    try {
      next = resolveConfig(this.deps.flags, this.deps.env, { choices, secrets });
    } catch (error) {
      return fail('bad_request', error instanceof ConfigError ? error.message : String(error));
    }
    // Secrets first: a crash between the two writes leaves the old mode with the new secrets, never live without them.
    try {
      await this.deps.secrets.write(secrets);
    } catch (error) {
      return fail('unavailable', `the credentials could not be saved safely: ${error instanceof Error ? error.message : String(error)}`);
    }
    writeChoices(dataDir, choices);
    this.deps.apply(next);
    return ok(this.view(caller));
  }
}
