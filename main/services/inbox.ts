import type { ServerEvent } from '../../shared/contract';
import type { Store } from '../store';
import type { ParsedDelivery, ParsedMessage, ParsedStatus } from '../whatsapp/webhook-parser';
import type { EventBus } from './event-bus';
import { applyEarlyStatuses, applyStatus } from './status-updates';

/** A signed webhook delivery as received, for the raw log. */
export type ReceivedDelivery = { body: Buffer; signature: string; receivedAtMs: number };

/** Turns webhook deliveries into stored messages, statuses and events, one transaction per delivery. */
export class Inbox {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  /**
   * Stores everything in one delivery. Returns after the commit (the caller then answers 200):
   * a redelivered wamid or a repeated status changes nothing and emits nothing.
   */
  ingest(delivery: ReceivedDelivery, parsed: ParsedDelivery): ServerEvent[] {
    const events = this.store.transaction(() => {
      const produced: ServerEvent[] = [];
      for (const message of parsed.messages) produced.push(...this.storeMessage(message, delivery.receivedAtMs));
      for (const status of parsed.statuses) produced.push(...this.storeStatus(status, delivery.receivedAtMs));
      const usable = parsed.messages.length + parsed.statuses.length > 0;
      this.store.webhooks.record(delivery.receivedAtMs, delivery.signature, delivery.body, usable ? 'processed' : 'ignored');
      return produced;
    });
    this.bus.publish(events);
    return events;
  }

  private storeMessage(parsed: ParsedMessage, nowMs: number): ServerEvent[] {
    const { store } = this;
    const { conversation, changed } = store.conversations.resolve(parsed.phoneNumberId, parsed.customer);
    const message = store.messages.insert(
      {
        conversation_id: conversation.id,
        wamid: parsed.wamid,
        direction: parsed.direction,
        type: parsed.type,
        text: parsed.text,
        timestamp: parsed.timestampMs,
        // Inbound messages were delivered to us; an echo was sent from the WhatsApp Business app and
        // accepted by Meta, so it starts at ✓ and follows its status webhooks from there.
        status: parsed.direction === 'in' ? 'delivered' : 'sent',
        reply_to: parsed.replyTo,
        raw: parsed.raw,
      },
      nowMs,
    );
    if (!message) {
      // Redelivery: the message is already stored; only a changed profile name is news.
      return changed ? [this.conversationUpdate(conversation.id, nowMs)] : [];
    }
    const updated = store.conversations.recordActivity(conversation.id, {
      timestampMs: parsed.timestampMs,
      preview: parsed.text,
      inbound: parsed.direction === 'in',
    });
    return [
      store.events.append({ type: 'new_message', conversation_id: conversation.id, message }, nowMs),
      ...applyEarlyStatuses(store, message, nowMs),
      store.events.append({ type: 'conversation_update', conversation_id: conversation.id, conversation: updated }, nowMs),
    ];
  }

  private storeStatus(parsed: ParsedStatus, nowMs: number): ServerEvent[] {
    const record = { status: parsed.status, timestampMs: parsed.timestampMs, error: parsed.error };
    const message = this.store.messages.findByWamid(parsed.wamid);
    if (!message) {
      this.store.messages.holdEarlyStatus(parsed.wamid, record);
      return [];
    }
    const event = applyStatus(this.store, message, record, nowMs);
    return event ? [event] : [];
  }

  private conversationUpdate(conversationId: number, nowMs: number): ServerEvent {
    const conversation = this.store.conversations.get(conversationId);
    if (!conversation) throw new Error(`conversation ${conversationId} vanished inside its own transaction`);
    return this.store.events.append({ type: 'conversation_update', conversation_id: conversationId, conversation }, nowMs);
  }
}
