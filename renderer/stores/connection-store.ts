import { createStore } from 'zustand/vanilla';
import type { GatewayInfo } from '../../shared/contract';
import type { ConnectionState } from '../bridge/bridge-api';

/** Whether the screen is current, and what the gateway said about itself. */
export type ConnectionStoreState = {
  state: ConnectionState;
  info: GatewayInfo | null;
  error: string | null;
  unauthorized: boolean;
};

/** The connection store: set by the session, read by the status bar and the sandbox badge. */
export function createConnectionStore() {
  return createStore<ConnectionStoreState>()(() => ({ state: 'connecting', info: null, error: null, unauthorized: false }));
}

/** The store instance type. */
export type ConnectionStore = ReturnType<typeof createConnectionStore>;
