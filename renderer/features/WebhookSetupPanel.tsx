import { useEffect, useState } from 'react';
import type { OperationResult } from '../../shared/contract';
import { useBridge } from '../stores/inbox-stores';
import { Copyable } from './Copyable';

type Setup = OperationResult<'checkWebhookSetup'>;

/**
 * How Meta reaches this gateway: the public URL (the tunnel) and verify token to paste into Meta,
 * the URL checked now as Meta would call it, Meta's routing for the number as read back, and a
 * button that wires Meta to the public URL (the app subscribed, the number's override set).
 */
export function WebhookSetupPanel({ title = 'Public URL for Meta' }: { title?: string }) {
  const bridge = useBridge();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(true);
  const [connecting, setConnecting] = useState(false);
  const [connectError, setConnectError] = useState<string | null>(null);

  const check = () => {
    setChecking(true);
    void bridge.checkWebhookSetup({}).then((result) => {
      setChecking(false);
      if (result.ok) {
        setSetup(result.value);
        setError(null);
      } else setError(result.error.message);
    });
  };
  useEffect(check, [bridge]);

  const connect = async () => {
    setConnecting(true);
    setConnectError(null);
    const result = await bridge.connectMeta({});
    setConnecting(false);
    if (result.ok) setSetup((current) => (current ? { ...current, routing: result.value, routing_error: null } : current));
    else setConnectError(result.error.message);
  };

  if (error) {
    return (
      <p className="composer-error" role="alert">
        {error}
      </p>
    );
  }
  if (!setup) return <p className="empty">Checking…</p>;
  const routing = setup.routing;
  const pointsHere = routing !== null && setup.callback_url !== null && routing.effective === setup.callback_url;
  return (
    <div className="webhook-setup">
      <section aria-label={title}>
        <h3>{title}</h3>
        {setup.callback_url ? (
          <>
            <Copyable label="Callback URL" value={setup.callback_url} />
            <Copyable label="Verify token" value={setup.verify_token} />
            {setup.check &&
              (setup.check.ok ? (
                <p className="signature-ok">✓ Meta can reach it: the handshake and a signed delivery came through ({setup.check.latency_ms} ms).</p>
              ) : (
                <p className="signature-bad" role="alert">
                  ✗ {setup.check.message}
                </p>
              ))}
            <button type="button" className="link-button" onClick={check} disabled={checking}>
              {checking ? 'Checking…' : 'Check again'}
            </button>
          </>
        ) : (
          <p>
            No tunnel: Meta only calls public https URLs. Open one in Settings → Developer, or start the gateway with <code>--tunnel ngrok</code>, <code>--tunnel cloudflared</code> or <code>--tunnel https://…</code>.
          </p>
        )}
      </section>
      <section aria-label="Meta's routing">
        <h3>Where Meta sends this number’s webhooks</h3>
        {routing ? (
          <>
            <dl className="headers">
              <div>
                <dt>Apps subscribed</dt>
                <dd>{routing.subscribed_apps.map((app) => app.name ?? app.id).join(', ') || 'none: nothing arrives until the app is subscribed'}</dd>
              </div>
              <div>
                <dt>Number’s override</dt>
                <dd>{routing.phone_number_override ?? 'none'}</dd>
              </div>
              <div>
                <dt>Account’s override</dt>
                <dd>{routing.business_account_override ?? 'none'}</dd>
              </div>
              <div>
                <dt>App’s callback URL</dt>
                <dd>{routing.app_callback ?? 'none'}</dd>
              </div>
            </dl>
            <p className={pointsHere ? 'signature-ok' : 'signature-bad'}>{pointsHere ? '✓ Messages for this number come here.' : `Messages for this number go to ${routing.effective ?? 'nowhere'}, not here.`}</p>
          </>
        ) : (
          <p>{setup.routing_error}</p>
        )}
        {setup.callback_url && routing && !pointsHere && (
          <button type="button" className="send-button" onClick={() => void connect()} disabled={connecting}>
            {connecting ? 'Connecting…' : 'Point this number at this gateway'}
          </button>
        )}
        {connectError && (
          <p className="composer-error" role="alert">
            {connectError}
          </p>
        )}
      </section>
    </div>
  );
}
