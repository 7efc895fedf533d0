import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../renderer/App';
import { conversation, FakeBridge, message } from '../fake-bridge';

afterEach(cleanup);

/** Live events are applied once per animation frame: sends them, then lets that frame run. */
async function emitting(send: () => void): Promise<void> {
  act(send);
  await act(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
}

function renderApp(bridge: FakeBridge | null, login = vi.fn(), logout = vi.fn()) {
  render(<App initialBridge={bridge} login={login} logout={logout} />);
  return { login, logout };
}

describe('App', () => {
  it('shows the sandbox label, the conversations, and streams from the seq it loaded at', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    renderApp(bridge);
    expect(await screen.findByText('Sandbox')).toBeTruthy();
    expect(screen.getByTestId('conversation').textContent).toContain('Ana');
    expect(bridge.streamSince).toBe(10);
    expect(screen.getByRole('status').textContent).toBe('Live');
  });

  it('adds a new conversation and message live, without reload', async () => {
    const bridge = new FakeBridge();
    renderApp(bridge);
    await screen.findByText('No conversations yet. Messages customers send appear here.');
    await emitting(() => bridge.emit({ type: 'conversation_update', seq: 11, conversation_id: 2, conversation: conversation({ id: 2, name: 'Ben', preview: 'hi there' }) }));
    expect(screen.getByTestId('conversation').textContent).toContain('hi there');
  });

  it('moves a conversation to its new preview and unread count from the new_message alone', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    renderApp(bridge);
    await screen.findByText('Sandbox');
    const incoming = message({ id: 7, text: 'are you open today?' });
    await emitting(() => bridge.emit({ type: 'new_message', seq: 11, conversation_id: 1, message: incoming, conversation: conversation({ preview: 'are you open today?', unread_count: 3 }) }));
    expect(screen.getByTestId('conversation').textContent).toContain('are you open today?');
    expect(screen.getByTestId('conversation').textContent).toContain('3');
  });

  it('opens a conversation, marks it read once the agent can see it, and moves ticks as status events arrive', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation({ unread_count: 1 })];
    vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    bridge.messages[1] = [message(), message({ id: 2, direction: 'out', status: 'pending', wamid: null, text: 'on its way', timestamp: '2026-11-26T10:01:00.000Z' })];
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    const bubble = (await screen.findByText('on its way')).closest('li') as HTMLElement;
    expect(within(bubble).getByRole('img').getAttribute('data-status')).toBe('pending');
    await vi.waitFor(() => expect(bridge.calls.some((call) => call.name === 'markRead')).toBe(true));
    vi.restoreAllMocks();
    await emitting(() => bridge.emit({ type: 'status_update', seq: 11, conversation_id: 1, message_id: 2, wamid: 'wamid.X', status: 'read' }));
    expect(within(bubble).getByRole('img', { name: 'Read' })).toBeTruthy();
    await emitting(() => bridge.emit({ type: 'status_update', seq: 12, conversation_id: 1, message_id: 2, wamid: 'wamid.X', status: 'delivered' }));
    expect(within(bubble).getByRole('img', { name: 'Read' })).toBeTruthy();
  });

  it('opens a conversation nothing loaded into the timeline it showed while the page came (its viewport measured by then); a later window gets a timeline of its own', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [message(), message({ id: 2, wamid: 'wamid.B', text: 'the newest', timestamp: '2026-11-26T10:01:00.000Z' })];
    const answer = bridge.listMessages;
    let deliver = () => {};
    bridge.listMessages = (request) => new Promise((resolve) => (deliver = () => resolve(answer(request))));
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    const waiting = await vi.waitFor(() => document.querySelector('.timeline') ?? Promise.reject(new Error('no timeline yet')));
    expect(screen.queryByText('the newest')).toBeNull();
    await act(async () => deliver());
    expect(await screen.findByText('the newest')).toBeTruthy();
    expect(document.querySelector('.timeline')).toBe(waiting);
    // A jump (here: the search's Enter) is a new window, in a timeline of its own.
    bridge.listMessages = answer;
    bridge.searchHits = [{ message: bridge.messages[1][0]!, conversation: { id: 1, name: 'Ana', phone_number_id: '1' }, snippet: { text: 'hello', highlights: [[0, 5]] } }];
    act(() => {
      fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    });
    const box = screen.getByRole('combobox', { name: 'Search conversations and messages' });
    fireEvent.change(box, { target: { value: 'hello' } });
    await within(screen.getByRole('listbox', { name: 'Results' })).findByText('hello');
    fireEvent.keyDown(box, { key: 'Enter' });
    await vi.waitFor(() => expect(document.querySelector('.bubble-target')).not.toBeNull());
    expect(document.querySelector('.timeline')).not.toBe(waiting);
  });

  it('never marks read while the window is not focused, and does once it is', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation({ unread_count: 2 })];
    bridge.messages[1] = [message({ text: 'first' }), message({ id: 2, text: 'second', timestamp: '2026-11-26T10:01:00.000Z' })];
    const focused = vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    try {
      renderApp(bridge);
      fireEvent.click(await screen.findByTestId('conversation'));
      await screen.findByText('second');
      // The divider sits before the first of the two unread messages.
      const rows = [...document.querySelectorAll('.timeline-item')].map((row) => row.textContent ?? '');
      expect(rows.findIndex((row) => row === 'Unread messages')).toBe(rows.findIndex((row) => row.startsWith('first')) - 1);
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(bridge.calls.some((call) => call.name === 'markRead')).toBe(false);
      focused.mockReturnValue(true);
      act(() => {
        window.dispatchEvent(new Event('focus'));
      });
      await vi.waitFor(() => expect(bridge.calls.filter((call) => call.name === 'markRead')).toEqual([{ name: 'markRead', request: { conversation_id: 1 } }]));
    } finally {
      focused.mockRestore();
    }
  });

  it('shows the unread total in the page title, updated live', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation({ unread_count: 2 }), conversation({ id: 2, name: 'Ben', unread_count: 1 })];
    renderApp(bridge);
    await vi.waitFor(() => expect(document.title).toBe('(3) Switchboard'));
    await emitting(() => bridge.emit({ type: 'conversation_update', seq: 11, conversation_id: 2, conversation: conversation({ id: 2, name: 'Ben', unread_count: 0 }) }));
    expect(document.title).toBe('(2) Switchboard');
  });

  it('signs out in browser mode: the token is forgotten and the sign-in screen shows, without a refusal', async () => {
    const bridge = new FakeBridge();
    Object.defineProperty(bridge, 'transport', { value: 'websocket' });
    const { logout } = renderApp(bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(logout).toHaveBeenCalledTimes(1);
    expect(await screen.findByRole('button', { name: /sign in|connect/i })).toBeTruthy();
    expect(screen.queryByText('The gateway refused that token.')).toBeNull();
  });

  it('offers no sign-out in the desktop app, which signs in as its install', async () => {
    renderApp(new FakeBridge());
    await screen.findByText('Sandbox');
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
  });

  it('drops an erased conversation from the list and, if it was open, says why', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation(), conversation({ id: 2, name: 'Ben' })];
    bridge.messages[1] = [message({ text: 'my address is Calle Mayor 1' })];
    renderApp(bridge);
    const rows = await screen.findAllByTestId('conversation');
    fireEvent.click(rows.find((row) => row.textContent?.includes('Ana')) as HTMLElement);
    await screen.findByText('my address is Calle Mayor 1');
    await emitting(() => bridge.emit({ type: 'conversation_removed', seq: 11, conversation_id: 1, reason: 'erased' }));
    expect(screen.queryByText('my address is Calle Mayor 1')).toBeNull();
    expect(screen.getAllByTestId('conversation').map((row) => row.textContent)).toEqual([expect.stringContaining('Ben')]);
    expect(screen.getByText('The conversation you had open was erased at the customer’s request.')).toBeTruthy();
    await emitting(() => bridge.emit({ type: 'conversation_removed', seq: 12, conversation_id: 2, reason: 'retention' }));
    expect(screen.queryAllByTestId('conversation')).toEqual([]);
  });

  it('exports the open conversation through a link the page saves, and shows why when it cannot', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [message()];
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    const saved: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.href);
    });
    try {
      fireEvent.click(screen.getByText('Export'));
      fireEvent.click(screen.getByRole('button', { name: 'Printable transcript (HTML)' }));
      await vi.waitFor(() => expect(saved).toEqual(['http://127.0.0.1:8787/api/conversations/1/export?format=html&expires=1&signature=s']));
      expect(bridge.calls.find((call) => call.name === 'getExportLink')?.request).toEqual({ conversation_id: 1, format: 'html' });
      bridge.getExportLink = () => Promise.resolve({ ok: false as const, error: { code: 'unavailable' as const, message: 'the gateway cannot be reached' } });
      fireEvent.click(screen.getByRole('button', { name: 'Plain text' }));
      expect((await screen.findByText(/Could not export/)).textContent).toBe('Could not export: the gateway cannot be reached');
      expect(saved).toHaveLength(1);
    } finally {
      click.mockRestore();
    }
  });

  it('shows a failed message with Meta’s reason', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [message({ id: 2, direction: 'out', status: 'failed', error: { code: 131047, title: 'Re-engagement message', details: 'More than 24 hours' } })];
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    expect((await screen.findByRole('alert')).textContent).toBe('Re-engagement message (131047): More than 24 hours');
  });

  it('shows reconnecting when the connection drops', async () => {
    const bridge = new FakeBridge();
    renderApp(bridge);
    await screen.findByText('Live');
    act(() => bridge.handlers?.onConnection('reconnecting'));
    expect(screen.getByRole('status').getAttribute('data-state')).toBe('reconnecting');
  });

  it('says when older conversations could not load, and loads them once the gateway is back', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = Array.from({ length: 150 }, (_, n) => conversation({ id: 150 - n, name: `Customer ${150 - n}` }));
    // The first page, then the unread conversations; the older ones, asked for a second later (what the agent does first goes first), fail.
    bridge.listResults = [{ ok: true, value: bridge.conversations.slice(0, 100) }, { ok: true, value: [] }, { ok: false, error: { code: 'internal', message: 'gateway unreachable' } }];
    renderApp(bridge);
    expect(await screen.findByText('Could not load older conversations: gateway unreachable', {}, { timeout: 3_000 })).toBeTruthy();
    act(() => bridge.handlers?.onConnection('live'));
    expect(screen.queryByText(/Could not load older conversations/)).toBeNull();
    const asked = () => bridge.calls.filter((call) => call.name === 'listConversations').map((call) => call.request);
    const load = [{ limit: 100 }, { limit: 500, unread: true }, { limit: 500, after_id: 51 }];
    await waitFor(() => expect(asked()).toEqual([...load, ...load]), { timeout: 3_000 });
  });

  it('says it is still looking through older conversations while a filter runs over a list not yet whole', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = Array.from({ length: 150 }, (_, n) => conversation({ id: 150 - n, name: `Customer ${150 - n}`, unread_count: 0 }));
    const answer = bridge.listConversations;
    // The first page and the unread conversations come; the older page is on its way until the test lets it.
    let letOlderIn: () => void = () => undefined;
    bridge.listConversations = (request = {}) =>
      request.after_id === undefined ? answer(request) : new Promise((resolve) => (letOlderIn = () => void answer(request).then(resolve)));
    renderApp(bridge);
    await screen.findAllByTestId('conversation');
    fireEvent.change(screen.getByPlaceholderText('Filter by name, number or message'), { target: { value: 'Customer 3' } });
    expect(await screen.findByText('Looking through older conversations…')).toBeTruthy();
    act(() => letOlderIn());
    await waitFor(() => expect(screen.queryByText('Looking through older conversations…')).toBeNull());
    // Customer 3 was in the older page.
    expect(screen.getAllByTestId('conversation').map((row) => row.textContent).some((text) => text?.includes('Customer 3'))).toBe(true);
  });

  it('asks for a token in browser mode without one, and returns to it when the token is refused', async () => {
    const bridge = new FakeBridge();
    const { login } = renderApp(null, vi.fn(() => bridge));
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 'abc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(login).toHaveBeenCalledWith('abc');
    await screen.findByText('Live');
    act(() => bridge.handlers?.onUnauthorized?.());
    expect(await screen.findByText('The gateway refused that token.')).toBeTruthy();
  });

  it('shows content, reactions, edits and deletions, and applies message_update live', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [
      message({ id: 1, type: 'audio', text: '🎤 Voice message', content: { media: { id: 'm1', voice: true, mime_type: 'audio/ogg' } } }),
      message({ id: 2, text: 'I saw your ad', content: { forwarded: 'forwarded', referral: { headline: 'Summer sale' } }, timestamp: '2026-11-26T10:01:00.000Z' }),
      message({ id: 3, type: 'hologram', text: 'Unsupported message', content: { unsupported_type: 'hologram' }, error: { code: 131051, title: 'Message type unknown' }, timestamp: '2026-11-26T10:02:00.000Z' }),
    ];
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    await screen.findByText('Voice message');
    expect(screen.getByText('Forwarded')).toBeTruthy();
    expect(screen.getByText('From ad: Summer sale')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Message type unknown (131051)');
    await emitting(() => bridge.emit({ type: 'message_update', seq: 11, conversation_id: 1, message: { ...bridge.messages[1]![1]!, reactions: [{ emoji: '❤️', from: 'customer' }], edited_at: '2026-11-26T10:05:00.000Z' } }));
    expect(screen.getByLabelText('Reactions').textContent).toBe('❤️');
    expect(screen.getByText('edited')).toBeTruthy();
    await emitting(() => bridge.emit({ type: 'message_update', seq: 12, conversation_id: 1, message: { ...bridge.messages[1]![1]!, text: '', content: {}, revoked: true } }));
    expect(screen.getByText('This message was deleted')).toBeTruthy();
    expect(screen.queryByText('I saw your ad')).toBeNull();
  });

  it('opens the status history of a sent message from its ticks', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [message({ id: 2, direction: 'out', status: 'read' })];
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    fireEvent.click(await screen.findByRole('button', { name: 'Message info' }));
    const panel = await screen.findByRole('complementary', { name: 'Message info' });
    await vi.waitFor(() => expect(within(panel).getByText('Read')).toBeTruthy());
    fireEvent.click(within(panel).getByRole('button', { name: 'Close message info' }));
    expect(screen.queryByRole('complementary', { name: 'Message info' })).toBeNull();
  });

  it('shows other agents typing and viewing, hides them when they expire, and never shows me', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const bridge = new FakeBridge();
      bridge.conversations = [conversation()];
      renderApp(bridge);
      fireEvent.click(await screen.findByTestId('conversation'));
      await vi.waitFor(() => expect(bridge.signals).toContainEqual({ type: 'viewing', conversation_id: 1 }));
      const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
      await emitting(() => {
        bridge.emit({ type: 'presence', seq: 11, user: 'ana', state: 'online' });
        bridge.emit({ type: 'viewing', seq: 12, user: 'ana', conversation_id: 1, expires_at: soon(20_000) });
        bridge.emit({ type: 'typing', seq: 13, user: 'ana', conversation_id: 1, expires_at: soon(6_000) });
        bridge.emit({ type: 'typing', seq: 14, user: 'me', conversation_id: 1, expires_at: soon(6_000) });
      });
      expect(screen.getByText('ana is typing…')).toBeTruthy();
      expect(screen.queryByText(/me is typing/)).toBeNull();
      expect(within(screen.getByRole('list', { name: 'Agents' })).getByText('ana')).toBeTruthy();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(7_000);
      });
      expect(screen.queryByText('ana is typing…')).toBeNull();
      expect(screen.getByText('ana is also viewing')).toBeTruthy();
      await emitting(() => bridge.emit({ type: 'viewing', seq: 15, user: 'ana', conversation_id: null, expires_at: soon(20_000) }));
      expect(screen.queryByText('ana is also viewing')).toBeNull();
      await emitting(() => bridge.emit({ type: 'presence', seq: 16, user: 'ana', state: 'offline' }));
      expect(within(screen.getByRole('list', { name: 'Agents' })).queryByText('ana')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('signals typing while the agent writes, at most every 3 seconds, and viewing null on leaving', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation(), conversation({ id: 2, name: 'Ben' })];
    renderApp(bridge);
    const row = (name: string) => screen.getAllByTestId('conversation').find((el) => el.textContent?.includes(name))!;
    await screen.findAllByTestId('conversation');
    fireEvent.click(row('Ana'));
    const box = await screen.findByRole('textbox', { name: 'Reply' });
    fireEvent.change(box, { target: { value: 'H' } });
    fireEvent.change(box, { target: { value: 'He' } });
    expect(bridge.signals.filter((s) => s.type === 'typing')).toEqual([{ type: 'typing', conversation_id: 1 }]);
    fireEvent.click(row('Ben'));
    await vi.waitFor(() => expect(bridge.signals).toContainEqual({ type: 'viewing', conversation_id: 2 }));
    expect(bridge.signals).toContainEqual({ type: 'viewing', conversation_id: null });
  });

  it('outside the 24-hour window, offers the template picker instead of the composer', async () => {
    const bridge = new FakeBridge();
    bridge.templates = [{ name: 'order_update', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}, order {{2}} ships today.', parameter_count: 2, buttons: [] }];
    bridge.conversations = [conversation({ window_expires_at: new Date(Date.now() - 60_000).toISOString() })];
    bridge.sendResult = () => ({ ok: true, value: message({ id: 7, direction: 'out', type: 'template', text: 'Hi Ana, order #1042 ships today.', status: 'pending' }) });
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    expect(await screen.findByText('The 24-hour window is closed: only templates can be sent.')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Reply' })).toBeNull();
    fireEvent.change(await screen.findByLabelText('{{1}}'), { target: { value: 'Ana' } });
    fireEvent.change(screen.getByLabelText('{{2}}'), { target: { value: '#1042' } });
    expect(screen.queryByRole('button', { name: 'Back to reply' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Send template' }));
    await vi.waitFor(() => expect(bridge.calls.find((c) => c.name === 'sendTemplate')?.request).toMatchObject({ conversation_id: 1, name: 'order_update', language: 'en_US', parameters: ['Ana', '#1042'] }));
    expect(await screen.findByText('Hi Ana, order #1042 ships today.')).toBeTruthy();
  });

  it('shows the time left in the window, and sends each reply with its own client message id', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation({ window_expires_at: new Date(Date.now() + 3 * 3600_000 + 5 * 60_000).toISOString() })];
    bridge.sendResult = (text) => ({ ok: true, value: message({ id: 8, direction: 'out', text, status: 'pending' }) });
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    expect(await screen.findByText(/^Window closes in 3 h [45] min$/)).toBeTruthy();
    const box = screen.getByRole('textbox', { name: 'Reply' });
    fireEvent.change(box, { target: { value: 'one' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await vi.waitFor(() => expect((box as HTMLTextAreaElement).value).toBe(''));
    fireEvent.change(box, { target: { value: 'two' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await vi.waitFor(() => expect(bridge.calls.filter((c) => c.name === 'sendMessage')).toHaveLength(2));
    const ids = bridge.calls.filter((c) => c.name === 'sendMessage').map((c) => (c.request as { client_message_id: string }).client_message_id);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('offers Retry on a failed message, and quick reactions on the customer’s messages', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [message({ id: 1 }), message({ id: 2, direction: 'out', status: 'failed', error: { code: 131026, title: 'Message undeliverable' }, timestamp: '2026-11-26T10:01:00.000Z' })];
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    // The quick reactions are there while the customer's message is pointed at (or focused).
    const customerBubble = document.querySelector<HTMLElement>('[data-message-id="1"]')!;
    expect(screen.queryByRole('button', { name: 'React 👍' })).toBeNull();
    fireEvent.mouseEnter(customerBubble);
    fireEvent.click(screen.getByRole('button', { name: 'React 👍' }));
    await vi.waitFor(() => expect(bridge.calls.map((c) => c.name)).toEqual(expect.arrayContaining(['retryMessage', 'reactToMessage'])));
    expect(bridge.calls.find((c) => c.name === 'retryMessage')?.request).toEqual({ message_id: 2 });
    expect(bridge.calls.find((c) => c.name === 'reactToMessage')?.request).toEqual({ message_id: 1, emoji: '👍' });
    expect(await screen.findByText('Not sent: not scripted')).toBeTruthy();
  });

  it('replies quoting a message: the reply carries reply_to and shows the quoted text', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [message({ id: 1, wamid: 'wamid.ASK', text: 'Where is my order?' })];
    bridge.sendResult = (text) => ({ ok: true, value: message({ id: 2, direction: 'out', text, status: 'pending', reply_to: 'wamid.ASK', timestamp: '2026-11-26T10:05:00.000Z' }) });
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    const asked = (await screen.findByText('Where is my order?')).closest<HTMLElement>('[data-testid="message"]')!;
    act(() => asked.focus());
    fireEvent.click(await screen.findByRole('button', { name: 'Reply' }));
    const box = screen.getByRole('textbox', { name: 'Reply' });
    fireEvent.change(box, { target: { value: 'On its way' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await vi.waitFor(() => expect(bridge.calls.find((c) => c.name === 'sendMessage')?.request).toMatchObject({ text: 'On its way', reply_to: 'wamid.ASK' }));
    const bubble = (await screen.findByText('On its way')).closest('li') as HTMLElement;
    expect(within(bubble).getByText('Where is my order?')).toBeTruthy();
  });
});
