import { fail, ok, type OperationResult, type Result, type ValidOperationRequest } from '../../shared/contract';
import type { Store } from '../store';
import { parseWebhook } from '../whatsapp/webhook-parser';
import type { Inbox } from './inbox';

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

/** The webhook log for integrators: list deliveries, replay one, prune old ones. */
export class WebhookAdmin {
  constructor(
    private readonly store: Store,
    private readonly inbox: Inbox,
    private readonly rejected: RejectionCounter,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  list(request: ValidOperationRequest<'listWebhooks'>): OperationResult<'listWebhooks'> {
    return {
      deliveries: this.store.webhooks.list(request.before, request.limit ?? 50),
      rejected: this.rejected.snapshot(),
      retention_days: this.retentionDays,
    };
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

  /** Deletes deliveries older than the retention; returns how many. */
  prune(): number {
    return this.store.webhooks.prune(this.now() - this.retentionDays * DAY_MS);
  }
}
