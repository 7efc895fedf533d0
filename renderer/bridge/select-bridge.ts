import type { PreloadApi } from '../../shared/contract';
import type { BridgeApi } from './bridge-api';
import { createIpcBridge } from './ipc-bridge';
import { createWsBridge } from './ws-bridge';

const TOKEN_KEY = 'switchboard.token';

/** The bridge to use, or that browser mode needs a token first. */
export type BridgeChoice = { kind: 'ready'; bridge: BridgeApi } | { kind: 'needs-token' };

type HostWindow = Window & { switchboard?: PreloadApi };

/**
 * Chooses the bridge once at start: IPC when preload exposed `window.switchboard` (desktop), else
 * HTTP + WebSocket to the gateway that served this page, with the token from `#token=` (removed
 * from the address bar at once) or from an earlier login.
 */
export function chooseBridge(host: HostWindow): BridgeChoice {
  if (host.switchboard) return { kind: 'ready', bridge: createIpcBridge(host.switchboard) };
  const fromHash = new URLSearchParams(host.location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    host.localStorage.setItem(TOKEN_KEY, fromHash);
    host.history.replaceState(null, '', host.location.pathname + host.location.search);
  }
  const token = host.localStorage.getItem(TOKEN_KEY);
  return token ? { kind: 'ready', bridge: browserBridge(host, token) } : { kind: 'needs-token' };
}

/** Remembers a token typed on the login screen and returns the bridge that uses it. */
export function loginWithToken(host: HostWindow, token: string): BridgeApi {
  host.localStorage.setItem(TOKEN_KEY, token);
  return browserBridge(host, token);
}

/** Forgets a token the gateway refused. */
export function forgetToken(host: HostWindow): void {
  host.localStorage.removeItem(TOKEN_KEY);
}

function browserBridge(host: HostWindow, token: string): BridgeApi {
  return createWsBridge({ baseUrl: host.location.origin, token, target: host, page: host.document });
}
