import type { OutgoingText, SendResult, WhatsAppClient } from './client';

/** Where and as whom to call the Cloud API. */
export type GraphClientOptions = { graphUrl: string; apiVersion: string; accessToken: string; timeoutMs?: number };

/** How long a send may wait for Meta before it counts as unanswered. */
const DEFAULT_TIMEOUT_MS = 30_000;

type GraphErrorBody = { error?: { code?: unknown; message?: unknown; error_data?: { details?: unknown } } };
type GraphSendBody = { messages?: { id?: unknown }[] };

// Meta appends "(#code) Title" to messages and documents titles as going away: keep the sentence, key on the code.
function graphError(body: GraphErrorBody, httpStatus: number): SendResult {
  const error = body.error ?? {};
  const details = typeof error.error_data?.details === 'string' ? error.error_data.details : undefined;
  return {
    ok: false,
    error: {
      code: typeof error.code === 'number' ? error.code : null,
      title: typeof error.message === 'string' ? error.message : `Graph API answered HTTP ${httpStatus}`,
      ...(details ? { details } : {}),
    },
  };
}

/** Sends through Meta's Cloud API: `POST <graph>/<version>/<phone_number_id>/messages`. */
export class GraphClient implements WhatsAppClient {
  constructor(private readonly options: GraphClientOptions) {}

  async sendText(message: OutgoingText): Promise<SendResult> {
    const { graphUrl, apiVersion, accessToken } = this.options;
    const url = `${graphUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(message.phoneNumberId)}/messages`;
    // With a phone number, `+` and the country code avoid Meta prepending the business's own
    // country code; without one, the business-scoped id goes in `recipient`.
    const addressee = message.to.waId ? { to: `+${message.to.waId}` } : { recipient: message.to.userId };
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      ...addressee,
      type: 'text',
      text: { preview_url: false, body: message.text },
      ...(message.replyTo ? { context: { message_id: message.replyTo } } : {}),
    };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        // Meta may still have accepted it: say so, since a blind resend could deliver it twice.
        return { ok: false, error: { code: null, title: 'No answer from the WhatsApp Graph API in time', details: 'the message may still have been accepted' } };
      }
      return { ok: false, error: { code: null, title: 'Could not reach the WhatsApp Graph API', details: String(error) } };
    }
    const parsed = (await response.json().catch(() => ({}))) as GraphErrorBody & GraphSendBody;
    const wamid = parsed.messages?.[0]?.id;
    if (response.ok && typeof wamid === 'string') return { ok: true, wamid };
    return graphError(parsed, response.status);
  }
}
