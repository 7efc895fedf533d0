import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerEvent, ServerFrame, UnsequencedEvent } from '../../../shared/contract';
import { WS_CLOSE } from '../../../shared/contract';
import { startTestGateway, TEST_SECRETS } from '../../helpers/test-gateway';
import { openSocket, type TestSocket } from '../../helpers/ws-client';

let gateway: Awaited<ReturnType<typeof startTestGateway>> | null = null;
afterEach(async () => {
  await gateway?.stop();
  gateway = null;
});

const token = TEST_SECRETS.apiToken;
const isEvent = (f: ServerFrame): f is ServerEvent => 'seq' in f && f.type !== 'caught_up' && f.type !== 'resync';

// Appends events the way services do (in a transaction, then published), without HTTP in between.
function emit(g: NonNullable<typeof gateway>, count: number, text = 'x'): void {
  const events = g.store.transaction(() =>
    Array.from({ length: count }, () => g.store.events.append({ type: 'typing', conversation_id: 1, user: text, expires_at: new Date(0).toISOString() } as UnsequencedEvent, Date.now())),
  );
  g.bus.publish(events);
}

const log = (g: NonNullable<typeof gateway>) => g.store.events.after(0, 1_000_000);
const lastSeq = (client: TestSocket) => client.frames.filter(isEvent).at(-1)?.seq ?? 0;
const caughtUp = (client: TestSocket, seq: number) => client.waitFor((frames) => frames.some((f) => f.type === 'caught_up') && (frames.filter(isEvent).at(-1)?.seq ?? 0) >= seq);

describe('resume and delivery guarantees', () => {
  it('drops a peer that stops answering pings within two heartbeat intervals, keeping the others', async () => {
    gateway = await startTestGateway({}, { hubLimits: { heartbeatMs: 100 } });
    const url = `${gateway.url.replace('http', 'ws')}/ws?token=${token}`;
    const deaf = new WebSocket(url, { autoPong: false });
    const healthy = new WebSocket(url);
    await Promise.all([deaf, healthy].map((s) => new Promise((resolve) => s.once('open', resolve))));
    const started = Date.now();
    await new Promise((resolve) => deaf.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(300);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    healthy.close();
  });

  it('keeps a slow consumer’s memory bounded, never slows the others, and closes it with the resume code', async () => {
    gateway = await startTestGateway({}, { hubLimits: { highWaterBytes: 64 * 1024, maxLagEvents: 2_000 } });
    const g = gateway;
    const slow = await openSocket(g.url, { token });
    const fast = await openSocket(g.url, { token });
    await Promise.all([caughtUp(slow, 0), caughtUp(fast, 0)]);
    slow.socket.pause();
    const closed = new Promise<number>((resolve) => slow.socket.once('close', (code) => resolve(code)));
    const big = 'y'.repeat(2_000);
    for (let round = 0; round < 30; round += 1) {
      emit(g, 200, big);
      await new Promise((resolve) => setImmediate(resolve));
      expect(g.hub.stats().maxBufferedBytes).toBeLessThan(64 * 1024 + 4_000);
    }
    await caughtUp(fast, g.store.events.head());
    const fastEvents = fast.frames.filter(isEvent);
    expect(fastEvents).toEqual(log(g).filter((e) => e.seq >= (fastEvents[0]?.seq ?? 0)));
    slow.socket.resume();
    expect(await closed).toBe(WS_CLOSE.resume);
    // What it did get is a gap-free prefix of the log; resuming from there completes it.
    const got = slow.frames.filter(isEvent);
    expect(got).toEqual(log(g).slice(0, got.length));
    const again = await openSocket(g.url, { token, since: lastSeq(slow) });
    await caughtUp(again, g.store.events.head());
    expect([...got, ...again.frames.filter(isEvent)].filter((e) => e.type === 'typing')).toEqual(log(g).filter((e) => e.type === 'typing'));
    again.close();
    fast.close();
  });

  it('delivers events of every frame size intact, live and in a catch-up', async () => {
    gateway = await startTestGateway();
    const g = gateway;
    const live = await openSocket(g.url, { token });
    await caughtUp(live, 0);
    const before = g.store.events.head();
    for (const size of [10, 200, 70_000]) emit(g, 1, `é${'y'.repeat(size)}`);
    await caughtUp(live, g.store.events.head());
    const expected = log(g).filter((e) => e.seq > before);
    expect(live.frames.filter(isEvent).filter((e) => e.seq > before)).toEqual(expected);
    const later = await openSocket(g.url, { token, since: before });
    await caughtUp(later, g.store.events.head());
    expect(later.frames.filter(isEvent).filter((e) => e.seq > before)).toEqual(expected);
    live.close();
    later.close();
  });

  it('keeps order with no gap when events are published out of step with their commits', async () => {
    gateway = await startTestGateway();
    const g = gateway;
    const client = await openSocket(g.url, { token });
    await caughtUp(client, 0);
    const before = g.store.events.head();
    const typing = (user: string) => ({ type: 'typing', conversation_id: 1, user, expires_at: new Date(0).toISOString() }) as UnsequencedEvent;
    const [a, b, c] = g.store.transaction(() => ['a', 'b', 'c'].map((user) => g.store.events.append(typing(user), Date.now())));
    if (!a || !b || !c) throw new Error('three events expected');
    g.bus.publish([a, c]);
    g.bus.publish([b]);
    await caughtUp(client, c.seq);
    expect(client.frames.filter(isEvent).filter((e) => e.seq > before)).toEqual([a, b, c]);
    client.close();
  });

  it('survives a client killed in the middle of a long catch-up, and serves the next one completely', async () => {
    gateway = await startTestGateway({}, { hubLimits: { highWaterBytes: 32 * 1024 } });
    const g = gateway;
    emit(g, 5_000, 'backlog');
    const victim = await openSocket(g.url, { token, since: 0 });
    await victim.waitFor((frames) => frames.filter(isEvent).length >= 100);
    victim.socket.terminate();
    const next = await openSocket(g.url, { token, since: 0 });
    await caughtUp(next, g.store.events.head());
    expect(next.frames.filter(isEvent).filter((e) => e.type === 'typing')).toEqual(log(g).filter((e) => e.type === 'typing'));
    next.close();
  });

  it('survives a reconnect storm: 100 clients reconnecting 5 times while events flow, none loses or repeats one', async () => {
    gateway = await startTestGateway();
    const g = gateway;
    const received: ServerEvent[][] = Array.from({ length: 100 }, () => []);
    for (let round = 0; round < 5; round += 1) {
      const clients = await Promise.all(received.map((got) => openSocket(g.url, { token, since: got.at(-1)?.seq ?? 0 })));
      emit(g, 20, `round${round}`);
      await Promise.all(clients.map((client) => caughtUp(client, g.store.events.head() - 5)));
      clients.forEach((client, index) => {
        received[index]?.push(...client.frames.filter(isEvent));
        client.socket.terminate();
      });
    }
    const typing = log(g).filter((e) => e.type === 'typing');
    for (const got of received) {
      const seqs = got.map((e) => e.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(got.filter((e) => e.type === 'typing').slice(0, typing.length - 5)).toEqual(typing.slice(0, typing.length - 5));
    }
  });

  it('serves 1,000 concurrent clients, each receiving every event', async () => {
    gateway = await startTestGateway();
    const g = gateway;
    const clients: TestSocket[] = [];
    for (let batch = 0; batch < 10; batch += 1) clients.push(...(await Promise.all(Array.from({ length: 100 }, () => openSocket(g.url, { token, since: 0 })))));
    expect(g.hub.stats().clients).toBe(1_000);
    emit(g, 10, 'fan-out');
    const head = g.store.events.head();
    await Promise.all(clients.map((client) => caughtUp(client, head)));
    const typing = log(g).filter((e) => e.type === 'typing');
    for (const client of clients) expect(client.frames.filter(isEvent).filter((e) => e.type === 'typing')).toEqual(typing);
    for (const client of clients) client.socket.terminate();
  });

  it('as a property: across any reconnects during concurrent ingest, what a client received is exactly the log', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ emit: fc.integer({ min: 0, max: 30 }), cut: fc.integer({ min: 0, max: 40 }), viaFrame: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        async (steps) => {
          const g = await startTestGateway();
          try {
            const received: ServerEvent[] = [];
            for (const step of steps) {
              const since = received.at(-1)?.seq ?? 0;
              const client = await openSocket(g.url, { token, since });
              emit(g, step.emit, 'p');
              // Cut the connection after `cut` events, possibly mid-stream, possibly before any.
              await client.waitFor((frames) => frames.filter(isEvent).length >= Math.min(step.cut, step.emit) || frames.some((f) => f.type === 'caught_up'));
              client.socket.terminate();
              received.push(...client.frames.filter(isEvent));
            }
            const final = await openSocket(g.url, { token, since: received.at(-1)?.seq ?? 0 });
            await caughtUp(final, g.store.events.head());
            received.push(...final.frames.filter(isEvent));
            final.socket.terminate();
            expect(received).toEqual(log(g));
          } finally {
            await g.stop();
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
