import type { AttachmentKind, DeliveryError } from '../../shared/contract';

/** Who a reply goes to: the phone-based id when known, else the business-scoped user id. */
export type Recipient = { waId: string | null; userId: string | null };

/** What is sent: a text, an approved template (the only thing allowed outside the 24-hour window), a reaction, or an uploaded file. */
export type OutgoingBody =
  | { type: 'text'; text: string; previewUrl: boolean }
  | { type: 'template'; name: string; language: string; parameters: string[] }
  | { type: 'reaction'; targetWamid: string; emoji: string }
  | { type: 'media'; kind: AttachmentKind; mediaId: string; caption?: string; filename?: string };

/** A file to upload to WhatsApp's media endpoint (`POST /<phone_number_id>/media`), for a send by media id. */
export type MediaUpload = { phoneNumberId: string; bytes: Uint8Array; mimeType: string; filename: string };

/** The media id WhatsApp gave the upload (valid 30 days), or why it failed and whether to try again. */
export type UploadResult = { ok: true; mediaId: string } | { ok: false; error: DeliveryError; retry: RetryAdvice };

/**
 * One send. `callbackData` travels as `biz_opaque_callback_data` and comes back in the status
 * webhooks: it ties a status to our message even when the send response was lost.
 */
export type OutgoingMessage = { phoneNumberId: string; to: Recipient; body: OutgoingBody; replyTo: string | null; callbackData: string | null };

/**
 * What may be done after a failure: `never` (Meta refused it for good), `backoff` (rate limit or
 * temporary outage: not accepted, try again later), `pair_limit` (131056: 4^n seconds for this
 * recipient), `maintenance` (131057: about a minute), `unknown_outcome` (the connection broke after
 * the request left: WhatsApp may have it, so it is not repeated automatically).
 */
export type RetryAdvice = 'never' | 'backoff' | 'pair_limit' | 'maintenance' | 'unknown_outcome';

/** Meta accepted the send (not yet delivered) and named it, or it failed with an error and advice. */
export type SendResult = { ok: true; wamid: string } | { ok: false; error: DeliveryError; retry: RetryAdvice };

/** A read receipt for an inbound message, optionally with the typing indicator (which also marks read). */
export type ReadReceipt = { phoneNumberId: string; wamid: string; typing: boolean };

/** The outcome of a read receipt. */
export type ReceiptResult = { ok: true } | { ok: false; error: DeliveryError };

/** Something that delivers sends to WhatsApp: Meta's Graph API, or the sandbox simulator. */
export interface WhatsAppClient {
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Uploads a file; nothing reaches the customer until a send names its media id. */
  uploadMedia(upload: MediaUpload): Promise<UploadResult>;
  markRead(receipt: ReadReceipt): Promise<ReceiptResult>;
  /**
   * Ends every request still waiting for an answer (shutdown): each resolves at once as an unknown
   * outcome, since WhatsApp may have accepted it. Clients that never wait on a network omit it.
   */
  abortPending?(): void;
}
