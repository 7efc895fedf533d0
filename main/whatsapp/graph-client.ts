import { networkRetryAdvice, retryAdvice } from './error-codes';
import type { OutgoingBody, OutgoingMessage, ReadReceipt, ReceiptResult, SendResult, WhatsAppClient } from './client';

/** Where and as whom to call the Cloud API. */
export type GraphClientOptions = { graphUrl: string; apiVersion: string; accessToken: string; timeoutMs?: number };

/** How long a request may wait for Meta before it counts as unanswered. */
const DEFAULT_TIMEOUT_MS = 30_000;

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
  }
}

/** Sends through Meta's Cloud API: `POST <graph>/<version>/<phone_number_id>/messages`. */
export class GraphClient implements WhatsAppClient {
  private shutdown = new AbortController();

  constructor(private readonly options: GraphClientOptions) {}

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

  async markRead(receipt: ReadReceipt): Promise<ReceiptResult> {
    const answer = await this.post(receipt.phoneNumberId, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: receipt.wamid,
      ...(receipt.typing ? { typing_indicator: { type: 'text' } } : {}),
    });
    return answer.ok ? { ok: true } : { ok: false, error: answer.error };
  }

  // One POST to the messages edge: the parsed body of a 2xx answer, or the failure with its retry advice.
  private async post(phoneNumberId: string, body: Record<string, unknown>): Promise<{ ok: true; body: GraphSendBody } | Extract<SendResult, { ok: false }>> {
    const { graphUrl, apiVersion, accessToken } = this.options;
    const url = `${graphUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(phoneNumberId)}/messages`;
    let response: Response;
    const stopping = this.shutdown.signal;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        // Every call has a deadline, and shutdown ends whatever still waits.
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS), stopping]),
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
    const error = parsed.error ?? {};
    const code = typeof error.code === 'number' ? error.code : null;
    const details = typeof error.error_data?.details === 'string' ? error.error_data.details : undefined;
    return {
      ok: false,
      retry: retryAdvice(code, response.status),
      error: { code, title: typeof error.message === 'string' ? error.message : `Graph API answered HTTP ${response.status}`, ...(details ? { details } : {}) },
    };
  }
}
