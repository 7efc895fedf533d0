import { fail, type ServerEvent } from '../../shared/contract';
import { bootGateway, type RunningGateway } from '../boot';
import { resolveConfig } from '../config';
import type { ConnectionSecrets, SecretStore } from '../services/connection-settings';
import { invokeOperation } from '../services/operations';
import { savedConnection } from '../services/settings';
import type { FromGateway, GatewayStart, LinkEnd, ToGateway } from './gateway-link';

/** How often, at most, the unread total is recounted for the dock and tray under a burst of messages. */
const UNREAD_REFRESH_MS = 500;

/**
 * Credentials as the gateway's process sees them: the main process decrypted them at start and
 * encrypts what is saved (only it can reach the OS keychain); nothing is written here in clear.
 */
export class RelayedSecretStore implements SecretStore {
  readonly kind = 'os_keychain' as const;

  constructor(
    private secrets: ConnectionSecrets,
    private readonly save: (secrets: ConnectionSecrets) => Promise<void>,
  ) {}

  read(): ConnectionSecrets {
    return { ...this.secrets };
  }

  async write(secrets: ConnectionSecrets): Promise<void> {
    await this.save(secrets);
    this.secrets = { ...secrets };
  }
}

/**
 * The gateway's side of the link: boots the gateway on `start`, answers the windows' operations as
 * the desktop's own user, streams committed events and the unread total to the main process, and
 * closes everything on `stop` (sends in flight get their grace, the database is closed) before `exit`.
 */
export function serveGatewayProcess(link: LinkEnd<ToGateway, FromGateway>, options: { fetch?: typeof fetch; exit(code: number): void }): void {
  let gateway: RunningGateway | null = null;
  let stopping: Promise<void> | null = null;
  const windows = new Map<number, () => void>();
  const saving = new Map<number, { resolve(): void; reject(error: Error): void }>();
  let nextSave = 1;
  const log = (line: string) => link.post({ type: 'log', line });

  const saveSecrets = (secrets: ConnectionSecrets) =>
    new Promise<void>((resolve, reject) => {
      const id = nextSave++;
      saving.set(id, { resolve, reject });
      link.post({ type: 'save_secrets', id, secrets });
    });

  const streamEvents = (running: RunningGateway) => {
    let batch: ServerEvent[] = [];
    running.bus.subscribe((event) => {
      // One message per turn of the loop: a storm of status updates crosses the process boundary in a few posts.
      if (batch.length === 0) {
        setImmediate(() => {
          const events = batch;
          batch = [];
          link.post({ type: 'events', events });
        });
      }
      batch.push(event);
    });
  };

  const streamUnread = (running: RunningGateway) => {
    let shown = -1;
    let pending: NodeJS.Timeout | null = null;
    const refresh = () => {
      const total = running.store.conversations.unreadTotal();
      if (total !== shown) link.post({ type: 'unread', total: (shown = total) });
    };
    refresh();
    running.bus.subscribe((event) => {
      if (pending || !(event.type === 'conversation_update' || event.type === 'new_message' || event.type === 'conversation_removed')) return;
      pending = setTimeout(() => {
        pending = null;
        if (gateway) refresh();
      }, UNREAD_REFRESH_MS);
    });
  };

  const start = async (message: GatewayStart) => {
    let launchAtLogin = message.launchAtLogin;
    const flags = { host: message.host, port: message.port, dataDir: message.dataDir };
    try {
      const secretStore = new RelayedSecretStore(message.secrets, saveSecrets);
      const config = resolveConfig(flags, message.env, savedConnection(message.dataDir, secretStore));
      const running = await bootGateway(config, {
        secretStore,
        env: message.env,
        // The window needs only IPC: a port another program holds (8787 is wrangler's and RStudio's) moves the gateway, not the app.
        portFallback: true,
        desktop: {
          launchAtLogin: () => launchAtLogin,
          setLaunchAtLogin: (on) => {
            launchAtLogin = on;
            link.post({ type: 'launch_at_login', on });
          },
        },
        ...(options.fetch ? { fetch: options.fetch } : {}),
        rendererDir: message.rendererDir,
        checkpointWorker: message.checkpointWorker,
        log,
        command: 'the Switchboard desktop app',
      });
      gateway = running;
      streamEvents(running);
      streamUnread(running);
      link.post({ type: 'ready', url: running.url });
    } catch (error) {
      link.post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      options.exit(1);
    }
  };

  const stop = () => {
    stopping ??= (async () => {
      const closing = gateway;
      gateway = null;
      for (const disconnect of windows.values()) disconnect();
      windows.clear();
      try {
        await closing?.close();
      } catch (error) {
        log(`the gateway did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
      }
      link.post({ type: 'stopped' });
      options.exit(0);
    })();
  };

  link.onMessage((message) => {
    switch (message.type) {
      case 'start':
        void start(message);
        return;
      case 'call': {
        const running = gateway;
        if (!running) {
          link.post({ type: 'result', id: message.id, result: fail('unavailable', 'the gateway is not running') });
          return;
        }
        void Promise.resolve(invokeOperation(running.handlers, message.name, message.request, running.localCaller)).then((result) =>
          link.post({ type: 'result', id: message.id, result }),
        );
        return;
      }
      case 'window': {
        if (message.open && gateway && !windows.has(message.id)) windows.set(message.id, gateway.presence.connect(gateway.localCaller.user));
        if (!message.open) {
          windows.get(message.id)?.();
          windows.delete(message.id);
        }
        return;
      }
      case 'secrets_saved': {
        const waiting = saving.get(message.id);
        saving.delete(message.id);
        if (message.error === null) waiting?.resolve();
        else waiting?.reject(new Error(message.error));
        return;
      }
      case 'stop':
        stop();
        return;
    }
  });
}
