import { ipcMain } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardEvents, registerIpc, trustedSenderCheck } from '../../../main/app/ipc-registry';
import type { EventBus } from '../../../main/services/event-bus';
import { createOperationHandlers, invokeOperation } from '../../../main/services/operations';
import { History } from '../../../main/services/history';
import { Search } from '../../../main/services/search';
import type { ConnectionSettings } from '../../../main/services/settings';
import { TemplateCatalog } from '../../../main/services/template-catalog';
import { sandboxTemplates } from '../../../main/whatsapp/templates';
import { Outbox } from '../../../main/services/outbox';
import { Inbox } from '../../../main/services/inbox';
import { RejectionCounter, WebhookAdmin } from '../../../main/services/webhook-admin';
import { Presence } from '../../../main/services/presence';
import { EVENT_CHANNEL, OPERATION_NAMES, operationChannel, type OperationName, type ServerEvent } from '../../../shared/contract';
import { memoryStore } from '../../helpers/memory-store';
import type { WebContents } from 'electron';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaArchive } from '../../../main/services/media-archive';
import { SignedLinks } from '../../../main/services/signed-links';
import { WebhookSetup } from '../../../main/services/webhook-setup';
import type { Workbench } from '../../../main/services/workbench';
import { SampleMediaSource, sampleMediaFolder } from '../../../main/whatsapp/sample-media';

type FakeContents = WebContents & { sent: { channel: string; payload: unknown }[] };

function fakeContents(id: number): FakeContents {
  const sent: { channel: string; payload: unknown }[] = [];
  const mainFrame = { url: 'file:///app/renderer/index.html' };
  return { id, mainFrame, sent, isDestroyed: () => false, send: (channel: string, payload: unknown) => sent.push({ channel, payload }) } as unknown as FakeContents;
}

const ipc = ipcMain as unknown as { invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown>; handlers: Map<string, unknown> };

let unregister: () => void;
let trusted: Set<WebContents>;
let window: FakeContents;
let bus: EventBus;

beforeEach(() => {
  const memory = memoryStore();
  bus = memory.bus;
  const outbox = new Outbox(memory.store, bus, { send: () => Promise.resolve({ ok: true, wamid: 'w' }), uploadMedia: () => Promise.resolve({ ok: true, mediaId: 'm' }), markRead: () => Promise.resolve({ ok: true }) });
  const inbox = new Inbox(memory.store, bus);
  const handlers = createOperationHandlers({
    history: new History(memory.store, bus),
    search: new Search(memory.store),
    outbox,
    templates: new TemplateCatalog(sandboxTemplates),
    settings: { view: () => { throw new Error('not in this test'); }, update: () => { throw new Error('not in this test'); } } as unknown as ConnectionSettings,
    webhooks: new WebhookAdmin(memory.store, inbox, new RejectionCounter(), 30),
    presence: new Presence(memory.store, bus),
    media: new MediaArchive(memory.store, bus, new SampleMediaSource(sampleMediaFolder()), path.join(tmpdir(), 'switchboard-ipc-media'), () => {}),
    links: new SignedLinks(),
    webhookSetup: new WebhookSetup({ publicUrl: () => null, current: () => { throw new Error('not in this test'); } }),
    workbench: { view: () => { throw new Error('not in this test'); }, update: () => { throw new Error('not in this test'); } } as unknown as Workbench,
    info: (caller) => ({ mode: 'sandbox', user: caller.user, phone_number_id: '1', head_seq: 0, version: 'test', url: 'http://127.0.0.1:8787' }),
  });
  window = fakeContents(1);
  trusted = new Set([window]);
    // What the gateway's process does with a relayed call (gateway-process.ts): validate, then run as the desktop's user.
  const relay = { invoke: (name: OperationName, request: unknown) => Promise.resolve(invokeOperation(handlers, name, request, { user: 'desk' })) };
  unregister = registerIpc(relay, trustedSenderCheck(trusted, (url) => url === 'file:///app/renderer/index.html'));
});
afterEach(() => unregister());

const fromWindow = (contents: FakeContents, frame: unknown = contents.mainFrame) => ({ sender: contents, senderFrame: frame });

describe('registerIpc', () => {
  it('registers one handler per contract operation, and removes them all', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(OPERATION_NAMES.map(operationChannel).sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
    unregister = () => undefined;
  });

  it('runs an operation for our window’s main frame', async () => {
    expect(await ipc.invoke(operationChannel('listConversations'), fromWindow(window), {})).toEqual({ ok: true, value: [] });
  });

  it('refuses a window we did not create, a subframe, and a foreign page', async () => {
    const stranger = fakeContents(2);
    const forbidden = { ok: false, error: { code: 'forbidden', message: 'IPC from an untrusted sender' } };
    expect(await ipc.invoke(operationChannel('listConversations'), fromWindow(stranger), {})).toEqual(forbidden);
    expect(await ipc.invoke(operationChannel('listConversations'), fromWindow(window, { url: 'file:///app/renderer/index.html' }), {})).toEqual(forbidden);
    const navigated = fakeContents(3);
    (navigated.mainFrame as { url: string }).url = 'https://evil.example/';
    trusted.add(navigated);
    expect(await ipc.invoke(operationChannel('listConversations'), fromWindow(navigated), {})).toEqual(forbidden);
  });

  it('calls operations as the desktop app’s own user', async () => {
    expect(await ipc.invoke(operationChannel('getInfo'), fromWindow(window), {})).toMatchObject({ ok: true, value: { user: 'desk' } });
  });

  it('validates the payload after the sender and returns the error as data', async () => {
    const result = await ipc.invoke(operationChannel('sendMessage'), fromWindow(window), { conversation_id: 1, text: '' });
    expect(result).toEqual({ ok: false, error: { code: 'bad_request', message: 'text: must not be empty' } });
    expect(await ipc.invoke(operationChannel('listMessages'), fromWindow(window), 'not an object')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('forwards every committed event to trusted windows on the event channel, in order in one message, skipping closed ones', () => {
    const event: ServerEvent = { type: 'conversation_update', seq: 1, conversation_id: 1, conversation: { id: 1, phone_number_id: '1', wa_id: '2', name: 'A', last_message_at: null, preview: '', unread_count: 0, last_message: null, window_expires_at: null } };
    const next: ServerEvent = { ...event, seq: 2 };
    const closed = { ...fakeContents(4), isDestroyed: () => true } as FakeContents;
    forwardEvents([event, next], new Set([window, closed]));
    expect(window.sent).toEqual([{ channel: EVENT_CHANNEL, payload: [event, next] }]);
    expect(closed.sent).toEqual([]);
  });
});
