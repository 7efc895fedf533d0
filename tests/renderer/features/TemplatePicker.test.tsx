import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { previewBody, TemplatePicker } from '../../../renderer/features/TemplatePicker';
import { createInboxStores, InboxStoresContext } from '../../../renderer/stores/inbox-stores';
import { FakeBridge } from '../fake-bridge';

afterEach(cleanup);

function renderPicker(bridge: FakeBridge, onSend = vi.fn(() => Promise.resolve(true))) {
  render(
    <InboxStoresContext.Provider value={createInboxStores(bridge)}>
      <TemplatePicker onSend={onSend} error={null} />
    </InboxStoresContext.Provider>,
  );
  return onSend;
}

describe('TemplatePicker', () => {
  it('lists the approved templates, previews the chosen one with its parameters as typed, and sends it', async () => {
    const bridge = new FakeBridge();
    bridge.templates = [
      { name: 'hello_world', language: 'en_US', category: 'UTILITY', body: 'Welcome!', parameter_count: 0, buttons: [] },
      { name: 'order_update', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}, order {{2}} ships today.', parameter_count: 2, header: 'Your order', footer: 'Reply STOP to opt out', buttons: ['Track'] },
    ];
    const onSend = renderPicker(bridge);
    fireEvent.change(await screen.findByLabelText('Find a template'), { target: { value: 'order' } });
    const preview = screen.getByLabelText('Preview');
    expect(preview.textContent).toBe('Your orderHi {{1}}, order {{2}} ships today.Reply STOP to opt outTrack');
    const send = screen.getByRole('button', { name: 'Send template' });
    expect(send).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByLabelText('{{1}}'), { target: { value: 'Ana' } });
    fireEvent.change(screen.getByLabelText('{{2}}'), { target: { value: '#1042' } });
    expect(preview.textContent).toContain('Hi Ana, order #1042 ships today.');
    fireEvent.click(send);
    await vi.waitFor(() => expect(onSend).toHaveBeenCalledWith({ name: 'order_update', language: 'en_US', parameters: ['Ana', '#1042'] }));
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await vi.waitFor(() => expect(bridge.calls.filter((call) => call.name === 'listTemplates').map((call) => call.request)).toEqual([{}, { refresh: true }]));
  });

  it('says why templates cannot be listed and falls back to typing a name', async () => {
    const bridge = new FakeBridge();
    bridge.templatesResult = () => ({ ok: false, error: { code: 'unavailable', message: 'set WHATSAPP_WABA_ID (the WhatsApp Business Account id) to list its approved templates' } });
    renderPicker(bridge);
    expect((await screen.findByRole('status')).textContent).toContain('Templates could not be listed: set WHATSAPP_WABA_ID');
    expect(screen.getByRole('form', { name: 'Send a template' })).toBeTruthy();
  });

  it('previews named parameters in order of first use', () => {
    expect(previewBody('Hola {{nombre}}, pedido {{pedido}} — {{nombre}}', ['Ana', ' '])).toBe('Hola Ana, pedido {{pedido}} — Ana');
  });
});
