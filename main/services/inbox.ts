import type { Message, ServerEvent } from '../../shared/contract';
import type { Store } from '../store';
import type { LoggedDelivery } from '../store/webhook-log';
import type { ParsedChange, ParsedDelivery, ParsedMessage, ParsedReaction, ParsedStatus } from '../whatsapp/webhook-parser';
import type { EventBus } from './event-bus';
import { applyEarlyStatuses, applyStatus } from './status-updates';

/** A signed webhook delivery as received, with what the parser made of it. */
export type ReceivedDelivery = { delivery: LoggedDelivery; parsed: ParsedDelivery };

/** What was done with one delivery. */
export type IngestOutcome = { events: ServerEvent[]; ignored: string[] };

/** Turns webhook deliveries into stored messages, statuses, reactions and events. */
export class Inbox {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Stores one delivery in its own transaction and publishes its events after the commit. */
  ingest(received: ReceivedDelivery): IngestOutcome {
    const [outcome] = this.ingestMany([received]);
    if (!outcome) throw new Error('ingestMany returned no outcome');
    return outcome;
  }

  /**
   * Stores several deliveries in ONE transaction (group commit: one fsync for all), then publishes.
   * A redelivered wamid or a repeated status changes nothing and emits nothing.
   */
  ingestMany(batch: readonly ReceivedDelivery[]): IngestOutcome[] {
    const outcomes = this.store.transaction(() => batch.map((received) => this.apply(received)));
    this.bus.publish(outcomes.flatMap((outcome) => outcome.events));
    return outcomes;
  }

  /** Processes a logged delivery again (after a parser improvement); a no-op for what is already stored. */
  replay(id: number, parsed: ParsedDelivery, nowMs: number): IngestOutcome {
    const outcome = this.store.transaction(() => {
      const applied = this.applyParsed(parsed, nowMs);
      this.store.webhooks.setOutcome(id, 'replayed', applied.ignored.join('; '));
      return applied;
    });
    this.bus.publish(outcome.events);
    return outcome;
  }

  private apply({ delivery, parsed }: ReceivedDelivery): IngestOutcome {
    const outcome = this.applyParsed(parsed, delivery.receivedAtMs);
    const usable = parsed.messages.length + parsed.statuses.length + parsed.reactions.length + parsed.changes.length > 0;
    this.store.webhooks.record(delivery, usable ? 'processed' : 'ignored', outcome.ignored.join('; '));
    return outcome;
  }

  private applyParsed(parsed: ParsedDelivery, nowMs: number): IngestOutcome {
    const ignored = [...parsed.ignored];
    const events: ServerEvent[] = [];
    for (const message of parsed.messages) events.push(...this.storeMessage(message, nowMs));
    for (const reaction of parsed.reactions) events.push(...this.storeReaction(reaction, nowMs));
    for (const change of parsed.changes) events.push(...this.storeChange(change, nowMs, ignored));
    for (const status of parsed.statuses) events.push(...this.storeStatus(status, nowMs));
    for (const line of ignored) this.log(`webhook: ignored ${line}`);
    return { events, ignored };
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
        content: parsed.content,
        error: parsed.error,
        raw: parsed.raw,
      },
      nowMs,
    );
    if (!message) {
      // Redelivery: the message is already stored; only a changed profile name is news.
      return changed ? [this.conversationUpdate(conversation.id, nowMs)] : [];
    }
    const system = parsed.content.system;
    if (system?.new_wa_id || system?.new_user_id) {
      store.conversations.changeIdentity(conversation.id, { waId: system.new_wa_id, userId: system.new_user_id });
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

  private storeReaction(parsed: ParsedReaction, nowMs: number): ServerEvent[] {
    const from = parsed.direction === 'in' ? 'customer' : 'business';
    if (!this.store.messages.react(parsed.targetWamid, from, parsed.emoji, parsed.timestampMs)) return [];
    // Kept by wamid: a reaction to a message not stored yet shows up once that message arrives.
    const target = this.store.messages.findByWamid(parsed.targetWamid);
    return target ? [this.messageUpdate(target, nowMs)] : [];
  }

  private storeChange(parsed: ParsedChange, nowMs: number, ignored: string[]): ServerEvent[] {
    const target = this.store.messages.findByWamid(parsed.targetWamid);
    if (!target) {
      // The raw delivery stays in the webhook log and can be replayed once the original is known.
      ignored.push(`${parsed.kind} of unknown message ${parsed.targetWamid}`);
      return [];
    }
    const changed =
      parsed.kind === 'edit'
        ? this.store.messages.edit(target.id, { type: parsed.type, text: parsed.text, content: parsed.content, timestampMs: parsed.timestampMs })
        : this.store.messages.revoke(target.id, parsed.timestampMs);
    if (!changed) return [];
    const updated = this.store.messages.get(target.id);
    return updated ? [this.messageUpdate(updated, nowMs)] : [];
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

  private messageUpdate(message: Message, nowMs: number): ServerEvent {
    return this.store.events.append({ type: 'message_update', conversation_id: message.conversation_id, message }, nowMs);
  }

  private conversationUpdate(conversationId: number, nowMs: number): ServerEvent {
    const conversation = this.store.conversations.get(conversationId);
    if (!conversation) throw new Error(`conversation ${conversationId} vanished inside its own transaction`);
    return this.store.events.append({ type: 'conversation_update', conversation_id: conversationId, conversation }, nowMs);
  }
}
