import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { EXPORT_FORMATS, MESSAGE_STATUSES, type MessageStatus } from '../shared/contract';
import { bootGateway } from './boot';
import { ConfigError, ensureDataDir, resolveConfig, SANDBOX_PHONE_NUMBER_ID } from './config';
import { databasePath, defaultDataDir } from './paths';
import { BackupRefusedError, backupDatabase, backupMediaFolder, restoreDatabase, type MediaCopy } from './store/backup';
import { DataDirInUseError, lockDataDir } from './store/data-dir-lock';
import { ErasureDeferredError, eraseCustomer } from './store/erasure';
import { exportEverything, ExportRefusedError, HistoryReader } from './store/export';
import { mediaFolder } from './store/media-files';
import { transcript } from './services/transcript';
import { APP_VERSION } from './version';
import { HistoryNotEmptyError, seedDemoHistory } from './store/demo-history';
import { FileSecretStore, hasDesktopSecrets, readChoices } from './services/connection-settings';
import { savedConnection } from './services/settings';
import { DELIVERY_HEADER, type ForwardTargetConfig } from './services/webhook-forwarder';
import { parseTunnelSpec, TunnelError } from './services/tunnel';
import { ForwardLoopError } from './services/workbench';
import { fetchFailure } from './fetch-failure';
import { TailError, tailWebhooks } from './webhook-tail';
import { DatabaseUnreadableError, openDatabase } from './store/database';
import { DatabaseFromTheFutureError } from './store/migrations';
import { signalChange } from './store/change-signals';
import { TokenRepo } from './store/token-repo';
import { signWebhookBody } from './whatsapp/signature';
import { SAMPLE_MEDIA, sampleMediaFolder, type SampleName } from './whatsapp/sample-media';
import { inboundWebhook, statusWebhook, type SimulatedContent } from './whatsapp/simulated-payloads';

const USAGE = `usage:
  switchboard serve [--host 127.0.0.1] [--port 8787] [--data <dir>] [--tunnel ngrok|cloudflared[:NAME[@HOST]]|<https url> [--connect-meta]] [--forward-to <url> [--forward-fields messages,…]]…
      (--tunnel opens a public URL for Meta (cloudflared:NAME runs your named tunnel, its host name from
       cloudflared's config or @HOST), prints the callback URL and verify token, and checks it;
       without it, the tunnel saved in Settings → Developer opens;
       --connect-meta subscribes the app to the business account and points the number's callback at it)
      (--forward-to relays every verified delivery, as Meta sent it, to your own endpoint; repeatable;
       without it, the targets saved in Settings → Developer)
  switchboard webhooks replay <delivery id> [--to <url>] [--url http://127.0.0.1:8787] [--data <dir>]
      (sends a logged delivery, signed as Meta sent it, to --to, or again to the gateway's /webhook)
  switchboard webhooks tail [--json] [--url http://127.0.0.1:8787] [--data <dir>]
      (the gateway's deliveries as they arrive, one line each; --json: headers and body too)
  switchboard token add <agent name> [--data <dir>]      (prints the new token once)
  switchboard token list [--data <dir>]
  switchboard token revoke <agent name> [--data <dir>]
  switchboard simulate --from <wa_id> [--name <name>] [--url http://127.0.0.1:8787] [--data <dir>] and one of:
      --text <text> | --image <caption> | --media photo|voice|leaflet|clip | --location <lat,lng> | --button-reply <title>
      | --reaction <emoji> --wamid <message it reacts to>
  switchboard simulate --status sent|delivered|read|failed --wamid <wamid> --from <wa_id> [--url …] [--data <dir>]
  switchboard backup <file> [--data <dir>]      (a consistent copy, also while a gateway serves)
  switchboard restore <file> [--data <dir>]     (checks the backup; keeps the replaced database beside it)
  switchboard export --out <path> [--conversation <id> [--format json|text|html]] [--data <dir>]
      (one conversation as a file, or everything as a folder of JSON Lines; also while a gateway serves)
  switchboard erase --wa-id <id> | --user-id <id> [--phone-number-id <id>] [--data <dir>]
      (a privacy request: everything of that customer, in one transaction, with a report)
  switchboard seed-demo [--conversations 10000] [--messages 1000000] [--seed 1] [--data <dir>]
      (fills an empty data dir with a realistic demo history, for trying the inbox at scale)`;

/** A mistake in how the CLI was called, told in one line. */
class UsageError extends Error {}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not ${value}`);
  return port;
}

/** A forward target's URL: http or https, nothing else. */
function parseForwardUrl(value: string, flag = '--forward-to'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be a URL (e.g. http://localhost:3000/webhook), not ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be an http or https URL, not ${value}`);
  return url.href;
}

/**
 * `--forward-to <url>` (repeatable), each optionally narrowed by the `--forward-fields a,b` right
 * after it: the targets in the order given.
 */
function forwardTargets(tokens: readonly { kind: string; name?: string; value?: string | undefined }[]): ForwardTargetConfig[] {
  const targets: ForwardTargetConfig[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'forward-to') targets.push({ url: parseForwardUrl(token.value ?? ''), fields: null });
    if (token.name === 'forward-fields') {
      const last = targets.at(-1);
      if (!last) throw new UsageError('--forward-fields narrows the --forward-to before it: give that first');
      if (last.fields) throw new UsageError(`--forward-fields is given twice for ${last.url}`);
      const fields = (token.value ?? '').split(',').map((field) => field.trim()).filter(Boolean);
      if (fields.length === 0 || !fields.every((field) => /^[a-z_]+$/.test(field))) {
        throw new UsageError(`--forward-fields must be webhook fields separated by commas (e.g. messages,account_update), not ${token.value ?? ''}`);
      }
      last.fields = fields;
    }
  }
  if (new Set(targets.map((target) => target.url)).size !== targets.length) throw new UsageError('--forward-to: each target once');
  return targets;
}

async function serve(args: string[]): Promise<void> {
  const { values, tokens } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8787' },
      data: { type: 'string' },
      'forward-to': { type: 'string', multiple: true },
      'forward-fields': { type: 'string', multiple: true },
      tunnel: { type: 'string' },
      'connect-meta': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
    tokens: true,
  });
  const forwardTo = forwardTargets(tokens);
  const tunnel = values.tunnel === undefined ? undefined : parseTunnelSpec(values.tunnel);
  if (values['connect-meta'] && !tunnel) throw new UsageError('--connect-meta points Meta at the public URL of a --tunnel: give one');
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  // The desktop app keeps this data dir's WhatsApp credentials encrypted for the OS user's keychain,
  // which plain Node cannot open: serving it live then needs them from the environment.
  if (hasDesktopSecrets(dataDir) && readChoices(dataDir).mode === 'live' && !process.env.WHATSAPP_ACCESS_TOKEN) {
    throw new ConfigError(
      'the desktop app keeps this data dir’s WhatsApp credentials encrypted in the OS keychain: run the app, or give WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET and WHATSAPP_PHONE_NUMBER_ID',
    );
  }
  const secretStore = new FileSecretStore(dataDir);
  const config = resolveConfig({ host: values.host, port: parsePort(values.port), dataDir }, process.env, savedConnection(dataDir, secretStore));
  const gateway = await bootGateway(config, {
    secretStore,
    rendererDir: path.join(__dirname, '..', 'renderer'),
    checkpointWorker: path.join(__dirname, 'checkpoint-worker.cjs'),
    log: (line) => process.stderr.write(`${line}\n`),
    // V8's own defaults when set to 0 (to compare, in the memory benchmark).
    governMemory: process.env.SWITCHBOARD_MEMORY_GOVERNOR !== '0',
    forwardTo,
    ...(tunnel ? { tunnel } : {}),
  });
  // Signal handlers first: a supervisor may stop us the moment it reads `listening`.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`switchboard: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // `listening` comes last, in the same write: a supervisor that waits for it has everything.
  const sandboxNote = config.whatsapp.mode === 'sandbox' ? ' (no WhatsApp credentials: sends are simulated)' : '';
  // What to paste into Meta's dashboard (WhatsApp → Configuration), when a tunnel gives a public URL.
  const callback = gateway.publicUrl ? [`callback ${gateway.publicUrl}/webhook`, `verify-token ${config.verifyToken}`] : [];
  process.stdout.write(
    [
      `mode ${config.whatsapp.mode}${sandboxNote}`,
      `token ${config.apiToken}`,
      `open ${gateway.url}/#token=${encodeURIComponent(config.apiToken)}`,
      ...callback,
      `listening ${gateway.url}`,
      '',
    ].join('\n'),
  );
  // The workbench has logged whether the callback URL changed since the last tunnel.
  if (gateway.publicUrl) {
    const check = await gateway.checkPublicUrl();
    if (check?.ok) process.stderr.write(`tunnel: checked: ${check.callback_url} takes Meta's handshake and a signed delivery (${check.latency_ms} ms)\n`);
    else if (check) process.stderr.write(`tunnel: check failed (${check.reason}): ${check.message}\n`);
    if (values['connect-meta'] && check?.ok) {
      const wired = await gateway.connectMeta();
      if (!wired.ok) process.stderr.write(`meta: ${wired.error.message}\n`);
      else {
        const apps = wired.value.subscribed_apps.map((app) => app.name ?? app.id ?? 'an app').join(', ') || 'none';
        process.stderr.write(`meta: subscribed apps on the business account: ${apps}; this number's webhooks now go to ${wired.value.effective ?? 'nowhere'}\n`);
      }
    }
  }
}

function appSecretFor(dataDirFlag: string | undefined): string {
  if (process.env.WHATSAPP_APP_SECRET) return process.env.WHATSAPP_APP_SECRET;
  const file = path.join(path.resolve(dataDirFlag ?? defaultDataDir()), 'secrets.json');
  if (!existsSync(file)) throw new UsageError(`no app secret: set WHATSAPP_APP_SECRET or point --data at the gateway's data dir (${file} not found)`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { app_secret: string }).app_secret;
}

function simulatedContent(values: { text?: string; image?: string; media?: string; location?: string; reaction?: string; wamid?: string; 'button-reply'?: string }): SimulatedContent {
  const given = (['text', 'image', 'media', 'location', 'reaction', 'button-reply'] as const).filter((key) => values[key] !== undefined);
  if (given.length !== 1) throw new UsageError('simulate needs exactly one of --text, --image, --media, --location, --reaction, --button-reply (or --status)');
  if (values.text !== undefined) {
    if (values.text.trim() === '') throw new UsageError('--text must not be empty');
    return { type: 'text', text: values.text };
  }
  if (values.image !== undefined) return { type: 'image', caption: values.image };
  if (values.media !== undefined) {
    const samples = Object.keys(SAMPLE_MEDIA);
    if (!samples.includes(values.media)) throw new UsageError(`--media must be one of the sample files: ${samples.join(', ')}`);
    return { type: 'media', sample: values.media as SampleName };
  }
  if (values['button-reply'] !== undefined) return { type: 'button_reply', title: values['button-reply'] };
  if (values.reaction !== undefined) {
    if (!values.wamid) throw new UsageError('--reaction needs --wamid, the message it reacts to');
    return { type: 'reaction', targetWamid: values.wamid, emoji: values.reaction };
  }
  const match = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(values.location ?? '');
  const latitude = Number(match?.[1]);
  const longitude = Number(match?.[2]);
  if (!match || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) throw new UsageError('--location must be latitude,longitude (e.g. 40.4168,-3.7038)');
  return { type: 'location', latitude, longitude };
}

async function simulate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      text: { type: 'string' },
      from: { type: 'string' },
      name: { type: 'string' },
      status: { type: 'string' },
      wamid: { type: 'string' },
      image: { type: 'string' },
      media: { type: 'string' },
      location: { type: 'string' },
      reaction: { type: 'string' },
      'button-reply': { type: 'string' },
      url: { type: 'string', default: 'http://127.0.0.1:8787' },
      data: { type: 'string' },
      'phone-number-id': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.from || !/^\+?\d{5,20}$/.test(values.from)) throw new UsageError('--from must be the customer number, digits only (e.g. 15551234567)');
  const from = values.from.replace(/^\+/, '');
  const phoneNumberId = values['phone-number-id'] ?? process.env.WHATSAPP_PHONE_NUMBER_ID ?? SANDBOX_PHONE_NUMBER_ID;
  const atMs = Date.now();
  let body: unknown;
  let label: string;
  if (values.status !== undefined) {
    const status = values.status as MessageStatus;
    if (!MESSAGE_STATUSES.includes(status) || status === 'pending') throw new UsageError('--status must be sent, delivered, read or failed');
    if (!values.wamid) throw new UsageError('--status needs --wamid');
    body = statusWebhook({ phoneNumberId, wamid: values.wamid, recipient: from, status, atMs });
    label = `${status} for ${values.wamid}`;
  } else {
    const built = inboundWebhook({ phoneNumberId, from, name: values.name ?? from, content: simulatedContent(values), atMs });
    body = built.body;
    label = built.wamid;
  }
  const raw = JSON.stringify(body);
  const target = `${values.url.replace(/\/+$/, '')}/webhook`;
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, appSecretFor(values.data)) },
      body: raw,
    });
  } catch {
    throw new UsageError(`no gateway answered at ${target}: is switchboard serve running?`);
  }
  if (response.status !== 200) throw new UsageError(`the gateway refused the webhook: HTTP ${response.status} ${await response.text()}`);
  process.stdout.write(`delivered ${label}\n`);
}

const AGENT_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

// Tokens live in the database of the data dir; a running gateway sees a new or revoked token at
// its next request, since it looks tokens up on every call.
async function token(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { data: { type: 'string' } }, strict: true, allowPositionals: true });
  const [action, ...rest] = positionals;
  const name = rest.join(' ');
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  ensureDataDir(dataDir);
  const db = openDatabase({ path: databasePath(dataDir) });
  try {
    const tokens = new TokenRepo(db);
    if (action === 'add') {
      if (!AGENT_NAME.test(name)) throw new UsageError('token add needs an agent name: letters, digits, spaces, . _ - (at most 64)');
      process.stdout.write(`${tokens.add(name, Date.now())}\n`);
    } else if (action === 'list') {
      for (const entry of tokens.list()) process.stdout.write(`${entry.user}\t${entry.created_at}${entry.revoked ? '\trevoked' : ''}\n`);
    } else if (action === 'revoke') {
      const revoked = tokens.revoke(name, Date.now());
      if (revoked === 0) throw new UsageError(`no active token for ${name}`);
      // A gateway on this data dir ends the agent's open WebSockets at once.
      signalChange(dataDir, 'tokens');
      process.stdout.write(`revoked ${revoked} token${revoked === 1 ? '' : 's'} of ${name}\n`);
    } else {
      throw new UsageError('token takes add <name>, list or revoke <name>');
    }
  } finally {
    db.close();
  }
}

function positiveCount(flag: string, value: string, max: number): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > max) throw new UsageError(`--${flag} must be a whole number from 1 to ${max.toLocaleString('en-US')}, not ${value}`);
  return count;
}

// A small seeded generator (mulberry32): the same --seed builds the same history.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function seedDemo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { conversations: { type: 'string', default: '10000' }, messages: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' }, data: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const conversations = positiveCount('conversations', values.conversations, 1_000_000);
  const messages = positiveCount('messages', values.messages, 50_000_000);
  if (messages < conversations) throw new UsageError('--messages must be at least --conversations (every conversation gets a message)');
  const seed = positiveCount('seed', values.seed, 2 ** 31);
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  ensureDataDir(dataDir);
  const lock = lockDataDir(dataDir, 'switchboard seed-demo');
  try {
    const db = openDatabase({ path: databasePath(dataDir) });
    try {
      const phoneNumberIds = [process.env.WHATSAPP_PHONE_NUMBER_ID ?? SANDBOX_PHONE_NUMBER_ID, '100000000000002'];
      const samples = { image: SAMPLE_MEDIA.photo, audio: SAMPLE_MEDIA.voice, document: SAMPLE_MEDIA.leaflet, video: SAMPLE_MEDIA.clip, sticker: SAMPLE_MEDIA.photo };
      const media = { from: sampleMediaFolder(), into: mediaFolder(dataDir), samples };
      const summary = seedDemoHistory(db, { conversations, messages, random: seededRandom(seed), nowMs: Date.now(), phoneNumberIds, media });
      db.pragma('wal_checkpoint(TRUNCATE)');
      process.stdout.write(`seeded ${summary.conversations} conversations and ${summary.messages} messages in ${summary.seconds.toFixed(1)} s (${(statSync(databasePath(dataDir)).size / 1e6).toFixed(0)} MB)\n`);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

function oneFile(args: string[], command: string): { file: string; dataDir: string } {
  const { values, positionals } = parseArgs({ args, options: { data: { type: 'string' } }, strict: true, allowPositionals: true });
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new UsageError(`${command} takes one file: switchboard ${command} <file> [--data <dir>]`);
  return { file: path.resolve(file), dataDir: path.resolve(values.data ?? defaultDataDir()) };
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** How much was written, how long it took and at what rate, as backup and export report it. */
const sizeAndRate = (bytes: number, seconds: number) => `${megabytes(bytes)} in ${seconds.toFixed(1)} s (${megabytes(bytes / Math.max(seconds, 0.001))}/s)`;

// "; 3 media files (1.2 MB) in backup.db.media", and any the archive had lost.
function mediaLine(media: MediaCopy, backupFile: string | null): string {
  if (media.files === 0 && media.missing === 0) return '';
  const where = backupFile ? ` in ${backupMediaFolder(backupFile)}` : '';
  const missing = media.missing === 0 ? '' : backupFile ? `, ${media.missing} missing from the archive` : `, ${media.missing} missing or damaged in the backup (their messages show it)`;
  return `; ${media.files} media files (${megabytes(media.bytes)})${where}${missing}`;
}

async function backup(args: string[]): Promise<void> {
  const { file, dataDir } = oneFile(args, 'backup');
  const summary = backupDatabase(databasePath(dataDir), file, mediaFolder(dataDir));
  process.stdout.write(`backed up ${databasePath(dataDir)} to ${summary.file}: ${sizeAndRate(summary.bytes, summary.seconds)}${mediaLine(summary.media, file)}\n`);
}

async function restore(args: string[]): Promise<void> {
  const { file, dataDir } = oneFile(args, 'restore');
  ensureDataDir(dataDir);
  // Never under a running gateway: it would go on writing to the file being replaced.
  const lock = lockDataDir(dataDir, 'switchboard restore');
  try {
    const summary = restoreDatabase(file, databasePath(dataDir), Date.now(), mediaFolder(dataDir));
    const kept = summary.keptAs ? `; the database it replaced is kept as ${summary.keptAs}` : '';
    process.stdout.write(`restored ${file} into ${summary.file}: ${megabytes(summary.bytes)} in ${summary.seconds.toFixed(1)} s${mediaLine(summary.media, null)}${kept}\n`);
  } finally {
    lock.release();
  }
}

async function erase(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { 'wa-id': { type: 'string' }, 'user-id': { type: 'string' }, 'phone-number-id': { type: 'string' }, data: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const waId = values['wa-id']?.replace(/^\+/, '');
  const userId = values['user-id'];
  if (!waId && !userId) throw new UsageError('erase needs the customer: --wa-id <phone number id> or --user-id <business-scoped id>');
  if (waId !== undefined && !/^\d{5,20}$/.test(waId)) throw new UsageError('--wa-id must be the customer number, digits only (e.g. 34600111222)');
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  if (!existsSync(databasePath(dataDir))) throw new UsageError(`there is no database at ${databasePath(dataDir)}`);
  // Works beside a running gateway: one transaction on the shared database.
  const db = openDatabase({ path: databasePath(dataDir) });
  try {
    const report = eraseCustomer(db, { waId, userId, phoneNumberId: values['phone-number-id'] }, mediaFolder(dataDir));
    // A gateway serving this data dir tells its clients now.
    signalChange(dataDir, 'events');
    const parts = Object.entries(report).map(([table, count]) => `${count} ${table.replaceAll('_', ' ')}`);
    process.stdout.write(`erased ${waId ?? userId}: ${parts.join(', ')}\n`);
  } finally {
    db.close();
  }
}


async function exportHistory(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { out: { type: 'string' }, conversation: { type: 'string' }, format: { type: 'string' }, data: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (!values.out) throw new UsageError('export needs --out <path>: a file for one conversation, a new folder for everything');
  const format = values.format ?? 'json';
  if (!EXPORT_FORMATS.includes(format as (typeof EXPORT_FORMATS)[number])) throw new UsageError(`--format must be json, text or html, not ${format}`);
  if (values.format && values.conversation === undefined) throw new UsageError('--format is for one --conversation; everything is exported as JSON Lines');
  const out = path.resolve(values.out);
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  const reader = new HistoryReader(databasePath(dataDir));
  try {
    const nowMs = Date.now();
    if (values.conversation === undefined) {
      const summary = await exportEverything(reader, out, { appVersion: APP_VERSION, nowMs, mediaDir: mediaFolder(dataDir) });
      const what = summary.mediaFiles > 0 ? `, ${summary.messages} messages and ${summary.mediaFiles} media files` : ` and ${summary.messages} messages`;
      process.stdout.write(`exported ${summary.conversations} conversations${what} to ${summary.path}: ${sizeAndRate(summary.bytes, summary.seconds)}\n`);
      return;
    }
    const id = Number(values.conversation);
    const conversation = Number.isInteger(id) && id > 0 ? reader.conversation(id) : undefined;
    if (!conversation) throw new UsageError(`there is no conversation ${values.conversation}`);
    if (existsSync(out)) throw new UsageError(`${out} already exists: choose a new file name`);
    const exportedAt = new Date(nowMs).toISOString();
    const messages = [...reader.messagesOf(id)];
    writeFileSync(out, transcript(format as (typeof EXPORT_FORMATS)[number], conversation, messages, exportedAt));
    process.stdout.write(`exported conversation ${id} (${messages.length} messages) as ${format} to ${out}\n`);
  } finally {
    reader.close();
  }
}

/**
 * `webhooks replay <id> [--to <url>]`: sends a logged delivery, its original bytes and Meta's
 * signature, to a URL (the developer's endpoint), or by default to the gateway's own `/webhook`,
 * which processes it again (idempotently). Reads the data dir's log; the gateway may be running.
 */
async function webhooks(args: string[]): Promise<void> {
  if (args[0] === 'tail') return tail(args.slice(1));
  const { values, positionals } = parseArgs({
    args,
    options: { to: { type: 'string' }, url: { type: 'string', default: 'http://127.0.0.1:8787' }, data: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [action, idText, ...extra] = positionals;
  if (action !== 'replay' || extra.length > 0) throw new UsageError('usage: switchboard webhooks replay <delivery id> [--to <url>] [--url <gateway>] [--data <dir>], or webhooks tail [--json]');
  const id = Number(idText);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`the delivery id must be a whole number above 0, not ${idText ?? 'nothing'}`);
  const target = values.to ? parseForwardUrl(values.to, '--to') : `${values.url.replace(/\/+$/, '')}/webhook`;
  const dbFile = databasePath(path.resolve(values.data ?? defaultDataDir()));
  if (!existsSync(dbFile)) throw new UsageError(`no Switchboard database at ${dbFile}: point --data at the gateway's data dir`);
  const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
  let row: { body: Buffer; signature: string } | undefined;
  try {
    row = db.prepare<[number], { body: Buffer; signature: string }>('SELECT body, signature FROM webhook_log WHERE id = ?').get(id);
  } finally {
    db.close();
  }
  if (!row) throw new UsageError(`webhook delivery ${id} is not in the log (older than its retention, or never received)`);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': row.signature, [DELIVERY_HEADER]: String(id) },
      body: new Uint8Array(row.body),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
  } catch (error) {
    throw new UsageError(`delivery ${id} → ${target}: no answer (${fetchFailure(error, 10_000)})`);
  }
  const line = `delivery ${id} → ${target}: HTTP ${response.status} in ${Math.round(performance.now() - started)} ms`;
  if (!response.ok) throw new UsageError(line);
  process.stdout.write(`${line}\n`);
}

/** `webhooks tail [--json]`: the gateway's deliveries as they are logged, until Ctrl+C. */
async function tail(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string', default: 'http://127.0.0.1:8787' }, data: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const token = process.env.SWITCHBOARD_TOKEN || apiTokenFor(values.data);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await tailWebhooks({ url: values.url, token, json: values.json, write: (line) => process.stdout.write(`${line}\n`), warn: (line) => process.stderr.write(`${line}\n`) }, stopped);
}

/** The gateway's own API token, from its data dir. */
function apiTokenFor(dataDirFlag: string | undefined): string {
  const file = path.join(path.resolve(dataDirFlag ?? defaultDataDir()), 'secrets.json');
  if (!existsSync(file)) throw new UsageError(`no API token: set SWITCHBOARD_TOKEN or point --data at the gateway's data dir (${file} not found)`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { api_token: string }).api_token;
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = { serve, simulate, token, 'seed-demo': seedDemo, backup, restore, erase, export: exportHistory, webhooks };

/** Errors that already say, in one line, what a person must do: printed as they are. */
const ONE_LINE_ERRORS: (new (...args: never[]) => Error)[] = [
  UsageError,
  ConfigError,
  DatabaseFromTheFutureError,
  DatabaseUnreadableError,
  DataDirInUseError,
  HistoryNotEmptyError,
  BackupRefusedError,
  ErasureDeferredError,
  ExportRefusedError,
  TunnelError,
  ForwardLoopError,
  TailError,
];

/** Runs the CLI; every failure is one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command ${command} (try: serve, simulate, token, webhooks, backup, restore, export, erase, seed-demo)`);
    await run(rest);
  } catch (error) {
    const known = ONE_LINE_ERRORS.some((kind) => error instanceof kind) || (error instanceof TypeError && 'code' in error);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`switchboard: ${known ? message : `unexpected error: ${message}`}\n`);
    process.exit(2);
  }
}

void main(process.argv.slice(2));
