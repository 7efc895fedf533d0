import { fail, ok, type OperationResult, type Result, type ValidOperationRequest } from '../../shared/contract';
import type { Store } from '../store';
import { parseWebhook } from '../whatsapp/webhook-parser';
import type { Inbox } from './inbox';
import type { WebhookForwarder } from './webhook-forwarder';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Counts of refused webhook requests by reason: counted, never stored. */
export class RejectionCounter {
  private readonly counts: Record<string, number> = {};

  add(reason: string): number {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    return Object.values(this.counts).reduce((sum, n) => sum + n, 0);
  }

  snapshot(): Record<string, number> {
    return { ...this.counts };
  }
}

/** The webhook log for integrators: list deliveries with their relays, replay one, re-send one, prune old ones. */
export class WebhookAdmin {
  constructor(
    private readonly store: Store,
    private readonly inbox: Inbox,
    private readonly rejected: RejectionCounter,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
    private readonly forwarder: WebhookForwarder | null = null,
  ) {}

  list(request: ValidOperationRequest<'listWebhooks'>): OperationResult<'listWebhooks'> {
    const entries = this.store.webhooks.list(request.before, request.limit ?? 50);
    const attempts = this.store.forwards.attempts(entries.map((entry) => entry.id));
    return {
      deliveries: entries.map((entry) => ({
        ...entry,
        forwards: (attempts.get(entry.id) ?? []).map((attempt) => ({ ...attempt, attempted_at: new Date(attempt.attempted_at).toISOString() })),
      })),
      rejected: this.rejected.snapshot(),
      retention_days: this.retentionDays,
      forward_targets: this.forwarder?.targets() ?? [],
    };
  }

  /** Relays one logged delivery again to a configured forward target. */
  async forward(request: ValidOperationRequest<'forwardWebhook'>): Promise<Result<OperationResult<'forwardWebhook'>>> {
    if (!this.forwarder) return fail('bad_request', 'no forward target is configured (start the gateway with --forward-to <url>)');
    const attempt = await this.forwarder.resend(request.id, request.target);
    if (attempt === 'no_target') return fail('bad_request', `target: ${request.target} is not a forward target (${this.forwarder.targets().map((target) => target.url).join(', ')})`);
    if (attempt === 'no_delivery') return fail('not_found', `webhook delivery ${request.id} is not in the log (older than ${this.retentionDays} days?)`);
    return ok({ ...attempt, attempted_at: new Date(attempt.attempted_at).toISOString() });
  }

  /** Parses a stored delivery again and applies what is new; what is already stored is a no-op. */
  replay(request: ValidOperationRequest<'replayWebhook'>): Result<OperationResult<'replayWebhook'>> {
    const logged = this.store.webhooks.body(request.id);
    if (!logged) return fail('not_found', `webhook delivery ${request.id} is not in the log (older than ${this.retentionDays} days?)`);
    let json: unknown;
    try {
      json = JSON.parse(logged.body.toString('utf8'));
    } catch {
      return fail('bad_request', `webhook delivery ${request.id} is not valid JSON`);
    }
    const outcome = this.inbox.replay({ id: request.id, receivedAtMs: this.now(), parsed: parseWebhook(json, logged.receivedAtMs) });
    return ok({ id: request.id, events: outcome.events.length, ignored: outcome.ignored, ...(outcome.failed ? { failed: outcome.failed } : {}) });
  }

  /** Deletes deliveries older than the retention (and their relays' attempts); returns how many deliveries. */
  prune(): number {
    const removed = this.store.webhooks.prune(this.now() - this.retentionDays * DAY_MS);
    if (removed > 0) this.store.forwards.prune();
    return removed;
  }
}
