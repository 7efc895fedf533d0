import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../renderer/App';
import { FakeBridge } from '../fake-bridge';

afterEach(cleanup);

async function openSettings(bridge: FakeBridge) {
  render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
  await screen.findByText('Sandbox');
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  return screen.findByRole('dialog', { name: 'Settings' });
}

describe('the settings screen', () => {
  it('goes live from the app: sends what was typed (secrets only when typed), and the Sandbox badge goes at once', async () => {
    const bridge = new FakeBridge();
    bridge.settingsResult = (request) => ({ ok: true, value: (bridge.settings = { ...bridge.settings, mode: 'live', phone_number_id: String(request.phone_number_id), has_access_token: true, has_app_secret: true }) });
    const dialog = await openSettings(bridge);
    expect(within(dialog).getByText('/webhook')).toBeTruthy();
    expect(within(dialog).getByText('verify-token-123')).toBeTruthy();
    fireEvent.click(within(dialog).getByLabelText(/^Live/));
    fireEvent.change(within(dialog).getByLabelText(/^Access token/), { target: { value: 'EAAG-typed-token' } });
    fireEvent.change(within(dialog).getByLabelText(/^App secret/), { target: { value: 'meta-app-secret' } });
    fireEvent.change(within(dialog).getByLabelText('Phone number id'), { target: { value: '200300400500' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('Saved: now live on 200300400500.')).toBeTruthy();
    expect(bridge.calls.find((call) => call.name === 'updateSettings')?.request).toEqual({
      mode: 'live',
      access_token: 'EAAG-typed-token',
      app_secret: 'meta-app-secret',
      phone_number_id: '200300400500',
      waba_id: null,
      read_receipts: 'on_open',
    });
    expect(screen.queryByText('Sandbox', { selector: '.sandbox-badge' })).toBeNull();
    // Secrets are write-only: the fields are empty again, and say one is set.
    expect((within(dialog).getByLabelText(/^Access token/) as HTMLInputElement).value).toBe('');
    expect(within(dialog).getByText('Access token', { exact: false }).textContent).toContain('set: leave empty to keep it');
  });

  it('shows why a change was refused, keeps what was typed, and is read-only for the environment or another agent', async () => {
    const bridge = new FakeBridge();
    bridge.settingsResult = () => ({ ok: false, error: { code: 'bad_request', message: 'going live needs the access token' } });
    let dialog = await openSettings(bridge);
    fireEvent.click(within(dialog).getByLabelText(/^Live/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Not saved: going live needs the access token');
    expect((within(dialog).getByLabelText(/^Live/) as HTMLInputElement).checked).toBe(true);
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog', { name: 'Settings' })).toBeNull();
    cleanup();

    const locked = new FakeBridge();
    locked.settings = { ...locked.settings, source: 'environment', can_edit: false };
    dialog = await openSettings(locked);
    expect(within(dialog).getByText(/Set by environment variables/)).toBeTruthy();
    expect(within(dialog).queryByRole('button', { name: 'Save' })).toBeNull();
    expect(within(dialog).getByLabelText('Phone number id').matches(':disabled')).toBe(true);
  });

  it('in the desktop app, a checkbox starts Switchboard at login, saved at once', async () => {
    const bridge = new FakeBridge();
    bridge.settings = { ...bridge.settings, launch_at_login: false };
    bridge.settingsResult = (request) => ({ ok: true, value: (bridge.settings = { ...bridge.settings, launch_at_login: Boolean(request.launch_at_login) }) });
    const dialog = await openSettings(bridge);
    fireEvent.click(within(dialog).getByLabelText('Start Switchboard when I log in'));
    await vi.waitFor(() => expect((within(dialog).getByLabelText('Start Switchboard when I log in') as HTMLInputElement).checked).toBe(true));
    expect(bridge.calls.find((call) => call.name === 'updateSettings')?.request).toEqual({ mode: 'sandbox', launch_at_login: true });
  });

  it('follows a switch another agent made: the Sandbox badge goes when the gateway says it is live', async () => {
    const bridge = new FakeBridge();
    render(<App initialBridge={bridge} login={vi.fn()} logout={vi.fn()} />);
    await screen.findByText('Sandbox', { selector: '.sandbox-badge' });
    act(() => bridge.emit({ type: 'gateway_update', seq: 11, mode: 'live', phone_number_id: '200300400500' }));
    await act(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
    expect(screen.queryByText('Sandbox', { selector: '.sandbox-badge' })).toBeNull();
  });
});

describe('Settings → Developer', () => {
  async function openDeveloper(bridge: FakeBridge) {
    const dialog = await openSettings(bridge);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Developer' }));
    await within(dialog).findByRole('form', { name: 'Developer settings' });
    return dialog;
  }

  it('opens a tunnel and adds a forward target: sends the choice, shows it open, follows it going down live', async () => {
    const bridge = new FakeBridge();
    bridge.workbenchUpdate = () => ({
      ok: true,
      value: (bridge.workbench = {
        ...bridge.workbench,
        tunnel: { kind: 'ngrok', domain: 'fixed-name.ngrok.app' },
        tunnel_state: { state: 'open', public_url: 'https://fixed-name.ngrok.app', error: null },
        ngrok_authtoken: 'settings',
        forward_targets: [{ url: 'http://localhost:3000/webhook', fields: ['messages'], state: 'ok', last_error: null }],
      }),
    });
    const dialog = await openDeveloper(bridge);
    expect(within(dialog).getByText(/No public URL/)).toBeTruthy();
    fireEvent.click(within(dialog).getByLabelText(/^ngrok/));
    fireEvent.change(within(dialog).getByLabelText(/^Authtoken/), { target: { value: 'ngrok-token-1234' } });
    fireEvent.change(within(dialog).getByLabelText(/^Domain/), { target: { value: 'fixed-name.ngrok.app' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add a target' }));
    fireEvent.change(within(dialog).getByLabelText('Target 1 URL'), { target: { value: 'http://localhost:3000/webhook' } });
    fireEvent.change(within(dialog).getByLabelText(/^Fields/), { target: { value: 'messages, ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('✓ Open at https://fixed-name.ngrok.app')).toBeTruthy();
    expect(bridge.calls.find((call) => call.name === 'updateWorkbench')?.request).toEqual({
      tunnel: { kind: 'ngrok', domain: 'fixed-name.ngrok.app' },
      ngrok_authtoken: 'ngrok-token-1234',
      forward_targets: [{ url: 'http://localhost:3000/webhook', fields: ['messages'] }],
    });
    expect(within(dialog).getByText('Relaying.')).toBeTruthy();
    expect((within(dialog).getByLabelText(/^Authtoken/) as HTMLInputElement).value).toBe('');
    // The open tunnel is checked as Meta would call it (the Meta setup, embedded), from the panel's
    // first effect: React may run that after the paint that showed the tunnel open.
    await waitFor(() => expect(bridge.calls.some((call) => call.name === 'checkWebhookSetup')).toBe(true));

    act(() => bridge.emit({ type: 'tunnel_update', seq: 11, state: 'failed', public_url: null, error: 'the tunnel went down: ngrok: session closed' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('✗ The tunnel is not open: the tunnel went down: ngrok: session closed');
  });

  it('shows a refused change and keeps what was typed; is read-only for what the command line set', async () => {
    const bridge = new FakeBridge();
    bridge.workbenchUpdate = () => ({ ok: false, error: { code: 'bad_request', message: 'tunnel.url: must be https: Meta only calls https URLs' } });
    let dialog = await openDeveloper(bridge);
    fireEvent.click(within(dialog).getByLabelText(/^My own URL/));
    fireEvent.change(within(dialog).getByLabelText(/^Public URL/), { target: { value: 'http://hooks.example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect((await within(dialog).findByText(/^Not saved/)).textContent).toBe('Not saved: tunnel.url: must be https: Meta only calls https URLs');
    expect((within(dialog).getByLabelText(/^Public URL/) as HTMLInputElement).value).toBe('http://hooks.example.com');
    expect(within(dialog).getByText(/No public URL/)).toBeTruthy();
    cleanup();

    const flags = new FakeBridge();
    flags.workbench = { ...flags.workbench, tunnel_source: 'flags', forward_source: 'flags', tunnel: { kind: 'url', url: 'https://hooks.example.com' }, tunnel_state: { state: 'failed', public_url: null, error: 'x' } };
    dialog = await openDeveloper(flags);
    expect(within(dialog).getByText('Set on the command line (serve --tunnel): change it there and restart.')).toBeTruthy();
    expect(within(dialog).getByLabelText(/^Public URL/).matches(':disabled')).toBe(true);
    expect(within(dialog).queryByRole('button', { name: 'Save' })).toBeNull();
  });

  it('flags a callback URL that changed since the last tunnel', async () => {
    const bridge = new FakeBridge();
    bridge.workbench = {
      ...bridge.workbench,
      tunnel: { kind: 'url', url: 'https://new-hooks.example.com' },
      tunnel_state: { state: 'open', public_url: 'https://new-hooks.example.com', error: null },
      previous_callback_url: 'https://old-hooks.example.com/webhook',
    };
    const dialog = await openDeveloper(bridge);
    expect(within(dialog).getByText('✓ Open at https://new-hooks.example.com')).toBeTruthy();
    expect(within(dialog).getByText('The callback URL changed since the last tunnel (was https://old-hooks.example.com/webhook): give Meta the new one.').getAttribute('role')).toBe('alert');
  });
});
