import { isMessageStatus, type DeliveryError, type MessageContent, type MessageStatus, type TimestampSource } from '../../shared/contract';
import { asArray, asObject, asString, type Json } from './json-reading';
import { historyItemCount, readHistory, readStateSync } from './history-sync';
import { firstError, readMessageBody } from './message-content';

/** A customer's identity as a payload gives it: phone-based `wa_id`, business-scoped `user_id`, or both. */
export type CustomerIdentity = { waId: string | null; userId: string | null; name: string | null };

/** Where an update happened: the business number and the customer. */
type Thread = { phoneNumberId: string; customer: CustomerIdentity; direction: 'in' | 'out' };

/** A message to show as a bubble: from a customer, or an echo the business sent from the WhatsApp Business app. */
export type ParsedMessage = Thread & {
  wamid: string;
  type: string;
  text: string;
  content: MessageContent;
  error: DeliveryError | undefined;
  timestampMs: number;
  /** `meta` when the payload's timestamp was usable; `received` when arrival time stands in for it. */
  timestampSource: TimestampSource;
  replyTo: string | null;
  raw: unknown;
  /** Set for history synced from the WhatsApp Business app: the status the payload gives it. */
  imported?: { status: MessageStatus };
};

/** A contact name the business keeps in the WhatsApp Business app, for naming a conversation. */
export type ParsedContactName = { phoneNumberId: string; waId: string; name: string };

/** The media of a synced placeholder the business sent, named by its wamid only (history carries no recipient). */
export type ParsedMediaFill = { wamid: string; type: string; text: string; content: MessageContent };

/** A reaction set (emoji) or removed (null) on the message `targetWamid`. */
export type ParsedReaction = Thread & { targetWamid: string; emoji: string | null; timestampMs: number };

/** The sender edited (new text and content) or deleted (revoke) an earlier message. */
export type ParsedChange = Thread &
  (
    | { kind: 'edit'; editWamid: string; targetWamid: string; type: string; text: string; content: MessageContent; timestampMs: number; receivedAtMs: number }
    | { kind: 'revoke'; targetWamid: string; timestampMs: number }
  );

/** A delivery status for a message the business sent. */
export type ParsedStatus = {
  phoneNumberId: string;
  wamid: string;
  status: MessageStatus;
  timestampMs: number;
  error: DeliveryError | undefined;
  /** Our `biz_opaque_callback_data` echoed back: the client message id of the send. */
  callbackData: string | null;
};

/** Everything one webhook delivery carries that the inbox acts on, plus what it skipped and why. */
export type ParsedDelivery = {
  messages: ParsedMessage[];
  reactions: ParsedReaction[];
  changes: ParsedChange[];
  statuses: ParsedStatus[];
  contactNames: ParsedContactName[];
  mediaFills: ParsedMediaFill[];
  ignored: string[];
};

/** How many messages, statuses, reactions and edits a delivery carries. */
export function updateCount(parsed: ParsedDelivery): number {
  return parsed.messages.length + parsed.statuses.length + parsed.reactions.length + parsed.changes.length + parsed.contactNames.length + parsed.mediaFills.length;
}

/**
 * How many messages, echoes and statuses a payload holds, without reading them: at least as many
 * as `updateCount` of its parse (invalid items among them are ignored there). Lets the intake
 * decide, for the price of a few array lengths, whether a delivery is small enough to process
 * in its own commit or is only logged, and so never parsed twice.
 */
export function itemCount(body: unknown): number {
  const root = asObject(body);
  if (!root || root.object !== 'whatsapp_business_account') return 0;
  let count = 0;
  for (const entry of asArray(root.entry)) {
    for (const change of asArray(asObject(entry)?.changes)) {
      const value = asObject(asObject(change)?.value);
      if (value) count += asArray(value.messages).length + asArray(value.message_echoes).length + asArray(value.statuses).length + historyItemCount(value);
    }
  }
  return count;
}

/** A delivery with nothing in it. */
export function emptyDelivery(): ParsedDelivery {
  return { messages: [], reactions: [], changes: [], statuses: [], contactNames: [], mediaFills: [], ignored: [] };
}

/** The last second a stored time may name (9999-12-31T23:59:59Z): beyond it, no ISO date can say it. */
const LATEST_TIMESTAMP_SECONDS = 253_402_300_799;

/**
 * Meta sends timestamps as strings of Unix seconds; a number is accepted too. Anything missing, not
 * a number, not positive or past year 9999 (which no Date can print) falls back to arrival time,
 * and says so: a message is never dropped, nor a delivery failed, for its clock.
 */
export function readTimestamp(value: unknown, arrivalMs: number): { ms: number; source: TimestampSource } {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (Number.isFinite(seconds) && seconds > 0 && seconds <= LATEST_TIMESTAMP_SECONDS) return { ms: Math.round(seconds * 1000), source: 'meta' };
  return { ms: arrivalMs, source: 'received' };
}

function timestampMs(value: unknown, arrivalMs: number): number {
  return readTimestamp(value, arrivalMs).ms;
}

function findContact(contacts: unknown[], waId: string | null, userId: string | null): Json | null {
  for (const item of contacts) {
    const contact = asObject(item);
    if (contact && ((waId && contact.wa_id === waId) || (userId && contact.user_id === userId))) return contact;
  }
  return null;
}

// Inbound: the customer is the sender. Echo: the customer is the recipient.
function threadOf(value: Json, phoneNumberId: string, item: Json, direction: 'in' | 'out'): Thread | null {
  const waId = asString(direction === 'in' ? item.from : item.to);
  const userId = asString(direction === 'in' ? item.from_user_id : item.to_user_id);
  const contacts = asArray(value.contacts);
  // A message that names no sender at all (seen with business-scoped ids) is still unambiguous
  // when the change carries exactly one contact: that contact is the sender.
  const soleContact = direction === 'in' && !waId && !userId && contacts.length === 1 ? asObject(contacts[0]) : null;
  if (!waId && !userId && !(asString(soleContact?.wa_id) || asString(soleContact?.user_id))) return null;
  const contact = direction === 'in' ? (soleContact ?? findContact(contacts, waId, userId)) : null;
  return {
    phoneNumberId,
    direction,
    customer: {
      waId: waId ?? asString(contact?.wa_id),
      userId: userId ?? asString(contact?.user_id),
      name: asString(asObject(contact?.profile)?.name),
    },
  };
}

/** Reads one message or echo into `into`; exported for the history sync, which reads the same items. */
export function readItem(value: Json, phoneNumberId: string, item: Json, direction: 'in' | 'out', arrivalMs: number, into: ParsedDelivery): void {
  const wamid = asString(item.id);
  const thread = threadOf(value, phoneNumberId, item, direction);
  if (!wamid || !thread) {
    into.ignored.push(`${direction === 'in' ? 'message' : 'echo'} without id or ${direction === 'in' ? 'sender' : 'recipient'}`);
    return;
  }
  const type = asString(item.type) ?? 'unsupported';
  const { ms: at, source } = readTimestamp(item.timestamp, arrivalMs);
  if (type === 'reaction') {
    const reaction = asObject(item.reaction);
    const targetWamid = asString(reaction?.message_id);
    // A missing or empty emoji is a removal (Meta omits it; some clients send "").
    if (targetWamid) into.reactions.push({ ...thread, targetWamid, emoji: asString(reaction?.emoji), timestampMs: at });
    else into.ignored.push(`reaction ${wamid} without message_id`);
    return;
  }
  if (type === 'revoke' || type === 'edit') {
    const body = asObject(item[type]);
    const targetWamid = asString(body?.original_message_id);
    if (!targetWamid) {
      into.ignored.push(`${type} ${wamid} without original_message_id`);
      return;
    }
    if (type === 'revoke') {
      into.changes.push({ ...thread, kind: 'revoke', targetWamid, timestampMs: at });
      return;
    }
    const edited = asObject(body?.message) ?? {};
    const read = readMessageBody(edited);
    into.changes.push({
      ...thread,
      kind: 'edit',
      editWamid: wamid,
      targetWamid,
      type: asString(edited.type) ?? 'text',
      text: read.text,
      content: read.content,
      timestampMs: at,
      receivedAtMs: arrivalMs,
    });
    return;
  }
  const read = readMessageBody(item);
  into.messages.push({
    ...thread,
    wamid,
    type,
    text: read.text,
    content: read.content,
    error: read.error,
    timestampMs: at,
    timestampSource: source,
    replyTo: asString(asObject(item.context)?.id),
    raw: item,
  });
}

function readStatus(phoneNumberId: string, item: Json, arrivalMs: number, into: ParsedDelivery): void {
  const wamid = asString(item.id);
  const status = asString(item.status);
  if (!wamid || !status) {
    into.ignored.push('status without id or status');
    return;
  }
  if (!isMessageStatus(status) || status === 'pending') {
    into.ignored.push(`status ${status} for ${wamid}`);
    return;
  }
  into.statuses.push({
    phoneNumberId,
    wamid,
    status,
    timestampMs: timestampMs(item.timestamp, arrivalMs),
    error: firstError(item.errors),
    callbackData: asString(item.biz_opaque_callback_data),
  });
}

/**
 * Reads every entry × change × message/echo/status of a webhook body. Never throws: anything of an
 * unexpected shape is listed in `ignored` so the delivery can still be acknowledged and logged.
 */
export function parseWebhook(body: unknown, arrivalMs: number): ParsedDelivery {
  const result = emptyDelivery();
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
      if (value && phoneNumberId && field === 'history') {
        readHistory(value, phoneNumberId, arrivalMs, result);
        continue;
      }
      if (value && phoneNumberId && field === 'smb_app_state_sync') {
        readStateSync(value, phoneNumberId, result);
        continue;
      }
      if (!value || !phoneNumberId || (field !== 'messages' && field !== 'smb_message_echoes')) {
        result.ignored.push(`field ${field}`);
        continue;
      }
      for (const item of asArray(value.messages)) {
        const message = asObject(item);
        if (message) readItem(value, phoneNumberId, message, 'in', arrivalMs, result);
        else result.ignored.push('message that is not an object');
      }
      for (const item of asArray(value.message_echoes)) {
        const echo = asObject(item);
        if (echo) readItem(value, phoneNumberId, echo, 'out', arrivalMs, result);
        else result.ignored.push('echo that is not an object');
      }
      for (const item of asArray(value.statuses)) {
        const status = asObject(item);
        if (status) readStatus(phoneNumberId, status, arrivalMs, result);
        else result.ignored.push('status that is not an object');
      }
      if (asArray(value.errors).length > 0) result.ignored.push(`errors ${JSON.stringify(value.errors)}`);
    }
  }
  return result;
}
