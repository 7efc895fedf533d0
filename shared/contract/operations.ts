import { z } from 'zod';
import { ConversationSchema, DeliveryErrorSchema, GatewayInfoSchema, GatewayModeSchema, MediaFileSchema, MessageSchema, MessageStatusSchema } from './entities';
import { PresenceStateSchema, ServerEventSchema } from './events';
import { WorkbenchUpdateSchema, WorkbenchViewSchema } from './workbench';

const conversationId = z.coerce.number().int().positive();

/** Longest text body Meta accepts in one message. */
export const MAX_TEXT_LENGTH = 4096;

/** Longest caption WhatsApp takes on a photo, video or document. */
export const MAX_CAPTION_LENGTH = 1024;

/**
 * An approved message template as the picker shows it: the body with its `{{1}}`… placeholders,
 * how many parameters it takes, and its header, footer and buttons as text.
 */
export const MessageTemplateSchema = z.object({
  name: z.string(),
  language: z.string(),
  category: z.string(),
  body: z.string(),
  parameter_count: z.number().int().nonnegative(),
  header: z.string().optional(),
  footer: z.string().optional(),
  buttons: z.array(z.string()),
});

/** An approved message template. */
export type MessageTemplate = z.infer<typeof MessageTemplateSchema>;

/** When agents' read receipts (blue ticks on the customer's phone) go out. */
export const ReadReceiptPolicySchema = z.enum(['on_open', 'on_reply', 'never']);

/**
 * The WhatsApp connection as the settings screen shows it. Secrets are never sent back: only
 * whether they are set. `source` says where the connection comes from: the environment (which
 * wins, and cannot be edited here) or the saved settings; `secrets_storage` where saved secrets go.
 */
export const SettingsViewSchema = z.object({
  mode: GatewayModeSchema,
  source: z.enum(['environment', 'settings']),
  secrets_storage: z.enum(['os_keychain', 'file']),
  can_edit: z.boolean(),
  phone_number_id: z.string().nullable(),
  waba_id: z.string().nullable(),
  read_receipts: ReadReceiptPolicySchema,
  /** What to paste into Meta's dashboard as the verify token. */
  verify_token: z.string(),
  has_access_token: z.boolean(),
  has_app_secret: z.boolean(),
  /** Meta calls `<your public HTTPS address>` + this path. */
  webhook_path: z.string(),
  /** Where this gateway listens (behind a tunnel or proxy for Meta to reach it). */
  gateway_url: z.string(),
  /** Desktop app only: whether it starts when the user logs in (null elsewhere). */
  launch_at_login: z.boolean().nullable(),
});

/** The settings screen's view. */
export type SettingsView = z.infer<typeof SettingsViewSchema>;

const secretField = z.string().trim().min(8, 'is too short').max(1024).optional();
const graphId = z.string().trim().regex(/^\d{5,30}$/, 'must be the numeric id Meta shows');

/**
 * A change of the connection. Secrets left out keep their saved value. `live` needs an access
 * token, the app secret and the phone number id (given now or saved before).
 */
export const SettingsUpdateSchema = z
  .object({
    mode: GatewayModeSchema,
    access_token: secretField,
    app_secret: secretField,
    phone_number_id: graphId.optional(),
    waba_id: graphId.nullable().optional(),
    verify_token: z.string().trim().regex(/^[\x21-\x7e]{8,128}$/, 'must be 8 to 128 visible ASCII characters').optional(),
    read_receipts: ReadReceiptPolicySchema.optional(),
    /** Desktop app only. */
    launch_at_login: z.boolean().optional(),
  })
  .strict();

/** Largest page of messages or events one call returns. */
export const MAX_PAGE_SIZE = 200;

/** Largest page of the conversation list one call returns. */
export const MAX_CONVERSATION_PAGE = 500;

/**
 * A page of messages, oldest first, with the cursors for the page before it (null at the start of
 * the conversation) and the page after it (null at its newest message).
 */
export const MessagePageSchema = z.object({
  messages: z.array(MessageSchema),
  next_before: z.string().nullable(),
  next_after: z.string().nullable(),
  /**
   * The event log's newest `seq` when the page was read: the page holds every change up to it, and
   * an event after it (one that lands while the page is on its way) is newer than the page.
   */
  seq: z.number().int().nonnegative(),
});

/** A page of messages. */
export type MessagePage = z.infer<typeof MessagePageSchema>;

/** What a search can be narrowed to by media: photos (and stickers), videos, audio, documents, links. */
export const SEARCH_MEDIA_KINDS = ['photo', 'video', 'audio', 'document', 'link'] as const;

/** Largest page of search results one call returns. */
export const MAX_SEARCH_PAGE = 100;

/** One search result: the message, its conversation, and a piece of its text with the matches marked. */
export const SearchHitSchema = z.object({
  message: MessageSchema,
  conversation: z.object({ id: z.number().int().positive(), name: z.string(), phone_number_id: z.string() }),
  /** Up to about 160 characters of the text around the first match; `highlights` are [start, end) offsets into it. */
  snippet: z.object({ text: z.string(), highlights: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])) }),
});

/** A search result. */
export type SearchHit = z.infer<typeof SearchHitSchema>;

/**
 * A page of search results, newest first by Meta's time. `next_before` continues after the last
 * message looked at (null: nothing older matches). A page may hold fewer than `limit` hits when
 * one call's budget of messages to look at ran out first: follow `next_before` for more.
 */
export const SearchPageSchema = z.object({
  hits: z.array(SearchHitSchema),
  next_before: z.string().nullable(),
});

/** A page of search results. */
export type SearchPage = z.infer<typeof SearchPageSchema>;

// Query strings carry booleans as text; IPC carries them as booleans.
const booleanFlag = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

/**
 * Where a message's archived file can be read: `url` is a path on the gateway
 * (`/api/media/<message_id>?expires=…&signature=…`) that works without a token header until
 * `expires_at`, so an `<img>`, `<audio>` or `<video>` can load it; afterwards ask again. With a
 * token, `GET /api/media/<message_id>` reads the same bytes.
 */
export const MediaLinkSchema = z.object({
  url: z.string(),
  expires_at: z.iso.datetime(),
  media_file: MediaFileSchema,
});

/** A media link. */
export type MediaLink = z.infer<typeof MediaLinkSchema>;

/** The formats one conversation exports to: JSON (every field), plain text, a printable HTML transcript. */
export const EXPORT_FORMATS = ['json', 'text', 'html'] as const;

/** A link that downloads one conversation's export until `expires_at` (see EXPORT_PATH). */
export const ExportLinkSchema = z.object({ url: z.string(), expires_at: z.iso.datetime() });

/** A message with its status history, for a "message info" view. */
export const MessageInfoSchema = z.object({
  message: MessageSchema,
  history: z.array(z.object({ status: MessageStatusSchema, timestamp: z.iso.datetime(), error: DeliveryErrorSchema.optional() })),
});

/** A message with its status history. */
export type MessageInfo = z.infer<typeof MessageInfoSchema>;

/** One try at relaying a delivery to a forward target: the target's HTTP status, or why none came. */
export const ForwardAttemptSchema = z.object({
  target_url: z.string(),
  attempted_at: z.iso.datetime(),
  /** Null when the target gave no answer (refused, timed out). */
  status: z.number().int().nullable(),
  latency_ms: z.number().int().nonnegative(),
  error: z.string().nullable(),
  /** Sent again by hand (`forwardWebhook`), outside the target's in-order lane. */
  resend: z.boolean(),
});

/** The gateway calling its own public URL as Meta would: ok, or why Meta could not use it. */
export const PublicUrlCheckSchema = z.union([
  z.object({ callback_url: z.string(), ok: z.literal(true), latency_ms: z.number().int().nonnegative() }),
  z.object({ callback_url: z.string(), ok: z.literal(false), reason: z.enum(['unreachable', 'wrong_token', 'not_this_gateway', 'http_error', 'body_rewritten']), message: z.string() }),
]);

/** Where Meta sends a number's webhooks, layer by layer, as read back from the Graph API. */
export const WebhookRoutingSchema = z.object({
  subscribed_apps: z.array(z.object({ id: z.string().nullable(), name: z.string().nullable(), override_callback_uri: z.string().nullable() })),
  phone_number_override: z.string().nullable(),
  business_account_override: z.string().nullable(),
  app_callback: z.string().nullable(),
  /** Where the number's `messages` webhooks go now (the first layer set). */
  effective: z.string().nullable(),
});

/** Meta's routing of a number's webhooks. */
export type WebhookRouting = z.infer<typeof WebhookRoutingSchema>;

/** A forward target's attempt. */
export type ForwardAttempt = z.infer<typeof ForwardAttemptSchema>;

/** What a delivery can have become in the log. */
export const WEBHOOK_OUTCOMES = ['received', 'processed', 'ignored', 'replayed', 'failed'] as const;

/** A logged webhook delivery (the raw body stays on the gateway), with its relays to forward targets. */
export const WebhookDeliverySchema = z.object({
  id: z.number().int().positive(),
  received_at: z.iso.datetime(),
  outcome: z.enum(WEBHOOK_OUTCOMES),
  detail: z.string(),
  bytes: z.number().int().nonnegative(),
  /** What it carries: `messages`, `statuses`, or Meta's field name (`account_update`, `message_template_status_update`…). */
  fields: z.array(z.string()),
  /** The business numbers it is for. */
  phone_number_ids: z.array(z.string()),
  forwards: z.array(ForwardAttemptSchema),
});

/** A request the webhook route refused (its body is never stored): when, why, and what it looked like. */
export const WebhookRejectionSchema = z.object({
  at: z.iso.datetime(),
  /** `signature`, `content-type`, `json`, `payload_too_large`, `verification`… */
  reason: z.string(),
  method: z.string(),
  content_type: z.string().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  user_agent: z.string().nullable(),
  from: z.string().nullable(),
  /** For a signature mismatch: the start and length of the digest received and of the one expected, never the secret. */
  signature: z.object({ received: z.string().nullable(), received_length: z.number().int(), expected: z.string(), expected_length: z.number().int() }).nullable(),
});

/** A logged delivery, as listed. */
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

/** A refused webhook request. */
export type WebhookRejection = z.infer<typeof WebhookRejectionSchema>;

/** One delivery opened in the inspector: its headers, raw body, signature check and what it became. */
export const WebhookDetailSchema = WebhookDeliverySchema.extend({
  headers: z.record(z.string(), z.string()),
  /** The raw body as received (UTF-8). */
  body: z.string(),
  /** `X-Hub-Signature-256` as received, and whether it matches the body under the app secret in force now. */
  signature: z.object({ header: z.string(), valid: z.boolean() }),
  /** The messages and statuses it carried, and where each is now in the inbox. */
  became: z.array(
    z.object({
      kind: z.enum(['message', 'status']),
      wamid: z.string(),
      status: z.string().nullable(),
      message_id: z.number().int().positive().nullable(),
      conversation_id: z.number().int().positive().nullable(),
    }),
  ),
});

/** An opened delivery. */
export type WebhookDetail = z.infer<typeof WebhookDetailSchema>;

/** Who is connected and what they are doing right now (entries past `expires_at` are left out). */
export const TeamSchema = z.object({
  agents: z.array(z.object({ user: z.string(), state: PresenceStateSchema })),
  typing: z.array(z.object({ user: z.string(), conversation_id: z.number().int().positive(), expires_at: z.iso.datetime() })),
  viewing: z.array(z.object({ user: z.string(), conversation_id: z.number().int().positive(), expires_at: z.iso.datetime() })),
});

/** The team snapshot. */
export type Team = z.infer<typeof TeamSchema>;

/**
 * Every request a client can make, with the runtime schema of its request and of its result. IPC
 * channels, preload functions and HTTP routes are all derived from this one table.
 */
export const operations = {
  getInfo: {
    request: z.object({}).strict(),
    result: GatewayInfoSchema,
  },
  getSettings: {
    request: z.object({}).strict(),
    result: SettingsViewSchema,
  },
  updateSettings: {
    // Only the install's own user (the desktop app, or the token `serve` printed) may change them.
    request: SettingsUpdateSchema,
    result: SettingsViewSchema,
  },
  listConversations: {
    // Newest activity first. `limit` pages the list (`after_id`: the last conversation of the
    // previous page); without it, the whole list. `unread`: only the conversations with unread
    // messages (a client loads those first, so its unread total and filter are exact at once).
    request: z
      .object({
        limit: z.coerce.number().int().min(1).max(MAX_CONVERSATION_PAGE).optional(),
        after_id: z.coerce.number().int().positive().optional(),
        unread: booleanFlag.optional(),
      })
      .strict(),
    result: z.array(ConversationSchema),
  },
  listMessages: {
    // At most one of `before` (older than a cursor), `after` (newer than a cursor), `around` (a page
    // centred on a message: a search result, a quoted message) and `at` (jump to a date); none: the
    // newest page.
    request: z
      .object({
        conversation_id: conversationId,
        before: z.string().min(1).optional(),
        after: z.string().min(1).optional(),
        around: z.coerce.number().int().positive().optional(),
        /** Jump to a date: a page centred on the first message at or after this time (else the newest). */
        at: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
      })
      .strict()
      .refine((request) => [request.before, request.after, request.around, request.at].filter((value) => value !== undefined).length <= 1, {
        message: 'give at most one of before, after, around and at',
      }),
    result: MessagePageSchema,
  },
  sendMessage: {
    request: z
      .object({
        conversation_id: conversationId,
        text: z
          .string()
          .refine((text) => text.trim().length > 0, 'must not be empty')
          .refine((text) => text.length <= MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
        reply_to: z.string().min(1).optional(),
        /** Render a preview of the first link (Meta's `preview_url`). */
        preview_url: z.boolean().optional(),
        /** The caller's idempotency key: the same key is the same send (a double click sends once). */
        client_message_id: z.string().min(8).max(64).optional(),
      })
      .strict(),
    result: MessageSchema,
  },
  sendTemplate: {
    request: z
      .object({
        conversation_id: conversationId,
        name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be a template name: lowercase letters, digits and _'),
        language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en_US'),
        parameters: z.array(z.string().min(1).max(1024)).max(20).optional(),
        client_message_id: z.string().min(8).max(64).optional(),
      })
      .strict(),
    result: MessageSchema,
  },
  reactToMessage: {
    request: z
      .object({
        message_id: z.coerce.number().int().positive(),
        /** One emoji, or empty to remove the reaction. */
        emoji: z.string().max(16),
      })
      .strict(),
    result: MessageSchema,
  },
  sendAttachment: {
    // A photo, video, audio file or document, uploaded to WhatsApp then sent by its media id. Over
    // HTTP the file is the raw request body and the other fields are query parameters.
    request: z
      .object({
        conversation_id: conversationId,
        filename: z.string().trim().min(1, 'must name the file').max(240, 'must be at most 240 characters'),
        mime_type: z.string().min(3).max(255),
        data: z.instanceof(Uint8Array, { message: 'must be the file’s bytes' }),
        caption: z.string().max(MAX_CAPTION_LENGTH, `must be at most ${MAX_CAPTION_LENGTH} characters`).optional(),
        reply_to: z.string().min(1).optional(),
        client_message_id: z.string().min(8).max(64).optional(),
      })
      .strict(),
    result: MessageSchema,
  },
  listTemplates: {
    // The business account's approved message templates (Graph API, with the WABA id), for the
    // composer's picker. `refresh` asks Meta again instead of the copy fetched in the last hour.
    request: z.object({ refresh: booleanFlag.optional() }).strict(),
    result: z.object({ templates: z.array(MessageTemplateSchema), fetched_at: z.iso.datetime() }),
  },
  retryMessage: {
    request: z.object({ message_id: z.coerce.number().int().positive() }).strict(),
    result: MessageSchema,
  },
  markRead: {
    request: z.object({ conversation_id: conversationId }).strict(),
    result: ConversationSchema,
  },
  searchMessages: {
    // Everything in history, offline: words, parts of words, CJK, order ids and phone fragments,
    // accents and case folded. Filters narrow it; `before` pages on, with no cap.
    request: z
      .object({
        q: z
          .string()
          .transform((text) => text.normalize('NFC').trim())
          .refine((text) => text.length > 0, 'must not be empty')
          .refine((text) => text.length <= 200, 'must be at most 200 characters'),
        conversation_id: z.coerce.number().int().positive().optional(),
        phone_number_id: z.string().min(1).max(64).optional(),
        direction: z.enum(['in', 'out']).optional(),
        unread: booleanFlag.optional(),
        media: z.enum(SEARCH_MEDIA_KINDS).optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        before: z.string().regex(/^\d{1,16}(_\d{1,16})?$/, 'not a cursor from this gateway').optional(),
        limit: z.coerce.number().int().min(1).max(MAX_SEARCH_PAGE).optional(),
      })
      .strict(),
    result: SearchPageSchema,
  },
  getMessageInfo: {
    request: z.object({ message_id: z.coerce.number().int().positive() }).strict(),
    result: MessageInfoSchema,
  },
  getMediaLink: {
    // For a message whose file is stored; otherwise `conflict` (still downloading) or
    // `upstream_error` (the download failed for good), with the reason.
    request: z.object({ message_id: z.coerce.number().int().positive() }).strict(),
    result: MediaLinkSchema,
  },
  getExportLink: {
    // The export itself streams from the link, a page at a time, as a download.
    request: z.object({ conversation_id: conversationId, format: z.enum(EXPORT_FORMATS) }).strict(),
    result: ExportLinkSchema,
  },
  retryMediaDownload: {
    // Tries a failed download again at once (before Meta's 7-day deadline); the message's
    // `media_file` follows in `message_update` events.
    request: z.object({ message_id: z.coerce.number().int().positive() }).strict(),
    result: MessageSchema,
  },
  listWebhooks: {
    request: z
      .object({
        before: z.coerce.number().int().positive().optional(),
        limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
        outcome: z.enum(WEBHOOK_OUTCOMES).optional(),
        field: z.string().regex(/^[a-z_]{1,64}$/, 'a webhook field such as messages, statuses or account_update').optional(),
        phone_number_id: z.string().regex(/^\d{1,30}$/, 'digits only').optional(),
        /** Text anywhere in the raw body (a wamid, a customer number, a word). */
        q: z.string().trim().min(1).max(200).optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
    result: z.object({
      deliveries: z.array(WebhookDeliverySchema),
      /** Requests refused since the gateway started (counted, never stored), by reason. */
      rejected: z.record(z.string(), z.number().int().nonnegative()),
      /** The latest refused requests (up to 100), newest first, with what they looked like. */
      rejections: z.array(WebhookRejectionSchema),
      retention_days: z.number().positive(),
      /** Where verified deliveries are relayed (`serve --forward-to`), and which fields (all when null). */
      forward_targets: z.array(z.object({ url: z.string(), fields: z.array(z.string()).nullable() })),
    }),
  },
  getWebhook: {
    request: z.object({ id: z.coerce.number().int().positive() }).strict(),
    result: WebhookDetailSchema,
  },
  checkWebhookSetup: {
    // The public URL (a tunnel), checked now as Meta would call it, and, live with a WABA id, what Meta has.
    request: z.object({}).strict(),
    result: z.object({
      public_url: z.string().nullable(),
      callback_url: z.string().nullable(),
      verify_token: z.string(),
      check: PublicUrlCheckSchema.nullable(),
      routing: WebhookRoutingSchema.nullable(),
      /** Why the routing could not be read (not live, no WABA id, the Graph API's error). */
      routing_error: z.string().nullable(),
    }),
  },
  getWorkbench: {
    // The tunnel in front of the gateway and the forward targets, with where each stands.
    request: z.object({}).strict(),
    result: WorkbenchViewSchema,
  },
  updateWorkbench: {
    // Only the install's own user. A new tunnel is opened before this answers (or has failed, said in the view).
    request: WorkbenchUpdateSchema,
    result: WorkbenchViewSchema,
  },
  connectMeta: {
    // Subscribes the app to the business account and points the phone number's callback override at the public URL.
    request: z.object({}).strict(),
    result: WebhookRoutingSchema,
  },
  forwardWebhook: {
    // Relays one logged delivery again to a forward target, with its original bytes and signature.
    request: z.object({ id: z.coerce.number().int().positive(), target: z.string().min(1) }).strict(),
    result: ForwardAttemptSchema,
  },
  replayWebhook: {
    request: z.object({ id: z.coerce.number().int().positive() }).strict(),
    result: z.object({
      id: z.number().int().positive(),
      events: z.number().int().nonnegative(),
      ignored: z.array(z.string()),
      /** The error, when the delivery still cannot be processed (it stays `failed` in the log). */
      failed: z.string().optional(),
    }),
  },
  getTeam: {
    request: z.object({}).strict(),
    result: TeamSchema,
  },
  setTyping: {
    request: z.object({ conversation_id: z.coerce.number().int().positive() }).strict(),
    result: z.object({ expires_at: z.iso.datetime() }),
  },
  setViewing: {
    request: z.object({ conversation_id: z.coerce.number().int().positive().nullable() }).strict(),
    result: z.object({ expires_at: z.iso.datetime() }),
  },
  setPresence: {
    request: z.object({ state: z.enum(['online', 'away']) }).strict(),
    result: z.object({ state: PresenceStateSchema }),
  },
  listEvents: {
    request: z
      .object({
        since: z.coerce.number().int().nonnegative(),
        limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
      })
      .strict(),
    result: z.object({ events: z.array(ServerEventSchema), resync: z.boolean() }),
  },
} as const;

/** The name of an operation. */
export type OperationName = keyof typeof operations;

/**
 * What a typed caller passes to operation `K`. Schemas also coerce strings (HTTP path and query
 * values) to numbers at run time, but typed callers pass the validated shape.
 */
export type OperationRequest<K extends OperationName> = z.output<(typeof operations)[K]['request']>;

/** The request of operation `K` after validation. */
export type ValidOperationRequest<K extends OperationName> = z.output<(typeof operations)[K]['request']>;

/** What operation `K` returns on success. */
export type OperationResult<K extends OperationName> = z.output<(typeof operations)[K]['result']>;

/** All operation names, in a stable order. */
export const OPERATION_NAMES = Object.keys(operations) as OperationName[];
