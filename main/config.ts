import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GatewayMode } from '../shared/contract';
import type { ConnectionChoices, ConnectionSecrets } from './services/connection-settings';

/** Meta's Graph API host; tests and proxies override it with WHATSAPP_GRAPH_URL. */
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
/** Graph API version used unless WHATSAPP_API_VERSION says otherwise. */
export const DEFAULT_API_VERSION = 'v26.0';
/** The business number the sandbox pretends to be when none is configured. */
export const SANDBOX_PHONE_NUMBER_ID = '100000000000001';

/** Everything the gateway needs to run, resolved from flags, the environment and the data dir. */
export type GatewayConfig = {
  host: string;
  port: number;
  dataDir: string;
  appSecret: string;
  verifyToken: string;
  apiToken: string;
  /** Extra `Origin`s allowed to open the WebSocket (our own page is always allowed). */
  allowedOrigins: string[];
  /** Extra `Host` names accepted on /api and /ws (loopback names and the bind host always are). */
  allowedHosts: string[];
  /** Days a raw webhook delivery is kept in the webhook log. */
  webhookRetentionDays: number;
  /** Days of message history kept (older is deleted, erasure-style); null keeps everything. */
  historyRetentionDays: number | null;
  /** The event log keeps this many days, and at most `eventRetentionCount` events. */
  eventRetentionDays: number;
  eventRetentionCount: number;
  /** The agent name of this install's own token and of the desktop app. */
  localUser: string;
  /** When read receipts (blue ticks) are sent: when an agent opens the conversation, replies, or never. */
  readReceipts: 'on_open' | 'on_reply' | 'never';
  /** Messages per second per business number (Meta's default 80; up to 1,000 once upgraded). */
  throughputPerNumber: number;
  /** Messages to one customer sent at once before the pair limit spaces them (one per 6 s). */
  pairBurst: number;
  /** Where the WhatsApp connection comes from: environment variables (which win), or the saved settings. */
  connectionSource: 'environment' | 'settings';
  whatsapp:
    | { mode: Extract<GatewayMode, 'live'>; phoneNumberId: string; accessToken: string; graphUrl: string; apiVersion: string; wabaId: string | null }
    | {
        mode: Extract<GatewayMode, 'sandbox'>;
        phoneNumberId: string;
        delayMs: number;
        shuffleRate: number;
        failureRate: number;
        replyRate: number;
        /** Whether simulated customers write in on the first start of an empty sandbox. */
        seed: boolean;
      };
};

/** A configuration problem, told in one line. */
export class ConfigError extends Error {}

type Secrets = { api_token: string; app_secret: string; verify_token: string };

const SECRETS_FILE = 'secrets.json';

/**
 * Secrets generated once and kept in the data dir (mode 0600), so the token printed by the first
 * `serve` keeps working and `simulate` can sign with the same app secret.
 */
export function loadOrCreateSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, SECRETS_FILE);
  const stored: Partial<Secrets> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const secrets: Secrets = {
    api_token: stored.api_token ?? randomBytes(24).toString('base64url'),
    app_secret: stored.app_secret ?? randomBytes(24).toString('hex'),
    verify_token: stored.verify_token ?? randomBytes(12).toString('hex'),
  };
  if (stored.api_token !== secrets.api_token || stored.app_secret !== secrets.app_secret || stored.verify_token !== secrets.verify_token) {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return secrets;
}

/** Prepares the data dir, failing with one clear line when it cannot be written. */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    const probe = path.join(dataDir, '.write-test');
    writeFileSync(probe, '');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError(`data dir ${dataDir} is not writable (${reason})`);
  }
}

function positiveNumber(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, not ${raw}`);
  return value;
}

function localUserName(): string {
  try {
    return os.userInfo().username || 'agent';
  } catch {
    return 'agent';
  }
}

function rate(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(`${name} must be a number from 0 to 1, not ${raw}`);
  return value;
}

const READ_RECEIPTS = ['on_open', 'on_reply', 'never'] as const;

function readReceipts(raw: string | undefined): GatewayConfig['readReceipts'] {
  if (raw === undefined || raw === '') return 'on_open';
  const found = READ_RECEIPTS.find((policy) => policy === raw);
  if (!found) throw new ConfigError(`SWITCHBOARD_READ_RECEIPTS must be on_open, on_reply or never, not ${raw}`);
  return found;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Resolves the full configuration; throws ConfigError for anything a person must fix. */
export function resolveConfig(
  flags: { host: string; port: number; dataDir: string },
  env: Record<string, string | undefined>,
  saved: { choices: ConnectionChoices; secrets: ConnectionSecrets } | null = null,
): GatewayConfig {
  ensureDataDir(flags.dataDir);
  const secrets = loadOrCreateSecrets(flags.dataDir);
  // Environment variables win over the settings screen (a team server is configured that way).
  if (env.WHATSAPP_ACCESS_TOKEN) return fromEnvironment(flags, env, secrets, saved);
  const stored = saved?.choices;
  const liveSaved = stored?.mode === 'live' && saved?.secrets.access_token && saved.secrets.app_secret && stored.phone_number_id;
  if (!liveSaved) return fromEnvironment(flags, env, secrets, saved);
  return fromEnvironment(flags, {
    ...env,
    WHATSAPP_ACCESS_TOKEN: saved.secrets.access_token,
    WHATSAPP_APP_SECRET: saved.secrets.app_secret,
    WHATSAPP_PHONE_NUMBER_ID: stored.phone_number_id ?? undefined,
    WHATSAPP_WABA_ID: stored.waba_id ?? env.WHATSAPP_WABA_ID,
  }, secrets, saved, 'settings');
}

function fromEnvironment(
  flags: { host: string; port: number; dataDir: string },
  env: Record<string, string | undefined>,
  secrets: Secrets,
  saved: { choices: ConnectionChoices; secrets: ConnectionSecrets } | null,
  source: GatewayConfig['connectionSource'] = env.WHATSAPP_ACCESS_TOKEN ? 'environment' : 'settings',
): GatewayConfig {
  const accessToken = env.WHATSAPP_ACCESS_TOKEN;
  const common = {
    ...flags,
    connectionSource: source,
    appSecret: env.WHATSAPP_APP_SECRET || secrets.app_secret,
    verifyToken: env.WHATSAPP_VERIFY_TOKEN || saved?.secrets.verify_token || secrets.verify_token,
    apiToken: env.SWITCHBOARD_TOKEN || secrets.api_token,
    allowedOrigins: list(env.SWITCHBOARD_ALLOWED_ORIGINS),
    allowedHosts: list(env.SWITCHBOARD_ALLOWED_HOSTS),
    webhookRetentionDays: positiveNumber(env, 'SWITCHBOARD_WEBHOOK_RETENTION_DAYS', 30),
    historyRetentionDays: env.SWITCHBOARD_HISTORY_RETENTION_DAYS ? positiveNumber(env, 'SWITCHBOARD_HISTORY_RETENTION_DAYS', 0) : null,
    eventRetentionDays: positiveNumber(env, 'SWITCHBOARD_EVENT_RETENTION_DAYS', 7),
    eventRetentionCount: Math.floor(positiveNumber(env, 'SWITCHBOARD_EVENT_RETENTION_COUNT', 1_000_000)),
    localUser: env.SWITCHBOARD_USER || localUserName(),
    readReceipts: readReceipts(env.SWITCHBOARD_READ_RECEIPTS || saved?.choices.read_receipts || undefined),
    throughputPerNumber: positiveNumber(env, 'SWITCHBOARD_THROUGHPUT_PER_NUMBER', 80),
    pairBurst: Math.floor(positiveNumber(env, 'SWITCHBOARD_PAIR_BURST', 20)),
  };
  if (!accessToken) {
    const delayMs = Number(env.SWITCHBOARD_SANDBOX_DELAY_MS ?? 600);
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new ConfigError('SWITCHBOARD_SANDBOX_DELAY_MS must be a number of milliseconds');
    return {
      ...common,
      whatsapp: {
        mode: 'sandbox',
        phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID || SANDBOX_PHONE_NUMBER_ID,
        delayMs,
        shuffleRate: rate(env, 'SWITCHBOARD_SANDBOX_SHUFFLE_RATE', 0.1),
        failureRate: rate(env, 'SWITCHBOARD_SANDBOX_FAILURE_RATE', 0.05),
        replyRate: rate(env, 'SWITCHBOARD_SANDBOX_REPLY_RATE', 0.7),
        seed: env.SWITCHBOARD_SANDBOX_SEED !== '0',
      },
    };
  }
  const phoneNumberId = env.WHATSAPP_PHONE_NUMBER_ID;
  if (!phoneNumberId) throw new ConfigError('WHATSAPP_ACCESS_TOKEN is set but WHATSAPP_PHONE_NUMBER_ID is not');
  if (!env.WHATSAPP_APP_SECRET) throw new ConfigError('WHATSAPP_ACCESS_TOKEN is set but WHATSAPP_APP_SECRET is not: Meta webhooks could not be verified');
  return {
    ...common,
    whatsapp: {
      mode: 'live',
      phoneNumberId,
      accessToken,
      graphUrl: env.WHATSAPP_GRAPH_URL || DEFAULT_GRAPH_URL,
      apiVersion: env.WHATSAPP_API_VERSION || DEFAULT_API_VERSION,
      // Needed only to list approved templates (and, later, the webhook subscription).
      wabaId: env.WHATSAPP_WABA_ID || null,
    },
  };
}
