import type { OperationFunctions, ServerEvent } from '../../shared/contract';

/** Whether the screen is current: live, trying to get back (reconnecting), or cut off (offline). */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** What a subscriber is told besides events. */
export type StreamHandlers = {
  /** Each event exactly once, in `seq` order, starting after the `since` given to `stream`. */
  onEvent(event: ServerEvent): void;
  /** The gateway can no longer replay what was missed: reload all state, then keep listening. */
  onResync(): void;
  onConnection(state: ConnectionState): void;
  /** The token was refused: the user must log in again. */
  onUnauthorized?(): void;
};

/**
 * The only way the renderer talks to the gateway, over IPC (desktop) or HTTP + WebSocket
 * (browser mode): one function per contract operation, and one ordered event stream.
 */
export interface BridgeApi extends OperationFunctions {
  readonly transport: 'ipc' | 'websocket';
  /** Streams events after `since`; returns a function that stops the stream. */
  stream(since: number, handlers: StreamHandlers): () => void;
  /**
   * Tells the other agents what this one is doing: fire-and-forget signals (WebSocket frames in
   * browser mode, IPC calls on the desktop). They expire by themselves, so a lost one is harmless.
   */
  signal(signal: AgentSignal): void;
  /**
   * The full address of a link the gateway gave as a path (a media link, an export link): where an
   * `<img>`, `<audio>`, `<video>` or a download loads it from.
   */
  gatewayUrl(url: string): Promise<string>;
  /** The agent asked to reconnect now ("Retry now"), instead of waiting for the next attempt. */
  reconnectNow(): void;
}

/** What an agent tells the others: typing in a conversation, viewing one (or none), away or back. */
export type AgentSignal =
  | { type: 'typing'; conversation_id: number }
  | { type: 'viewing'; conversation_id: number | null }
  | { type: 'presence'; state: 'online' | 'away' };
