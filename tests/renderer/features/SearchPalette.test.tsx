import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../renderer/App';
import { matchConversations } from '../../../renderer/features/SearchPalette';
import { conversation, FakeBridge, message } from '../fake-bridge';

afterEach(cleanup);

function setup() {
  const bridge = new FakeBridge();
  bridge.conversations = [conversation(), conversation({ id: 2, name: 'Bruno Díaz', wa_id: '34600111222', preview: 'ok' })];
  bridge.messages[2] = [message({ id: 40, conversation_id: 2, text: 'mi pedido A10042 no llegó' }), message({ id: 41, conversation_id: 2, text: 'gracias', timestamp: '2026-11-26T10:05:00.000Z' })];
  bridge.searchHits = [
    {
      message: message({ id: 40, conversation_id: 2, text: 'mi pedido A10042 no llegó' }),
      conversation: { id: 2, name: 'Bruno Díaz', phone_number_id: '1' },
      snippet: { text: 'mi pedido A10042 no llegó', highlights: [[3, 9]] },
    },
  ];
  render(<App initialBridge={bridge} login={() => bridge} logout={vi.fn()} />);
  return bridge;
}

describe('search (Ctrl/Cmd+K)', () => {
  it('finds conversations by name or number as the agent types', () => {
    const all = { 1: conversation(), 2: conversation({ id: 2, name: 'Bruno Díaz', wa_id: '34600111222' }) };
    expect(matchConversations(all, 'bru').map((c) => c.id)).toEqual([2]);
    expect(matchConversations(all, '+34 600-111').map((c) => c.id)).toEqual([2]);
    expect(matchConversations(all, '  ')).toEqual([]);
  });

  it('opens on Ctrl+K, shows matching conversations and messages with the match marked, and Enter opens the message in its thread', async () => {
    const bridge = setup();
    await screen.findAllByTestId('conversation');
    act(() => {
      fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    });
    const box = screen.getByRole('combobox', { name: 'Search conversations and messages' });
    fireEvent.change(box, { target: { value: 'pedido' } });
    const results = screen.getByRole('listbox', { name: 'Results' });
    const hit = await within(results).findByText('pedido');
    expect(hit.tagName).toBe('MARK');
    expect(bridge.calls.find((call) => call.name === 'searchMessages')?.request).toMatchObject({ q: 'pedido', limit: 20 });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(screen.queryByRole('dialog', { name: 'Search' })).toBeNull();
    expect(bridge.calls.find((call) => call.name === 'listMessages')?.request).toEqual({ conversation_id: 2, around: 40 });
    const target = await screen.findByText('mi pedido A10042 no llegó', { selector: '.bubble-text' });
    expect(target.closest('[data-testid="message"]')?.className).toContain('bubble-target');
  });

  it('narrows by kind and direction, and closes on Escape', async () => {
    const bridge = setup();
    await screen.findAllByTestId('conversation');
    fireEvent.click(screen.getByRole('button', { name: /Search/ }));
    fireEvent.change(screen.getByRole('combobox', { name: 'Search conversations and messages' }), { target: { value: 'factura' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: 'document' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'From' }), { target: { value: 'in' } });
    await vi.waitFor(() => expect(bridge.calls.filter((call) => call.name === 'searchMessages').at(-1)?.request).toMatchObject({ q: 'factura', media: 'document', direction: 'in' }));
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('says what went wrong when the search fails', async () => {
    const bridge = setup();
    bridge.searchMessages = () => Promise.resolve({ ok: false as const, error: { code: 'bad_request' as const, message: 'q: must be at most 200 characters' } });
    await screen.findAllByTestId('conversation');
    fireEvent.keyDown(window, { key: 'k', metaKey: true });
    fireEvent.change(screen.getByRole('combobox', { name: 'Search conversations and messages' }), { target: { value: 'x'.repeat(201) } });
    expect((await screen.findByRole('alert')).textContent).toBe('Search failed: q: must be at most 200 characters');
  });
});
