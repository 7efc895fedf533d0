import { z } from 'zod';
import { MESSAGE_STATUSES } from '../domain/message-status';
import { MessageContentSchema, ReactionSchema } from './message-content';

/** Runtime schema of a message status. */
export const MessageStatusSchema = z.enum(MESSAGE_STATUSES);

/** Why Meta (or the app) could not deliver a message: Meta's numeric code, title and details. */
export const DeliveryErrorSchema = z.object({
  code: z.number().int().nullable(),
  title: z.string(),
  details: z.string().optional(),
});

/** A delivery error as stored and shown. */
export type DeliveryError = z.infer<typeof DeliveryErrorSchema>;

/**
 * Where a message's file stands in the local archive: `pending` while it is downloaded (and retried
 * with backoff until Meta's 7-day deadline), `stored` once its bytes are verified and kept, `failed`
 * for good with the reason. The bytes are read through the media link (`getMediaLink`).
 */
export const MediaFileSchema = z.object({
  state: z.enum(['pending', 'stored', 'failed']),
  /** Download attempts so far. */
  attempts: z.number().int().nonnegative(),
  /** When the next attempt is due, while pending. */
  next_attempt_at: z.iso.datetime().optional(),
  /** Once stored: its size in bytes, content type and sha256 (hex). */
  size: z.number().int().nonnegative().optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  /** Why it failed (for good when `failed`; the last attempt's reason while `pending`). */
  error: z.string().optional(),
});

/** A message's archived file. */
export type MediaFile = z.infer<typeof MediaFileSchema>;

/** One message in a conversation, inbound (`in`) or sent by an agent (`out`). */
export const MessageSchema = z.object({
  id: z.number().int().positive(),
  conversation_id: z.number().int().positive(),
  wamid: z.string().nullable(),
  direction: z.enum(['in', 'out']),
  type: z.string(),
  text: z.string(),
  timestamp: z.iso.datetime(),
  status: MessageStatusSchema,
  error: DeliveryErrorSchema.optional(),
  reply_to: z.string().nullable(),
  /** The id of the quoted message (`reply_to`) when it is stored, so a client can jump to it. */
  reply_to_id: z.number().int().positive().optional(),
  content: MessageContentSchema,
  reactions: z.array(ReactionSchema),
  /** ISO time of the customer's last edit (Coexistence numbers), else null. */
  edited_at: z.iso.datetime().nullable(),
  /** True when the sender deleted the message for everyone; its text and content are withdrawn. */
  revoked: z.boolean(),
  /** Present when Meta's timestamp was missing or unusable and the arrival time stands in for it. */
  timestamp_source: z.literal('received').optional(),
  /** Present on history synced from the WhatsApp Business app (Coexistence) rather than received live. */
  imported: z.literal(true).optional(),
  /** For a message with a file (image, audio, video, document, sticker): its download and archive state. */
  media_file: MediaFileSchema.optional(),
  /**
   * On a message sent from Switchboard: the agent who sent it ('' when it was sent before agents
   * were recorded). Absent on inbound messages and on what the WhatsApp Business app sent.
   */
  sent_by: z.string().optional(),
});

/** Where a message's time came from: Meta's timestamp, or arrival time when Meta's was unusable. */
export type TimestampSource = 'meta' | 'received';

/** A message as the renderer and API clients see it. */
export type Message = z.infer<typeof MessageSchema>;

/** One customer thread on one business phone number. */
export const ConversationSchema = z.object({
  id: z.number().int().positive(),
  phone_number_id: z.string(),
  wa_id: z.string().nullable(),
  name: z.string(),
  last_message_at: z.iso.datetime().nullable(),
  preview: z.string(),
  unread_count: z.number().int().nonnegative(),
  /**
   * The newest message (what the preview shows): its direction, delivery status and sender, so the
   * list can say "You:" and show its ticks. Null while the conversation has no message.
   */
  last_message: z
    .object({ id: z.number().int().positive(), direction: z.enum(['in', 'out']), status: MessageStatusSchema, sent_by: z.string().optional() })
    .nullable(),
  /** When the 24-hour customer-service window closes (null: the customer never wrote); after it, only templates. */
  window_expires_at: z.iso.datetime().nullable(),
});

/** A conversation as the renderer and API clients see it. */
export type Conversation = z.infer<typeof ConversationSchema>;

/** Whether sends go to Meta's Graph API (`live`) or to the built-in simulator (`sandbox`). */
export const GatewayModeSchema = z.enum(['sandbox', 'live']);

/** The gateway's mode. */
export type GatewayMode = z.infer<typeof GatewayModeSchema>;

/** What a client needs to know about the gateway it is talking to. */
export const GatewayInfoSchema = z.object({
  mode: GatewayModeSchema,
  /** The agent this client is signed in as. */
  user: z.string(),
  phone_number_id: z.string(),
  head_seq: z.number().int().nonnegative(),
  version: z.string(),
  /**
   * Where the gateway listens, as seen from its own machine: the desktop window (a file page)
   * resolves media links against it. Browser clients use the address they reached it at.
   */
  url: z.string(),
});

/** Gateway information. */
export type GatewayInfo = z.infer<typeof GatewayInfoSchema>;
