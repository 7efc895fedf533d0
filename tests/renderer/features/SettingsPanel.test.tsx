import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
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
