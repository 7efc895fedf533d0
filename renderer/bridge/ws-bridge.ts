import {
  assertNever,
  fillPath,
  HTTP_ROUTES,
  OPERATION_NAMES,
  ServerFrameSchema,
  type AppError,
  type OperationName,
  type Result,
} from '../../shared/contract';
import type { AgentSignal, BridgeApi, StreamHandlers } from './bridge-api';
import { SeqGate } from './seq-gate';

/** Where the gateway is, the token, and the browser pieces (replaceable in tests). */
export type WsBridgeOptions = {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  /** The window whose `online` events trigger an immediate reconnect. */
  target?: Pick<Window, 'addEventListener' | 'removeEventListener'> & { navigator: { onLine: boolean } };
  /** The document whose `visibilitychange` (machine woke, tab shown) triggers an immediate reconnect. */
  page?: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'>;
  random?: () => number;
  backoff?: { initialMs: number; maxMs: number };
};

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter so a restarted gateway is not hit by every client at once. */
export function reconnectDelay(attempt: number, backoff: { initialMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

async function errorFrom(response: Response): Promise<AppError> {
  const body = (await response.json().catch(() => null)) as { error?: AppError } | null;
  return body?.error ?? { code: 'internal', message: `HTTP ${response.status}` };
}

/** The bridge in browser mode: operations over the local REST API, events over `/ws` with resume. */
export function createWsBridge(options: WsBridgeOptions): BridgeApi {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const Socket = options.WebSocket ?? WebSocket;
  const random = options.random ?? Math.random;
  // Attempts stay at most 5 s apart: the gateway is usually on this machine or the LAN, and "Live"
  // should return within moments of it answering again.
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 5_000 };
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call(name: OperationName, request: Record<string, unknown>): Promise<Result<unknown>> {
    const route = HTTP_ROUTES[name];
    const url = new URL(base + fillPath(route.path, request));
    for (const key of 'query' in route ? route.query : []) {
      if (request[key] !== undefined) url.searchParams.set(key, String(request[key]));
    }
    const init: RequestInit = { method: route.method, headers: { authorization: `Bearer ${options.token}` } };
    if ('body' in route && route.body === 'bytes') {
      init.headers = { ...init.headers, 'content-type': 'application/octet-stream' };
      init.body = request.data as Uint8Array<ArrayBuffer>;
    } else if ('body' in route && route.body) {
      init.headers = { ...init.headers, 'content-type': 'application/json' };
      init.body = JSON.stringify(request);
    }
    try {
      const response = await doFetch(url, init);
      if (response.ok) return { ok: true, value: await response.json() };
      return { ok: false, error: await errorFrom(response) };
    } catch {
      return { ok: false, error: { code: 'unavailable', message: 'the gateway cannot be reached' } };
    }
  }

  const operations = Object.fromEntries(
    OPERATION_NAMES.map((name) => [name, (request: Record<string, unknown>) => call(name, request ?? {})]),
  ) as unknown as Omit<BridgeApi, 'transport' | 'stream' | 'signal'>;
  // The open socket of the current stream, for signals (sent as client frames).
  let openSocket: WebSocket | null = null;
  // The running stream's "try again at once", for the agent's Retry now.
  let retryStream: (() => void) | null = null;

  function stream(since: number, handlers: StreamHandlers): () => void {
    const gate = new SeqGate(since);
    let socket: WebSocket | null = null;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    // The cursor at which a gap was last seen: if the log itself lacks those events (pruned), the
    // same gap comes back after resuming and is accepted then, instead of resuming forever.
    let gapAt: number | null = null;

    // Events were lost between the gateway and here: reconnect at once and resume from our own
    // cursor (no message of the lossy socket is handled after close()).
    let resumeNow = false;
    const resumeFromCursor = (current: WebSocket) => {
      resumeNow = true;
      current.close();
    };

    const wsUrl = () => {
      const url = new URL(`${base}/ws`);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.searchParams.set('token', options.token);
      url.searchParams.set('since', String(gate.lastSeq));
      return url.toString();
    };

    const connect = () => {
      if (stopped || socket) return;
      if (timer) clearTimeout(timer);
      timer = null;
      const current = new Socket(wsUrl());
      socket = current;
      current.onopen = () => {
        openSocket = current;
      };
      current.onmessage = (message: MessageEvent) => {
        let data: unknown;
        try {
          data = JSON.parse(String(message.data));
        } catch {
          return;
        }
        const parsed = ServerFrameSchema.safeParse(data);
        if (!parsed.success) return;
        const frame = parsed.data;
        switch (frame.type) {
          case 'hello':
          case 'error':
            return;
          case 'caught_up':
            attempt = 0;
            handlers.onConnection('live');
            return;
          case 'resync':
            gate.reset(frame.seq);
            handlers.onResync();
            return;
          case 'heartbeat':
            if (frame.seq > gate.lastSeq) resumeFromCursor(current);
            return;
          case 'new_message':
          case 'message_update':
          case 'status_update':
          case 'conversation_update':
          case 'conversation_removed':
          case 'gateway_update':
          case 'presence':
          case 'typing':
          case 'viewing':
          case 'webhook_log_update':
          case 'tunnel_update':
            if (frame.seq > gate.lastSeq + 1 && gapAt !== gate.lastSeq) {
              gapAt = gate.lastSeq;
              resumeFromCursor(current);
              return;
            }
            if (gate.admit(frame)) handlers.onEvent(frame);
            return;
          default:
            assertNever(frame);
        }
      };
      current.onclose = () => {
        if (openSocket === current) openSocket = null;
        if (socket !== current) return;
        socket = null;
        if (stopped) return;
        if (resumeNow) {
          resumeNow = false;
          connect();
          return;
        }
        const offline = options.target && !options.target.navigator.onLine;
        handlers.onConnection(offline ? 'offline' : 'reconnecting');
        // A browser hides the status of a refused upgrade: ask the API whether the token is the reason.
        void operations.getInfo({}).then((info) => {
          if (!info.ok && info.error.code === 'unauthorized') {
            stopped = true;
            handlers.onUnauthorized?.();
            return;
          }
          if (stopped || socket || timer) return;
          timer = setTimeout(connect, reconnectDelay(attempt, backoff, random));
          attempt += 1;
        });
      };
    };

    // The OS said the network is back, or the machine woke and the page is visible: retry now.
    const retryNow = () => {
      if (!socket && !stopped) {
        attempt = 0;
        connect();
      }
    };
    const onVisibility = () => {
      if (options.page?.visibilityState === 'visible') retryNow();
    };
    const onOffline = () => {
      if (!socket) handlers.onConnection('offline');
    };
    retryStream = retryNow;
    options.target?.addEventListener('online', retryNow);
    options.target?.addEventListener('offline', onOffline);
    options.page?.addEventListener('visibilitychange', onVisibility);
    handlers.onConnection('connecting');
    connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (retryStream === retryNow) retryStream = null;
      options.target?.removeEventListener('online', retryNow);
      options.target?.removeEventListener('offline', onOffline);
      options.page?.removeEventListener('visibilitychange', onVisibility);
      socket?.close();
      socket = null;
    };
  }

  // Signals are ephemeral: sent while connected, dropped while not (the next refresh repeats them).
  function signal(value: AgentSignal): void {
    if (openSocket?.readyState === 1) openSocket.send(JSON.stringify(value));
  }

  // Media links are gateway paths: the page reaches the gateway where it reaches the API.
  const gatewayUrl = (url: string) => Promise.resolve(new URL(url, `${base}/`).href);
  const reconnectNow = () => retryStream?.();
  return { ...operations, transport: 'websocket', stream, signal, gatewayUrl, reconnectNow };
}
