import { createStore } from 'zustand/vanilla';
import type { GatewayInfo } from '../../shared/contract';
import type { ConnectionState } from '../bridge/bridge-api';

/** Whether the screen is current, and what the gateway said about itself. */
export type ConnectionStoreState = {
  state: ConnectionState;
  info: GatewayInfo | null;
  error: string | null;
  unauthorized: boolean;
  /** The settings changed the mode (sandbox ↔ live) and number: the badge follows at once. */
  setInfoMode(mode: GatewayInfo['mode'], phoneNumberId: string | null): void;
};

/** The connection store: set by the session, read by the status bar and the sandbox badge. */
export function createConnectionStore() {
  return createStore<ConnectionStoreState>()((set, get) => ({
    state: 'connecting',
    info: null,
    error: null,
    unauthorized: false,
    setInfoMode(mode, phoneNumberId) {
      const info = get().info;
      if (info) set({ info: { ...info, mode, phone_number_id: phoneNumberId ?? info.phone_number_id } });
    },
  }));
}

/** The store instance type. */
export type ConnectionStore = ReturnType<typeof createConnectionStore>;
