import { contextBridge, ipcRenderer } from 'electron';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CHANNEL, OPERATION_NAMES, operationChannel, type PreloadApi, type ServerEvent } from '../../shared/contract';

const exposed = contextBridge as unknown as { exposed: Map<string, unknown> };
const renderer = ipcRenderer as unknown as { invocations: { channel: string; args: unknown[] }[]; invokeResult: (channel: string) => unknown; emit(channel: string, ...args: unknown[]): boolean; listenerCount(channel: string): number };

let api: PreloadApi;
beforeAll(async () => {
  await import('../../preload/index');
  api = exposed.exposed.get('switchboard') as PreloadApi;
});

describe('preload', () => {
  it('exposes one function per contract operation, plus onEvent', () => {
    expect(Object.keys(api).sort()).toEqual([...OPERATION_NAMES, 'onEvent'].sort());
  });

  it('invokes the operation’s derived channel with the request and returns the result', async () => {
    renderer.invokeResult = () => ({ ok: true, value: [] });
    expect(await api.listConversations({})).toEqual({ ok: true, value: [] });
    expect(renderer.invocations.at(-1)).toEqual({ channel: operationChannel('listConversations'), args: [{}] });
  });

  it('delivers each event of a batch to a listener, in order, until it unsubscribes', () => {
    const received: ServerEvent[] = [];
    const unsubscribe = api.onEvent((event) => received.push(event));
    const event = { type: 'status_update', seq: 4, conversation_id: 1, message_id: 2, wamid: 'w', status: 'read' } as const;
    const next = { ...event, seq: 5 } as const;
    renderer.emit(EVENT_CHANNEL, {}, [event, next]);
    unsubscribe();
    renderer.emit(EVENT_CHANNEL, {}, [{ ...event, seq: 6 }]);
    expect(received).toEqual([event, next]);
    expect(renderer.listenerCount(EVENT_CHANNEL)).toBe(0);
  });
});
