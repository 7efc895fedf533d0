import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../renderer/App';
import { conversation, FakeBridge, message } from '../fake-bridge';

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static shown: FakeNotification[] = [];
  static requestPermission = vi.fn(() => Promise.resolve((FakeNotification.permission = 'granted')));
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.shown.push(this);
  }
  close(): void {
    this.closed = true;
  }
}

beforeEach(() => {
  FakeNotification.shown = [];
  FakeNotification.permission = 'granted';
  vi.stubGlobal('Notification', FakeNotification);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function emitting(bridge: FakeBridge, ...events: Parameters<FakeBridge['emit']>[0][]): Promise<void> {
  act(() => events.forEach((event) => bridge.emit(event)));
  await act(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
}

const arrival = (seq: number, conversationId: number, name: string, text: string) => ({
  type: 'new_message' as const,
  seq,
  conversation_id: conversationId,
  message: message({ id: seq, conversation_id: conversationId, text }),
  conversation: conversation({ id: conversationId, name, preview: text }),
});

describe('new customer messages', () => {
  it('notify while the window is in the background, one per conversation; a click opens it; nothing while the agent looks', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation({ id: 1, name: 'Ana' }), conversation({ id: 2, name: 'Ben', last_message_at: '2026-11-26T09:00:00.000Z' })];
    const focus = vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    vi.spyOn(window, 'focus').mockImplementation(() => undefined);
    render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
    await screen.findByText('Sandbox');
    await emitting(bridge, arrival(11, 2, 'Ben', 'first'), arrival(12, 2, 'Ben', 'is my parcel lost?'), arrival(13, 1, 'Ana', 'hola'));
    expect(FakeNotification.shown.map((n) => [n.title, n.options.body, n.options.tag])).toEqual([
      ['Ben', 'is my parcel lost?', 'conversation-2'],
      ['Ana', 'hola', 'conversation-1'],
    ]);
    // An agent's own send and a synced message from history are no news.
    await emitting(bridge, { ...arrival(14, 1, 'Ana', 'mine'), message: message({ id: 14, direction: 'out', text: 'mine' }) }, { ...arrival(15, 1, 'Ana', 'old'), message: message({ id: 15, text: 'old', imported: true }) });
    expect(FakeNotification.shown).toHaveLength(2);
    act(() => FakeNotification.shown[0]?.onclick?.());
    expect(await screen.findByRole('heading', { name: 'Ben' })).toBeTruthy();
    expect(FakeNotification.shown[0]?.closed).toBe(true);
    focus.mockReturnValue(true);
    await emitting(bridge, arrival(16, 1, 'Ana', 'are you there?'));
    expect(FakeNotification.shown).toHaveLength(2);
    // Screen readers hear the newest politely, focused or not.
    expect(document.querySelector('[aria-live="polite"]')?.textContent).toBe('New message from Ana: are you there?');
  });

  it('offers to enable notifications until the browser has been asked', async () => {
    FakeNotification.permission = 'default';
    const bridge = new FakeBridge();
    render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Enable notifications' }));
    expect(FakeNotification.requestPermission).toHaveBeenCalled();
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: 'Enable notifications' })).toBeNull());
  });
});
