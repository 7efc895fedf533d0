import type { Store } from '../store';
import { fetchFailure } from '../fetch-failure';
import type { ForwardAttempt, ForwardedDelivery, ForwardTarget } from '../store/forward-repo';

/** Where the developer wants deliveries relayed, and which fields (all when null). */
export type ForwardTargetConfig = { url: string; fields: string[] | null };

export type ForwarderOptions = {
  /** How long a target has to answer one delivery. */
  timeoutMs: number;
  /** The wait before the first retry of a delivery the target did not take; it doubles up to `maxRetryMs`. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** Deliveries read from the log at a time; their attempts are saved in one transaction. */
  batch: number;
};

export const DEFAULT_FORWARDER: ForwarderOptions = { timeoutMs: 10_000, firstRetryMs: 1_000, maxRetryMs: 60_000, batch: 100 };

/** Header that tells the developer's app which logged delivery this is (replays and re-sends carry it too). */
export const DELIVERY_HEADER = 'x-switchboard-delivery';

/** The fields (`entry[].changes[].field`) a delivery carries: messages, message_template_status_update, account_update… */
export function deliveryFields(body: Buffer): Set<string> {
  const fields = new Set<string>();
  try {
    const json = JSON.parse(body.toString('utf8')) as { entry?: { changes?: { field?: unknown }[] }[] };
    for (const entry of json.entry ?? []) for (const change of entry.changes ?? []) if (typeof change.field === 'string') fields.add(change.field);
  } catch {
    // Not JSON: no field to match (an unfiltered target still gets it, byte for byte).
  }
  return fields;
}

/** Whether the target should be tried again: it did not answer, was overloaded, or failed on its side. */
export function worthRetrying(attempt: Pick<ForwardAttempt, 'status'>): boolean {
  return attempt.status === null || attempt.status >= 500 || attempt.status === 429 || attempt.status === 408;
}

type Lane = ForwardTarget & {
  /** Taken out of the settings: its relay in flight is abandoned, nothing more is sent. */
  removed: boolean;
  running: boolean;
  wake: boolean;
  failures: number;
  /** Why the delivery the lane is retrying was not taken. */
  lastError: string | null;
  retryTimer: NodeJS.Timeout | null;
  abort: AbortController | null;
  attempts: { deliveryId: number; attempt: Omit<ForwardAttempt, 'target_url'> }[];
};

/**
 * Relays every verified delivery, from the durable webhook log, to the developer's own endpoints
 * with its original bytes and `X-Hub-Signature-256`, so the developer's own signature check
 * passes. Each target is a lane of its own that goes through the log in order: a target that is
 * down (no answer, 5xx, 429) gets the same delivery again with a growing delay, and the ones after
 * it wait; a target that refuses one (another 4xx) has it recorded and gets the next. Ingest never
 * waits for a lane: lanes read what is already committed. At least once: a crash between a relay
 * and the save of its attempt relays that delivery again at the next start.
 */
export class WebhookForwarder {
  private lanes: Lane[];
  private started = false;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    targets: readonly ForwardTargetConfig[],
    private readonly fetchImpl: typeof fetch,
    private readonly log: (line: string) => void,
    private readonly options: ForwarderOptions = DEFAULT_FORWARDER,
    private readonly now: () => number = Date.now,
  ) {
    // At start, each target resumes where it stopped: what was committed but not relayed goes first.
    this.lanes = targets.map((target) => this.lane(store.forwards.target(target.url, target.fields, now())));
  }

  private lane(target: ForwardTarget): Lane {
    return { ...target, removed: false, running: false, wake: false, failures: 0, lastError: null, retryTimer: null, abort: null, attempts: [] };
  }

  /** The configured targets, in order. */
  targets(): ForwardTargetConfig[] {
    return this.lanes.map((lane) => ({ url: lane.url, fields: lane.fields }));
  }

  /** Each target, keeping up or retrying (with why). */
  statuses(): (ForwardTargetConfig & { state: 'ok' | 'retrying'; last_error: string | null })[] {
    return this.lanes.map((lane) => ({ url: lane.url, fields: lane.fields, state: lane.failures > 0 ? 'retrying' : 'ok', last_error: lane.failures > 0 ? lane.lastError : null }));
  }

  /** Starts every lane (what arrived while the gateway was down goes first). */
  start(): void {
    this.started = true;
    for (const lane of this.lanes) this.begin(lane);
  }

  private begin(lane: Lane): void {
    this.log(`forward: relaying deliveries${lane.fields ? ` (${lane.fields.join(', ')})` : ''} to ${lane.url}`);
    this.run(lane);
  }

  /**
   * Puts the settings' targets in force while running: a target kept goes on where it is (with its
   * new field filter), a new one (or one taken out earlier and given again) gets what arrives from
   * now on, a removed one stops at once.
   */
  setTargets(targets: readonly ForwardTargetConfig[]): void {
    const next = targets.map((target) => {
      const kept = this.lanes.find((lane) => lane.url === target.url);
      if (!kept) return this.lane(this.store.forwards.target(target.url, target.fields, this.now(), { fromHead: true }));
      this.store.forwards.target(target.url, target.fields, this.now());
      kept.fields = target.fields ? [...target.fields] : null;
      return kept;
    });
    for (const lane of this.lanes.filter((candidate) => !next.includes(candidate))) {
      lane.removed = true;
      if (lane.retryTimer) clearTimeout(lane.retryTimer);
      lane.retryTimer = null;
      lane.abort?.abort();
      this.save(lane);
      this.log(`forward: no longer relaying to ${lane.url}`);
    }
    const added = next.filter((lane) => !this.lanes.includes(lane));
    this.lanes = next;
    if (this.started && !this.stopped) for (const lane of added) this.begin(lane);
    if (this.lanes.every((lane) => !lane.running)) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** New deliveries were committed: idle lanes go on. */
  notify(): void {
    for (const lane of this.lanes) if (!lane.retryTimer) this.run(lane);
  }

  /** Resolves once every lane has relayed all it could and waits for new deliveries (tests, benchmarks). */
  settle(): Promise<void> {
    if (this.lanes.every((lane) => !lane.running)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the lanes: a relay in flight is abandoned (it goes again at the next start), attempts made are saved. */
  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes) {
      if (lane.retryTimer) clearTimeout(lane.retryTimer);
      lane.abort?.abort();
      this.save(lane);
    }
  }

  /** Relays one logged delivery to a configured target again, out of order, whatever its lane is doing. */
  async resend(deliveryId: number, url: string): Promise<ForwardAttempt | 'no_delivery' | 'no_target'> {
    const lane = this.lanes.find((candidate) => candidate.url === url);
    if (!lane) return 'no_target';
    const delivery = this.store.forwards.delivery(deliveryId);
    if (!delivery) return 'no_delivery';
    const attempt = { ...(await this.post(lane.url, delivery, new AbortController())), resend: true };
    this.store.forwards.recordAttempt(lane.id, delivery.id, attempt);
    return { ...attempt, target_url: lane.url };
  }

  private run(lane: Lane): void {
    if (this.stopped || lane.removed) return;
    if (lane.running) {
      lane.wake = true;
      return;
    }
    lane.running = true;
    void this.drain(lane).then(
      () => this.idle(lane),
      (error: unknown) => {
        this.log(`forward: ${lane.url} stopped on an error (${error instanceof Error ? error.message : String(error)}); it resumes with the next delivery`);
        this.idle(lane);
      },
    );
  }

  private idle(lane: Lane): void {
    lane.running = false;
    this.save(lane);
    if (lane.wake && !lane.retryTimer && !this.stopped && !lane.removed) {
      lane.wake = false;
      this.run(lane);
      return;
    }
    if (this.lanes.every((other) => !other.running)) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Relays what the log holds after the lane's cursor; returns when it is at the head or must wait to retry. */
  private async drain(lane: Lane): Promise<void> {
    for (;;) {
      lane.wake = false;
      const batch = this.store.forwards.after(lane.cursor, this.options.batch);
      if (batch.length === 0) return;
      for (const delivery of batch) {
        if (this.stopped || lane.removed) return;
        if (lane.fields && ![...deliveryFields(delivery.body)].some((field) => lane.fields!.includes(field))) {
          lane.cursor = delivery.id;
          continue;
        }
        lane.abort = new AbortController();
        const attempt = await this.post(lane.url, delivery, lane.abort);
        lane.abort = null;
        if (this.stopped || lane.removed) return;
        lane.attempts.push({ deliveryId: delivery.id, attempt });
        if (worthRetrying(attempt)) {
          this.waitToRetry(lane, delivery, attempt);
          return;
        }
        if (lane.failures > 0) this.log(`forward: ${lane.url} answers again (after ${lane.failures} failed ${lane.failures === 1 ? 'try' : 'tries'})`);
        lane.failures = 0;
        lane.cursor = delivery.id;
      }
      this.save(lane);
    }
  }

  private waitToRetry(lane: Lane, delivery: ForwardedDelivery, attempt: Omit<ForwardAttempt, 'target_url'>): void {
    const delay = Math.min(this.options.firstRetryMs * 2 ** lane.failures, this.options.maxRetryMs);
    const why = attempt.status === null ? (attempt.error ?? 'no answer') : `HTTP ${attempt.status}`;
    lane.lastError = why;
    if (lane.failures === 0) {
      this.log(`forward: ${lane.url} did not take delivery ${delivery.id} (${why}); retrying with backoff, the deliveries after it wait in order`);
    }
    lane.failures++;
    lane.retryTimer = setTimeout(() => {
      lane.retryTimer = null;
      this.run(lane);
    }, delay);
    lane.retryTimer.unref();
  }

  /** Saves the lane's attempts and cursor in one transaction. */
  private save(lane: Lane): void {
    const attempts = lane.attempts;
    lane.attempts = [];
    this.store.transaction(() => {
      for (const { deliveryId, attempt } of attempts) this.store.forwards.recordAttempt(lane.id, deliveryId, attempt);
      this.store.forwards.advance(lane.id, lane.cursor);
    });
  }

  private async post(url: string, delivery: ForwardedDelivery, abort: AbortController): Promise<Omit<ForwardAttempt, 'target_url'>> {
    const started = this.now();
    const attempted = { attempted_at: started, resend: false };
    try {
      const response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': delivery.signature, [DELIVERY_HEADER]: String(delivery.id) },
        body: new Uint8Array(delivery.body),
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.arrayBuffer();
      return { ...attempted, status: response.status, latency_ms: this.now() - started, error: response.ok ? null : `HTTP ${response.status}` };
    } catch (error) {
      return { ...attempted, status: null, latency_ms: this.now() - started, error: describeFailure(error, this.options.timeoutMs) };
    }
  }
}

/** Why a relay got no answer, said for a developer watching their own app: refused, timed out, unknown host… */
function describeFailure(error: unknown, timeoutMs: number): string {
  const reason = fetchFailure(error, timeoutMs);
  return reason === 'ECONNREFUSED' ? 'connection refused (is it running?)' : reason === 'ENOTFOUND' ? 'unknown host' : reason;
}
