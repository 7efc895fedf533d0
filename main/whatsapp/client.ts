import type { DeliveryError } from '../../shared/contract';

/** Who a reply goes to: the phone-based id when known, else the business-scoped user id. */
export type Recipient = { waId: string | null; userId: string | null };

/** A text reply, optionally quoting an earlier message by wamid. */
export type OutgoingText = { phoneNumberId: string; to: Recipient; text: string; replyTo: string | null };

/** Meta accepted the send (not yet delivered) and named it, or refused it with its error. */
export type SendResult = { ok: true; wamid: string } | { ok: false; error: DeliveryError };

/** Something that delivers sends to WhatsApp: Meta's Graph API, or the sandbox simulator. */
export interface WhatsAppClient {
  sendText(message: OutgoingText): Promise<SendResult>;
}
