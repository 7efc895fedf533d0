import type { OperationName, Result, ServerEvent } from '../../shared/contract';
import type { ConnectionSecrets } from '../services/connection-settings';

/**
 * The messages between the desktop app's main process and the gateway's utility process. The
 * gateway (database, ingest, outbox, HTTP and WebSocket) runs in a process of its own so that a
 * webhook flood never delays the windows, menus and IPC of the main process; the main process keeps
 * what only it can do: windows, the OS keychain, the dock, login items. Operation payloads are the
 * contract's, validated by the gateway as for any other caller; these envelopes only carry them.
 */

/** What the gateway process needs to start: the main process resolves nothing itself. */
export type GatewayStart = {
  type: 'start';
  host: string;
  port: number;
  dataDir: string;
  env: Record<string, string | undefined>;
  /** The saved credentials, decrypted by the main process (the keychain is its alone); kept in memory only. */
  secrets: ConnectionSecrets;
  launchAtLogin: boolean;
  rendererDir: string;
  checkpointWorker: string;
};

export type ToGateway =
  | GatewayStart
  /** An operation from a window, already checked to come from one of ours. */
  | { type: 'call'; id: number; name: OperationName; request: unknown }
  /** A window opened or closed: the desktop agent is online while one is open. */
  | { type: 'window'; id: number; open: boolean }
  /** The answer to `save_secrets`: null, or why the keychain refused. */
  | { type: 'secrets_saved'; id: number; error: string | null }
  | { type: 'stop' };

export type FromGateway =
  | { type: 'ready'; url: string }
  /** Start failed (a data dir another process holds, a bad setting): the sentence to show. */
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; result: Result<unknown> }
  /** Committed events, batched per turn of the gateway's event loop. */
  | { type: 'events'; events: ServerEvent[] }
  | { type: 'unread'; total: number }
  | { type: 'log'; line: string }
  | { type: 'save_secrets'; id: number; secrets: ConnectionSecrets }
  | { type: 'launch_at_login'; on: boolean }
  | { type: 'stopped' };

/** Either end of the link: Electron's parentPort in the gateway, the UtilityProcess in main. */
export type LinkEnd<In, Out> = { post(message: Out): void; onMessage(listener: (message: In) => void): void };
