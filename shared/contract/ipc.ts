import type { ServerEvent } from './events';
import { OPERATION_NAMES, type OperationName, type OperationRequest, type OperationResult } from './operations';
import type { Result } from './result';

/** The IPC channel of an operation; derived, never written by hand. */
export function operationChannel(name: OperationName): string {
  return `switchboard:op:${name}`;
}

/**
 * The one IPC channel main uses to push events to renderers. Each message carries a batch
 * (`ServerEvent[]`, in order): under a storm of status updates one message per turn of the
 * gateway's loop, not one per event, keeps both processes' IPC queues short.
 */
export const EVENT_CHANNEL = 'switchboard:events';

/** All operation channels, for the main-process registry. */
export const OPERATION_CHANNELS = OPERATION_NAMES.map((name) => ({ name, channel: operationChannel(name) }));

/** The functions an operation table turns into: one per operation, each returning a Result. */
export type OperationFunctions = {
  [K in OperationName]: (request: OperationRequest<K>) => Promise<Result<OperationResult<K>>>;
};

/**
 * What preload exposes on `window.switchboard`: one named function per operation, and `onEvent`,
 * which returns its own unsubscribe function.
 */
export type PreloadApi = OperationFunctions & {
  onEvent(listener: (event: ServerEvent) => void): () => void;
};
