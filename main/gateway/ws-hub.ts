import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  assertNever,
  ClientFrameSchema,
  ERROR_HTTP_STATUS,
  WS_CLOSE,
  type AppError,
  type ClientFrame,
  type GatewayInfo,
  type Result,
  type ServerEvent,
  type ServerFrame,
} from '../../shared/contract';
import type { Presence } from '../services/presence';
import { invokeOperation, type OperationHandlers } from '../services/operations';
import type { EventBus } from '../services/event-bus';
import { eventJson, type EventLog } from '../store/event-log';
import { authenticate, isAllowedHost, isAllowedOrigin, presentedToken, type AccessPolicy } from './access';
import { textFrame } from './ws-frame';

/** Largest frame a client may send (they only send small control frames). */
export const MAX_CLIENT_FRAME_BYTES = 16 * 1024;

/** Limits that keep one client from costing memory or slowing the others. */
export type HubLimits = {
  /** Bytes buffered for a socket (not yet taken by the OS), above which the hub stops sending to it. */
  highWaterBytes: number;
  /** A caught-up client that falls this many events behind is closed with WS_CLOSE.resume. */
  maxLagEvents: number;
  /** Ping interval; a peer that misses a pong is dropped at the next one. */
  heartbeatMs: number;
};

/** Defaults: 1 MiB in flight per client, 10,000 events of lag, 15 s heartbeat. */
export const DEFAULT_HUB_LIMITS: HubLimits = { highWaterBytes: 1024 * 1024, maxLagEvents: 10_000, heartbeatMs: 15_000 };

const CATCH_UP_PAGE = 500;

/** What the hub reads from, who it tells about connections, and its limits. */
export type WsHubDeps = {
  log: EventLog;
  bus: EventBus;
  access: AccessPolicy;
  presence: Presence;
  /** Typing, viewing and presence frames run the same operations as the API and IPC. */
  handlers: OperationHandlers;
  info: (user: string) => GatewayInfo;
  limits: HubLimits;
};

type Client = {
  ws: WebSocket;
  /**
   * The TCP socket under `ws`. Events are written to it as ready-made frames (the server has no
   * per-message compression, so `ws` never holds frames back and the order of writes is the order
   * on the wire); hello, errors, pings and close go through `ws`.
   */
  socket: Duplex;
  user: string;
  /** The token it presented, checked again when tokens change: a revoked one ends the socket. */
  token: string;
  /** `seq` of the last event sent; every later event is still to send, from memory or the log. */
  lastSent: number;
  /** Waiting for a flush callback before sending more (its buffer passed the high-water mark). */
  congested: boolean;
  caughtUp: boolean;
  sentEvents: boolean;
  alive: boolean;
};

/** One commit's events as consecutive frames, with where each ends and its seq. */
type EncodedCommit = { frames: Buffer; ends: number[]; seqs: number[] };

function encodeCommit(events: readonly ServerEvent[]): EncodedCommit {
  const parts = events.map((event) => textFrame(eventJson(event)));
  const ends: number[] = [];
  let offset = 0;
  for (const part of parts) ends.push((offset += part.length));
  return { frames: Buffer.concat(parts, offset), ends, seqs: events.map((event) => event.seq) };
}

function refuseUpgrade(socket: Duplex, error: AppError): void {
  const body = JSON.stringify({ error });
  const status = ERROR_HTTP_STATUS[error.code];
  socket.end(`HTTP/1.1 ${status} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * `/ws`: authenticated before the upgrade completes, then every event in `seq` order. Each client
 * is a cursor into the event log: live events go out from memory while the client keeps up; one
 * that falls behind (a slow network, a long catch-up) is fed from the log as its socket drains, so
 * memory per client stays bounded, nobody else waits for it, and nothing is skipped or repeated.
 */
export class WsHub {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private head: number;

  constructor(private readonly deps: WsHubDeps) {
    this.head = deps.log.head();
    this.unsubscribe = deps.bus.subscribeBatch((events) => this.fanOutCommit(events));
    this.heartbeat = setInterval(() => this.checkPeers(), deps.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** How many clients, and the worst lag (events) and buffered bytes among them. */
  stats(): { clients: number; maxLagEvents: number; maxBufferedBytes: number } {
    let maxLagEvents = 0;
    let maxBufferedBytes = 0;
    for (const client of this.clients) {
      maxLagEvents = Math.max(maxLagEvents, this.head - client.lastSent);
      maxBufferedBytes = Math.max(maxBufferedBytes, client.ws.bufferedAmount);
    }
    return { clients: this.clients.size, maxLagEvents, maxBufferedBytes };
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const { access } = this.deps;
    if (!isAllowedHost(req, access)) return refuseUpgrade(socket, { code: 'forbidden', message: "Host is not one of this gateway's names" });
    if (!isAllowedOrigin(req, access)) return refuseUpgrade(socket, { code: 'forbidden', message: 'Origin is not allowed' });
    const token = presentedToken(req, url, true);
    const user = authenticate(token, access);
    if (!user || token === null) return refuseUpgrade(socket, { code: 'unauthorized', message: 'a valid token is required (Authorization: Bearer, or ?token=)' });
    const sinceParam = url.searchParams.get('since');
    const since = sinceParam === null ? null : Number(sinceParam);
    if (since !== null && (!Number.isInteger(since) || since < 0)) {
      return refuseUpgrade(socket, { code: 'bad_request', message: 'since must be a non-negative integer seq' });
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, { user, token }, since));
  }

  /**
   * Closes every socket with WS_CLOSE.goingAway; a peer that does not complete the closing
   * handshake within `graceMs` (a stalled reader) is cut off.
   */
  async close(graceMs = 1_000): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    const closing = [...this.clients].map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.ws.readyState === client.ws.CLOSED) return resolve();
          client.ws.once('close', () => resolve());
          client.ws.close(WS_CLOSE.goingAway, 'gateway stopping');
        }),
    );
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(closing), grace]);
    for (const client of this.clients) client.ws.terminate();
    this.server.close();
  }

  /**
   * Checks every open socket's token again (tokens were added or revoked, maybe by another
   * process): a socket whose token no longer authenticates is closed with WS_CLOSE.revoked at once.
   */
  recheckTokens(): void {
    for (const client of this.clients) {
      if (authenticate(client.token, this.deps.access) !== null) continue;
      client.ws.close(WS_CLOSE.revoked, 'token revoked: sign in again');
      // A peer that does not answer the close handshake is cut off, never left receiving events.
      setTimeout(() => client.ws.terminate(), 1_000).unref();
      this.clients.delete(client);
    }
  }

  private accept(ws: WebSocket, socket: Duplex, identity: { user: string; token: string }, since: number | null): void {
    const { user, token } = identity;
    const client: Client = { ws, socket, user, token, lastSent: this.head, congested: false, caughtUp: false, sentEvents: false, alive: true };
    this.clients.add(client);
    // hello first: its head_seq is where a client without `since` starts, so it also receives the
    // presence event its own connection causes.
    this.sendControl(client, { type: 'hello', info: this.deps.info(user) });
    const disconnect = this.deps.presence.connect(user);
    ws.on('pong', () => (client.alive = true));
    // An oversized or malformed frame makes ws close the socket (1009/1002) and emit 'error';
    // without a listener that error would crash the gateway.
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.clients.delete(client);
      disconnect();
    });
    ws.on('message', (data) => this.onClientFrame(client, data));
    this.startFrom(client, since);
  }

  private startFrom(client: Client, since: number | null): void {
    if (since !== null) {
      if (this.deps.log.canResumeFrom(since)) client.lastSent = since;
      else this.sendControl(client, { type: 'resync', seq: client.lastSent });
    }
    this.pump(client);
  }

  // Sends what the client is missing, from the log, until it is current or its socket is full.
  private pump(client: Client): void {
    const { log } = this.deps;
    client.socket.cork();
    try {
      this.pumpPages(client, log);
    } finally {
      client.socket.uncork();
    }
    if (!client.caughtUp && client.lastSent >= this.head) {
      client.caughtUp = true;
      this.sendControl(client, { type: 'caught_up', seq: client.lastSent });
    }
  }

  private pumpPages(client: Client, log: EventLog): void {
    while (client.lastSent < this.head && !client.congested && client.ws.readyState === client.ws.OPEN) {
      const page = log.afterAsJson(client.lastSent, CATCH_UP_PAGE);
      if (page.length === 0) break;
      for (const event of page) {
        this.write(client, event.seq, textFrame(event.json));
        if (client.congested) break;
      }
    }
  }

  // A commit's events go to every client that is keeping up as one buffer of ready-made frames,
  // encoded once and written with one call per client: what fan-out to many clients costs most.
  private fanOutCommit(events: readonly ServerEvent[]): void {
    const first = events[0];
    const last = events.at(-1);
    if (!first || !last) return;
    if (last.seq - first.seq !== events.length - 1) {
      // Not one commit's contiguous seqs (never expected): one event at a time keeps the order.
      for (const event of events) this.fanOutCommit([event]);
      return;
    }
    this.head = Math.max(this.head, last.seq);
    let encoded: EncodedCommit | null = null;
    for (const client of this.clients) {
      if (client.lastSent >= last.seq || !client.caughtUp) continue;
      if (!client.congested && client.lastSent === first.seq - 1) {
        encoded ??= encodeCommit(events);
        this.writeCommit(client, encoded);
      } else if (this.head - client.lastSent > this.deps.limits.maxLagEvents) {
        client.ws.close(WS_CLOSE.resume, `fell ${this.head - client.lastSent} events behind: reconnect with ?since=${client.lastSent}`);
      } else if (!client.congested) {
        this.pump(client);
      }
    }
    // A client still catching up, or whose socket is full, is fed from the log by pump() as it drains.
  }

  // The whole commit in one write when it fits under the high-water mark; otherwise frame by frame
  // until the socket is full, so a big commit never buffers more than one frame past the mark.
  private writeCommit(client: Client, encoded: EncodedCommit): void {
    const { frames, ends, seqs } = encoded;
    const lastSeq = seqs.at(-1) ?? client.lastSent;
    if (client.ws.bufferedAmount + frames.length < this.deps.limits.highWaterBytes) {
      this.write(client, lastSeq, frames);
      return;
    }
    let start = 0;
    for (let i = 0; i < ends.length && !client.congested; i += 1) {
      const end = ends[i] ?? frames.length;
      this.write(client, seqs[i] ?? lastSeq, frames.subarray(start, end));
      start = end;
    }
  }

  // Below the high-water mark a write is fire-and-forget; the write that crosses it carries a
  // callback, and nothing more is written to that client until the socket took it.
  private write(client: Client, lastSeq: number, frames: Buffer): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    client.lastSent = lastSeq;
    client.sentEvents = true;
    if (client.ws.bufferedAmount + frames.length < this.deps.limits.highWaterBytes) {
      client.socket.write(frames);
      return;
    }
    client.congested = true;
    client.socket.write(frames, (error) => {
      client.congested = false;
      if (!error && client.lastSent < this.head) this.pump(client);
    });
  }

  private sendControl(client: Client, frame: ServerFrame): void {
    client.ws.send(JSON.stringify(frame));
  }

  private onClientFrame(client: Client, data: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      this.sendControl(client, { type: 'error', error: { code: 'bad_request', message: 'frame is not valid JSON' } });
      return;
    }
    const parsed = ClientFrameSchema.safeParse(json);
    if (!parsed.success) {
      this.sendControl(client, { type: 'error', error: { code: 'bad_request', message: 'unknown frame type or bad fields' } });
      return;
    }
    const result = this.handleFrame(client, parsed.data);
    if (!result.ok) this.sendControl(client, { type: 'error', error: result.error });
  }

  private handleFrame(client: Client, frame: ClientFrame): Result<unknown> {
    const { handlers } = this.deps;
    const caller = { user: client.user };
    switch (frame.type) {
      case 'ping':
        return { ok: true, value: null };
      case 'resume':
        // Only before any event went out: afterwards a replay could repeat what the client has.
        if (client.sentEvents) return { ok: false, error: { code: 'conflict', message: 'resume must come before any event: reconnect with ?since=<seq>' } };
        client.caughtUp = false;
        this.startFrom(client, frame.since);
        return { ok: true, value: null };
      case 'typing':
        return invokeOperation(handlers, 'setTyping', { conversation_id: frame.conversation_id }, caller);
      case 'viewing':
        return invokeOperation(handlers, 'setViewing', { conversation_id: frame.conversation_id }, caller);
      case 'presence':
        return invokeOperation(handlers, 'setPresence', { state: frame.state }, caller);
      default:
        return assertNever(frame);
    }
  }

  // Every heartbeat: drop peers that missed a pong, end sockets whose token was revoked (should a
  // change have gone unnoticed), and tell each current client how far its events went.
  private checkPeers(): void {
    this.recheckTokens();
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
      // Only a client that is current and not congested: every event up to lastSent is on its
      // socket before this frame, so a client that has less lost some on the way.
      if (client.caughtUp && !client.congested && client.lastSent === this.head) this.sendControl(client, { type: 'heartbeat', seq: client.lastSent });
    }
  }
}
