import type { MediaUpload, OutgoingMessage, ReadReceipt, ReceiptResult, SendResult, UploadResult, WhatsAppClient } from './client';
import type { MediaDownload, MediaFetchFailure, MediaRequest, MediaSource } from './media-source';
import type { TemplateListing, TemplateSource } from './templates';

/** One way of reaching WhatsApp: Meta's Graph API, or the sandbox; with what stops it. */
export type WhatsAppParts = { client: WhatsAppClient; media: MediaSource; templates: TemplateSource | null; stop(): void };

/**
 * The client, file source and template source the gateway uses, switched in place when the
 * settings change (sandbox ↔ live, a new token): the outbox, the media archive and the template
 * catalog keep their reference. A send already in flight finishes on the client it started with.
 */
export class SwitchableWhatsApp implements WhatsAppClient, MediaSource, TemplateSource {
  constructor(private parts: WhatsAppParts) {}

  /** Puts `next` in force and stops the previous one's own timers (the sandbox's simulated webhooks). */
  switchTo(next: WhatsAppParts): void {
    const previous = this.parts;
    this.parts = next;
    previous.stop();
  }

  /** Stops the connection in force (shutdown). */
  stop(): void {
    this.parts.stop();
  }

  /** Whether approved templates can be listed (live needs the business account id). */
  hasTemplates(): boolean {
    return this.parts.templates !== null;
  }

  send(message: OutgoingMessage): Promise<SendResult> {
    return this.parts.client.send(message);
  }

  uploadMedia(upload: MediaUpload): Promise<UploadResult> {
    return this.parts.client.uploadMedia(upload);
  }

  markRead(receipt: ReadReceipt): Promise<ReceiptResult> {
    return this.parts.client.markRead(receipt);
  }

  abortPending(): void {
    this.parts.client.abortPending?.();
  }

  fetchMedia(request: MediaRequest, signal: AbortSignal): Promise<MediaDownload | MediaFetchFailure> {
    return this.parts.media.fetchMedia(request, signal);
  }

  listTemplates(): Promise<TemplateListing> {
    return this.parts.templates?.listTemplates() ?? Promise.resolve({ ok: false, reason: 'no business account id is configured' });
  }
}
