import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWsBridge, reconnectDelay } from '../../../renderer/bridge/ws-bridge';
import type { ConnectionState } from '../../../renderer/bridge/bridge-api';
import type { ServerEvent } from '../../../shared/contract';

class FakeSocket {
  static all: FakeSocket[] = [];
  onmessage: ((message: MessageEvent) => void) | null = null;
  onclose: (() => void) | null = null;
  onopen: (() => void) | null = null;
  readyState = 0;
  readonly sent: string[] = [];
  closed = false;
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  send(data: string): void {
    this.sent.push(data);
  }
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  deliver(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) } as MessageEvent);
  }
  close(): void {
    this.closed = true;
  }
  drop(): void {
    this.onclose?.();
  }
}

const event = (seq: number): ServerEvent => ({ type: 'status_update', seq, conversation_id: 1, message_id: 1, wamid: 'w', status: 'read' });

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  fetchMock = vi.fn(() => Promise.resolve(jsonResponse(200, { mode: 'sandbox', phone_number_id: '1', head_seq: 0, version: 't' })));
});
afterEach(() => vi.useRealTimers());

function bridge(target?: EventTarget & { navigator: { onLine: boolean } }) {
  return createWsBridge({
    baseUrl: 'http://127.0.0.1:8787',
    token: 'tok',
    fetch: fetchMock as unknown as typeof fetch,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    random: () => 0.5,
    ...(target ? { target: target as unknown as Window } : {}),
  });
}

describe('WebSocket bridge', () => {
  it('calls the REST route of an operation with the bearer token', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse(201, { id: 9 }));
    const result = await bridge().sendMessage({ conversation_id: 3, text: 'hi' });
    expect(result).toEqual({ ok: true, value: { id: 9 } });
    const [url, init] = fetchMock.mock.calls[0] as [URL, RequestInit];
    expect(String(url)).toBe('http://127.0.0.1:8787/api/conversations/3/messages');
    expect(init).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer tok', 'content-type': 'application/json' } });
    expect(JSON.parse(String(init.body))).toEqual({ conversation_id: 3, text: 'hi' });
  });

  it('returns the gateway’s error, and unavailable when it cannot be reached', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse(404, { error: { code: 'not_found', message: 'conversation 3 does not exist' } }));
    expect(await bridge().markRead({ conversation_id: 3 })).toEqual({ ok: false, error: { code: 'not_found', message: 'conversation 3 does not exist' } });
    fetchMock.mockRejectedValueOnce(new TypeError('fetch failed'));
    expect(await bridge().listConversations({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('resumes from the last seq it delivered after a drop, with no duplicate', async () => {
    const received: number[] = [];
    const states: ConnectionState[] = [];
    bridge().stream(5, { onEvent: (e) => received.push(e.seq), onResync: () => undefined, onConnection: (s) => states.push(s) });
    const first = FakeSocket.all[0];
    expect(first?.url).toBe('ws://127.0.0.1:8787/ws?token=tok&since=5');
    first?.deliver({ type: 'caught_up', seq: 5 });
    first?.deliver(event(6));
    first?.deliver(event(7));
    first?.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    const second = FakeSocket.all[1];
    expect(second?.url).toBe('ws://127.0.0.1:8787/ws?token=tok&since=7');
    second?.deliver(event(7));
    second?.deliver(event(8));
    second?.deliver({ type: 'caught_up', seq: 8 });
    expect(received).toEqual([6, 7, 8]);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
  });

  it('resumes at once from its cursor on a gap or a heartbeat ahead of it, and accepts a gap the log itself has', () => {
    const received: number[] = [];
    bridge().stream(5, { onEvent: (e) => received.push(e.seq), onResync: () => undefined, onConnection: () => undefined });
    const first = FakeSocket.all[0];
    first?.deliver({ type: 'caught_up', seq: 5 });
    first?.deliver(event(6));
    // Seq 7 never came: the socket is closed, and a new one resumes from 6 without waiting.
    first?.deliver(event(8));
    expect(first?.closed).toBe(true);
    first?.drop();
    const second = FakeSocket.all[1];
    expect(second?.url).toBe('ws://127.0.0.1:8787/ws?token=tok&since=6');
    // The log has no 7 either (pruned): the same gap again is accepted, not resumed forever.
    second?.deliver(event(8));
    expect(second?.closed).toBe(false);
    // A heartbeat naming a seq it never got: events were lost, resume again.
    second?.deliver({ type: 'heartbeat', seq: 10 });
    expect(second?.closed).toBe(true);
    second?.drop();
    expect(FakeSocket.all[2]?.url).toBe('ws://127.0.0.1:8787/ws?token=tok&since=8');
    expect(received).toEqual([6, 8]);
  });

  it('backs off exponentially with jitter, capped', () => {
    const backoff = { initialMs: 500, maxMs: 30_000 };
    expect(reconnectDelay(0, backoff, () => 0)).toBe(250);
    expect(reconnectDelay(3, backoff, () => 1)).toBe(4_000);
    expect(reconnectDelay(20, backoff, () => 1)).toBe(30_000);
  });

  it('reconnects at once when the OS says the network is back', async () => {
    const target = Object.assign(new EventTarget(), { navigator: { onLine: false } });
    const states: ConnectionState[] = [];
    bridge(target).stream(0, { onEvent: () => undefined, onResync: () => undefined, onConnection: (s) => states.push(s) });
    FakeSocket.all[0]?.drop();
    expect(states.at(-1)).toBe('offline');
    await vi.advanceTimersByTimeAsync(0);
    target.navigator.onLine = true;
    target.dispatchEvent(new Event('online'));
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('reconnects at once when the agent presses Retry now, and tries at most every 5 s by itself', async () => {
    const client = bridge();
    client.stream(0, { onEvent: () => undefined, onResync: () => undefined, onConnection: () => undefined });
    for (let drop = 0; drop < 8; drop += 1) {
      FakeSocket.all.at(-1)?.drop();
      await vi.advanceTimersByTimeAsync(5_000);
    }
    // Eight drops, eight attempts, none waiting longer than 5 s even after many failures.
    expect(FakeSocket.all).toHaveLength(9);
    FakeSocket.all.at(-1)?.drop();
    await vi.advanceTimersByTimeAsync(0);
    client.reconnectNow();
    expect(FakeSocket.all).toHaveLength(10);
  });

  it('asks for a full reload on a resync frame and continues after its seq', () => {
    const received: number[] = [];
    let resyncs = 0;
    bridge().stream(900, { onEvent: (e) => received.push(e.seq), onResync: () => (resyncs += 1), onConnection: () => undefined });
    const socket = FakeSocket.all[0];
    socket?.deliver({ type: 'resync', seq: 3 });
    socket?.deliver(event(4));
    expect(resyncs).toBe(1);
    expect(received).toEqual([4]);
  });

  it('ignores malformed frames', () => {
    const received: number[] = [];
    bridge().stream(0, { onEvent: (e) => received.push(e.seq), onResync: () => undefined, onConnection: () => undefined });
    FakeSocket.all[0]?.deliver('{not json');
    FakeSocket.all[0]?.deliver({ type: 'status_update', seq: 'x' });
    FakeSocket.all[0]?.deliver(event(1));
    expect(received).toEqual([1]);
  });

  it('stops and reports when the token is refused', async () => {
    let unauthorized = false;
    fetchMock.mockResolvedValueOnce(jsonResponse(401, { error: { code: 'unauthorized', message: 'no' } }));
    bridge().stream(0, { onEvent: () => undefined, onResync: () => undefined, onConnection: () => undefined, onUnauthorized: () => (unauthorized = true) });
    FakeSocket.all[0]?.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(unauthorized).toBe(true);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('sends typing, viewing and presence signals as frames while connected, and drops them while not', () => {
    const b = bridge();
    b.signal({ type: 'typing', conversation_id: 3 });
    b.stream(0, { onEvent: () => undefined, onResync: () => undefined, onConnection: () => undefined });
    const socket = FakeSocket.all[0];
    b.signal({ type: 'typing', conversation_id: 3 });
    socket?.open();
    b.signal({ type: 'viewing', conversation_id: null });
    b.signal({ type: 'presence', state: 'away' });
    expect(socket?.sent.map((frame) => JSON.parse(frame))).toEqual([
      { type: 'viewing', conversation_id: null },
      { type: 'presence', state: 'away' },
    ]);
  });
});
