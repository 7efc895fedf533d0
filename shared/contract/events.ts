import { z } from 'zod';
import { ConversationSchema, DeliveryErrorSchema, MessageSchema, MessageStatusSchema } from './entities';
import { TunnelStateSchema } from './workbench';

const seq = z.number().int().positive();

/**
 * A message was stored: inbound from a customer, or a new outbound send (pending). `conversation`
 * is its conversation after this message (preview, order, unread count, window): no separate
 * conversation_update follows.
 */
export const NewMessageEventSchema = z.object({
  type: z.literal('new_message'),
  seq,
  conversation_id: z.number().int().positive(),
  message: MessageSchema,
  conversation: ConversationSchema.optional(),
});

/** A stored message changed: edited or deleted by its sender, or its reactions changed. */
export const MessageUpdateEventSchema = z.object({
  type: z.literal('message_update'),
  seq,
  conversation_id: z.number().int().positive(),
  message: MessageSchema,
});

/** A message's delivery status moved forward (never backwards). */
export const StatusUpdateEventSchema = z.object({
  type: z.literal('status_update'),
  seq,
  conversation_id: z.number().int().positive(),
  message_id: z.number().int().positive(),
  wamid: z.string().nullable(),
  status: MessageStatusSchema,
  error: DeliveryErrorSchema.optional(),
});

/** A conversation was created or its name, preview, last activity or unread count changed. */
export const ConversationUpdateEventSchema = z.object({
  type: z.literal('conversation_update'),
  seq,
  conversation_id: z.number().int().positive(),
  conversation: ConversationSchema,
});

/**
 * A conversation is gone with all its messages: the customer was erased (a privacy request) or its
 * history passed the retention setting. Clients drop it, and say so if it was open.
 */
export const ConversationRemovedEventSchema = z.object({
  type: z.literal('conversation_removed'),
  seq,
  conversation_id: z.number().int().positive(),
  reason: z.enum(['erased', 'retention']),
});

/** Whether an agent is connected and at their desk. */
export const PresenceStateSchema = z.enum(['online', 'away', 'offline']);

/** An agent's presence. */
export type PresenceState = z.infer<typeof PresenceStateSchema>;

/** An agent's presence changed: online with a first connection, offline with the last one gone, away when idle. */
export const PresenceEventSchema = z.object({
  type: z.literal('presence'),
  seq,
  user: z.string(),
  state: PresenceStateSchema,
});

/** An agent is typing a reply in a conversation; show it until `expires_at` unless refreshed. */
export const TypingEventSchema = z.object({
  type: z.literal('typing'),
  seq,
  conversation_id: z.number().int().positive(),
  user: z.string(),
  expires_at: z.iso.datetime(),
});

/** An agent opened a conversation (or left it: `conversation_id` null); valid until `expires_at` unless refreshed. */
export const ViewingEventSchema = z.object({
  type: z.literal('viewing'),
  seq,
  conversation_id: z.number().int().positive().nullable(),
  user: z.string(),
  expires_at: z.iso.datetime(),
});

/**
 * The WhatsApp connection changed in the settings (sandbox ↔ live, another number): every client's
 * badge and number follow at once, so no agent believes sends are simulated when they are not.
 */
export const GatewayUpdateEventSchema = z.object({
  type: z.literal('gateway_update'),
  seq,
  mode: z.enum(['sandbox', 'live']),
  phone_number_id: z.string(),
});

/**
 * Deliveries were added to the webhook log or changed outcome, up to `last_id`: one event per
 * commit, not per delivery, so the inspector follows live without weighing on ingest.
 */
export const WebhookLogUpdateEventSchema = z.object({
  type: z.literal('webhook_log_update'),
  seq,
  last_id: z.number().int().nonnegative(),
});

/** The tunnel in front of the gateway opened, failed, closed or went down: its public URL changed. */
export const TunnelUpdateEventSchema = TunnelStateSchema.extend({
  type: z.literal('tunnel_update'),
  seq,
});

/** Every change a client must see, each with the next `seq` of the one event log. */
export const ServerEventSchema = z.discriminatedUnion('type', [
  NewMessageEventSchema,
  MessageUpdateEventSchema,
  StatusUpdateEventSchema,
  ConversationUpdateEventSchema,
  ConversationRemovedEventSchema,
  PresenceEventSchema,
  TypingEventSchema,
  ViewingEventSchema,
  GatewayUpdateEventSchema,
  WebhookLogUpdateEventSchema,
  TunnelUpdateEventSchema,
]);

/** One entry of the event log as delivered over IPC and WebSocket. */
export type ServerEvent = z.infer<typeof ServerEventSchema>;

/** An event before the log has given it a `seq`. */
export type UnsequencedEvent = ServerEvent extends infer E ? (E extends ServerEvent ? Omit<E, 'seq'> : never) : never;

/** The event type names, for exhaustive switches. */
export type ServerEventType = ServerEvent['type'];
