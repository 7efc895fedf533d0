import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientFrameSchema, ERROR_HTTP_STATUS, WS_CLOSE, type AppError, type GatewayInfo, type ServerFrame } from '../../shared/contract';
import type { EventLog } from '../store/event-log';
import type { EventBus } from '../services/event-bus';
import { isAllowedHost, isAllowedOrigin, isValidToken, presentedToken, type AccessPolicy } from './access';

/** Largest frame a client may send (they only send small control frames). */
export const MAX_CLIENT_FRAME_BYTES = 16 * 1024;

const CATCH_UP_PAGE = 500;

/** What the hub reads from and how often it checks that peers are alive. */
export type WsHubDeps = { log: EventLog; bus: EventBus; access: AccessPolicy; info: () => GatewayInfo; heartbeatMs: number };

function refuseUpgrade(socket: Duplex, error: AppError): void {
  const body = JSON.stringify({ error });
  const status = ERROR_HTTP_STATUS[error.code];
  socket.end(
    `HTTP/1.1 ${status} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function send(socket: WebSocket, frame: ServerFrame): void {
  socket.send(JSON.stringify(frame));
}

/**
 * `/ws`: authenticated before the upgrade completes, then events in `seq` order. A client passing
 * `?since=<seq>` first receives every event after it, then live ones, without gap or duplicate.
 */
export class WsHub {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly deps: WsHubDeps) {
    // A peer that misses one ping is dropped at the next: within two intervals.
    this.heartbeat = setInterval(() => this.checkPeers(), deps.heartbeatMs);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.server.clients.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const { access } = this.deps;
    if (!isAllowedHost(req, access)) return refuseUpgrade(socket, { code: 'forbidden', message: 'Host is not one of this gateway\'s names' });
    if (!isAllowedOrigin(req, access)) return refuseUpgrade(socket, { code: 'forbidden', message: 'Origin is not allowed' });
    if (!isValidToken(presentedToken(req, url, true), access)) {
      return refuseUpgrade(socket, { code: 'unauthorized', message: 'a valid token is required (Authorization: Bearer, or ?token=)' });
    }
    const sinceParam = url.searchParams.get('since');
    const since = sinceParam === null ? null : Number(sinceParam);
    if (since !== null && (!Number.isInteger(since) || since < 0)) {
      return refuseUpgrade(socket, { code: 'bad_request', message: 'since must be a non-negative integer seq' });
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws, since));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.server.clients) client.close(WS_CLOSE.goingAway, 'gateway stopping');
    this.server.close();
  }

  // Backlog and subscription happen in one synchronous step: commits run on this same thread, so
  // no event can slip between the last backlog page and the first live one.
  private accept(ws: WebSocket, since: number | null): void {
    const { log, bus, info } = this.deps;
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    // An oversized or malformed frame makes ws close the socket (1009/1002) and emit 'error'; without
    // a listener that error would crash the gateway.
    ws.on('error', () => ws.terminate());
    send(ws, { type: 'hello', info: info() });
    let lastSent = log.head();
    if (since !== null) {
      if (log.canResumeFrom(since)) {
        lastSent = since;
        for (let page = log.after(lastSent, CATCH_UP_PAGE); page.length > 0; page = log.after(lastSent, CATCH_UP_PAGE)) {
          for (const event of page) send(ws, event);
          lastSent = page.at(-1)?.seq ?? lastSent;
        }
      } else {
        send(ws, { type: 'resync', seq: lastSent });
      }
    }
    send(ws, { type: 'caught_up', seq: lastSent });
    const unsubscribe = bus.subscribe((event) => {
      if (event.seq <= lastSent) return;
      lastSent = event.seq;
      send(ws, event);
    });
    ws.on('close', unsubscribe);
    ws.on('message', (data) => this.onClientFrame(ws, data));
  }

  private onClientFrame(ws: WebSocket, data: unknown): void {
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      send(ws, { type: 'error', error: { code: 'bad_request', message: 'frame is not valid JSON' } });
      return;
    }
    const parsed = ClientFrameSchema.safeParse(frame);
    if (!parsed.success) {
      send(ws, { type: 'error', error: { code: 'bad_request', message: 'unknown frame type' } });
    }
    // `ping` needs no answer beyond keeping the connection busy; later frame types are handled here.
  }

  private checkPeers(): void {
    for (const client of this.server.clients) {
      if (!this.alive.get(client)) {
        client.terminate();
        continue;
      }
      this.alive.set(client, false);
      client.ping();
    }
  }
}
