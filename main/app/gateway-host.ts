import { utilityProcess } from 'electron';
import { fail, type OperationName, type Result, type ServerEvent } from '../../shared/contract';
import type { SecretStore } from '../services/connection-settings';
import type { FromGateway, GatewayStart, LinkEnd, ToGateway } from './gateway-link';

/** The gateway's process as the host drives it: Electron's UtilityProcess behind a small interface. */
export type GatewayChild = LinkEnd<FromGateway, ToGateway> & { onExit(listener: (code: number) => void): void; kill(): void };

/** Forks the gateway's script as an Electron utility process. */
export function forkUtilityGateway(script: string): GatewayChild {
  const child = utilityProcess.fork(script, [], { serviceName: 'Switchboard gateway', stdio: 'inherit' });
  return {
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: FromGateway) => listener(message)),
    onExit: (listener) => child.on('exit', listener),
    kill: () => child.kill(),
  };
}

export type GatewayHostDeps = {
  fork(): GatewayChild;
  /** What a (re)start is given: read at each start, so saved secrets and preferences are current. */
  startMessage(): Omit<GatewayStart, 'type'>;
  /** The OS keychain: only the main process can encrypt. */
  secrets: SecretStore;
  setLaunchAtLogin(on: boolean): void;
  log(line: string): void;
  onEvents(events: readonly ServerEvent[]): void;
  onUnread(total: number): void;
  /** The gateway came back after a crash: windows reload and resume from the event log. */
  onRestarted(): void;
};

export type RestartPolicy = { firstDelayMs: number; maxDelayMs: number; /** Running this long resets the delay. */ stableAfterMs: number };
export const DEFAULT_RESTART: RestartPolicy = { firstDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/** How long quitting waits for the gateway to close its database before the process is killed. */
const STOP_DEADLINE_MS = 10_000;

/**
 * The main process's handle on the gateway's utility process: starts it, relays the windows'
 * operations and answers, hands it the keychain and login items, restarts it after a crash (with a
 * growing delay), and stops it on quit. While it is down, operations answer `unavailable` at once.
 */
export class GatewayHost {
  private child: GatewayChild | null = null;
  private ready = false;
  private stopping = false;
  private nextCall = 1;
  private readonly calls = new Map<number, (result: Result<unknown>) => void>();
  private readonly openWindows = new Set<number>();
  private delayMs: number;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopped: Promise<void> | null = null;
  /** Where webhooks reach the gateway now ('' while it is down). */
  url = '';

  constructor(
    private readonly deps: GatewayHostDeps,
    private readonly restart: RestartPolicy = DEFAULT_RESTART,
  ) {
    this.delayMs = restart.firstDelayMs;
  }

  /** Starts the gateway; rejects with its sentence when the first start fails (the app cannot run). */
  start(): Promise<string> {
    return new Promise((resolve, reject) => this.launch({ resolve, reject }));
  }

  invoke(name: OperationName, request: unknown): Promise<Result<unknown>> {
    const child = this.child;
    if (!child || !this.ready) return Promise.resolve(fail('unavailable', 'the gateway is restarting: try again in a moment'));
    const id = this.nextCall++;
    return new Promise((resolve) => {
      this.calls.set(id, resolve);
      child.post({ type: 'call', id, name, request });
    });
  }

  windowOpened(id: number): void {
    this.openWindows.add(id);
    if (this.ready) this.child?.post({ type: 'window', id, open: true });
  }

  windowClosed(id: number): void {
    this.openWindows.delete(id);
    if (this.ready) this.child?.post({ type: 'window', id, open: false });
  }

  /** Closes the gateway (its sends in flight get their grace, the database is closed); kills it past the deadline. */
  stop(deadlineMs = STOP_DEADLINE_MS): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.stopping = true;
      if (this.restartTimer) clearTimeout(this.restartTimer);
      const child = this.child;
      if (!child) return resolve();
      const deadline = setTimeout(() => {
        this.deps.log(`the gateway did not stop within ${deadlineMs} ms: stopped by force`);
        child.kill();
        resolve();
      }, deadlineMs);
      child.onExit(() => {
        clearTimeout(deadline);
        resolve();
      });
      child.post({ type: 'stop' });
    });
    return this.stopped;
  }

  private launch(first: { resolve(url: string): void; reject(error: Error): void } | null): void {
    const child = this.deps.fork();
    this.child = child;
    this.ready = false;
    let failure: string | null = null;
    child.onMessage((message) => this.receive(child, message, first, (sentence) => (failure = sentence)));
    child.onExit((code) => {
      if (this.child !== child) return;
      this.child = null;
      this.ready = false;
      this.url = '';
      for (const answer of this.calls.values()) answer(fail('unavailable', 'the gateway stopped before answering: it is restarting'));
      this.calls.clear();
      if (this.stopping) return;
      if (first && this.startedAt === 0) {
        first.reject(new Error(failure ?? `the gateway process exited during start (code ${code})`));
        return;
      }
      const ranFor = Date.now() - this.startedAt;
      if (ranFor >= this.restart.stableAfterMs) this.delayMs = this.restart.firstDelayMs;
      this.deps.log(`the gateway process stopped (exit code ${code}${failure ? `: ${failure}` : ''}); restarting in ${this.delayMs} ms`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.launch(null);
      }, this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, this.restart.maxDelayMs);
    });
    child.post({ type: 'start', ...this.deps.startMessage() });
  }

  private receive(child: GatewayChild, message: FromGateway, first: { resolve(url: string): void } | null, failed: (sentence: string) => void): void {
    switch (message.type) {
      case 'ready': {
        const restarted = this.startedAt !== 0;
        this.ready = true;
        this.url = message.url;
        this.startedAt = Date.now();
        for (const id of this.openWindows) child.post({ type: 'window', id, open: true });
        if (restarted) {
          this.deps.log(`the gateway is back on ${message.url}`);
          this.deps.onRestarted();
        }
        first?.resolve(message.url);
        return;
      }
      case 'failed':
        failed(message.message);
        return;
      case 'result':
        this.calls.get(message.id)?.(message.result);
        this.calls.delete(message.id);
        return;
      case 'events':
        this.deps.onEvents(message.events);
        return;
      case 'unread':
        this.deps.onUnread(message.total);
        return;
      case 'log':
        this.deps.log(message.line);
        return;
      case 'save_secrets':
        this.deps.secrets.write(message.secrets).then(
          () => child.post({ type: 'secrets_saved', id: message.id, error: null }),
          (error: unknown) => child.post({ type: 'secrets_saved', id: message.id, error: error instanceof Error ? error.message : String(error) }),
        );
        return;
      case 'launch_at_login':
        this.deps.setLaunchAtLogin(message.on);
        return;
      case 'stopped':
        return;
    }
  }
}
