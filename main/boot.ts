import type { AddressInfo } from 'node:net';
import type { GatewayInfo } from '../shared/contract';
import { ConfigError, type GatewayConfig } from './config';
import { createGatewayServer } from './gateway/server';
import { DEFAULT_HUB_LIMITS, WsHub, type HubLimits } from './gateway/ws-hub';
import { databasePath } from './paths';
import { EventBus } from './services/event-bus';
import { History } from './services/history';
import { Inbox } from './services/inbox';
import { WebhookIntake } from './services/webhook-intake';
import { WebhookProcessor } from './services/webhook-processor';
import { createOperationHandlers, type Caller, type OperationHandlers } from './services/operations';
import { ForeignEventRelay } from './services/foreign-events';
import { HistoryRetention } from './services/history-retention';
import { MemoryGovernor } from './services/memory-governor';
import { Presence } from './services/presence';
import { Search } from './services/search';
import { SearchIndexer } from './services/search-indexer';
import { DEFAULT_MEDIA_ARCHIVE, MediaArchive, type MediaArchiveOptions } from './services/media-archive';
import { mediaFolder } from './store/media-files';
import { exportResource, mediaResource, SignedLinks } from './services/signed-links';
import { TemplateCatalog } from './services/template-catalog';
import { FileSecretStore, type SecretStore } from './services/connection-settings';
import { ConnectionSettings, type DesktopPreferences } from './services/settings';
import { SwitchableWhatsApp, type WhatsAppParts } from './whatsapp/switchable-client';
import { sandboxTemplates } from './whatsapp/templates';
import { Outbox, type OutboxOptions } from './services/outbox';
import { RejectionCounter, WebhookAdmin } from './services/webhook-admin';
import { DEFAULT_TUNNEL_DEPS, type TunnelDeps, type TunnelSpec } from './services/tunnel';
import { OneAtATime } from './services/one-at-a-time';
import { Workbench } from './services/workbench';
import type { SelfTestResult } from './services/webhook-self-test';
import { WebhookSetup } from './services/webhook-setup';
import { DEFAULT_FORWARDER, WebhookForwarder, type ForwarderOptions, type ForwardTargetConfig } from './services/webhook-forwarder';
import { createStore, type Store } from './store';
import { startCheckpointer } from './store/checkpointer';
import { lockDataDir } from './store/data-dir-lock';
import { openDatabase } from './store/database';
import { watchChanges } from './store/change-signals';
import { APP_VERSION } from './version';
import { GraphClient } from './whatsapp/graph-client';
import { SampleMediaSource, sampleMediaFolder } from './whatsapp/sample-media';
import { SandboxClient } from './whatsapp/sandbox';
import { signWebhookBody } from './whatsapp/signature';

/** A gateway that is listening; `close` stops it and closes the database. */
export type RunningGateway = {
  url: string;
  config: GatewayConfig;
  store: Store;
  bus: EventBus;
  handlers: OperationHandlers;
  presence: Presence;
  hub: WsHub;
  /** The desktop app's own user, for IPC calls. */
  localCaller: Caller;
  /** Resolves once every acknowledged webhook has been processed (tests, tools). */
  processed(): Promise<void>;
  /** Resolves once every stored message is in the search index (tests, benchmarks). */
  indexed(): Promise<void>;
  /** Resolves once no media download runs or is due (tests). */
  mediaSettled(): Promise<void>;
  /** Resolves once every forward target has been handed all it could take (tests, benchmarks). */
  forwarded(): Promise<void>;
  /** The tunnel's public URL (`serve --tunnel`, or the settings'), or null while there is none. */
  readonly publicUrl: string | null;
  /** The tunnel and the forward targets, as the settings change them. */
  workbench: Workbench;
  /** Calls the public URL as Meta would (handshake, then a signed delivery that is not stored); null without a tunnel. */
  checkPublicUrl(): Promise<SelfTestResult> | null;
  /** Subscribes the app to the business account and points the number's callback override at the public URL. */
  connectMeta(): ReturnType<WebhookSetup['connect']>;
  close(): Promise<void>;
};

/** How the gateway reports and where it finds the built renderer and the checkpoint worker. */
export type BootOptions = {
  rendererDir: string | null;
  /**
   * The checkpoint worker's script (`checkpoint-worker.cjs` beside the bundle). Without it,
   * commits checkpoint the WAL themselves, on the main thread.
   */
  checkpointWorker?: string;
  log: (line: string) => void;
  hubLimits?: Partial<HubLimits>;
  /** Retry and throughput settings (tests shorten the backoff). */
  outbox?: Partial<OutboxOptions>;
  /** Pace garbage collection through webhook floods (default on; see MemoryGovernor). */
  governMemory?: boolean;
  /** Who this process is, named to a second process refused the same data dir (default `switchboard serve`). */
  command?: string;
  /** How long shutdown waits for sends already on their way to WhatsApp (default 3 s). */
  shutdownGraceMs?: number;
  /** Download pacing of the media archive (tests shorten the backoff). */
  mediaArchive?: Partial<MediaArchiveOptions>;
  /** Where the sandbox finds its sample files (default: `sample-media/` beside the build). */
  sampleMediaDir?: string;
  /** Where the settings screen keeps credentials: the OS keychain in the desktop app, a 0600 file by default. */
  secretStore?: SecretStore;
  /** The environment the configuration came from (default `process.env`): settings changes are resolved against it. */
  env?: Record<string, string | undefined>;
  /** The desktop app's own preferences, shown and changed with the settings. */
  desktop?: DesktopPreferences;
  /** How Graph API calls reach Meta (default the global fetch; the desktop app passes Electron's net.fetch). */
  fetch?: typeof fetch;
  /**
   * When the port is taken, try the next ones, then any free port (the desktop app: its window
   * needs only IPC). Without it, a taken port is an error (`switchboard serve --port` means that port).
   */
  portFallback?: boolean;
  /** The developer's own endpoints every verified delivery is relayed to (`serve --forward-to`); else the saved ones. */
  forwardTo?: readonly ForwardTargetConfig[];
  /** Timeouts and retry pacing of forwarding (tests shorten them). */
  forwarder?: Partial<ForwarderOptions>;
  /** A public URL in front of the gateway for Meta (`serve --tunnel`), else the saved one: opened once the gateway listens. */
  tunnel?: TunnelSpec;
  /** How tunnels are opened (tests pass doubles of the ngrok library and the cloudflared binary). */
  tunnelDeps?: TunnelDeps;
};

/** How many ports after the configured one the desktop app tries before taking any free port. */
export const PORT_FALLBACK_TRIES = 10;

/** What shutdown gives a send in flight before it ends the request: quitting must not hang on Meta. */
const SHUTDOWN_GRACE_MS = 3_000;

function listen(server: ReturnType<typeof createGatewayServer>, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${error.code ?? error.message})`;
      reject(Object.assign(new ConfigError(`port ${port} on ${host} ${reason}`), { code: error.code }));
    });
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

// The configured port, else the next ones, else any free one: only a port in use moves on.
async function listenWithFallback(server: ReturnType<typeof createGatewayServer>, host: string, port: number, log: (line: string) => void): Promise<AddressInfo> {
  const candidates = port === 0 ? [0] : [...Array.from({ length: PORT_FALLBACK_TRIES }, (_, n) => port + n).filter((p) => p <= 65535), 0];
  for (const candidate of candidates) {
    try {
      const address = await listen(server, host, candidate);
      if (candidate !== port) log(`port ${port} on ${host} is in use (another program has it): listening on ${address.port} instead; point your tunnel or proxy there`);
      return address;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new ConfigError(`no free port on ${host}`);
}

function baseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Composes store, services, WhatsApp client and HTTP/WS server, and starts listening. */
export async function bootGateway(config: GatewayConfig, options: BootOptions): Promise<RunningGateway> {
  const dbPath = databasePath(config.dataDir);
  // One process per data dir: two outboxes on one database would mark each other's sends failed.
  const lock = lockDataDir(config.dataDir, options.command ?? 'switchboard serve');
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase({ path: dbPath });
  } catch (error) {
    lock.release();
    throw error;
  }
  const checkpointer = options.checkpointWorker ? startCheckpointer(db, { databasePath: dbPath, script: options.checkpointWorker, log: options.log }) : null;
  const store = createStore(db);
  const bus = new EventBus((error) => options.log(`events: a listener failed (${error instanceof Error ? error.message : String(error)}); the others still got the event`));
  const inbox = new Inbox(store, bus, options.log);
  const processor = new WebhookProcessor(store, inbox, options.log);
  // Relays to the developer's endpoints go through the standard fetch: they are local or the developer's own, not Meta.
  const workbenchFlags = { ...(options.tunnel ? { tunnel: options.tunnel } : {}), ...(options.forwardTo ? { forwardTo: options.forwardTo } : {}) };
  const forwarder = new WebhookForwarder(store, Workbench.initialTargets(config.dataDir, workbenchFlags), fetch, options.log, { ...DEFAULT_FORWARDER, ...options.forwarder });
  const intake = new WebhookIntake(store, inbox, processor, () => forwarder.notify());
  const rejected = new RejectionCounter();
  const webhookAdmin = new WebhookAdmin(store, inbox, rejected, config.webhookRetentionDays, Date.now, forwarder);
  let url = '';
  // The configuration in force: the settings screen can change the WhatsApp part at run time.
  let current = config;
  const postToSelf = async (body: unknown): Promise<void> => {
    const raw = JSON.stringify(body);
    await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, current.appSecret) },
      body: raw,
    });
  };
  const sampleMedia = new SampleMediaSource(options.sampleMediaDir ?? sampleMediaFolder());
  // Live: Meta's Graph API for sends, files and templates. Sandbox: the simulator, the sample files
  // served through the archive's real path, and sample templates.
  const connect = (next: GatewayConfig): WhatsAppParts & { sandbox: SandboxClient | null } => {
    if (next.whatsapp.mode === 'live') {
      const graph = new GraphClient({ ...next.whatsapp, ...(options.fetch ? { fetch: options.fetch } : {}) });
      const wabaId = next.whatsapp.wabaId;
      return { client: graph, media: graph, templates: wabaId ? { listTemplates: () => graph.listTemplates(wabaId) } : null, sandbox: null, stop: () => undefined };
    }
    const sandbox = new SandboxClient(postToSelf, { ...next.whatsapp, random: Math.random });
    return { client: sandbox, media: sampleMedia, templates: sandboxTemplates, sandbox, stop: () => sandbox.stop() };
  };
  const initial = connect(config);
  const whatsapp = new SwitchableWhatsApp(initial);
  const media = new MediaArchive(store, bus, whatsapp, mediaFolder(config.dataDir), options.log, { ...DEFAULT_MEDIA_ARCHIVE, ...options.mediaArchive });
  const links = new SignedLinks();
  const templates = new TemplateCatalog(whatsapp, Date.now, () => whatsapp.hasTemplates());
  const outbox = new Outbox(store, bus, whatsapp, Date.now, options.log, {
    readReceipts: config.readReceipts,
    // A small bucket paces sends evenly, so no one-second window exceeds the number's limit.
    perNumber: { capacity: Math.max(1, Math.ceil(config.throughputPerNumber / 80)), perSecond: config.throughputPerNumber },
    perRecipient: { capacity: config.pairBurst, intervalMs: 6_000 },
    mediaFolder: mediaFolder(config.dataDir),
    renderTemplate: (name, language, parameters) => templates.render(name, language, parameters),
    ...options.outbox,
  });
  // The connection and the workbench settings rewrite one secret store: their saves take turns.
  const settingsQueue = new OneAtATime();
  const secretStore = options.secretStore ?? new FileSecretStore(config.dataDir);
  const settings = new ConnectionSettings({
    queue: settingsQueue,
    flags: { host: config.host, port: config.port, dataDir: config.dataDir },
    env: options.env ?? process.env,
    secrets: secretStore,
    current: () => current,
    apply: (next) => {
      const previous = current;
      current = next;
      whatsapp.switchTo(connect(next));
      templates.forget();
      outbox.setReadReceipts(next.readReceipts);
      if (next.whatsapp.mode !== previous.whatsapp.mode || next.whatsapp.phoneNumberId !== previous.whatsapp.phoneNumberId) {
        bus.publish([store.events.append({ type: 'gateway_update', mode: next.whatsapp.mode, phone_number_id: next.whatsapp.phoneNumberId }, Date.now())]);
      }
      options.log(`settings: now ${next.whatsapp.mode}${next.whatsapp.mode === 'live' ? ` on phone number ${next.whatsapp.phoneNumberId}` : ''}`);
    },
    url: () => url,
    ...(options.desktop ? { desktop: options.desktop } : {}),
  });
  const history = new History(store, bus);
  const presence = new Presence(store, bus);
  const info = (caller: Caller): GatewayInfo => ({
    mode: current.whatsapp.mode,
    user: caller.user,
    phone_number_id: current.whatsapp.phoneNumberId,
    head_seq: store.events.head(),
    version: APP_VERSION,
    url,
  });
  const tunnelDeps = options.tunnelDeps ?? { ...DEFAULT_TUNNEL_DEPS, env: options.env ?? process.env };
  const workbench = new Workbench({
    dataDir: config.dataDir,
    secrets: secretStore,
    queue: settingsQueue,
    flags: workbenchFlags,
    tunnelDeps,
    forwarder,
    localUrl: () => url,
    localUser: () => current.localUser,
    publish: (state) => bus.publish([store.events.append({ type: 'tunnel_update', ...state }, Date.now())]),
    log: options.log,
  });
  // The public URL is known once the gateway listens and its tunnel is open (below).
  const webhookSetup = new WebhookSetup({ publicUrl: () => workbench.publicUrl(), current: () => current, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const handlers = createOperationHandlers({ history, search: new Search(store), outbox, webhooks: webhookAdmin, presence, media, links, templates, settings, webhookSetup, workbench, info });
  const indexer = new SearchIndexer(store, bus, options.log);
  const access = {
    apiToken: config.apiToken,
    localUser: config.localUser,
    userOfToken: (token: string) => store.tokens.userOf(token),
    bindHost: config.host,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
  };
  const hub = new WsHub({
    log: store.events,
    bus,
    access,
    presence,
    handlers,
    info: (user) => info({ user }),
    limits: { ...DEFAULT_HUB_LIMITS, ...options.hubLimits },
  });
  const memory = options.governMemory === false ? null : new MemoryGovernor();
  const server = createGatewayServer({
    webhook: {
      // Read at each request: the settings screen can change them.
      get appSecret() {
        return current.appSecret;
      },
      get verifyToken() {
        return current.verifyToken;
      },
      intake,
      now: Date.now,
      onRejected: (reason, request) => {
        const total = rejected.add(reason, request);
        options.log(`webhook: rejected (${reason}); ${total} rejected since start`);
      },
      onBodyRead: (bytes) => memory?.noteIngest(bytes),
      log: options.log,
    },
    handlers,
    hub,
    access,
    media: { fileOf: (id) => media.fileOf(id), linkOpens: (id, query) => links.verify(mediaResource(id), query) },
    exports: {
      conversation: (id) => history.conversation(id),
      messages: (id) => history.allMessages(id),
      linkOpens: (id, format, query) => links.verify(exportResource(id, format), query),
      now: Date.now,
    },
    rendererDir: options.rendererDir,
    health: () => ({ mode: current.whatsapp.mode, version: APP_VERSION }),
  });
  let address: AddressInfo;
  try {
    address = options.portFallback ? await listenWithFallback(server, config.host, config.port, options.log) : await listen(server, config.host, config.port);
  } catch (error) {
    await hub.close();
    await checkpointer?.stop();
    db.close();
    lock.release();
    throw error;
  }
  url = baseUrl(config.host, address.port);
  try {
    await workbench.start();
  } catch (error) {
    await hub.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await checkpointer?.stop();
    db.close();
    lock.release();
    throw error;
  }
  const retention = new HistoryRetention(store, config.historyRetentionDays, mediaFolder(config.dataDir), bus, options.log);
  // Retention of raw deliveries and history: at start, then hourly (unref'd: never keeps the process alive).
  const prune = () => {
    retention.run().catch((error: unknown) => options.log(`history retention failed: ${error instanceof Error ? error.message : String(error)}`));
    const removed = webhookAdmin.prune();
    if (removed > 0) options.log(`webhook log: removed ${removed} deliveries older than ${config.webhookRetentionDays} days`);
    store.events.prune(Date.now() - config.eventRetentionDays * 24 * 60 * 60 * 1000, config.eventRetentionCount);
  };
  prune();
  // Whatever a crash left acknowledged but unprocessed is processed now; sends resume.
  processor.schedule();
  indexer.start();
  outbox.start();
  media.start();
  forwarder.start();
  if (initial.sandbox && config.whatsapp.mode === 'sandbox' && config.whatsapp.seed && store.conversations.list().length === 0) {
    initial.sandbox.seed(config.whatsapp.phoneNumberId);
  }
  const pruning = setInterval(prune, 60 * 60 * 1000);
  pruning.unref();
  // `switchboard token revoke` (another process) signals here: the agent's sockets end at once.
  const stopWatchingTokens = watchChanges(config.dataDir, 'tokens', () => hub.recheckTokens());
  // `switchboard erase` (another process) appended events: clients get them now.
  const relay = new ForeignEventRelay(store.events, bus);
  const stopWatchingEvents = watchChanges(config.dataDir, 'events', () => relay.relay());
  return {
    url,
    config,
    store,
    bus,
    handlers,
    presence,
    hub,
    localCaller: { user: config.localUser },
    processed: () => processor.settle(),
    indexed: () => indexer.settle(),
    mediaSettled: () => media.settle(),
    forwarded: () => forwarder.settle(),
    get publicUrl() {
      return workbench.publicUrl();
    },
    workbench,
    checkPublicUrl: () => webhookSetup.checkUrl(),
    connectMeta: () => webhookSetup.connect({ user: config.localUser }),
    close: async () => {
      clearInterval(pruning);
      stopWatchingTokens();
      stopWatchingEvents();
      relay.stop();
      memory?.stop();
      indexer.stop();
      media.stop();
      forwarder.stop();
      retention.stop();
      processor.stop();
      presence.stop();
      whatsapp.stop();
      await workbench.close();
      await hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await outbox.close(options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
      await checkpointer?.stop();
      db.close();
      lock.release();
    },
  };
}
