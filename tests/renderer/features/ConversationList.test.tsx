import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../renderer/App';
import { ConversationList, previewAuthor } from '../../../renderer/components/ConversationList';
import { foldText, visibleConversations } from '../../../renderer/stores/conversation-filter';
import { conversation, FakeBridge, message } from '../fake-bridge';

afterEach(cleanup);

async function emitting(send: () => void): Promise<void> {
  act(send);
  await act(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId('conversation');
}

function names(): string[] {
  return rows().map((row) => row.querySelector('.conversation-name')?.textContent ?? '');
}

const three = () => [
  conversation({ id: 1, name: 'Lucía Gómez', wa_id: '34600111222', last_message_at: '2026-11-26T10:03:00.000Z', unread_count: 2 }),
  conversation({ id: 2, name: 'Ben Okafor', wa_id: '447700900123', last_message_at: '2026-11-26T10:02:00.000Z', unread_count: 0, preview: 'thanks', last_message: { id: 20, direction: 'out', status: 'delivered', sent_by: 'me' } }),
  conversation({ id: 3, name: 'Chen Wei', wa_id: '8613800138000', phone_number_id: '2', last_message_at: '2026-11-26T10:01:00.000Z', unread_count: 0, preview: 'on its way', last_message: { id: 30, direction: 'out', status: 'failed', sent_by: 'maria' } }),
];

describe('the conversation list', () => {
  it('tells which conversations are in view: once shown, and again after a scroll comes to rest', async () => {
    const many = Array.from({ length: 60 }, (_, n) => conversation({ id: n + 1, name: `Customer ${n + 1}` }));
    const inView = vi.fn<(ids: number[]) => void>();
    render(<ConversationList conversations={many} selectedId={null} me={null} onSelect={() => undefined} onInView={inView} emptyText="" />);
    // The shim's list is 800 px tall with rows of 40 px: twenty rows in view.
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, n) => from + n);
    await vi.waitFor(() => expect(inView).toHaveBeenLastCalledWith(range(1, 20)));
    act(() => screen.getByRole('listbox').scrollTo({ top: 400 }));
    await vi.waitFor(() => expect(inView).toHaveBeenLastCalledWith(range(11, 30)));
  });

  it('says who wrote last: "You:" for the agent, another agent by name, the Business app for echoes, nothing for the customer', () => {
    expect(previewAuthor({ id: 1, direction: 'out', status: 'sent', sent_by: 'agent' }, 'agent')).toBe('You: ');
    expect(previewAuthor({ id: 1, direction: 'out', status: 'sent', sent_by: 'maria' }, 'agent')).toBe('maria: ');
    expect(previewAuthor({ id: 1, direction: 'out', status: 'sent' }, 'agent')).toBe('Business app: ');
    expect(previewAuthor({ id: 1, direction: 'out', status: 'sent', sent_by: '' }, 'agent')).toBe('');
    expect(previewAuthor({ id: 1, direction: 'in', status: 'delivered' }, 'agent')).toBe('');
    expect(previewAuthor(null, 'agent')).toBe('');
  });

  it('shows the last outgoing message with its ticks, which move live, flags a failed send, and bolds unread rows with their count', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = three();
    render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
    await screen.findByText('Sandbox');
    expect(names()).toEqual(['Lucía Gómez', 'Ben Okafor', 'Chen Wei']);
    const [lucia, ben, chen] = rows() as [HTMLElement, HTMLElement, HTMLElement];
    expect(lucia.className).toContain('has-unread');
    expect(within(lucia).getByLabelText('2 unread').textContent).toBe('2');
    expect(ben.className).not.toContain('has-unread');
    expect(ben.querySelector('.conversation-preview')?.textContent).toBe('✓✓You: thanks');
    expect(within(ben).getByRole('img').getAttribute('data-status')).toBe('delivered');
    expect(chen.className).toContain('has-failed');
    expect(chen.querySelector('.conversation-preview')?.textContent).toContain('Not sent · maria: on its way');
    // A tick of the newest message reaches the list; one of an older message does not.
    await emitting(() => bridge.emit({ type: 'status_update', seq: 11, conversation_id: 2, message_id: 20, wamid: 'wamid.B', status: 'read' }));
    expect(within(rows()[1] as HTMLElement).getByRole('img').getAttribute('data-status')).toBe('read');
    await emitting(() => bridge.emit({ type: 'status_update', seq: 12, conversation_id: 2, message_id: 19, wamid: 'wamid.A', status: 'failed' }));
    expect(within(rows()[1] as HTMLElement).getByRole('img').getAttribute('data-status')).toBe('read');
    // Retried: the failed send is pending again, and no longer flagged.
    await emitting(() => bridge.emit({ type: 'message_update', seq: 13, conversation_id: 3, message: message({ id: 30, conversation_id: 3, direction: 'out', status: 'pending' }) }));
    expect((rows()[2] as HTMLElement).className).not.toContain('has-failed');
  });

  it('filters: Unread, a business number, and a name, a number or a message text typed in the filter box', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = three();
    render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
    await screen.findByText('Sandbox');
    fireEvent.click(screen.getByRole('button', { name: 'Unread (1)' }));
    expect(names()).toEqual(['Lucía Gómez']);
    fireEvent.click(screen.getByRole('button', { name: 'All' }));
    // Two business numbers: the per-number filter appears.
    fireEvent.change(screen.getByLabelText('Business number'), { target: { value: '2' } });
    expect(names()).toEqual(['Chen Wei']);
    fireEvent.change(screen.getByLabelText('Business number'), { target: { value: '' } });
    const box = screen.getByLabelText('Filter conversations by name, number or message text');
    fireEvent.change(box, { target: { value: 'lucia' } });
    expect(names()).toEqual(['Lucía Gómez']);
    fireEvent.change(box, { target: { value: '+44 7700' } });
    expect(names()).toEqual(['Ben Okafor']);
    // Text only in a message: found through the history search once typing pauses.
    bridge.searchHits = [{ message: message({ id: 31, conversation_id: 3, text: 'the parcel tracking number' }), conversation: { id: 3, name: 'Chen Wei', phone_number_id: '2' }, snippet: { text: 'the parcel tracking number', highlights: [[4, 10]] } }];
    fireEvent.change(box, { target: { value: 'parcel' } });
    expect(screen.getByText('No conversation matches this filter.')).toBeTruthy();
    await vi.waitFor(() => expect(names()).toEqual(['Chen Wei']));
    expect(bridge.calls.find((call) => call.name === 'searchMessages')?.request).toMatchObject({ q: 'parcel' });
    // Esc in the box clears it.
    fireEvent.keyDown(box, { key: 'Escape' });
    expect((box as HTMLInputElement).value).toBe('');
    await vi.waitFor(() => expect(names()).toEqual(['Lucía Gómez', 'Ben Okafor', 'Chen Wei']));
  });

  it('is one Tab stop: arrow keys, Home and End move the selection and open the conversation; Alt+Up/Down from anywhere', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = three();
    render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
    await screen.findByText('Sandbox');
    const list = screen.getByRole('listbox', { name: 'Conversations' });
    expect(list.tabIndex).toBe(0);
    expect(rows().every((row) => !row.hasAttribute('tabindex'))).toBe(true);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(list.getAttribute('aria-activedescendant')).toBe('conversation-1');
    expect(await screen.findByRole('heading', { name: 'Lucía Gómez' })).toBeTruthy();
    fireEvent.keyDown(list, { key: 'End' });
    expect(await screen.findByRole('heading', { name: 'Chen Wei' })).toBeTruthy();
    expect(rows()[2]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(window, { key: 'ArrowUp', altKey: true });
    expect(await screen.findByRole('heading', { name: 'Ben Okafor' })).toBeTruthy();
    fireEvent.keyDown(list, { key: 'Home' });
    expect(await screen.findByRole('heading', { name: 'Lucía Gómez' })).toBeTruthy();
  });

  it('asks for a conversation’s page when the main button goes down on its row, and opens it with that page on the click', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = three();
    bridge.messages[2] = [message({ id: 21, conversation_id: 2, text: 'where is my parcel?' })];
    render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
    await screen.findByText('Sandbox');
    const pages = () => bridge.calls.filter((call) => call.name === 'listMessages').map((call) => call.request);
    const ben = rows()[1]!;
    // Another button (a context menu) is not a click to come.
    fireEvent.pointerDown(ben, { button: 2, isPrimary: true });
    expect(pages()).toEqual([]);
    fireEvent.pointerDown(ben, { button: 0, isPrimary: true });
    expect(pages()).toEqual([{ conversation_id: 2, limit: 50 }]);
    fireEvent.click(ben);
    expect(await screen.findByText('where is my parcel?')).toBeTruthy();
    expect(pages()).toHaveLength(1);
  });

  it('keeps the open conversation listed under Unread once it is read, and folds accents and case', () => {
    const [lucia, ben] = three() as [ReturnType<typeof conversation>, ReturnType<typeof conversation>];
    expect(visibleConversations([lucia, ben], { view: 'unread', phoneNumberId: null, query: '' }, null, 2).map((c) => c.id)).toEqual([1, 2]);
    expect(foldText('LUCÍA Gómez')).toBe('lucia gomez');
  });
});
