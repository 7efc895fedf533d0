import { useEffect, useMemo, useState } from 'react';
import type { WebhookDelivery, WebhookDetail } from '../../shared/contract';
import { curlCommand } from '../../shared/domain/curl';
import { formatFileSize as formatBytes } from '../../shared/domain/media-limits';
import { ModalDialog, PanelTabs } from './ModalDialog';
import { JsonTree } from '../components/JsonTree';
import { useBridge, useConnection, useConversations } from '../stores/inbox-stores';
import { useCopy } from './use-copy';
import { NO_FILTER, useWebhookLog, type WebhookFilter } from './use-webhook-log';
import { WebhookSetupPanel } from './WebhookSetupPanel';

const OUTCOMES = ['received', 'processed', 'ignored', 'replayed', 'failed'] as const;
const KNOWN_FIELDS = ['messages', 'statuses', 'message_echoes', 'history', 'account_update', 'message_template_status_update', 'message_template_quality_update', 'business_capability_update'];

function timeOf(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** What the last relay to each target did, in a few words. */
function forwardSummary(delivery: WebhookDelivery): string | null {
  if (delivery.forwards.length === 0) return null;
  const last = delivery.forwards.at(-1)!;
  return last.status !== null && last.status < 300 ? `→ ${last.status}` : `→ ${last.status ?? last.error ?? 'no answer'}`;
}

function parsed(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The developer's webhook inspector: every delivery the gateway logged, live as they arrive, with
 * what each carried and became; filters by outcome, field, number, text and time; one opened with its
 * headers, raw body as a folding tree, signature check and relays; copy as a signed `curl`, replay
 * into the inbox, re-send to a forward target. Refused requests are listed beside them, and how
 * Meta reaches the gateway (the public URL, its check, Meta's routing) in a tab of its own.
 */
export function WebhookInspector({ onClose }: { onClose: () => void }) {
  const bridge = useBridge();
  const gatewayUrl = useConnection((state) => state.info?.url ?? '');
  const select = useConversations((state) => state.select);
  const [filter, setFilter] = useState<WebhookFilter>(NO_FILTER);
  const [typed, setTyped] = useState({ phone: '', text: '' });
  const [tab, setTab] = useState<'deliveries' | 'refused' | 'setup'>('deliveries');
  const log = useWebhookLog(filter);
  const [openId, setOpenId] = useState<number | null>(null);
  const [detail, setDetail] = useState<WebhookDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  const [action, setAction] = useState<string | null>(null);
  const [target, setTarget] = useState('');
  const { copied, copy } = useCopy();
  const refusedTotal = Object.values(log.rejected).reduce((sum, count) => sum + count, 0);

  // Typing narrows the list after a pause, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setFilter((current) => (current.phone === typed.phone && current.text === typed.text ? current : { ...current, ...typed })), 300);
    return () => clearTimeout(timer);
  }, [typed]);

  const openDetail = (id: number) => {
    setOpenId(id);
    setAction(null);
    setDetailError(null);
    void bridge.getWebhook({ id }).then((result) => {
      if (result.ok) setDetail(result.value);
      else {
        setDetail(null);
        setDetailError(result.error.message);
      }
    });
  };

  // A live reload refreshes the opened delivery too (its outcome or relays may have changed).
  const listed = useMemo(() => log.deliveries.find((delivery) => delivery.id === openId), [log.deliveries, openId]);
  useEffect(() => {
    if (listed && detail && (listed.outcome !== detail.outcome || listed.forwards.length !== detail.forwards.length)) openDetail(listed.id);
    // Only a change of the listed row reopens it (openDetail and detail are read as they are now).
  }, [listed]);

  const replay = async (id: number) => {
    setAction('Replaying…');
    const result = await bridge.replayWebhook({ id });
    setAction(result.ok ? (result.value.failed ? `Replayed, and it still fails: ${result.value.failed}` : `Replayed: ${result.value.events} new ${result.value.events === 1 ? 'change' : 'changes'} (what was already stored stays as it is)`) : result.error.message);
  };

  const resend = async (id: number, url: string) => {
    setAction(`Re-sending to ${url}…`);
    const result = await bridge.forwardWebhook({ id, target: url });
    setAction(result.ok ? `Re-sent to ${url}: ${result.value.status !== null ? `HTTP ${result.value.status}` : (result.value.error ?? 'no answer')} in ${result.value.latency_ms} ms` : result.error.message);
  };

  const body = detail ? parsed(detail.body) : null;
  const resendTo = target || log.forwardTargets[0]?.url || '';

  return (
    <ModalDialog label="Webhook inspector" className="inspector" backdropClassName="inspector-backdrop" onClose={onClose}>
      <header className="inspector-header">
        <h2>Webhooks</h2>
        <PanelTabs
          tabs={[
            ['deliveries', 'Deliveries'],
            ['refused', `Refused (${refusedTotal})`],
            ['setup', 'Meta setup'],
          ]}
          shown={tab}
          onShow={(next) => {
            setTab(next);
            // Refused requests change no log entry (no live event): look again on opening.
            if (next === 'refused') log.reload();
          }}
        />
        <button type="button" className="inspector-close" aria-label="Close the webhook inspector" onClick={onClose}>
          ×
        </button>
      </header>
      {tab === 'deliveries' ? (
        <>
          <div className="inspector-filters" role="search" aria-label="Filter deliveries">
            <label>
              Outcome
              <select value={filter.outcome} onChange={(event) => setFilter({ ...filter, outcome: event.target.value })}>
                <option value="">Any</option>
                {OUTCOMES.map((outcome) => (
                  <option key={outcome} value={outcome}>
                    {outcome}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Field
              <select value={filter.field} onChange={(event) => setFilter({ ...filter, field: event.target.value })}>
                <option value="">Any</option>
                {KNOWN_FIELDS.map((field) => (
                  <option key={field} value={field}>
                    {field}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Number id
              <input inputMode="numeric" value={typed.phone} onChange={(event) => setTyped({ ...typed, phone: event.target.value })} placeholder="any" />
            </label>
            <label>
              From
              <input type="datetime-local" step="1" value={filter.from} onChange={(event) => setFilter({ ...filter, from: event.target.value })} />
            </label>
            <label>
              To
              <input type="datetime-local" step="1" value={filter.to} onChange={(event) => setFilter({ ...filter, to: event.target.value })} />
            </label>
            <label className="inspector-text">
              Text in the body
              <input type="search" value={typed.text} onChange={(event) => setTyped({ ...typed, text: event.target.value })} placeholder="a wamid, a number, a word" />
            </label>
          </div>
          <div className="inspector-body">
            <div className="inspector-list">
              {log.error && (
                <p className="composer-error" role="alert">
                  {log.error}
                </p>
              )}
              {!log.error && !log.loading && log.deliveries.length === 0 && <p className="empty">{filter === NO_FILTER ? 'No delivery yet: what Meta sends appears here as it arrives.' : 'No delivery matches these filters.'}</p>}
              <ul aria-label="Deliveries, newest first">
                {log.deliveries.map((delivery) => (
                  <li key={delivery.id}>
                    <button type="button" className={`delivery-row outcome-${delivery.outcome}`} aria-current={delivery.id === openId ? 'true' : undefined} onClick={() => openDetail(delivery.id)}>
                      <span className="delivery-id">#{delivery.id}</span>
                      <time dateTime={delivery.received_at}>{timeOf(delivery.received_at)}</time>
                      <span className="delivery-fields">{delivery.fields.join(', ') || 'no field'}</span>
                      <span className="delivery-outcome">{delivery.outcome}</span>
                      <span className="delivery-meta">
                        {delivery.phone_number_ids.join(', ')} · {formatBytes(delivery.bytes)}
                        {forwardSummary(delivery) && ` · ${forwardSummary(delivery)}`}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
              {log.hasOlder && (
                <button type="button" className="link-button" onClick={log.loadOlder}>
                  Older deliveries
                </button>
              )}
            </div>
            <div className="inspector-detail" aria-live="polite">
              {openId === null && <p className="empty">Open a delivery to see its headers, body and signature.</p>}
              {detailError && (
                <p className="composer-error" role="alert">
                  {detailError}
                </p>
              )}
              {detail && detail.id === openId && (
                <article aria-label={`Delivery ${detail.id}`}>
                  <h3>
                    Delivery #{detail.id} · {detail.outcome}
                    {detail.detail && <span className="delivery-detail"> ({detail.detail})</span>}
                  </h3>
                  <p className={detail.signature.valid ? 'signature-ok' : 'signature-bad'}>
                    {detail.signature.valid ? '✓ Signature matches the body under the app secret in force' : '✗ Signature does not match the body under the app secret in force (the secret changed since?)'}
                  </p>
                  <div className="inspector-actions">
                    <button type="button" onClick={() => copy(curlCommand(`${gatewayUrl}/webhook`, detail.headers, detail.body))}>
                      {copied ? 'Copied' : 'Copy as curl'}
                    </button>
                    <button type="button" onClick={() => void replay(detail.id)}>
                      Replay into the inbox
                    </button>
                    {log.forwardTargets.length > 0 && (
                      <span className="inspector-resend">
                        <select aria-label="Forward target" value={resendTo} onChange={(event) => setTarget(event.target.value)}>
                          {log.forwardTargets.map((forward) => (
                            <option key={forward.url} value={forward.url}>
                              {forward.url}
                            </option>
                          ))}
                        </select>
                        <button type="button" onClick={() => void resend(detail.id, resendTo)}>
                          Re-send
                        </button>
                      </span>
                    )}
                  </div>
                  {action && (
                    <p className="inspector-action" role="status">
                      {action}
                    </p>
                  )}
                  {detail.became.length > 0 && (
                    <section aria-label="What it became">
                      <h4>What it became</h4>
                      <ul className="became">
                        {detail.became.map((item) => (
                          <li key={`${item.kind}-${item.wamid}-${item.status ?? ''}`}>
                            {item.kind === 'message' ? 'Message' : `Status ${item.status ?? ''}`} <code>{item.wamid}</code>{' '}
                            {item.conversation_id !== null ? (
                              <button
                                type="button"
                                className="link-button"
                                onClick={() => {
                                  select(item.conversation_id!);
                                  onClose();
                                }}
                              >
                                Open the conversation
                              </button>
                            ) : (
                              <span className="became-none"> (not in the inbox)</span>
                            )}
                          </li>
                        ))}
                      </ul>
                    </section>
                  )}
                  {detail.forwards.length > 0 && (
                    <section aria-label="Relays">
                      <h4>Relays</h4>
                      <ul className="relays">
                        {detail.forwards.map((attempt) => (
                          <li key={`${attempt.target_url}-${attempt.attempted_at}`}>
                            {timeOf(attempt.attempted_at)} {attempt.resend ? 're-sent ' : ''}to {attempt.target_url}: {attempt.status !== null ? `HTTP ${attempt.status}` : attempt.error} ({attempt.latency_ms} ms)
                          </li>
                        ))}
                      </ul>
                    </section>
                  )}
                  <h4>Headers</h4>
                  <dl className="headers">
                    {Object.entries(detail.headers).map(([name, value]) => (
                      <div key={name}>
                        <dt>{name}</dt>
                        <dd>{value}</dd>
                      </div>
                    ))}
                  </dl>
                  <h4>Body ({formatBytes(detail.bytes)})</h4>
                  <div className="json-tree">{body?.ok ? <JsonTree value={body.value} /> : <pre>{detail.body}</pre>}</div>
                </article>
              )}
            </div>
          </div>
        </>
      ) : tab === 'setup' ? (
        <WebhookSetupPanel />
      ) : (
        <div className="inspector-refused">
          {refusedTotal === 0 ? (
            <p className="empty">No request refused since the gateway started.</p>
          ) : (
            <>
              <p>
                Refused since the gateway started:{' '}
                {Object.entries(log.rejected)
                  .map(([reason, count]) => `${reason} ${count}`)
                  .join(', ')}
                . Their bodies are never stored.
              </p>
              <ul aria-label="Refused requests, newest first">
                {log.rejections.map((rejection) => (
                  <li key={`${rejection.at}-${rejection.reason}-${rejection.from ?? ''}`}>
                    <strong>{rejection.reason}</strong> <time dateTime={rejection.at}>{timeOf(rejection.at)}</time> · {rejection.method} {rejection.content_type ?? 'no type'}
                    {rejection.bytes !== null && ` · ${formatBytes(rejection.bytes)}`} · from {rejection.from ?? 'unknown'}
                    {rejection.user_agent && ` · ${rejection.user_agent}`}
                    {rejection.signature && (
                      <div className="signature-digests">
                        received <code>{rejection.signature.received ?? '(none)'}…</code> ({rejection.signature.received_length} characters), expected <code>{rejection.signature.expected}…</code> ({rejection.signature.expected_length}): signed with another app secret, or
                        the body changed on the way
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </ModalDialog>
  );
}
