import { afterEach, describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import { WS_CLOSE, type ServerEvent, type UnsequencedEvent } from '../../shared/contract';
import { createWsBridge } from '../../renderer/bridge/ws-bridge';
import { runCli } from '../helpers/cli-process';
import { api, startTestGateway, TEST_SECRETS } from '../helpers/test-gateway';
import { openSocket } from '../helpers/ws-client';

let gateway: Awaited<ReturnType<typeof startTestGateway>> | null = null;
afterEach(async () => {
  await gateway?.stop();
  gateway = null;
});

function emit(g: NonNullable<typeof gateway>, count: number): ServerEvent[] {
  const events = g.store.transaction(() =>
    Array.from({ length: count }, (_, n) => g.store.events.append({ type: 'typing', conversation_id: 1, user: `u${n}`, expires_at: new Date(0).toISOString() } as UnsequencedEvent, Date.now())),
  );
  g.bus.publish(events);
  return events;
}

// A browser page's bridge, live on the gateway, with a hook to lose frames on the gateway's side.
async function livePage(running: NonNullable<typeof gateway>) {
  const received: ServerEvent[] = [];
  const bridge = createWsBridge({ baseUrl: running.url, token: TEST_SECRETS.apiToken, backoff: { initialMs: 5_000, maxMs: 5_000 } });
  let live = false;
  const start = running.store.events.head();
  const stop = bridge.stream(start, { onEvent: (event) => received.push(event), onConnection: (state) => (live = state === 'live'), onResync: () => undefined });
  await until(() => live && running.hub.stats().clients === 1, 'the bridge to be live');
  const [client] = (running.hub as unknown as { clients: Set<{ socket: Duplex }> }).clients;
  const socket = client?.socket as Duplex;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  return {
    dropWrites(count: number) {
      let toDrop = count;
      socket.write = ((...args: unknown[]) => {
        if (toDrop <= 0) return write(...args);
        toDrop -= 1;
        (args.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
        return true;
      }) as typeof socket.write;
    },
    // Every event sent arrives, and what arrived is exactly the log from where the page started
    // (its own presence events included): no gap, no repeat.
    async receivedExactlyTheLog(sent: ServerEvent[]) {
      const lastSent = sent.at(-1)?.seq ?? 0;
      await until(() => received.some((event) => event.seq === lastSent), 'every event sent');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const newest = received.at(-1)?.seq ?? 0;
      expect(received.map((event) => event.seq)).toEqual(running.store.events.after(start, 1_000).filter((event) => event.seq <= newest).map((event) => event.seq));
      expect(received.map((event) => event.seq)).toEqual(expect.arrayContaining(sent.map((event) => event.seq)));
      stop();
    },
  };
}

const until = async (check: () => boolean, what: string, timeoutMs = 5_000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('sessions that end', () => {
  it('ends a revoked agent’s open WebSockets within seconds of `switchboard token revoke`, and answers its next API call 401', async () => {
    gateway = await startTestGateway();
    const anaToken = gateway.store.tokens.add('Ana García', Date.now());
    const ana = await openSocket(gateway.url, { token: anaToken });
    const other = await openSocket(gateway.url, { token: TEST_SECRETS.apiToken });
    // Her page, as the browser runs it: it must leave "Live" for the sign-in screen.
    let signedOut = false;
    let live = false;
    const page = createWsBridge({ baseUrl: gateway.url, token: anaToken });
    const stopPage = page.stream(0, { onEvent: () => undefined, onResync: () => undefined, onConnection: (state) => (live = state === 'live'), onUnauthorized: () => (signedOut = true) });
    await until(() => live, 'her page to be live');
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ana.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    const started = Date.now();
    // Another process, as an administrator would run it; the gateway's heartbeat is 15 s away.
    const result = await runCli(['token', 'revoke', 'Ana García', '--data', gateway.config.dataDir]);
    expect(result.stderr).toBe('');
    expect(await closed).toEqual({ code: WS_CLOSE.revoked, reason: 'token revoked: sign in again' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await api(gateway.url, '/api/info', { headers: { authorization: `Bearer ${anaToken}` } })).status).toBe(401);
    await until(() => signedOut, 'her page to be signed out');
    stopPage();
    // Only Ana's socket ended.
    expect(other.socket.readyState).toBe(other.socket.OPEN);
    other.close();
  });
});

describe('liveness that cannot lie', () => {
  it('sends each current client a heartbeat with the seq of the last event sent to it', async () => {
    gateway = await startTestGateway({}, { hubLimits: { heartbeatMs: 100 } });
    const client = await openSocket(gateway.url, { token: TEST_SECRETS.apiToken, since: 0 });
    const [, last] = [emit(gateway, 3), emit(gateway, 2).at(-1)];
    await client.waitFor((frames) => frames.some((frame) => frame.type === 'heartbeat' && frame.seq === last?.seq));
    client.close();
  });

  it('resumes from its cursor when a heartbeat shows events it never got: a socket that drops events still delivers every one, once, in order', async () => {
    gateway = await startTestGateway({}, { hubLimits: { heartbeatMs: 150 } });
    const page = await livePage(gateway);
    // A relay that answers pings but loses what it should deliver: the next five frames vanish.
    page.dropWrites(5);
    const running = gateway;
    const sent = [...emit(running, 1), ...emit(running, 1), ...emit(running, 1), ...emit(running, 1), ...emit(running, 1), ...emit(running, 3)];
    await page.receivedExactlyTheLog(sent);
  });

  it('resumes from its cursor when an event arrives after a gap', async () => {
    gateway = await startTestGateway({}, { hubLimits: { heartbeatMs: 60_000 } });
    const page = await livePage(gateway);
    // One frame vanishes; no heartbeat comes for a minute: the gap alone makes it resume.
    page.dropWrites(1);
    const running = gateway;
    await page.receivedExactlyTheLog([...emit(running, 1), ...emit(running, 1), ...emit(running, 1)]);
  });
});
