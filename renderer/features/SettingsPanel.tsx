import { useState, type FormEvent } from 'react';
import type { SettingsView } from '../../shared/contract';
import { useBridge, useConnection } from '../stores/inbox-stores';
import { Copyable } from './Copyable';
import { ModalDialog, PanelTabs } from './ModalDialog';
import { useSavedForm } from './use-saved-form';
import { WorkbenchSettings } from './WorkbenchSettings';

type Draft = { mode: 'sandbox' | 'live'; access_token: string; app_secret: string; phone_number_id: string; waba_id: string; verify_token: string; read_receipts: SettingsView['read_receipts'] };

function draftOf(view: SettingsView): Draft {
  return { mode: view.mode, access_token: '', app_secret: '', phone_number_id: view.phone_number_id ?? '', waba_id: view.waba_id ?? '', verify_token: view.verify_token, read_receipts: view.read_receipts };
}

/**
 * The WhatsApp connection: sandbox or live with the access token, app secret, phone number id and
 * business account id; the webhook URL and verify token to paste into Meta; the read-receipt
 * policy. Saving puts it in force at once. Secrets are write-only: the screen says whether one is
 * set, never what it is.
 */
export function SettingsPanel({ onClose }: { onClose: () => void }) {
  const bridge = useBridge();
  const { view, setView, draft, setDraft, error, setError, saving, saved, save } = useSavedForm(() => bridge.getSettings({}), draftOf);
  const setConnection = useConnection((state) => state.setInfoMode);
  const [tab, setTab] = useState<'connection' | 'developer'>('connection');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    const updated = await save(() =>
      bridge.updateSettings({
        mode: draft.mode,
        ...(draft.access_token.trim() ? { access_token: draft.access_token.trim() } : {}),
        ...(draft.app_secret.trim() ? { app_secret: draft.app_secret.trim() } : {}),
        ...(draft.phone_number_id.trim() ? { phone_number_id: draft.phone_number_id.trim() } : {}),
        waba_id: draft.waba_id.trim() || null,
        ...(draft.verify_token.trim() !== view?.verify_token ? { verify_token: draft.verify_token.trim() } : {}),
        read_receipts: draft.read_receipts,
      }),
    );
    if (updated) setConnection(updated.mode, updated.phone_number_id);
  };

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => (current ? { ...current, [key]: value } : current));
  const locked = !view?.can_edit;

  return (
    <ModalDialog label="Settings" className="settings-panel" onClose={onClose}>
      <header>
        <h2>Settings</h2>
        <button type="button" aria-label="Close settings" onClick={onClose}>
          ×
        </button>
      </header>
      <PanelTabs
        tabs={[
          ['connection', 'WhatsApp connection'],
          ['developer', 'Developer'],
        ]}
        shown={tab}
        onShow={setTab}
      />
      {tab === 'developer' ? (
        <WorkbenchSettings />
      ) : (
        <form className="settings-connection" aria-label="WhatsApp connection" onSubmit={(event) => void submit(event)}>
          {!view || !draft ? (
            error ? <p className="composer-error" role="alert">{error}</p> : <p className="empty">Loading…</p>
          ) : (
            <>
              {view.source === 'environment' && <p className="settings-note">Set by environment variables on the gateway: change them there and restart.</p>}
              {view.source === 'settings' && !view.can_edit && <p className="settings-note">Only the person who runs this gateway can change its connection.</p>}
              <fieldset disabled={locked} className="settings-mode">
                <legend>Mode</legend>
                <label>
                  <input type="radio" name="mode" checked={draft.mode === 'sandbox'} onChange={() => set('mode', 'sandbox')} /> Sandbox: simulated customers, nothing leaves this computer
                </label>
                <label>
                  <input type="radio" name="mode" checked={draft.mode === 'live'} onChange={() => set('mode', 'live')} /> Live: the WhatsApp Business Cloud API
                </label>
              </fieldset>
              <fieldset disabled={locked} className="settings-fields">
                <legend>Meta app and number</legend>
                <label>
                  Access token {view.has_access_token && <span className="settings-set">(set: leave empty to keep it)</span>}
                  <input type="password" autoComplete="off" value={draft.access_token} onChange={(event) => set('access_token', event.target.value)} placeholder={view.has_access_token ? '••••••••' : 'EAAG…'} />
                </label>
                <label>
                  App secret {view.has_app_secret && <span className="settings-set">(set: leave empty to keep it)</span>}
                  <input type="password" autoComplete="off" value={draft.app_secret} onChange={(event) => set('app_secret', event.target.value)} />
                </label>
                <label>
                  Phone number id
                  <input inputMode="numeric" value={draft.phone_number_id} onChange={(event) => set('phone_number_id', event.target.value)} />
                </label>
                <label>
                  WhatsApp Business Account id (for templates)
                  <input inputMode="numeric" value={draft.waba_id} onChange={(event) => set('waba_id', event.target.value)} />
                </label>
                <label>
                  Verify token
                  <input value={draft.verify_token} onChange={(event) => set('verify_token', event.target.value)} />
                </label>
                <label>
                  Read receipts (blue ticks for the customer)
                  <select value={draft.read_receipts} onChange={(event) => set('read_receipts', event.target.value as Draft['read_receipts'])}>
                    <option value="on_open">When an agent opens the conversation</option>
                    <option value="on_reply">When an agent replies</option>
                    <option value="never">Never</option>
                  </select>
                </label>
              </fieldset>
              <section className="settings-meta" aria-label="For Meta's dashboard">
                <h3>In Meta’s dashboard (WhatsApp → Configuration)</h3>
                <Copyable label="Callback URL path" value={view.webhook_path} />
                <p className="settings-hint">
                  Meta calls a public HTTPS address: a tunnel (Settings → Developer) or your proxy in front of {view.gateway_url}, followed by {view.webhook_path}.
                </p>
                <Copyable label="Verify token" value={view.verify_token} />
              </section>
              {view.launch_at_login !== null && (
                <label className="settings-login">
                  <input
                    type="checkbox"
                    checked={view.launch_at_login}
                    disabled={!view.can_edit && view.source === 'settings'}
                    onChange={(event) => {
                      const on = event.target.checked;
                      void bridge.updateSettings({ mode: view.mode, launch_at_login: on }).then((result) => (result.ok ? setView(result.value) : setError(result.error.message)));
                    }}
                  />{' '}
                  Start Switchboard when I log in
                </label>
              )}
              <p className="settings-hint">
                Credentials are kept {view.secrets_storage === 'os_keychain' ? 'encrypted by the operating system (keychain)' : 'in a file only your user can read (mode 0600)'}.
              </p>
              {error && (
                <p className="composer-error" role="alert">
                  Not saved: {error}
                </p>
              )}
              {saved && (
                <p className="settings-saved" role="status">
                  Saved: now {view.mode === 'live' ? `live on ${view.phone_number_id ?? ''}` : 'in the sandbox'}.
                </p>
              )}
              {!locked && (
                <button type="submit" className="send-button" disabled={saving}>
                  {saving ? 'Saving…' : 'Save'}
                </button>
              )}
            </>
          )}
        </form>
      )}
    </ModalDialog>
  );
}
