import { z } from 'zod';
import type { OperationName } from './operations';

/** How one operation is reached over HTTP: method, path template (`:name` segments) and where its fields go. */
export type HttpRoute = {
  method: 'GET' | 'POST';
  path: string;
  /** Request fields read from the query string. */
  query?: readonly string[];
  /**
   * Whether the request fields (other than path parameters) come as a JSON body (`true`), or the
   * body is a file's raw bytes (`'bytes'`: the `data` field; the others come in the query).
   */
  body?: boolean | 'bytes';
  /** Status code on success. */
  status: number;
};

/** The local REST API: one route per contract operation, used by the gateway and the browser bridge alike. */
export const HTTP_ROUTES = {
  getInfo: { method: 'GET', path: '/api/info', status: 200 },
  getSettings: { method: 'GET', path: '/api/settings', status: 200 },
  updateSettings: { method: 'POST', path: '/api/settings', body: true, status: 200 },
  listConversations: { method: 'GET', path: '/api/conversations', query: ['limit', 'after_id', 'unread'], status: 200 },
  listMessages: { method: 'GET', path: '/api/conversations/:conversation_id/messages', query: ['before', 'after', 'around', 'at', 'limit'], status: 200 },
  sendMessage: { method: 'POST', path: '/api/conversations/:conversation_id/messages', body: true, status: 201 },
  sendTemplate: { method: 'POST', path: '/api/conversations/:conversation_id/templates', body: true, status: 201 },
  reactToMessage: { method: 'POST', path: '/api/messages/:message_id/reaction', body: true, status: 200 },
  sendAttachment: {
    method: 'POST',
    path: '/api/conversations/:conversation_id/attachments',
    query: ['filename', 'mime_type', 'caption', 'reply_to', 'client_message_id'],
    body: 'bytes',
    status: 201,
  },
  listTemplates: { method: 'GET', path: '/api/templates', query: ['refresh'], status: 200 },
  retryMessage: { method: 'POST', path: '/api/messages/:message_id/retry', status: 200 },
  markRead: { method: 'POST', path: '/api/conversations/:conversation_id/read', status: 200 },
  searchMessages: {
    method: 'GET',
    path: '/api/search',
    query: ['q', 'conversation_id', 'phone_number_id', 'direction', 'unread', 'media', 'from', 'to', 'before', 'limit'],
    status: 200,
  },
  getMessageInfo: { method: 'GET', path: '/api/messages/:message_id/info', status: 200 },
  getMediaLink: { method: 'GET', path: '/api/messages/:message_id/media-link', status: 200 },
  retryMediaDownload: { method: 'POST', path: '/api/messages/:message_id/media/retry', status: 200 },
  getExportLink: { method: 'GET', path: '/api/conversations/:conversation_id/export-link', query: ['format'], status: 200 },
  listWebhooks: { method: 'GET', path: '/api/webhooks', query: ['before', 'limit', 'outcome', 'field', 'phone_number_id', 'q', 'from', 'to'], status: 200 },
  getWebhook: { method: 'GET', path: '/api/webhooks/:id', status: 200 },
  replayWebhook: { method: 'POST', path: '/api/webhooks/:id/replay', status: 200 },
  forwardWebhook: { method: 'POST', path: '/api/webhooks/:id/forward', body: true, status: 200 },
  checkWebhookSetup: { method: 'GET', path: '/api/webhook-setup', status: 200 },
  connectMeta: { method: 'POST', path: '/api/webhook-setup/connect-meta', status: 200 },
  getWorkbench: { method: 'GET', path: '/api/workbench', status: 200 },
  updateWorkbench: { method: 'POST', path: '/api/workbench', body: true, status: 200 },
  getTeam: { method: 'GET', path: '/api/team', status: 200 },
  setTyping: { method: 'POST', path: '/api/conversations/:conversation_id/typing', status: 200 },
  setViewing: { method: 'POST', path: '/api/viewing', body: true, status: 200 },
  setPresence: { method: 'POST', path: '/api/presence', body: true, status: 200 },
  listEvents: { method: 'GET', path: '/api/events', query: ['since', 'limit'], status: 200 },
} as const satisfies Record<OperationName, HttpRoute>;

/**
 * The bytes of a message's archived file, with its content type; answers Range requests (audio and
 * video seek). Authorised by a bearer token, or by the `expires` and `signature` of a media link.
 * Not an operation: its answer is the file, not JSON.
 */
export const MEDIA_FILE_PATH = '/api/media/:message_id';

/**
 * One conversation as a file (`?format=json|text|html`), streamed as a download. Authorised like
 * the media path: a bearer token, or an export link's `expires` and `signature`.
 */
export const EXPORT_PATH = '/api/conversations/:conversation_id/export';

/** The names of a path template's parameters, in order. */
export function pathParameters(template: string): string[] {
  return template
    .split('/')
    .filter((segment) => segment.startsWith(':'))
    .map((segment) => segment.slice(1));
}

/** Fills a path template from a request, encoding each parameter. */
export function fillPath(template: string, request: Record<string, unknown>): string {
  return template.replace(/:([a-z_]+)/g, (_match, name: string) => encodeURIComponent(String(request[name])));
}

const count = z.number().int().nonnegative();

/**
 * What `POST /webhook` answers once a delivery is durable: what was processed into messages in
 * that same commit; or, for a delivery only logged (a large batch, or while older ones wait), how
 * many messages, echoes and statuses it holds for processing right after; or, for a verified
 * delivery whose content could not be stored, the error (it is kept in the webhook log as
 * `failed` for a replay after a fix, and answered 200 because a retry by Meta could not help).
 */
export const WebhookReceiptSchema = z.union([
  z.strictObject({ received: z.strictObject({ messages: count, statuses: count, reactions: count, changes: count }) }),
  z.strictObject({ queued: z.strictObject({ updates: count }) }),
  z.strictObject({ failed: z.strictObject({ error: z.string() }) }),
]);

/** The answer to the gateway's own reachability test through its tunnel: the signed body arrived unchanged; nothing is stored. */
export const WebhookSelfTestSchema = z.strictObject({ self_test: z.string() });

/** The self-test's answer. */
export type WebhookSelfTest = z.infer<typeof WebhookSelfTestSchema>;

/** The header that marks a self-test POST (its value is echoed as `self_test`). */
export const SELF_TEST_HEADER = 'x-switchboard-self-test';

/** The answer to a stored webhook delivery. */
export type WebhookReceipt = z.infer<typeof WebhookReceiptSchema>;
