import {
  describeSchemaError,
  EXPORT_PATH,
  fillPath,
  MEDIA_FILE_PATH,
  fail,
  ok,
  operations,
  type GatewayInfo,
  type OperationName,
  type OperationResult,
  type Result,
  type ValidOperationRequest,
} from '../../shared/contract';
import type { History } from './history';
import type { MediaArchive } from './media-archive';
import { exportResource, mediaResource, type SignedLinks } from './signed-links';
import type { Outbox } from './outbox';
import type { Presence } from './presence';
import type { Search } from './search';
import type { ConnectionSettings } from './settings';
import type { TemplateCatalog } from './template-catalog';
import type { WebhookAdmin } from './webhook-admin';
import type { WebhookSetup } from './webhook-setup';
import type { Workbench } from './workbench';

/** Who is calling: the agent behind the token (HTTP, WebSocket) or the desktop app's own user (IPC). */
export type Caller = { user: string };

/**
 * Operations that wait on something outside the database: Meta's Graph API (templates), the OS
 * keychain (saved credentials, encrypted by the desktop app's main process), a developer's
 * endpoint (a delivery forwarded again), the gateway's own public URL, or a tunnel opening. Every other one
 * answers from the database at once.
 */
export type AsyncOperationName = 'listTemplates' | 'updateSettings' | 'forwardWebhook' | 'checkWebhookSetup' | 'connectMeta' | 'updateWorkbench';

const ASYNC_OPERATIONS: ReadonlySet<OperationName> = new Set<AsyncOperationName>(['listTemplates', 'updateSettings', 'forwardWebhook', 'checkWebhookSetup', 'connectMeta', 'updateWorkbench']);

/** What an operation's handler returns: its result, or a promise of it for the operations that wait on the network. */
export type HandlerResult<K extends OperationName> = K extends AsyncOperationName ? Promise<Result<OperationResult<K>>> : Result<OperationResult<K>>;

/** The business logic behind every operation of the contract, shared by IPC and HTTP. */
export type OperationHandlers = {
  [K in OperationName]: (request: ValidOperationRequest<K>, caller: Caller) => HandlerResult<K>;
};

/** Binds each operation of the contract to the service that implements it. */
export function createOperationHandlers(services: {
  history: History;
  search: Search;
  outbox: Outbox;
  webhooks: WebhookAdmin;
  presence: Presence;
  media: MediaArchive;
  links: SignedLinks;
  templates: TemplateCatalog;
  settings: ConnectionSettings;
  webhookSetup: WebhookSetup;
  workbench: Workbench;
  info: (caller: Caller) => GatewayInfo;
}): OperationHandlers {
  const { history, search, outbox, webhooks, presence, media, links, templates, settings, webhookSetup, workbench, info } = services;
  return {
    getInfo: (_request, caller) => ok(info(caller)),
    getSettings: (_request, caller) => ok(settings.view(caller)),
    updateSettings: (request, caller) => settings.update(request, caller),
    listConversations: (request) => history.listConversations(request),
    listMessages: (request) => history.listMessages(request),
    sendMessage: (request, caller) => outbox.sendText(request, caller.user),
    sendTemplate: (request, caller) => outbox.sendTemplate(request, caller.user),
    sendAttachment: (request, caller) => outbox.sendAttachment(request, caller.user),
    listTemplates: (request) => templates.list(request),
    reactToMessage: (request) => outbox.react(request),
    retryMessage: (request) => outbox.retry(request),
    markRead: (request) => {
      const result = history.markRead(request);
      if (result.ok) outbox.conversationOpened(request.conversation_id);
      return result;
    },
    searchMessages: (request) => search.searchMessages(request),
    getMessageInfo: (request) => history.getMessageInfo(request),
    getMediaLink: (request) => {
      const file = media.fileOf(request.message_id);
      if (!file.ok) return file;
      const { url, expiresAtMs } = links.link(fillPath(MEDIA_FILE_PATH, request), mediaResource(request.message_id));
      return ok({ url, expires_at: new Date(expiresAtMs).toISOString(), media_file: file.value.mediaFile });
    },
    retryMediaDownload: (request) => media.retry(request),
    getExportLink: (request) => {
      const found = history.conversation(request.conversation_id);
      if (!found.ok) return found;
      const path = `${fillPath(EXPORT_PATH, request)}?format=${request.format}`;
      const { url, expiresAtMs } = links.link(path, exportResource(request.conversation_id, request.format));
      return ok({ url, expires_at: new Date(expiresAtMs).toISOString() });
    },
    listWebhooks: (request) => ok(webhooks.list(request)),
    replayWebhook: (request) => webhooks.replay(request),
    forwardWebhook: (request) => webhooks.forward(request),
    getWebhook: (request) => webhooks.detail(request, webhookSetup.appSecret()),
    checkWebhookSetup: () => webhookSetup.check(),
    connectMeta: (_request, caller) => webhookSetup.connect(caller),
    getWorkbench: (_request, caller) => ok(workbench.view(caller)),
    updateWorkbench: (request, caller) => workbench.update(request, caller),
    getTeam: () => ok(presence.team()),
    setTyping: (request, caller) => {
      const result = presence.typing(caller.user, request.conversation_id);
      if (result.ok) outbox.agentTyping(request.conversation_id);
      return result;
    },
    setViewing: (request, caller) => presence.viewing(caller.user, request.conversation_id),
    setPresence: (request, caller) => presence.setState(caller.user, request.state),
    listEvents: (request) => ok(history.listEvents(request)),
  };
}

/**
 * Validates an untrusted request against the contract's schema, then runs the operation. Every
 * adapter (IPC registry, HTTP routes) calls this, so no boundary can skip validation.
 */
export function invokeOperation<K extends OperationName>(handlers: OperationHandlers, name: K, untrusted: unknown, caller: Caller): HandlerResult<K> {
  // A failure before the handler runs is answered the way the handler would answer: at once, or as a promise.
  const answer = (result: Result<OperationResult<K>>) => (ASYNC_OPERATIONS.has(name) ? Promise.resolve(result) : result) as HandlerResult<K>;
  const failed = (error: unknown) => fail<OperationResult<K>>('internal', `${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  const parsed = operations[name].request.safeParse(untrusted ?? {});
  if (!parsed.success) return answer(fail('bad_request', describeSchemaError(parsed.error)));
  try {
    const result = handlers[name](parsed.data as ValidOperationRequest<K>, caller);
    return (result instanceof Promise ? result.catch(failed) : result) as HandlerResult<K>;
  } catch (error) {
    return answer(failed(error));
  }
}
