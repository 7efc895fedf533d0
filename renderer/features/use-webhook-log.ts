import { useCallback, useEffect, useRef, useState } from 'react';
import type { OperationRequest, WebhookDelivery, WebhookRejection } from '../../shared/contract';
import { useAppliedEvents, useBridge } from '../stores/inbox-stores';

/** What the inspector lists by; `from` and `to` are local date-times as a `datetime-local` input gives them. */
export type WebhookFilter = { outcome: string; field: string; phone: string; text: string; from: string; to: string };

export const NO_FILTER: WebhookFilter = { outcome: '', field: '', phone: '', text: '', from: '', to: '' };

/** A `datetime-local` value (local time) as the API's ISO instant, or nothing when empty or unreadable. */
function instant(local: string): string | undefined {
  const ms = local ? new Date(local).getTime() : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const PAGE = 50;
/** A burst of commits reloads the list once. */
const RELOAD_AFTER_MS = 250;

export type WebhookLogState = {
  deliveries: WebhookDelivery[];
  rejections: WebhookRejection[];
  rejected: Record<string, number>;
  forwardTargets: { url: string; fields: string[] | null }[];
  /** The filter's problem, or the gateway's error, to show. */
  error: string | null;
  loading: boolean;
  hasOlder: boolean;
  loadOlder(): void;
  reload(): void;
};

function requestOf(filter: WebhookFilter, before?: number): OperationRequest<'listWebhooks'> {
  return {
    limit: PAGE,
    ...(before !== undefined ? { before } : {}),
    ...(filter.outcome ? { outcome: filter.outcome as NonNullable<OperationRequest<'listWebhooks'>['outcome']> } : {}),
    ...(filter.field ? { field: filter.field } : {}),
    ...(filter.phone.trim() ? { phone_number_id: filter.phone.trim() } : {}),
    ...(filter.text.trim() ? { q: filter.text.trim() } : {}),
    ...(instant(filter.from) ? { from: instant(filter.from)! } : {}),
    ...(instant(filter.to) ? { to: instant(filter.to)! } : {}),
  };
}

/**
 * The webhook log as the inspector shows it: the newest page for the filter, live (one reload per
 * burst of `webhook_log_update` events, never polled), older pages on request.
 */
export function useWebhookLog(filter: WebhookFilter): WebhookLogState {
  const bridge = useBridge();
  const applied = useAppliedEvents();
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [rejections, setRejections] = useState<WebhookRejection[]>([]);
  const [rejected, setRejected] = useState<Record<string, number>>({});
  const [forwardTargets, setForwardTargets] = useState<{ url: string; fields: string[] | null }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [hasOlder, setHasOlder] = useState(false);
  // Answers to an older filter are dropped: only the latest request's answer is shown.
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    void bridge.listWebhooks(requestOf(filter)).then((result) => {
      if (mine !== generation.current) return;
      setLoading(false);
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setError(null);
      setDeliveries(result.value.deliveries);
      setRejections(result.value.rejections);
      setRejected(result.value.rejected);
      setForwardTargets(result.value.forward_targets);
      setHasOlder(result.value.deliveries.length === PAGE);
    });
  }, [bridge, filter]);

  useEffect(reload, [reload]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = applied.subscribe((events) => {
      if (timer || !events.some((event) => event.type === 'webhook_log_update')) return;
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, RELOAD_AFTER_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [applied, reload]);

  const loadOlder = useCallback(() => {
    const oldest = deliveries.at(-1);
    if (!oldest) return;
    const mine = generation.current;
    void bridge.listWebhooks(requestOf(filter, oldest.id)).then((result) => {
      if (mine !== generation.current || !result.ok) return;
      setDeliveries((current) => [...current, ...result.value.deliveries.filter((delivery) => delivery.id < (current.at(-1)?.id ?? Infinity))]);
      setHasOlder(result.value.deliveries.length === PAGE);
    });
  }, [bridge, filter, deliveries]);

  return { deliveries, rejections, rejected, forwardTargets, error, loading, hasOlder, loadOlder, reload };
}
