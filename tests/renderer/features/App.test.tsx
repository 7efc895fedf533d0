import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../renderer/App';
import { conversation, FakeBridge, message } from '../fake-bridge';

afterEach(cleanup);

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
    act(() => bridge.emit({ type: 'conversation_update', seq: 11, conversation_id: 2, conversation: conversation({ id: 2, name: 'Ben', preview: 'hi there' }) }));
    expect(screen.getByTestId('conversation').textContent).toContain('hi there');
  });

  it('opens a conversation, marks it read, and moves ticks as status events arrive', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation()];
    bridge.messages[1] = [message(), message({ id: 2, direction: 'out', status: 'pending', wamid: null, text: 'on its way', timestamp: '2026-11-26T10:01:00.000Z' })];
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('conversation'));
    const bubble = (await screen.findByText('on its way')).closest('li') as HTMLElement;
    expect(within(bubble).getByRole('img').getAttribute('data-status')).toBe('pending');
    expect(bridge.calls.some((call) => call.name === 'markRead')).toBe(true);
    act(() => bridge.emit({ type: 'status_update', seq: 11, conversation_id: 1, message_id: 2, wamid: 'wamid.X', status: 'read' }));
    expect(within(bubble).getByRole('img', { name: 'Read' })).toBeTruthy();
    act(() => bridge.emit({ type: 'status_update', seq: 12, conversation_id: 1, message_id: 2, wamid: 'wamid.X', status: 'delivered' }));
    expect(within(bubble).getByRole('img', { name: 'Read' })).toBeTruthy();
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
});
