import { networkRetryAdvice, retryAdvice } from './error-codes';
import type { MediaUpload, OutgoingBody, OutgoingMessage, ReadReceipt, ReceiptResult, SendResult, UploadResult, WhatsAppClient } from './client';
import type { MediaDownload, MediaFetchFailure, MediaRequest, MediaSource } from './media-source';
import { templateFromGraph, type TemplateListing } from './templates';

/** Where and as whom to call the Cloud API. */
export type GraphClientOptions = {
  graphUrl: string;
  apiVersion: string;
  accessToken: string;
  timeoutMs?: number;
  /** The HTTP client: the global fetch under Node, Electron's net.fetch in the desktop app (system proxy and certificates). */
  fetch?: typeof fetch;
};

/** How long a request may wait for Meta before it counts as unanswered. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** How long one file may take to download (100 MB documents on a slow line). */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

// Some of Meta's media hosts answer an error page to requests without one (WHATSAPP.md §11).
const USER_AGENT = 'Switchboard (WhatsApp Cloud API inbox)';

type GraphMediaBody = { url?: unknown; mime_type?: unknown; sha256?: unknown; file_size?: unknown };

type GraphErrorBody = { error?: { code?: unknown; message?: unknown; error_data?: { details?: unknown } } };
type GraphSendBody = { messages?: { id?: unknown }[] };

// The body under the key named by `type`, exactly as Meta documents each kind (WHATSAPP.md §8).
function bodyOf(body: OutgoingBody): Record<string, unknown> {
  switch (body.type) {
    case 'text':
      return { type: 'text', text: { preview_url: body.previewUrl, body: body.text } };
    case 'template':
      return {
        type: 'template',
        template: {
          name: body.name,
          language: { code: body.language },
          ...(body.parameters.length > 0 ? { components: [{ type: 'body', parameters: body.parameters.map((text) => ({ type: 'text', text })) }] } : {}),
        },
      };
    case 'reaction':
      return { type: 'reaction', reaction: { message_id: body.targetWamid, emoji: body.emoji } };
    case 'media':
      // Audio takes no caption; only documents carry a file name.
      return {
        type: body.kind,
        [body.kind]: {
          id: body.mediaId,
          ...(body.caption && body.kind !== 'audio' ? { caption: body.caption } : {}),
          ...(body.kind === 'document' && body.filename ? { filename: body.filename } : {}),
        },
      };
  }
}

/** Meta's error code and message from an error answer, when it has them. */
export function graphErrorOf(body: unknown): { code: number | null; message: string | null } {
  const error = (body as GraphErrorBody | null)?.error;
  return { code: typeof error?.code === 'number' ? error.code : null, message: typeof error?.message === 'string' ? error.message : null };
}

/**
 * Why `GET /<media-id>` failed, and whether asking again can help: an id Meta does not know (it
 * expired, or was never this business's) cannot; a refused token, a rate limit or an outage can,
 * once fixed or over.
 */
function mediaLookupFailure(status: number, body: unknown): MediaFetchFailure {
  const { code, message } = graphErrorOf(body);
  const said = message ? `: ${message}` : '';
  if (status === 401 || code === 190) return { ok: false, permanent: false, reason: `WhatsApp refused the access token${said}` };
  if ((status === 400 || status === 404) && (code === 100 || code === null)) {
    return { ok: false, permanent: true, reason: `WhatsApp no longer has this file (the media id is unknown or expired)${said}` };
  }
  return { ok: false, permanent: false, reason: `WhatsApp answered HTTP ${status}${said}` };
}

function declaredSize(value: unknown): number | null {
  const size = typeof value === 'string' ? Number(value) : value;
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : null;
}

/** Sends through Meta's Cloud API: `POST <graph>/<version>/<phone_number_id>/messages`. */
export class GraphClient implements WhatsAppClient, MediaSource {
  private shutdown = new AbortController();

  private readonly fetch: typeof fetch;

  constructor(private readonly options: GraphClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  abortPending(): void {
    this.shutdown.abort();
    // Later calls (none are expected after shutdown) get a deadline of their own again.
    this.shutdown = new AbortController();
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    // With a phone number, `+` and the country code avoid Meta prepending the business's own
    // country code; without one, the business-scoped id goes in `recipient`.
    const addressee = message.to.waId ? { to: `+${message.to.waId}` } : { recipient: message.to.userId };
    const answer = await this.post(message.phoneNumberId, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      ...addressee,
      ...bodyOf(message.body),
      // Meta refuses a quoted reply on reactions.
      ...(message.replyTo && message.body.type !== 'reaction' ? { context: { message_id: message.replyTo } } : {}),
      ...(message.callbackData ? { biz_opaque_callback_data: message.callbackData } : {}),
    });
    if (!answer.ok) return answer;
    const wamid = answer.body.messages?.[0]?.id;
    if (typeof wamid === 'string') return { ok: true, wamid };
    // A 200 without a message id: Meta may have the send, so it is not repeated automatically.
    return { ok: false, retry: 'unknown_outcome', error: { code: null, title: 'The Graph API accepted the request but named no message' } };
  }

  /**
   * `POST /<phone_number_id>/media` as multipart form data (`messaging_product`, `type`, `file`).
   * Repeating an upload delivers nothing, so a lost answer is simply tried again.
   */
  async uploadMedia(upload: MediaUpload): Promise<UploadResult> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', upload.mimeType);
    form.set('file', new Blob([upload.bytes as Uint8Array<ArrayBuffer>], { type: upload.mimeType }), upload.filename);
    const answer = await this.request(upload.phoneNumberId, 'media', form, DOWNLOAD_TIMEOUT_MS);
    if (!answer.ok) return answer.retry === 'unknown_outcome' ? { ...answer, retry: 'backoff' } : answer;
    const id = (answer.body as { id?: unknown }).id;
    if (typeof id === 'string') return { ok: true, mediaId: id };
    return { ok: false, retry: 'backoff', error: { code: null, title: 'The Graph API accepted the upload but named no media id' } };
  }

  /**
   * The approved templates of a business account: `GET /<WABA_ID>/message_templates`, following
   * Meta's `paging.next` (at most 20 pages of 100).
   */
  async listTemplates(wabaId: string): Promise<TemplateListing> {
    const { graphUrl, apiVersion, accessToken } = this.options;
    let next: string | null = `${graphUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(wabaId)}/message_templates?status=APPROVED&limit=100&fields=name,language,status,category,components`;
    const templates = [];
    for (let page = 0; next && page < 20; page += 1) {
      let response: Response;
      try {
        response = await this.fetch(next, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS), this.shutdown.signal]) });
      } catch (error) {
        return { ok: false, reason: `could not reach the Graph API (${error instanceof Error ? error.message : String(error)})` };
      }
      const body = (await response.json().catch(() => null)) as { data?: unknown; paging?: { next?: unknown } } | null;
      if (!response.ok) {
        const { code, message } = graphErrorOf(body);
        return { ok: false, reason: `${message ?? `HTTP ${response.status}`}${code !== null ? ` (${code})` : ''}` };
      }
      for (const raw of Array.isArray(body?.data) ? body.data : []) {
        const template = templateFromGraph(raw as Parameters<typeof templateFromGraph>[0]);
        if (template) templates.push(template);
      }
      next = typeof body?.paging?.next === 'string' ? body.paging.next : null;
    }
    return { ok: true, templates };
  }

  async markRead(receipt: ReadReceipt): Promise<ReceiptResult> {
    const answer = await this.post(receipt.phoneNumberId, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: receipt.wamid,
      ...(receipt.typing ? { typing_indicator: { type: 'text' } } : {}),
    });
    return answer.ok ? { ok: true } : { ok: false, error: answer.error };
  }

  /**
   * Downloads a file in Meta's two steps: `GET /<media-id>` for a URL that lives five minutes (so
   * it is asked for again on every attempt), then that URL with the same bearer token.
   */
  async fetchMedia(request: MediaRequest, signal: AbortSignal): Promise<MediaDownload | MediaFetchFailure> {
    const { graphUrl, apiVersion, accessToken } = this.options;
    const headers = { authorization: `Bearer ${accessToken}`, 'user-agent': USER_AGENT };
    const lookup = `${graphUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(request.mediaId)}?phone_number_id=${encodeURIComponent(request.phoneNumberId)}`;
    const stopping = AbortSignal.any([signal, this.shutdown.signal]);
    try {
      const described = await this.fetch(lookup, { headers, signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS), stopping]) });
      const body = (await described.json().catch(() => null)) as GraphMediaBody | null;
      if (!described.ok) return mediaLookupFailure(described.status, body);
      const url = body?.url;
      if (!body || typeof url !== 'string') return { ok: false, permanent: false, reason: 'WhatsApp described the file without a download URL' };
      // The bytes are requested only when read: a file declared over its size limit is never fetched.
      const fetchFile = this.fetch;
      const bytes = async function* (): AsyncGenerator<Uint8Array> {
        const file = await fetchFile(url, { headers, signal: AbortSignal.any([AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), stopping]) });
        if (!file.ok || !file.body) {
          await file.body?.cancel();
          // 404 here is the five-minute URL expiring: the next attempt asks for a new one.
          throw new Error(`the download URL answered HTTP ${file.status}`);
        }
        yield* file.body;
      };
      return {
        ok: true,
        mimeType: typeof body.mime_type === 'string' ? body.mime_type : 'application/octet-stream',
        sha256: typeof body.sha256 === 'string' ? body.sha256 : null,
        declaredSize: declaredSize(body.file_size),
        body: bytes(),
      };
    } catch (error) {
      if (stopping.aborted) return { ok: false, permanent: false, reason: 'the download was stopped' };
      if (error instanceof DOMException && error.name === 'TimeoutError') return { ok: false, permanent: false, reason: 'WhatsApp did not answer in time' };
      return { ok: false, permanent: false, reason: `could not reach WhatsApp (${error instanceof Error ? error.message : String(error)})` };
    }
  }

  // One POST to the messages edge: the parsed body of a 2xx answer, or the failure with its retry advice.
  private post(phoneNumberId: string, body: Record<string, unknown>): Promise<{ ok: true; body: GraphSendBody } | Extract<SendResult, { ok: false }>> {
    return this.request(phoneNumberId, 'messages', JSON.stringify(body), this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  // One POST to an edge of the phone number (JSON, or a multipart form that sets its own content type).
  private async request(
    phoneNumberId: string,
    edge: 'messages' | 'media',
    body: string | FormData,
    timeoutMs: number,
  ): Promise<{ ok: true; body: GraphSendBody } | Extract<SendResult, { ok: false }>> {
    const { graphUrl, apiVersion, accessToken } = this.options;
    const url = `${graphUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(phoneNumberId)}/${edge}`;
    let response: Response;
    const stopping = this.shutdown.signal;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) },
        body,
        // Every call has a deadline, and shutdown ends whatever still waits.
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping]),
      });
    } catch (error) {
      if (stopping.aborted) {
        return { ok: false, retry: 'unknown_outcome', error: { code: null, title: 'Switchboard stopped before the WhatsApp Graph API answered', details: 'the message may still have been accepted' } };
      }
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        // Meta may still have accepted it: say so, since a blind resend could deliver it twice.
        return { ok: false, retry: 'unknown_outcome', error: { code: null, title: 'No answer from the WhatsApp Graph API in time', details: 'the message may still have been accepted' } };
      }
      const retry = networkRetryAdvice(error);
      return { ok: false, retry, error: { code: null, title: 'Could not reach the WhatsApp Graph API', details: String(error) } };
    }
    const parsed = (await response.json().catch(() => ({}))) as GraphErrorBody & GraphSendBody;
    if (response.ok) return { ok: true, body: parsed };
    // Meta appends "(#code) Title" to messages and documents titles as going away: keep the sentence, key on the code.
    const { code, message } = graphErrorOf(parsed);
    const details = parsed.error?.error_data?.details;
    return {
      ok: false,
      retry: retryAdvice(code, response.status),
      error: { code, title: message ?? `Graph API answered HTTP ${response.status}`, ...(typeof details === 'string' ? { details } : {}) },
    };
  }
}
