import { fail, ok, type Message, type Result, type ServerEvent, type ValidOperationRequest } from '../../shared/contract';
import type { Store } from '../store';
import type { WhatsAppClient } from '../whatsapp/client';
import type { EventBus } from './event-bus';
import { applyEarlyStatuses } from './status-updates';

/**
 * Agents' replies: stored first as pending (clock), then handed to WhatsApp. The tick then follows
 * the status webhooks; a refusal by Meta marks the message failed with Meta's code and text.
 */
export class Outbox {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly client: WhatsAppClient,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  /** Stores the reply and starts sending it; resolves with the pending message, before Meta answers. */
  send(request: ValidOperationRequest<'sendMessage'>): Result<Message> {
    const { store } = this;
    const conversation = store.conversations.get(request.conversation_id);
    const routing = store.conversations.routing(request.conversation_id);
    if (!conversation || !routing) return fail('not_found', `conversation ${request.conversation_id} does not exist`);
    if (request.reply_to) {
      const quoted = store.messages.findByWamid(request.reply_to);
      if (!quoted || quoted.conversation_id !== conversation.id) {
        return fail('bad_request', `reply_to: message ${request.reply_to} is not in this conversation`);
      }
    }
    const nowMs = this.now();
    const { message, events } = store.transaction(() => {
      const stored = store.messages.insert(
        {
          conversation_id: conversation.id,
          wamid: null,
          direction: 'out',
          type: 'text',
          text: request.text,
          timestamp: nowMs,
          status: 'pending',
          reply_to: request.reply_to ?? null,
          content: {},
          error: undefined,
          raw: null,
        },
        nowMs,
      );
      if (!stored) throw new Error('an outbound message without wamid cannot collide');
      const updated = store.conversations.recordActivity(conversation.id, { timestampMs: nowMs, preview: request.text, unread: 0, lastInboundMs: null });
      return {
        message: stored,
        events: [
          store.events.append({ type: 'new_message', conversation_id: conversation.id, message: stored }, nowMs),
          store.events.append({ type: 'conversation_update', conversation_id: conversation.id, conversation: updated }, nowMs),
        ],
      };
    });
    this.bus.publish(events);
    // Recording Meta's answer can still fail (disk full, database closed): log it rather than let
    // an unhandled rejection take the gateway down; the message stays pending, which is the truth.
    const delivery = this.deliver(message, { waId: routing.wa_id, userId: routing.user_id }, conversation.phone_number_id).catch(
      (error: unknown) => this.log(`outbox: could not record the outcome of message ${message.id}: ${String(error)}`),
    );
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
    return ok(message);
  }

  /** Resolves when every send started so far has its answer from WhatsApp (for shutdown and tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async deliver(message: Message, to: { waId: string | null; userId: string | null }, phoneNumberId: string): Promise<void> {
    let outcome;
    try {
      outcome = await this.client.sendText({ phoneNumberId, to, text: message.text, replyTo: message.reply_to });
    } catch (error) {
      outcome = { ok: false as const, error: { code: null, title: 'Sending failed', details: String(error) } };
    }
    const nowMs = this.now();
    const events = this.store.transaction((): ServerEvent[] => {
      if (outcome.ok) {
        this.store.messages.setWamid(message.id, outcome.wamid);
        return applyEarlyStatuses(this.store, { ...message, wamid: outcome.wamid }, nowMs);
      }
      this.store.messages.setStatus(message.id, 'failed', outcome.error);
      return [
        this.store.events.append(
          {
            type: 'status_update',
            conversation_id: message.conversation_id,
            message_id: message.id,
            wamid: null,
            status: 'failed',
            error: outcome.error,
          },
          nowMs,
        ),
      ];
    });
    this.bus.publish(events);
  }
}
