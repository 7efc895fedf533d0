import type { AgentSignal, BridgeApi, StreamHandlers } from '../../renderer/bridge/bridge-api';
import type { Conversation, ForwardAttempt, WebhookDelivery, WebhookDetail, WebhookRejection, WebhookRouting, MediaLink, Message, MessageTemplate, Result, SettingsView, SearchHit, ServerEvent, Team, WorkbenchView, MessagePage } from '../../shared/contract';
import type { OperationRequest } from '../../shared/contract';

type WorkbenchUpdate = OperationRequest<'updateWorkbench'>;

/** An in-memory BridgeApi: tests set its data, push events and read what was called. */
export class FakeBridge implements BridgeApi {
  readonly transport = 'ipc' as const;
  conversations: Conversation[] = [];
  messages: Record<number, Message[]> = {};
  sendResult: (text: string) => Result<Message> = () => ({ ok: false, error: { code: 'internal', message: 'not scripted' } });
  readonly calls: { name: string; request: unknown }[] = [];
  handlers: StreamHandlers | null = null;
  streamSince: number | null = null;

  private record<T>(name: string, request: unknown, result: Result<T>): Promise<Result<T>> {
    this.calls.push({ name, request });
    return Promise.resolve(result);
  }

  getInfo = () => this.record('getInfo', {}, { ok: true, value: { mode: 'sandbox' as const, user: 'me', phone_number_id: '1', head_seq: 10, version: 'test', url: 'http://127.0.0.1:8787' } });
  team: Team = { agents: [{ user: 'me', state: 'online' }], typing: [], viewing: [] };
  readonly signals: AgentSignal[] = [];
  getTeam = () => this.record('getTeam', {}, { ok: true, value: this.team });
  setTyping = (request: { conversation_id: number }) => this.record('setTyping', request, { ok: true, value: { expires_at: new Date().toISOString() } });
  setViewing = (request: { conversation_id: number | null }) => this.record('setViewing', request, { ok: true, value: { expires_at: new Date().toISOString() } });
  setPresence = (request: { state: 'online' | 'away' }) => this.record('setPresence', request, { ok: true, value: { state: request.state } });
  signal(signal: AgentSignal): void {
    this.signals.push(signal);
  }
  /** Scripted answers for the next listConversations calls, before the paged list itself. */
  listResults: Result<Conversation[]>[] = [];
  // Pages as the gateway does: `limit` after `after_id`, in the order of `conversations` (the unread ones only, with `unread`).
  listConversations = (request: { limit?: number; after_id?: number; unread?: boolean } = {}): Promise<Result<Conversation[]>> => {
    const scripted = this.listResults.shift();
    if (scripted) return this.record('listConversations', request, scripted);
    if (request.after_id !== undefined && !this.conversations.some((c) => c.id === request.after_id)) return this.record('listConversations', request, { ok: false, error: { code: 'not_found', message: `conversation ${request.after_id} does not exist` } });
    const listing = request.unread ? this.conversations.filter((c) => c.unread_count > 0 || c.id === request.after_id) : this.conversations;
    const start = request.after_id === undefined ? 0 : listing.findIndex((c) => c.id === request.after_id) + 1;
    return this.record('listConversations', request, { ok: true, value: listing.slice(start, request.limit === undefined ? undefined : start + request.limit).filter((c) => !request.unread || c.unread_count > 0) });
  };
  listMessages = (request: { conversation_id: number }): Promise<Result<MessagePage>> =>
    this.record('listMessages', request, { ok: true, value: { messages: this.messages[request.conversation_id] ?? [], next_before: null, next_after: null, seq: 0 } });
  searchHits: SearchHit[] = [];
  searchMessages = (request: { q: string }) => this.record('searchMessages', request, { ok: true, value: { hits: this.searchHits, next_before: null } });
  sendMessage = (request: { conversation_id: number; text: string }) => this.record('sendMessage', request, this.sendResult(request.text));
  markRead = (request: { conversation_id: number }) => {
    const conversation = this.conversations.find((c) => c.id === request.conversation_id);
    return this.record('markRead', request, conversation ? { ok: true as const, value: { ...conversation, unread_count: 0 } } : { ok: false as const, error: { code: 'not_found' as const, message: 'x' } });
  };
  getMessageInfo = (request: { message_id: number }) => {
    const found = Object.values(this.messages).flat().find((m) => m.id === request.message_id);
    return this.record(
      'getMessageInfo',
      request,
      found
        ? { ok: true as const, value: { message: found, history: [{ status: found.status, timestamp: found.timestamp }] } }
        : { ok: false as const, error: { code: 'not_found' as const, message: `message ${request.message_id} does not exist` } },
    );
  };
  sendTemplate = (request: { conversation_id: number; name: string; language: string; parameters?: string[] }) =>
    this.record('sendTemplate', request, this.sendResult(request.name));
  sendAttachment = (request: { conversation_id: number; filename: string; mime_type: string; data: Uint8Array; caption?: string }) =>
    this.record('sendAttachment', request, this.sendResult(request.filename));
  templates: MessageTemplate[] = [];
  templatesResult: () => Result<{ templates: MessageTemplate[]; fetched_at: string }> = () => ({ ok: true, value: { templates: this.templates, fetched_at: '2026-11-30T10:00:00.000Z' } });
  listTemplates = (request: { refresh?: boolean }) => this.record('listTemplates', request, this.templatesResult());
  changeResult: (messageId: number) => Result<Message> = () => ({ ok: false, error: { code: 'internal', message: 'not scripted' } });
  reactToMessage = (request: { message_id: number; emoji: string }) => this.record('reactToMessage', request, this.changeResult(request.message_id));
  retryMessage = (request: { message_id: number }) => this.record('retryMessage', request, this.changeResult(request.message_id));
  webhookList: () => Result<{ deliveries: WebhookDelivery[]; rejected: Record<string, number>; rejections: WebhookRejection[]; retention_days: number; forward_targets: { url: string; fields: string[] | null }[] }> = () => ({
    ok: true,
    value: { deliveries: [], rejected: {}, rejections: [], retention_days: 30, forward_targets: [] },
  });
  listWebhooks = (request: object = {}) => this.record('listWebhooks', request, this.webhookList());
  webhookDetails: Record<number, WebhookDetail> = {};
  getWebhook = (request: { id: number }) =>
    this.record<WebhookDetail>('getWebhook', request, this.webhookDetails[request.id] ? { ok: true, value: this.webhookDetails[request.id]! } : { ok: false, error: { code: 'not_found', message: `webhook delivery ${request.id} is not in the log` } });
  replayWebhook = (request: { id: number }) => this.record('replayWebhook', request, { ok: true, value: { id: request.id, events: 0, ignored: [] } });
  checkWebhookSetup = () =>
    this.record('checkWebhookSetup', {}, { ok: true as const, value: { public_url: null, callback_url: null, verify_token: 'verify', check: null, routing: null, routing_error: 'the sandbox has no Meta account to wire: go live first (access token, app secret, phone number id)' } });
  connectMeta = () => this.record<WebhookRouting>('connectMeta', {}, { ok: false as const, error: { code: 'bad_request' as const, message: 'no public URL to point Meta at: start the gateway with --tunnel' } });
  workbench: WorkbenchView = {
    can_edit: true,
    tunnel_source: 'settings',
    tunnel: { kind: 'off' },
    tunnel_state: { state: 'off', public_url: null, error: null },
    previous_callback_url: null,
    ngrok_authtoken: null,
    cloudflared_found: false,
    forward_source: 'settings',
    forward_targets: [],
  };
  workbenchUpdate: (request: WorkbenchUpdate) => Result<WorkbenchView> = () => ({ ok: true, value: this.workbench });
  getWorkbench = () => this.record('getWorkbench', {}, { ok: true as const, value: this.workbench });
  updateWorkbench = (request: WorkbenchUpdate) => this.record('updateWorkbench', request, this.workbenchUpdate(request));
  forwardWebhook = (request: { id: number; target: string }) =>
    this.record<ForwardAttempt>('forwardWebhook', request, { ok: false as const, error: { code: 'bad_request' as const, message: 'no forward target is configured (start the gateway with --forward-to <url>)' } });
  mediaLinks: Record<number, Result<MediaLink>> = {};
  getMediaLink = (request: { message_id: number }) =>
    this.record('getMediaLink', request, this.mediaLinks[request.message_id] ?? { ok: false as const, error: { code: 'not_found' as const, message: `message ${request.message_id} has no file` } });
  retryMediaDownload = (request: { message_id: number }) => this.record('retryMediaDownload', request, this.changeResult(request.message_id));
  getExportLink = (request: { conversation_id: number; format: 'json' | 'text' | 'html' }) =>
    this.record('getExportLink', request, {
      ok: true as const,
      value: { url: `/api/conversations/${request.conversation_id}/export?format=${request.format}&expires=1&signature=s`, expires_at: '2026-11-30T11:00:00.000Z' },
    });
  reconnects = 0;
  reconnectNow = () => {
    this.reconnects += 1;
  };
  gatewayUrl = (url: string) => Promise.resolve(`http://127.0.0.1:8787${url}`);
  settings: SettingsView = {
    mode: 'sandbox',
    source: 'settings',
    secrets_storage: 'file',
    can_edit: true,
    phone_number_id: null,
    waba_id: null,
    read_receipts: 'on_open',
    verify_token: 'verify-token-123',
    has_access_token: false,
    has_app_secret: false,
    webhook_path: '/webhook',
    gateway_url: 'http://127.0.0.1:8787',
    launch_at_login: null,
  };
  getSettings = () => this.record('getSettings', {}, { ok: true, value: this.settings });
  settingsResult: ((request: Record<string, unknown>) => Result<SettingsView>) | null = null;
  updateSettings = (request: { mode: 'sandbox' | 'live' }) =>
    this.record('updateSettings', request, this.settingsResult?.(request) ?? { ok: true as const, value: (this.settings = { ...this.settings, mode: request.mode }) });
  listEvents = (request: { since: number }) => this.record('listEvents', request, { ok: true, value: { events: [], resync: false } });

  stream(since: number, handlers: StreamHandlers): () => void {
    this.streamSince = since;
    this.handlers = handlers;
    handlers.onConnection('live');
    return () => {
      this.handlers = null;
    };
  }

  emit(event: ServerEvent): void {
    this.handlers?.onEvent(event);
  }
}

/** A conversation with sensible defaults. */
export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 1,
    phone_number_id: '1',
    wa_id: '15551234567',
    name: 'Ana',
    last_message_at: '2026-11-26T10:00:00.000Z',
    preview: 'hello',
    unread_count: 1,
    last_message: { id: 1, direction: 'in', status: 'delivered' },
    window_expires_at: new Date(Date.now() + 5 * 3600_000).toISOString(),
    ...overrides,
  };
}

/** A message with sensible defaults. */
export function message(overrides: Partial<Message> = {}): Message {
  return { id: 1, conversation_id: 1, wamid: 'wamid.A', direction: 'in', type: 'text', text: 'hello', timestamp: '2026-11-26T10:00:00.000Z', status: 'delivered', reply_to: null, content: {}, reactions: [], edited_at: null, revoked: false, ...overrides };
}
