import WebSocket from 'ws';
import type { OperationResult, WebhookDelivery } from '../shared/contract';
import { fetchFailure } from './fetch-failure';

/** What `switchboard webhooks tail` needs: where the gateway is, its token, and how to print. */
export type TailOptions = { url: string; token: string; json: boolean; write(line: string): void; warn(line: string): void };

/** A tail that cannot go on (the token refused, the gateway not there at the start), said in one line. */
export class TailError extends Error {}

/** Shown before following, like `tail -f`. */
const BACKLOG = 10;
const RECONNECT_MAX_MS = 10_000;

/** One line per delivery: id, time, what it carried, for which number, size, outcome and why. */
export function deliveryLine(delivery: WebhookDelivery): string {
  const relay = delivery.forwards.at(-1);
  return [
    `#${delivery.id}`,
    delivery.received_at,
    delivery.fields.join(',') || '-',
    delivery.phone_number_ids.join(',') || '-',
    `${delivery.bytes}B`,
    delivery.outcome + (delivery.detail ? ` (${delivery.detail})` : ''),
    ...(relay ? [`relay ${relay.status ?? relay.error ?? 'no answer'}`] : []),
  ].join(' ');
}

/**
 * Streams the gateway's webhook deliveries to the terminal as they are logged: the last few, then
 * each new one, one line each (`--json`: each delivery opened, headers and body, one JSON per line).
 * It follows the gateway's live events over the WebSocket (one per commit), never polls, and comes
 * back by itself after the gateway restarts. Resolves when `stop` is called.
 */
export async function tailWebhooks(options: TailOptions, stop: Promise<void>): Promise<void> {
  const base = options.url.replace(/\/+$/, '');
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${options.token}` } });
    if (response.status === 401) throw new TailError('the gateway refused the token: give SWITCHBOARD_TOKEN, or --data for the gateway’s data dir');
    if (!response.ok) throw new TailError(`the gateway answered HTTP ${response.status} to ${path}`);
    return (await response.json()) as T;
  };
  let printed = 0;
  const print = async (deliveries: readonly WebhookDelivery[]) => {
    for (const delivery of deliveries) {
      if (delivery.id <= printed) continue;
      printed = delivery.id;
      options.write(options.json ? JSON.stringify(await get<OperationResult<'getWebhook'>>(`/api/webhooks/${delivery.id}`)) : deliveryLine(delivery));
    }
  };
  /** Everything after what was printed, oldest first, whatever the page size. */
  const catchUp = async () => {
    const missed: WebhookDelivery[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await get<OperationResult<'listWebhooks'>>(`/api/webhooks?limit=200${before ? `&before=${before}` : ''}`);
      const newer = page.deliveries.filter((delivery) => delivery.id > printed);
      missed.push(...newer);
      if (newer.length < page.deliveries.length || page.deliveries.length < 200) break;
      before = page.deliveries.at(-1)?.id;
    }
    await print(missed.reverse());
  };

  try {
    const first = await get<OperationResult<'listWebhooks'>>(`/api/webhooks?limit=${BACKLOG}`);
    await print([...first.deliveries].reverse());
  } catch (error) {
    if (error instanceof TailError) throw error;
    throw new TailError(`no gateway answers at ${base} (${fetchFailure(error)})`);
  }

  let stopped = false;
  let socket: WebSocket | null = null;
  let delay = 500;
  let working: Promise<void> = Promise.resolve();
  const follow = () => {
    if (stopped) return;
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${options.token}` } });
    socket = ws;
    ws.on('open', () => {
      delay = 500;
      // What arrived while it was away (a restart of the gateway) comes first.
      working = working.then(catchUp).catch((error: unknown) => options.warn(`tail: ${error instanceof Error ? error.message : String(error)}`));
    });
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type?: string; last_id?: number };
      if (frame.type === 'webhook_log_update' && (frame.last_id ?? 0) > printed) {
        working = working.then(catchUp).catch((error: unknown) => options.warn(`tail: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (stopped) return;
      options.warn(`tail: the gateway at ${base} went away; following again when it is back`);
      setTimeout(follow, delay);
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    });
  };
  follow();
  await stop;
  stopped = true;
  (socket as WebSocket | null)?.close();
  await working;
}
