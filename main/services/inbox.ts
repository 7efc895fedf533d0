import type { Message, ServerEvent } from '../../shared/contract';
import type { Store } from '../store';
import { isStorageFailure } from '../store/storage-failure';
import type { IncomingDelivery, WebhookOutcome } from '../store/webhook-log';
import {
  updateCount,
  type ParsedChange,
  type ParsedContactName,
  type ParsedDelivery,
  type ParsedMediaFill,
  type ParsedMessage,
  type ParsedReaction,
  type ParsedStatus,
} from '../whatsapp/webhook-parser';
import type { EventBus } from './event-bus';
import { applyEarlyStatuses, applyStatus } from './status-updates';

/** A signed webhook delivery as received, with what the parser made of it. */
export type ReceivedDelivery = { delivery: IncomingDelivery; parsed: ParsedDelivery };

/** A delivery already in the webhook log: its id, arrival time and parsed content. */
export type LoggedDelivery = { id: number; receivedAtMs: number; parsed: ParsedDelivery };

/**
 * What was done with one delivery. `failed` holds the error when processing it threw: its own
 * writes were rolled back, the raw delivery is kept in the log as `failed`, and the others in the
 * same commit were stored regardless.
 */
export type IngestOutcome = { events: ServerEvent[]; ignored: string[]; failed?: string };

/** Turns webhook deliveries into stored messages, statuses, reactions and events. */
export class Inbox {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Logs and processes one delivery in one transaction, then publishes (tests and direct callers). */
  ingest(received: ReceivedDelivery): IngestOutcome {
    const [outcome] = this.ingestMany([received]);
    if (!outcome) throw new Error('ingestMany returned no outcome');
    return outcome;
  }

  /** Logs and processes several deliveries in ONE transaction, then publishes. */
  ingestMany(batch: readonly ReceivedDelivery[]): IngestOutcome[] {
    return this.commitAndPublish(() =>
      this.applyAll(
        batch.map(({ delivery, parsed }) => ({ receivedAtMs: delivery.receivedAtMs, parsed })),
        // Logged once, with its final outcome, after it was applied.
        (index, outcome, detail) => {
          const item = batch[index];
          if (item) this.store.webhooks.record(item.delivery, outcome, detail);
        },
      ),
    );
  }

  /**
   * Processes deliveries already durable in the webhook log (acknowledged to Meta) in ONE
   * transaction that also marks them processed: each is applied exactly once, even across a crash.
   * A redelivered wamid or a repeated status changes nothing and emits nothing.
   */
  processLogged(rows: readonly LoggedDelivery[]): IngestOutcome[] {
    return this.commitAndPublish(() => this.applyAll(rows, (index, outcome, detail) => this.markLogged(rows[index], outcome, detail)));
  }

  /** Processes a logged delivery again (after a parser improvement); a no-op for what is already stored. */
  replay(row: LoggedDelivery): IngestOutcome {
    // A delivery that still cannot be processed stays `failed`, with the new error.
    const mark = (_index: number, outcome: WebhookOutcome, detail: string) => this.markLogged(row, outcome === 'failed' ? 'failed' : 'replayed', detail);
    const [outcome] = this.commitAndPublish(() => this.applyAll([row], mark));
    if (!outcome) throw new Error('replay returned no outcome');
    return outcome;
  }

  private markLogged(row: LoggedDelivery | undefined, outcome: WebhookOutcome, detail: string): void {
    if (row) this.store.webhooks.setOutcome(row.id, outcome, detail);
  }

  /**
   * Runs `work` (which changes the webhook log) in one transaction with one `webhook_log_update`
   * event, then publishes what it produced: one event per commit, however many deliveries.
   */
  private commitAndPublish(work: () => IngestOutcome[]): IngestOutcome[] {
    const [outcomes, logChanged] = this.store.transaction(() => {
      const done = work();
      return [done, this.store.events.append({ type: 'webhook_log_update', last_id: this.store.webhooks.head() }, Date.now())] as const;
    });
    this.bus.publish([...outcomes.flatMap((outcome) => outcome.events), logChanged]);
    return outcomes;
  }

  /** Logs deliveries without processing them yet (a large batch): one transaction, one log event. */
  recordOnly(work: () => void): void {
    this.commitAndPublish(() => {
      work();
      return [];
    });
  }

  private applyAll(
    items: readonly { receivedAtMs: number; parsed: ParsedDelivery }[],
    finish: (index: number, outcome: WebhookOutcome, detail: string) => void,
  ): IngestOutcome[] {
    return items.map(({ receivedAtMs, parsed }, index) => {
      let outcome: IngestOutcome;
      try {
        // A savepoint per delivery: one that cannot be stored rolls back alone, never the group.
        outcome = this.store.savepoint(() => this.applyParsed(parsed, receivedAtMs));
      } catch (error) {
        // The storage itself failing is no fault of this delivery: the whole commit must fail so
        // that nothing is acknowledged that is not stored.
        if (isStorageFailure(error)) throw error;
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        this.log(`webhook: a delivery could not be processed (${reason}); its raw bytes are kept as failed, for a replay after a fix`);
        finish(index, 'failed', reason);
        return { events: [], ignored: [], failed: reason };
      }
      finish(index, updateCount(parsed) > 0 ? 'processed' : 'ignored', outcome.ignored.join('; '));
      return outcome;
    });
  }

  private applyParsed(parsed: ParsedDelivery, nowMs: number): IngestOutcome {
    const ignored = [...parsed.ignored];
    const events: ServerEvent[] = [];
    for (const message of parsed.messages) events.push(...this.storeMessage(message, nowMs));
    for (const reaction of parsed.reactions) events.push(...this.storeReaction(reaction, nowMs));
    for (const change of parsed.changes) events.push(...this.storeChange(change, nowMs, ignored));
    for (const status of parsed.statuses) events.push(...this.storeStatus(status, nowMs));
    for (const contact of parsed.contactNames) events.push(...this.storeContactName(contact, nowMs));
    for (const fill of parsed.mediaFills) events.push(...this.storeMediaFill(fill, nowMs, ignored));
    for (const line of ignored) this.log(`webhook: ignored ${line}`);
    return { events, ignored };
  }

  // A new message carries its conversation as it is after the message (preview, order, unread
  // count, window): one event instead of two, for every message the gateway receives.
  private storeMessage(parsed: ParsedMessage, nowMs: number): ServerEvent[] {
    const { store } = this;
    const { row, changed } = store.conversations.resolve(parsed.phoneNumberId, parsed.customer);
    const inbound = parsed.direction === 'in';
    const message = store.messages.insert(
      {
        conversation_id: row.id,
        wamid: parsed.wamid,
        direction: parsed.direction,
        type: parsed.type,
        text: parsed.text,
        timestamp: parsed.timestampMs,
        timestamp_source: parsed.timestampSource,
        // Inbound messages were delivered to us; an echo was sent from the WhatsApp Business app and
        // accepted by Meta, so it starts at ✓ and follows its status webhooks from there. Synced
        // history keeps the status the app knew.
        status: parsed.imported?.status ?? (inbound ? 'delivered' : 'sent'),
        imported: parsed.imported !== undefined,
        reply_to: parsed.replyTo,
        content: parsed.content,
        error: parsed.error,
        raw: parsed.raw,
      },
      nowMs,
    );
    if (!message) {
      // A synced placeholder's media, come in its own history webhook.
      const filled = parsed.imported ? this.fillPlaceholder(parsed, nowMs) : [];
      if (filled.length > 0) return filled;
      // Redelivery: the message is already stored; only a changed profile name is news.
      return changed ? [this.conversationUpdate(row.id, nowMs)] : [];
    }
    // Synced history is old news: it neither counts as unread nor opens the 24-hour window.
    const live = parsed.imported === undefined;
    const activity = {
      timestampMs: parsed.timestampMs,
      preview: parsed.text,
      unread: inbound && live ? 1 : 0,
      lastInboundMs: inbound && live ? parsed.timestampMs : null,
      message,
    };
    const system = parsed.content.system;
    const renumbered = Boolean(system?.new_wa_id || system?.new_user_id);
    if (system && renumbered) store.conversations.changeIdentity(row.id, { waId: system.new_wa_id, userId: system.new_user_id });
    // After a number change the stored identity is no longer `row`'s: read it again.
    const conversation = store.conversations.recordActivity(renumbered ? row.id : row, activity);
    return [
      store.events.append({ type: 'new_message', conversation_id: row.id, message, conversation }, nowMs),
      ...applyEarlyStatuses(store, message, nowMs),
    ];
  }

  // A synced placeholder given its media (by wamid); a repeated or non-media one changes nothing.
  private fillPlaceholder(fill: { wamid: string; type: string; text: string; content: ParsedMessage['content'] }, nowMs: number): ServerEvent[] {
    if (fill.type === 'media_placeholder') return [];
    const placeholder = this.store.messages.findByWamid(fill.wamid);
    if (!placeholder || !this.store.messages.fillPlaceholder(placeholder.id, fill, nowMs)) return [];
    const filled = this.store.messages.get(placeholder.id);
    return filled ? [this.messageUpdate(filled, nowMs)] : [];
  }

  private storeMediaFill(fill: ParsedMediaFill, nowMs: number, ignored: string[]): ServerEvent[] {
    const events = this.fillPlaceholder(fill, nowMs);
    // Kept in the webhook log: a replay once the placeholder's chunk is stored fills it then.
    if (events.length === 0 && !this.store.messages.findByWamid(fill.wamid)) ignored.push(`media for unknown message ${fill.wamid}`);
    return events;
  }

  // The business's own name for a customer (WhatsApp Business app contacts) names the conversation.
  private storeContactName(contact: ParsedContactName, nowMs: number): ServerEvent[] {
    const { row, changed } = this.store.conversations.resolve(contact.phoneNumberId, { waId: contact.waId, userId: null, name: contact.name });
    return changed ? [this.conversationUpdate(row.id, nowMs)] : [];
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
        ? this.store.messages.edit(target.id, parsed)
        : this.store.messages.revoke(target.id, parsed.timestampMs);
    if (!changed) return [];
    const updated = this.store.messages.get(target.id);
    return updated ? [this.messageUpdate(updated, nowMs)] : [];
  }

  private storeStatus(parsed: ParsedStatus, nowMs: number): ServerEvent[] {
    const record = { status: parsed.status, timestampMs: parsed.timestampMs, error: parsed.error };
    const message = this.store.messages.findByWamid(parsed.wamid) ?? this.linkByCallback(parsed);
    if (!message) {
      this.store.messages.holdEarlyStatus(parsed.wamid, record);
      return [];
    }
    const event = applyStatus(this.store, message, record, nowMs);
    return event ? [event] : [];
  }

  // A status for a wamid we never learned (the send response was lost, or the app stopped while
  // sending) still names our send through the callback data we gave it: link them.
  private linkByCallback(parsed: ParsedStatus): Message | undefined {
    if (!parsed.callbackData) return undefined;
    const message = this.store.messages.findByClientId(parsed.callbackData);
    if (!message || message.wamid !== null || message.direction !== 'out') return undefined;
    this.store.messages.setWamid(message.id, parsed.wamid);
    return { ...message, wamid: parsed.wamid };
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
