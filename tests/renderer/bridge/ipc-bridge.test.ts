import { describe, expect, it } from 'vitest';
import { createIpcBridge } from '../../../renderer/bridge/ipc-bridge';
import type { PreloadApi, ServerEvent } from '../../../shared/contract';

const event = (seq: number): ServerEvent => ({ type: 'status_update', seq, conversation_id: 1, message_id: 1, wamid: 'w', status: 'read' });

describe('IPC bridge', () => {
  it('replays missed events from the log, then live ones, without gap or duplicate (renderer reload)', async () => {
    let push: (event: ServerEvent) => void = () => undefined;
    const log = [event(4), event(5), event(6)];
    const preload = {
      onEvent: (listener: (event: ServerEvent) => void) => {
        push = listener;
        return () => undefined;
      },
      listEvents: ({ since }: { since: number | string }) => {
        // A live event arrives while the catch-up is in flight; it is also in the log.
        if (Number(since) === 3) push(event(6));
        return Promise.resolve({ ok: true, value: { events: log.filter((e) => e.seq > Number(since)), resync: false } });
      },
    } as unknown as PreloadApi;
    const received: number[] = [];
    const states: string[] = [];
    createIpcBridge(preload).stream(3, { onEvent: (e) => received.push(e.seq), onResync: () => undefined, onConnection: (s) => states.push(s) });
    await new Promise((resolve) => setTimeout(resolve, 0));
    push(event(7));
    expect(received).toEqual([4, 5, 6, 7]);
    expect(states).toEqual(['connecting', 'live']);
  });

  it('turns signals into the preload’s operations', () => {
    const calls: [string, unknown][] = [];
    const preload = {
      setTyping: (request: unknown) => (calls.push(['setTyping', request]), Promise.resolve({ ok: true })),
      setViewing: (request: unknown) => (calls.push(['setViewing', request]), Promise.resolve({ ok: true })),
      setPresence: (request: unknown) => (calls.push(['setPresence', request]), Promise.resolve({ ok: true })),
    } as unknown as PreloadApi;
    const bridge = createIpcBridge(preload);
    bridge.signal({ type: 'typing', conversation_id: 4 });
    bridge.signal({ type: 'viewing', conversation_id: 4 });
    bridge.signal({ type: 'presence', state: 'away' });
    expect(calls).toEqual([
      ['setTyping', { conversation_id: 4 }],
      ['setViewing', { conversation_id: 4 }],
      ['setPresence', { state: 'away' }],
    ]);
  });
});
