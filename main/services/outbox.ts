import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { attachmentCheck, fail, ok, type AttachmentKind, type DeliveryError, type Message, type Result, type ServerEvent, type ValidOperationRequest } from '../../shared/contract';
import type { Store } from '../store';
import { WINDOW_MS } from '../store/conversation-repo';
import { keepBytes, mediaFilePath, removeUnkeptFiles } from '../store/media-files';
import type { OutboxKind, OutboxRow } from '../store/outbox-repo';
import type { OutgoingBody, Recipient, RetryAdvice, SendResult, WhatsAppClient } from '../whatsapp/client';
import type { EventBus } from './event-bus';
import { applyEarlyStatuses } from './status-updates';
import { SweepingMap } from './sweeping-map';
import { TokenBucket } from './token-bucket';

/** When agents' read receipts (blue ticks on the customer's phone) go out. */
export type ReadReceiptPolicy = 'on_open' | 'on_reply' | 'never';

/** Retry and throughput settings; the defaults follow Meta's documented limits. */
export type OutboxOptions = {
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  /** Per business number: Meta's default throughput is 80 messages/s. */
  perNumber: { capacity: number; perSecond: number };
  /** Per customer: about one message every 6 s, with a burst for agents typing several bubbles. */
  perRecipient: { capacity: number; intervalMs: number };
  readReceipts: ReadReceiptPolicy;
  random: () => number;
  /** Where files are kept by hash (the media archive's folder): agents' attachments wait there until sent. */
  mediaFolder: string | null;
  /** The text a template sends with its parameters, when the template is known (shown as the message's text). */
  renderTemplate: (name: string, language: string, parameters: readonly string[]) => string | null;
};

/** Six attempts over about a minute; 80/s per number, evenly paced; bursts of 20 then one per 6 s per customer. */
export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 6,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  perNumber: { capacity: 1, perSecond: 80 },
  perRecipient: { capacity: 20, intervalMs: 6_000 },
  readReceipts: 'on_open',
  random: Math.random,
  mediaFolder: null,
  renderTemplate: () => null,
};


/** Typing indicators last 25 s on the customer's phone; one every 20 s keeps it up while the agent types. */
const TYPING_INDICATOR_EVERY_MS = 20_000;

/** An attachment as queued: the kept file, uploaded at each attempt (an upload delivers nothing by itself). */
type QueuedFile = { type: 'file'; kind: AttachmentKind; sha256: string; mimeType: string; filename: string; caption?: string };

type QueuedRequest = { body: Exclude<OutgoingBody, { type: 'media' }> | QueuedFile; replyTo: string | null; to: Recipient; callbackData: string | null };

const INTERRUPTED: DeliveryError = {
  code: null,
  title: 'Sending was interrupted',
  details: 'The app stopped while this message was being sent; WhatsApp may have received it. Retry sends it again.',
};

/**
 * Agents' sends. Each is stored first (pending, clock) with a client message id, queued durably,
 * then handed to WhatsApp within Meta's throughput limits, retried with backoff and jitter while
 * Meta says "later", and marked failed with Meta's code and text when it says "no". The guarantee:
 * a send is delivered to WhatsApp at most once unless the agent presses Retry. A double click (the
 * same client message id) is the same send, and a send whose outcome is unknown (the connection
 * broke after the request left, or the app stopped mid-send) is never repeated automatically.
 */
export class Outbox {
  private readonly busyRecipients = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  // A full bucket is a new one, a typing indicator older than its throttle is none: both are swept.
  private readonly perNumber = new SweepingMap<string, TokenBucket>((bucket, nowMs) => bucket.isFull(nowMs));
  private readonly perRecipient = new SweepingMap<string, TokenBucket>((bucket, nowMs) => bucket.isFull(nowMs));
  private readonly typingSentAt = new SweepingMap<number, number>((sentAt, nowMs) => nowMs - sentAt >= TYPING_INDICATOR_EVERY_MS);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private options: OutboxOptions;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly client: WhatsAppClient,
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = (line) => console.error(line),
    options: Partial<OutboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
  }

  /** The read-receipt policy changed in the settings: from the next receipt on. */
  setReadReceipts(policy: ReadReceiptPolicy): void {
    this.options = { ...this.options, readReceipts: policy };
  }

  /** Resumes after a start: interrupted sends are marked failed (never re-sent blindly), queued ones go out. */
  start(): void {
    const nowMs = this.now();
    const events = this.store.transaction(() =>
      this.store.outbox.inFlight().flatMap((row) => {
        this.store.outbox.finish(row.id);
        const message = this.store.messages.get(row.message_id);
        // A status webhook carrying our callback data may already have proven it was sent.
        if (!message || row.kind === 'reaction' || message.wamid) return [];
        return [this.failMessage(message, INTERRUPTED, nowMs)];
      }),
    );
    this.bus.publish(events);
    this.kick();
  }

  /** Stops dispatching (shutdown); queued sends stay queued for the next start. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Resolves when every send started so far has its answer from WhatsApp (for shutdown and tests). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * Shutdown: stops dispatching, gives sends already on their way `graceMs` to be answered, then
   * ends the ones still waiting (recorded as failed, "may still have been accepted": never re-sent
   * blindly) so that quitting never hangs on a Graph API that does not answer.
   */
  async close(graceMs: number): Promise<void> {
    this.stop();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.settle(), graceOver]);
    clearTimeout(timer);
    if (this.inFlight.size > 0) {
      this.log(`outbox: ${this.inFlight.size} request(s) to WhatsApp still unanswered after ${graceMs} ms; ending them for shutdown`);
      this.client.abortPending?.();
    }
    await this.settle();
  }

  sendText(request: ValidOperationRequest<'sendMessage'>, sentBy: string): Result<Message> {
    const existing = this.sameSend(request.client_message_id);
    if (existing) return ok(existing);
    const target = this.openConversation(request.conversation_id, true);
    if (!target.ok) return target;
    if (request.reply_to) {
      const quoted = this.store.messages.findByWamid(request.reply_to);
      if (!quoted || quoted.conversation_id !== request.conversation_id) {
        return fail('bad_request', `reply_to: message ${request.reply_to} is not in this conversation`);
      }
    }
    if (this.options.readReceipts === 'on_reply') this.sendReadReceipt(request.conversation_id, false);
    return this.enqueueMessage(request.conversation_id, target.value, {
      kind: 'text',
      type: 'text',
      text: request.text,
      body: { type: 'text', text: request.text, previewUrl: request.preview_url ?? false },
      replyTo: request.reply_to ?? null,
      clientMessageId: request.client_message_id,
      sentBy,
    });
  }

  sendTemplate(request: ValidOperationRequest<'sendTemplate'>, sentBy: string): Result<Message> {
    const existing = this.sameSend(request.client_message_id);
    if (existing) return ok(existing);
    const target = this.openConversation(request.conversation_id, false);
    if (!target.ok) return target;
    const parameters = request.parameters ?? [];
    return this.enqueueMessage(request.conversation_id, target.value, {
      kind: 'template',
      type: 'template',
      text: this.options.renderTemplate(request.name, request.language, parameters) ?? `📋 ${request.name}${parameters.length > 0 ? `: ${parameters.join(' · ')}` : ''}`,
      body: { type: 'template', name: request.name, language: request.language, parameters },
      replyTo: null,
      clientMessageId: request.client_message_id,
      sentBy,
    });
  }

  /**
   * Sends a photo, video, audio file or document: checked against WhatsApp's types and limits,
   * kept under its hash (so the agent sees it at once and it survives a restart), then uploaded
   * and sent by media id from the queue, with the same retries and ticks as a text.
   */
  sendAttachment(request: ValidOperationRequest<'sendAttachment'>, sentBy: string): Result<Message> {
    const existing = this.sameSend(request.client_message_id);
    if (existing) return ok(existing);
    const folder = this.options.mediaFolder;
    if (!folder) return fail('unavailable', 'this gateway keeps no files, so it cannot send attachments');
    const check = attachmentCheck({ mimeType: request.mime_type, size: request.data.byteLength });
    if (!check.ok) {
      const code = { type: 'unsupported_media_type', size: 'payload_too_large', empty: 'bad_request' } as const;
      return fail(code[check.problem], `${request.filename}: ${check.reason}`);
    }
    const target = this.openConversation(request.conversation_id, true);
    if (!target.ok) return target;
    if (request.reply_to && this.store.messages.findByWamid(request.reply_to)?.conversation_id !== request.conversation_id) {
      return fail('bad_request', `reply_to: message ${request.reply_to} is not in this conversation`);
    }
    const sha256 = keepBytes(folder, request.data);
    const caption = request.caption?.trim() || undefined;
    const file: QueuedFile = { type: 'file', kind: check.kind, sha256, mimeType: request.mime_type, filename: request.filename, ...(caption ? { caption } : {}) };
    const label = { image: '📷 Photo', video: '🎥 Video', audio: '🎵 Audio', document: `📄 ${request.filename}` }[check.kind];
    try {
      return this.enqueueMessage(request.conversation_id, target.value, {
        kind: 'media',
        type: check.kind,
        text: caption ?? label,
        body: file,
        content: { media: { id: '', mime_type: request.mime_type, filename: request.filename, ...(caption ? { caption } : {}) } },
        file: { sha256, size: request.data.byteLength },
        replyTo: request.reply_to ?? null,
        clientMessageId: request.client_message_id,
        sentBy,
      });
    } catch (error) {
      // Nothing was stored: the file goes too, unless another message keeps it.
      removeUnkeptFiles(this.store.db, folder, [sha256]);
      throw error;
    }
  }

  /** Reacts to a customer's message (an empty emoji removes the reaction). */
  react(request: ValidOperationRequest<'reactToMessage'>): Result<Message> {
    const message = this.store.messages.get(request.message_id);
    if (!message) return fail('not_found', `message ${request.message_id} does not exist`);
    const targetWamid = message.wamid;
    if (message.direction !== 'in' || !targetWamid) return fail('bad_request', 'message_id: only messages from the customer can get a reaction');
    const target = this.openConversation(message.conversation_id, true);
    if (!target.ok) return target;
    const nowMs = this.now();
    const { updated, events } = this.store.transaction(() => {
      this.store.messages.react(targetWamid, 'business', request.emoji || null, nowMs);
      this.store.outbox.enqueue({
        messageId: message.id,
        kind: 'reaction',
        request: { body: { type: 'reaction', targetWamid, emoji: request.emoji }, replyTo: null, to: target.value, callbackData: null } satisfies QueuedRequest,
        phoneNumberId: this.store.conversations.get(message.conversation_id)?.phone_number_id ?? '',
        recipient: target.value.waId ?? target.value.userId ?? '',
        atMs: nowMs,
      });
      const fresh = this.store.messages.get(message.id) ?? message;
      return { updated: fresh, events: [this.store.events.append({ type: 'message_update', conversation_id: fresh.conversation_id, message: fresh }, nowMs)] };
    });
    this.bus.publish(events);
    this.kick();
    return ok(updated);
  }

  /** Sends a failed message again: the one way out of `failed` (explicit, by the agent). */
  retry(request: ValidOperationRequest<'retryMessage'>): Result<Message> {
    const message = this.store.messages.get(request.message_id);
    if (!message) return fail('not_found', `message ${request.message_id} does not exist`);
    const previous = this.store.outbox.latestFor(message.id);
    if (message.direction !== 'out' || message.status !== 'failed' || !previous) {
      return fail('conflict', `message ${request.message_id} is not a failed send`);
    }
    const nowMs = this.now();
    const { updated, events } = this.store.transaction(() => {
      this.store.messages.setStatus(message.id, 'pending', undefined);
      // The failed attempt's wamid is not this one's: the new attempt gets its own.
      this.store.messages.setWamid(message.id, null);
      this.store.outbox.enqueue({ ...this.queuedCopy(previous), atMs: nowMs });
      const fresh = this.store.messages.get(message.id) ?? message;
      return { updated: fresh, events: [this.store.events.append({ type: 'message_update', conversation_id: fresh.conversation_id, message: fresh }, nowMs)] };
    });
    this.bus.publish(events);
    this.kick();
    return ok(updated);
  }

  /** The agent opened a conversation: with the on_open policy, the customer sees blue ticks. */
  conversationOpened(conversationId: number): void {
    if (this.options.readReceipts === 'on_open') this.sendReadReceipt(conversationId, false);
  }

  /** The agent is typing: the customer sees the typing indicator (which also marks read), unless receipts are off. */
  agentTyping(conversationId: number): void {
    if (this.options.readReceipts === 'never') return;
    const nowMs = this.now();
    if (nowMs - (this.typingSentAt.get(conversationId) ?? 0) < TYPING_INDICATOR_EVERY_MS) return;
    this.typingSentAt.set(conversationId, nowMs, nowMs);
    this.sendReadReceipt(conversationId, true);
  }

  private sameSend(clientMessageId: string | undefined): Message | undefined {
    return clientMessageId ? this.store.messages.findByClientId(clientMessageId) : undefined;
  }

  private openConversation(conversationId: number, freeForm: boolean): Result<Recipient> {
    const routing = this.store.conversations.routing(conversationId);
    if (!routing) return fail('not_found', `conversation ${conversationId} does not exist`);
    if (freeForm) {
      const closesAt = (routing.last_inbound_at ?? 0) + WINDOW_MS;
      if (closesAt <= this.now()) {
        const since = routing.last_inbound_at ? `closed at ${new Date(closesAt).toISOString()}` : 'never opened: the customer has not written yet';
        return fail('outside_window', `the 24-hour customer service window ${since}; send a template instead`);
      }
    }
    return ok({ waId: routing.wa_id, userId: routing.user_id });
  }

  private enqueueMessage(
    conversationId: number,
    to: Recipient,
    send: {
      kind: OutboxKind;
      type: string;
      text: string;
      body: QueuedRequest['body'];
      content?: Message['content'];
      /** An attachment's kept file. */
      file?: { sha256: string; size: number };
      replyTo: string | null;
      clientMessageId: string | undefined;
      sentBy: string;
    },
  ): Result<Message> {
    const nowMs = this.now();
    const clientMessageId = send.clientMessageId ?? randomUUID();
    const phoneNumberId = this.store.conversations.get(conversationId)?.phone_number_id ?? '';
    const { message, events } = this.store.transaction(() => {
      const stored = this.store.messages.insert(
        {
          conversation_id: conversationId,
          wamid: null,
          direction: 'out',
          type: send.type,
          text: send.text,
          timestamp: nowMs,
          status: 'pending',
          reply_to: send.replyTo,
          content: send.content ?? {},
          error: undefined,
          raw: null,
          client_message_id: clientMessageId,
          sent_by: send.sentBy,
        },
        nowMs,
      );
      if (!stored) throw new Error('an outbound message without wamid cannot collide');
      if (send.file) {
        const { sha256, size } = send.file;
        const mimeType = send.content?.media?.mime_type ?? 'application/octet-stream';
        this.store.media.recordSent({ messageId: stored.id, conversationId, kind: send.type, sha256, mimeType, size, nowMs });
        stored.media_file = { state: 'stored', attempts: 0, size, mime_type: mimeType, sha256 };
      }
      const request: QueuedRequest = { body: send.body, replyTo: send.replyTo, to, callbackData: clientMessageId };
      this.store.outbox.enqueue({ messageId: stored.id, kind: send.kind, request, phoneNumberId, recipient: to.waId ?? to.userId ?? '', atMs: nowMs });
      const conversation = this.store.conversations.recordActivity(conversationId, { timestampMs: nowMs, preview: send.text, unread: 0, lastInboundMs: null, message: stored });
      return {
        message: stored,
        events: [this.store.events.append({ type: 'new_message', conversation_id: conversationId, message: stored, conversation }, nowMs)],
      };
    });
    this.bus.publish(events);
    this.kick();
    return ok(message);
  }

  private queuedCopy(row: OutboxRow): { messageId: number; kind: OutboxKind; request: unknown; phoneNumberId: string; recipient: string } {
    return { messageId: row.message_id, kind: row.kind, request: row.request, phoneNumberId: row.phone_number_id, recipient: row.recipient };
  }

  // Sends what is due, within the limits; sends to one customer go one at a time, in order.
  private kick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const nowMs = this.now();
    let numberWaitUntil: number | null = null;
    for (const row of this.store.outbox.due(nowMs)) {
      if (this.busyRecipients.has(row.recipient)) continue;
      const wait = Math.max(this.bucket(this.perNumber, row.phone_number_id, 'number', nowMs).take(nowMs), 0);
      if (wait > 0) {
        numberWaitUntil = nowMs + wait;
        break;
      }
      const pairWait = this.bucket(this.perRecipient, `${row.phone_number_id}:${row.recipient}`, 'recipient', nowMs).take(nowMs);
      if (pairWait > 0) {
        this.store.outbox.requeue(row.id, nowMs + pairWait);
        continue;
      }
      if (!this.store.outbox.start(row.id)) continue;
      this.busyRecipients.add(row.recipient);
      const dispatch = this.dispatch(row).catch((error: unknown) => this.log(`outbox: could not record the outcome of send ${row.id}: ${String(error)}`));
      const tracked = dispatch.finally(() => {
        this.busyRecipients.delete(row.recipient);
        this.inFlight.delete(tracked);
        this.kick();
      });
      this.inFlight.add(tracked);
    }
    // Wake for the next queued send that is not simply waiting for its customer's previous one
    // (that one's completion kicks again).
    const next = this.store.outbox.nextDueAt();
    const wakeAt = numberWaitUntil ?? (next !== null && next > nowMs ? next : null);
    if (wakeAt !== null) {
      this.timer = setTimeout(() => this.kick(), Math.max(1, wakeAt - nowMs));
      this.timer.unref();
    }
  }

  private bucket(buckets: SweepingMap<string, TokenBucket>, key: string, kind: 'number' | 'recipient', nowMs: number): TokenBucket {
    let bucket = buckets.get(key);
    if (!bucket) {
      const { perNumber, perRecipient } = this.options;
      bucket =
        kind === 'number'
          ? new TokenBucket(perNumber.capacity, perNumber.perSecond / 1000, nowMs)
          : new TokenBucket(perRecipient.capacity, 1 / perRecipient.intervalMs, nowMs);
      buckets.set(key, bucket, nowMs);
    }
    return bucket;
  }

  // An attachment is uploaded first; the send names the media id WhatsApp gave it.
  private async outgoingBody(row: OutboxRow, body: QueuedRequest['body']): Promise<{ ok: true; body: OutgoingBody } | Extract<SendResult, { ok: false }>> {
    if (body.type !== 'file') return { ok: true, body };
    const folder = this.options.mediaFolder;
    let bytes: Uint8Array;
    try {
      if (!folder) throw new Error('no media folder');
      bytes = await readFile(mediaFilePath(folder, body.sha256));
    } catch {
      return { ok: false, retry: 'never', error: { code: null, title: 'The attachment is no longer on this computer', details: `${body.filename} could not be read from the media folder` } };
    }
    const upload = await this.client.uploadMedia({ phoneNumberId: row.phone_number_id, bytes, mimeType: body.mimeType, filename: body.filename });
    if (!upload.ok) return { ...upload, error: { ...upload.error, title: `Upload failed: ${upload.error.title}` } };
    return { ok: true, body: { type: 'media', kind: body.kind, mediaId: upload.mediaId, ...(body.caption ? { caption: body.caption } : {}), filename: body.filename } };
  }

  private async dispatch(row: OutboxRow): Promise<void> {
    const request = row.request as QueuedRequest;
    const body = await this.outgoingBody(row, request.body);
    const result = body.ok
      ? await this.client.send({ phoneNumberId: row.phone_number_id, to: request.to, body: body.body, replyTo: request.replyTo, callbackData: request.callbackData })
      : body;
    const nowMs = this.now();
    const events = this.store.transaction((): ServerEvent[] => {
      const message = this.store.messages.get(row.message_id);
      if (result.ok) {
        this.store.outbox.finish(row.id);
        if (!message || row.kind === 'reaction' || message.wamid) return [];
        this.store.messages.setWamid(message.id, result.wamid);
        return applyEarlyStatuses(this.store, { ...message, wamid: result.wamid }, nowMs);
      }
      // `row` was read before this attempt was counted.
      const delay = this.retryDelay(result.retry, row.attempts + 1);
      if (delay !== null) {
        this.store.outbox.requeue(row.id, nowMs + delay);
        return [];
      }
      this.store.outbox.finish(row.id);
      if (!message) return [];
      if (row.kind === 'reaction') return this.withdrawReaction(message, request, nowMs);
      const error = result.retry === 'unknown_outcome' ? { ...result.error, details: `${result.error.details ?? 'WhatsApp may have received it'}; Retry sends it again.` } : result.error;
      return [this.failMessage(message, error, nowMs)];
    });
    this.bus.publish(events);
  }

  // Exponential backoff with jitter for "try later"; Meta's 4^n seconds for the pair limit.
  private retryDelay(advice: RetryAdvice, attempts: number): number | null {
    if (advice === 'never' || advice === 'unknown_outcome' || attempts >= this.options.maxAttempts) return null;
    const { baseMs, maxMs } = this.options.backoff;
    if (advice === 'pair_limit') return Math.min(maxMs, baseMs * 4 ** (attempts - 1));
    if (advice === 'maintenance') return maxMs;
    const ceiling = Math.min(maxMs, baseMs * 2 ** (attempts - 1));
    return Math.round(ceiling / 2 + (this.options.random() * ceiling) / 2);
  }

  private failMessage(message: Message, error: DeliveryError, nowMs: number): ServerEvent {
    this.store.messages.setStatus(message.id, 'failed', error);
    return this.store.events.append(
      { type: 'status_update', conversation_id: message.conversation_id, message_id: message.id, wamid: message.wamid, status: 'failed', error },
      nowMs,
    );
  }

  // A reaction WhatsApp refused is taken off the message again, so the screen tells the truth.
  private withdrawReaction(message: Message, request: QueuedRequest, nowMs: number): ServerEvent[] {
    if (request.body.type !== 'reaction' || !message.wamid) return [];
    this.store.messages.react(message.wamid, 'business', null, nowMs + 1);
    const fresh = this.store.messages.get(message.id) ?? message;
    return [this.store.events.append({ type: 'message_update', conversation_id: fresh.conversation_id, message: fresh }, nowMs)];
  }

  private sendReadReceipt(conversationId: number, typing: boolean): void {
    const latest = this.store.conversations.latestInbound(conversationId);
    if (!latest || (!typing && latest.wamid === latest.receiptWamid)) return;
    const receipt = this.client.markRead({ phoneNumberId: latest.phoneNumberId, wamid: latest.wamid, typing }).then((result) => {
      if (result.ok) this.store.conversations.setReadReceipt(conversationId, latest.wamid);
      else this.log(`outbox: read receipt for ${latest.wamid} failed: ${result.error.title}`);
    });
    const tracked = receipt.catch((error: unknown) => this.log(`outbox: read receipt failed: ${String(error)}`)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
