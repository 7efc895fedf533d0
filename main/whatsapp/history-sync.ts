import type { MessageStatus } from '../../shared/contract';
import { asArray, asObject, asString, type Json } from './json-reading';
import { readMessageBody } from './message-content';
import { readItem, type ParsedDelivery } from './webhook-parser';

// A synced message's status as the WhatsApp Business app last knew it (`history_context.status`).
const HISTORY_STATUSES: Record<string, MessageStatus> = { SENT: 'sent', DELIVERED: 'delivered', READ: 'read', PLAYED: 'played', ERROR: 'failed', PENDING: 'pending' };

/** How many messages a `history` change holds, without reading them (for sizing a delivery). */
export function historyItemCount(value: Json): number {
  let count = 0;
  for (const chunk of asArray(value.history)) {
    for (const thread of asArray(asObject(chunk)?.threads)) count += asArray(asObject(thread)?.messages).length;
  }
  return count;
}

/**
 * Coexistence history (`field: "history"`): up to six months of chats of a number moved from the
 * WhatsApp Business app, in chunks that may arrive in any order. Each thread is one customer
 * (`id`); a message from that customer is inbound, any other is the business's own. They are read
 * as ordinary messages marked imported, with their original timestamps and the status the app
 * knew; a later `history` change with `messages` carries the media of a `media_placeholder`.
 */
export function readHistory(value: Json, phoneNumberId: string, arrivalMs: number, into: ParsedDelivery): void {
  const first = into.messages.length;
  for (const chunk of asArray(value.history)) {
    const chunkObject = asObject(chunk);
    for (const error of asArray(chunkObject?.errors)) into.ignored.push(`history not shared: ${asString(asObject(error)?.title) ?? JSON.stringify(error)}`);
    for (const thread of asArray(chunkObject?.threads)) {
      const threadObject = asObject(thread);
      const customer = asString(threadObject?.id);
      if (!customer) {
        into.ignored.push('history thread without id');
        continue;
      }
      for (const item of asArray(threadObject?.messages)) {
        const message = asObject(item);
        if (!message) continue;
        const inbound = asString(message.from) === customer;
        // An echo names its customer in `to`; history names them once, on the thread.
        readItem(value, phoneNumberId, inbound ? message : { ...message, to: customer }, inbound ? 'in' : 'out', arrivalMs, into);
        const read = into.messages.at(-1);
        if (read && read.wamid === asString(message.id)) {
          const status = HISTORY_STATUSES[asString(asObject(message.history_context)?.status) ?? ''] ?? (inbound ? 'delivered' : 'sent');
          read.imported = { status: inbound ? 'delivered' : status };
        }
      }
    }
  }
  // The media of earlier placeholders. From the customer, a message like any webhook's; from the
  // business, history names no recipient, so only its wamid ties it to the placeholder.
  const business = asString(asObject(value.metadata)?.display_phone_number);
  for (const item of asArray(value.messages)) {
    const message = asObject(item);
    const wamid = asString(message?.id);
    if (!message || !wamid) continue;
    const outbound = business !== null && asString(message.from) === business;
    if (outbound && !asString(message.to)) {
      const read = readMessageBody(message);
      into.mediaFills.push({ wamid, type: asString(message.type) ?? 'unsupported', text: read.text, content: read.content });
      continue;
    }
    readItem(value, phoneNumberId, message, outbound ? 'out' : 'in', arrivalMs, into);
    const read = into.messages.at(-1);
    if (read && read.wamid === wamid) read.imported = { status: outbound ? 'sent' : 'delivered' };
  }
  if (into.messages.length === first && asArray(value.history).length === 0 && asArray(value.messages).length === 0) into.ignored.push('history change with nothing in it');
}

/**
 * The WhatsApp Business app's contacts (`field: "smb_app_state_sync"`): a name the business gave a
 * customer names their conversation. A removal keeps the name: the conversation is still theirs.
 */
export function readStateSync(value: Json, phoneNumberId: string, into: ParsedDelivery): void {
  for (const item of asArray(value.state_sync)) {
    const entry = asObject(item);
    const contact = asObject(entry?.contact);
    const waId = asString(contact?.phone_number)?.replace(/^\+/, '') ?? null;
    const name = asString(contact?.full_name) ?? asString(contact?.first_name);
    if (entry?.type !== 'contact' || entry.action === 'remove') {
      into.ignored.push(`state_sync ${asString(entry?.type) ?? '?'} ${asString(entry?.action) ?? ''}`.trim());
      continue;
    }
    if (waId && name) into.contactNames.push({ phoneNumberId, waId, name });
    else into.ignored.push('state_sync contact without phone number or name');
  }
}
