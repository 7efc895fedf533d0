import { fail, ok, type OperationResult, type Result, type ValidOperationRequest, type WebhookRejection } from '../../shared/contract';
import type { Store } from '../store';
import { parseWebhook } from '../whatsapp/webhook-parser';
import type { Inbox } from './inbox';
import type { WebhookForwarder } from './webhook-forwarder';
import { isValidWebhookSignature } from '../whatsapp/signature';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What a refused request looked like, for the inspector: never its body, never the secret. */
export type RejectedRequest = Omit<WebhookRejection, 'at' | 'reason'>;

/** How many refused requests the inspector lists (the counts cover all since start). */
export const REJECTIONS_KEPT = 100;

/**
 * Refused webhook requests since start: counted by reason, and the latest listed with what they
 * looked like (method, type, size, sender, the signature's digests' start). Kept in memory only;
 * their bodies are never stored.
 */
export class RejectionCounter {
  private readonly counts: Record<string, number> = {};
  private readonly recent: WebhookRejection[] = [];

  add(reason: string, request?: RejectedRequest, atMs = Date.now()): number {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    if (request) {
      this.recent.unshift({ at: new Date(atMs).toISOString(), reason, ...request });
      this.recent.length = Math.min(this.recent.length, REJECTIONS_KEPT);
    }
    return Object.values(this.counts).reduce((sum, n) => sum + n, 0);
  }

  snapshot(): Record<string, number> {
    return { ...this.counts };
  }

  latest(): WebhookRejection[] {
    return [...this.recent];
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
    const entries = this.store.webhooks.list(
      {
        ...(request.before !== undefined ? { before: request.before } : {}),
        ...(request.outcome ? { outcome: request.outcome } : {}),
        ...(request.field ? { field: request.field } : {}),
        ...(request.phone_number_id ? { phoneNumberId: request.phone_number_id } : {}),
        ...(request.q ? { text: request.q } : {}),
        ...(request.from ? { fromMs: Date.parse(request.from) } : {}),
        ...(request.to ? { toMs: Date.parse(request.to) } : {}),
      },
      request.limit ?? 50,
    );
    const attempts = this.store.forwards.attempts(entries.map((entry) => entry.id));
    return {
      deliveries: entries.map((entry) => ({
        ...entry,
        forwards: (attempts.get(entry.id) ?? []).map((attempt) => ({ ...attempt, attempted_at: new Date(attempt.attempted_at).toISOString() })),
      })),
      rejected: this.rejected.snapshot(),
      rejections: this.rejected.latest(),
      retention_days: this.retentionDays,
      forward_targets: this.forwarder?.targets() ?? [],
    };
  }

  /** One delivery for the inspector: headers, raw body, the signature checked again, and what it became. */
  detail(request: ValidOperationRequest<'getWebhook'>, appSecret: string): Result<OperationResult<'getWebhook'>> {
    const logged = this.store.webhooks.get(request.id);
    if (!logged) return fail('not_found', `webhook delivery ${request.id} is not in the log (older than ${this.retentionDays} days?)`);
    const { body, signature, headers, ...entry } = logged;
    const forwards = (this.store.forwards.attempts([entry.id]).get(entry.id) ?? []).map((attempt) => ({ ...attempt, attempted_at: new Date(attempt.attempted_at).toISOString() }));
    return ok({
      ...entry,
      forwards,
      headers,
      body: body.toString('utf8'),
      signature: { header: signature, valid: isValidWebhookSignature(body, signature, appSecret) },
      became: this.became(body),
    });
  }

  /** The messages and statuses a delivery carried, and what each is now in the inbox. */
  private became(body: Buffer): OperationResult<'getWebhook'>['became'] {
    let parsed;
    try {
      parsed = parseWebhook(JSON.parse(body.toString('utf8')), this.now());
    } catch {
      return [];
    }
    const found = (wamid: string) => this.store.messages.findByWamid(wamid);
    return [
      ...parsed.messages.map((message) => {
        const stored = found(message.wamid);
        return { kind: 'message' as const, wamid: message.wamid, status: stored?.status ?? null, message_id: stored?.id ?? null, conversation_id: stored?.conversation_id ?? null };
      }),
      ...parsed.statuses.map((status) => {
        const stored = found(status.wamid);
        return { kind: 'status' as const, wamid: status.wamid, status: status.status, message_id: stored?.id ?? null, conversation_id: stored?.conversation_id ?? null };
      }),
    ];
  }

  /** Relays one logged delivery again to a configured forward target. */
  async forward(request: ValidOperationRequest<'forwardWebhook'>): Promise<Result<OperationResult<'forwardWebhook'>>> {
    if (!this.forwarder || this.forwarder.targets().length === 0) return fail('bad_request', 'no forward target is configured (add one in Settings → Developer, or start the gateway with --forward-to <url>)');
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
