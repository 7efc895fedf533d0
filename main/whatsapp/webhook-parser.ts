import { isMessageStatus, type MessageStatus } from '../../shared/domain/message-status';
import type { DeliveryError } from '../../shared/contract';

/** A customer's identity as a payload gives it: phone-based `wa_id`, business-scoped `user_id`, or both. */
export type CustomerIdentity = { waId: string | null; userId: string | null; name: string | null };

/** A message a customer sent (or, for echoes, the business sent from the WhatsApp Business app). */
export type ParsedMessage = {
  phoneNumberId: string;
  customer: CustomerIdentity;
  direction: 'in' | 'out';
  wamid: string;
  type: string;
  text: string;
  timestampMs: number;
  replyTo: string | null;
  raw: unknown;
};

/** A delivery status for a message the business sent. */
export type ParsedStatus = {
  phoneNumberId: string;
  wamid: string;
  status: MessageStatus;
  timestampMs: number;
  error: DeliveryError | undefined;
};

/** Everything one webhook delivery carries that the inbox acts on, plus what it skipped and why. */
export type ParsedDelivery = {
  messages: ParsedMessage[];
  statuses: ParsedStatus[];
  ignored: string[];
};

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

// Meta sends timestamps as strings of Unix seconds; a number is accepted too, anything else falls
// back to arrival time so a message is never dropped for its clock.
function timestampMs(value: unknown, arrivalMs: number): number {
  const seconds = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : arrivalMs;
}

// A short human-readable text for every message type, so the list preview and bubbles never show
// an empty line. Full per-type rendering builds on the raw payload kept with each message.
const TEXT_OF_TYPE: Record<string, (body: Json) => string | null> = {
  text: (b) => asString(b.body),
  image: (b) => asString(b.caption) ?? '📷 Photo',
  video: (b) => asString(b.caption) ?? '🎬 Video',
  document: (b) => asString(b.caption) ?? `📄 ${asString(b.filename) ?? 'Document'}`,
  audio: (b) => (b.voice === true ? '🎤 Voice message' : '🎵 Audio'),
  sticker: () => 'Sticker',
  location: (b) => `📍 ${asString(b.name) ?? asString(b.address) ?? `${String(b.latitude)}, ${String(b.longitude)}`}`,
  button: (b) => asString(b.text) ?? asString(b.payload),
  reaction: (b) => asString(b.emoji) ?? 'Reaction removed',
  interactive: (b) => {
    const reply = asObject(b.button_reply) ?? asObject(b.list_reply);
    return reply ? asString(reply.title) : asString(asObject(b.nfm_reply)?.body);
  },
  system: (b) => asString(b.body),
  order: (b) => asString(b.text) ?? '🛒 Order',
  contacts: () => '👤 Contact card',
};

function messageText(message: Json): string {
  const type = asString(message.type) ?? 'unsupported';
  const body = asObject(message[type]) ?? {};
  const describe = TEXT_OF_TYPE[type];
  return (describe ? describe(body) : null) ?? 'Unsupported message';
}

function deliveryError(value: unknown): DeliveryError | undefined {
  const first = asObject(asArray(value)[0]);
  if (!first) return undefined;
  const details = asString(asObject(first.error_data)?.details);
  return {
    code: typeof first.code === 'number' ? first.code : null,
    title: asString(first.title) ?? asString(first.message) ?? 'Unknown error',
    ...(details ? { details } : {}),
  };
}

function findContact(contacts: unknown[], waId: string | null, userId: string | null): Json | null {
  for (const item of contacts) {
    const contact = asObject(item);
    if (!contact) continue;
    if ((waId && contact.wa_id === waId) || (userId && contact.user_id === userId)) return contact;
  }
  return null;
}

function parseInbound(value: Json, phoneNumberId: string, item: Json, arrivalMs: number): ParsedMessage | null {
  const wamid = asString(item.id);
  const waId = asString(item.from);
  const userId = asString(item.from_user_id);
  if (!wamid || (!waId && !userId)) return null;
  const contact = findContact(asArray(value.contacts), waId, userId);
  return {
    phoneNumberId,
    customer: {
      waId: waId ?? asString(contact?.wa_id),
      userId: userId ?? asString(contact?.user_id),
      name: asString(asObject(contact?.profile)?.name),
    },
    direction: 'in',
    wamid,
    type: asString(item.type) ?? 'unsupported',
    text: messageText(item),
    timestampMs: timestampMs(item.timestamp, arrivalMs),
    replyTo: asString(asObject(item.context)?.id),
    raw: item,
  };
}

function parseEcho(phoneNumberId: string, item: Json, arrivalMs: number): ParsedMessage | null {
  const wamid = asString(item.id);
  const waId = asString(item.to);
  const userId = asString(item.to_user_id);
  if (!wamid || (!waId && !userId)) return null;
  return {
    phoneNumberId,
    customer: { waId, userId, name: null },
    direction: 'out',
    wamid,
    type: asString(item.type) ?? 'unsupported',
    text: messageText(item),
    timestampMs: timestampMs(item.timestamp, arrivalMs),
    replyTo: asString(asObject(item.context)?.id),
    raw: item,
  };
}

function parseStatus(phoneNumberId: string, item: Json, arrivalMs: number, ignored: string[]): ParsedStatus | null {
  const wamid = asString(item.id);
  const status = asString(item.status);
  if (!wamid || !status) return null;
  if (!isMessageStatus(status) || status === 'pending') {
    // e.g. `played` (voice notes): kept in the raw webhook log, not a tick of its own.
    ignored.push(`status ${status} for ${wamid}`);
    return null;
  }
  return { phoneNumberId, wamid, status, timestampMs: timestampMs(item.timestamp, arrivalMs), error: deliveryError(item.errors) };
}

/**
 * Reads every entry × change × message/status of a webhook body. Never throws: anything of an
 * unexpected shape is listed in `ignored` so the delivery can still be acknowledged and logged.
 */
export function parseWebhook(body: unknown, arrivalMs: number): ParsedDelivery {
  const result: ParsedDelivery = { messages: [], statuses: [], ignored: [] };
  const root = asObject(body);
  if (!root || root.object !== 'whatsapp_business_account') {
    result.ignored.push(`object ${JSON.stringify(root?.object ?? null)}`);
    return result;
  }
  for (const entry of asArray(root.entry)) {
    for (const change of asArray(asObject(entry)?.changes)) {
      const changeObject = asObject(change);
      const field = asString(changeObject?.field) ?? 'unknown';
      const value = asObject(changeObject?.value);
      const phoneNumberId = asString(asObject(value?.metadata)?.phone_number_id);
      if (!value || !phoneNumberId || (field !== 'messages' && field !== 'smb_message_echoes')) {
        result.ignored.push(`field ${field}`);
        continue;
      }
      for (const item of asArray(value.messages)) {
        const parsed = asObject(item) && parseInbound(value, phoneNumberId, item as Json, arrivalMs);
        if (parsed) result.messages.push(parsed);
        else result.ignored.push('message without id or sender');
      }
      for (const item of asArray(value.message_echoes)) {
        const parsed = asObject(item) && parseEcho(phoneNumberId, item as Json, arrivalMs);
        if (parsed) result.messages.push(parsed);
        else result.ignored.push('echo without id or recipient');
      }
      for (const item of asArray(value.statuses)) {
        const parsed = asObject(item) && parseStatus(phoneNumberId, item as Json, arrivalMs, result.ignored);
        if (parsed) result.statuses.push(parsed);
      }
      if (asArray(value.errors).length > 0) result.ignored.push(`errors ${JSON.stringify(value.errors)}`);
    }
  }
  return result;
}
