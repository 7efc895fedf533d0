import { useEffect, type FormEvent } from 'react';
import type { OperationRequest, TunnelChoice, WorkbenchView } from '../../shared/contract';
import { useAppliedEvents, useBridge } from '../stores/inbox-stores';
import { useSavedForm } from './use-saved-form';
import { WebhookSetupPanel } from './WebhookSetupPanel';

type TargetDraft = { url: string; fields: string };

type Draft = {
  kind: TunnelChoice['kind'];
  ngrokDomain: string;
  ngrokAuthtoken: string;
  cloudflaredNamed: boolean;
  cloudflaredName: string;
  cloudflaredHostname: string;
  url: string;
  targets: TargetDraft[];
};

function draftOf(view: WorkbenchView): Draft {
  const tunnel = view.tunnel;
  return {
    kind: tunnel.kind,
    ngrokDomain: tunnel.kind === 'ngrok' ? (tunnel.domain ?? '') : '',
    ngrokAuthtoken: '',
    cloudflaredNamed: tunnel.kind === 'cloudflared' && tunnel.name !== null,
    cloudflaredName: tunnel.kind === 'cloudflared' ? (tunnel.name ?? '') : '',
    cloudflaredHostname: tunnel.kind === 'cloudflared' ? (tunnel.hostname ?? '') : '',
    url: tunnel.kind === 'url' ? tunnel.url : '',
    targets: view.forward_targets.map((target) => ({ url: target.url, fields: target.fields?.join(', ') ?? '' })),
  };
}

function tunnelOf(draft: Draft): TunnelChoice {
  switch (draft.kind) {
    case 'off':
      return { kind: 'off' };
    case 'ngrok':
      return { kind: 'ngrok', domain: draft.ngrokDomain.trim() || null };
    case 'cloudflared':
      return draft.cloudflaredNamed ? { kind: 'cloudflared', name: draft.cloudflaredName.trim(), hostname: draft.cloudflaredHostname.trim() || null } : { kind: 'cloudflared', name: null, hostname: null };
    case 'url':
      return { kind: 'url', url: draft.url.trim() };
  }
}

function requestOf(draft: Draft, view: WorkbenchView): OperationRequest<'updateWorkbench'> {
  const fields = (text: string) => {
    const names = text
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    return names.length > 0 ? names : null;
  };
  return {
    ...(view.tunnel_source === 'settings' ? { tunnel: tunnelOf(draft) } : {}),
    ...(draft.kind === 'ngrok' && draft.ngrokAuthtoken.trim() ? { ngrok_authtoken: draft.ngrokAuthtoken.trim() } : {}),
    ...(view.forward_source === 'settings' ? { forward_targets: draft.targets.filter((target) => target.url.trim()).map((target) => ({ url: target.url.trim(), fields: fields(target.fields) })) } : {}),
  };
}

/**
 * The developer's workbench: the public URL Meta calls (ngrok, a Cloudflare tunnel, or a URL of
 * the developer's own), opened and switched from here, with its state followed live; and the
 * endpoints every verified delivery is forwarded to, with where each lane stands.
 */
export function WorkbenchSettings() {
  const bridge = useBridge();
  const applied = useAppliedEvents();
  const { view, setView, draft, setDraft, error, saving, saved, save } = useSavedForm(() => bridge.getWorkbench({}), draftOf);

  // The tunnel opens, fails or goes down on its own time: follow it live.
  useEffect(
    () =>
      applied.subscribe((events) => {
        const last = events.findLast((event) => event.type === 'tunnel_update');
        if (last) setView((current) => (current ? { ...current, tunnel_state: { state: last.state, public_url: last.public_url, error: last.error } } : current));
      }),
    [applied],
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!view || !draft) return;
    // Opening a tunnel takes seconds: the state says so meanwhile, and goes back if it is refused.
    setView({ ...view, tunnel_state: { ...view.tunnel_state, state: view.tunnel_source === 'settings' && draft.kind !== 'off' ? 'opening' : view.tunnel_state.state } });
    if (!(await save(() => bridge.updateWorkbench(requestOf(draft, view))))) setView(view);
  };

  if (!view || !draft) return error ? <p className="composer-error" role="alert">{error}</p> : <p className="empty">Loading…</p>;

  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  const setTarget = (index: number, change: Partial<TargetDraft>) => set({ targets: draft.targets.map((target, n) => (n === index ? { ...target, ...change } : target)) });
  const tunnelLocked = !view.can_edit || view.tunnel_source === 'flags';
  const forwardLocked = !view.can_edit || view.forward_source === 'flags';

  return (
    <form className="workbench-settings" aria-label="Developer settings" onSubmit={(event) => void submit(event)}>
      {!view.can_edit && <p className="settings-note">Only the person who runs this gateway can change its tunnel and forward targets.</p>}
      <fieldset disabled={tunnelLocked} className="settings-fields">
        <legend>Public URL for Meta</legend>
        {view.tunnel_source === 'flags' && <p className="settings-note">Set on the command line (serve --tunnel): change it there and restart.</p>}
        <div className="settings-mode" role="radiogroup" aria-label="Tunnel">
          {(
            [
              ['off', 'Off: Meta cannot reach this gateway'],
              ['ngrok', 'ngrok: a tunnel from inside Switchboard'],
              ['cloudflared', `Cloudflare Tunnel: the cloudflared program${view.cloudflared_found ? '' : ' (not found on the PATH)'}`],
              ['url', 'My own URL: a tunnel or reverse proxy I run'],
            ] as const
          ).map(([kind, label]) => (
            <label key={kind}>
              <input type="radio" name="tunnel" checked={draft.kind === kind} onChange={() => set({ kind })} /> {label}
            </label>
          ))}
        </div>
        {draft.kind === 'ngrok' && (
          <>
            <label>
              Authtoken{' '}
              {view.ngrok_authtoken === 'environment' ? (
                <span className="settings-set">(from NGROK_AUTHTOKEN)</span>
              ) : view.ngrok_authtoken === 'settings' ? (
                <span className="settings-set">(set: leave empty to keep it)</span>
              ) : null}
              <input type="password" autoComplete="off" disabled={view.ngrok_authtoken === 'environment'} value={draft.ngrokAuthtoken} onChange={(event) => set({ ngrokAuthtoken: event.target.value })} placeholder={view.ngrok_authtoken ? '••••••••' : 'from the ngrok dashboard'} />
            </label>
            <label>
              Domain (optional: a URL that stays the same)
              <input value={draft.ngrokDomain} onChange={(event) => set({ ngrokDomain: event.target.value })} placeholder="your-name.ngrok.app" />
            </label>
          </>
        )}
        {draft.kind === 'cloudflared' && (
          <>
            {!view.cloudflared_found && <p className="settings-note">Install cloudflared from Cloudflare and put it on the PATH: Switchboard never downloads it.</p>}
            <label className="settings-inline">
              <input type="checkbox" checked={draft.cloudflaredNamed} onChange={(event) => set({ cloudflaredNamed: event.target.checked })} /> A named tunnel (a URL that stays the same); otherwise a quick tunnel, new at each start
            </label>
            {draft.cloudflaredNamed && (
              <>
                <label>
                  Tunnel name or UUID
                  <input value={draft.cloudflaredName} onChange={(event) => set({ cloudflaredName: event.target.value })} placeholder="as cloudflared tunnel list shows it" />
                </label>
                <label>
                  Public host name (optional: read from cloudflared’s config.yml)
                  <input value={draft.cloudflaredHostname} onChange={(event) => set({ cloudflaredHostname: event.target.value })} placeholder="hooks.example.com" />
                </label>
              </>
            )}
          </>
        )}
        {draft.kind === 'url' && (
          <label>
            Public URL (https; the callback is this URL followed by /webhook)
            <input type="url" value={draft.url} onChange={(event) => set({ url: event.target.value })} placeholder="https://hooks.example.com" />
          </label>
        )}
      </fieldset>
      <TunnelStatus view={view} />
      <fieldset disabled={forwardLocked} className="settings-fields workbench-targets">
        <legend>Forward deliveries to your app</legend>
        {view.forward_source === 'flags' && <p className="settings-note">Set on the command line (serve --forward-to): change them there and restart.</p>}
        <p className="settings-hint">Each verified delivery goes to each target as Meta sent it (bytes and signature), in order; a target that is down gets it again until it answers.</p>
        {draft.targets.length === 0 && <p className="settings-hint">No target: deliveries go to the inbox only.</p>}
        {draft.targets.map((target, index) => {
          const status = view.forward_targets.find((candidate) => candidate.url === target.url.trim());
          return (
            <div className="workbench-target" key={index}>
              <label>
                Target {index + 1} URL
                <input type="url" value={target.url} onChange={(event) => setTarget(index, { url: event.target.value })} placeholder="http://localhost:3000/webhook" />
              </label>
              <label>
                Fields (empty: all)
                <input value={target.fields} onChange={(event) => setTarget(index, { fields: event.target.value })} placeholder="messages, account_update" />
              </label>
              <button type="button" className="link-button" aria-label={`Remove target ${index + 1}`} onClick={() => set({ targets: draft.targets.filter((_, n) => n !== index) })}>
                Remove
              </button>
              {status && (
                <p className={status.state === 'ok' ? 'settings-hint' : 'signature-bad'}>{status.state === 'ok' ? 'Relaying.' : `Retrying: ${status.last_error ?? 'no answer'}. The deliveries after it wait, in order.`}</p>
              )}
            </div>
          );
        })}
        <button type="button" className="link-button" onClick={() => set({ targets: [...draft.targets, { url: '', fields: '' }] })}>
          Add a target
        </button>
      </fieldset>
      {error && (
        <p className="composer-error" role="alert">
          Not saved: {error}
        </p>
      )}
      {saved && !error && (
        <p className="settings-saved" role="status">
          Saved.
        </p>
      )}
      {view.can_edit && !(tunnelLocked && forwardLocked) && (
        <button type="submit" className="send-button" disabled={saving}>
          {saving ? (draft.kind !== 'off' && view.tunnel_source === 'settings' ? 'Opening…' : 'Saving…') : 'Save'}
        </button>
      )}
    </form>
  );
}

/** Where the tunnel stands, followed live; once open, the callback URL, the check and Meta's routing. */
function TunnelStatus({ view }: { view: WorkbenchView }) {
  const state = view.tunnel_state;
  switch (state.state) {
    case 'off':
      return <p className="settings-hint">No public URL: deliveries reach this gateway only from this machine.</p>;
    case 'opening':
      return (
        <p className="settings-hint" role="status">
          Opening the tunnel…
        </p>
      );
    case 'failed':
      return (
        <p className="signature-bad" role="alert">
          ✗ The tunnel is not open: {state.error}
        </p>
      );
    case 'open':
      return (
        <section className="workbench-open" aria-label="Tunnel open">
          <p className="signature-ok" role="status">
            ✓ Open at {state.public_url}
          </p>
          {view.previous_callback_url && (
            <p className="signature-bad" role="alert">
              The callback URL changed since the last tunnel (was {view.previous_callback_url}): give Meta the new one.
            </p>
          )}
          {/* Checked as Meta would call it, with Meta's routing: remounted for each new URL. */}
          <WebhookSetupPanel key={state.public_url} title="What to give Meta (WhatsApp → Configuration)" />
        </section>
      );
  }
}
