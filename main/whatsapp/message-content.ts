import type { DeliveryError, MessageContent } from '../../shared/contract';
import { asArray, asNumber, asObject, asString, type Json } from './json-reading';

/** What a message body says, read defensively: a text to show and the typed content. */
export type ReadMessageBody = { text: string; content: MessageContent; error: DeliveryError | undefined };

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

function optional<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

function media(body: Json): MessageContent['media'] {
  const id = asString(body.id);
  if (!id) return undefined;
  return optional({
    id,
    mime_type: asString(body.mime_type) ?? undefined,
    sha256: asString(body.sha256) ?? undefined,
    caption: asString(body.caption) ?? undefined,
    filename: asString(body.filename) ?? undefined,
    voice: typeof body.voice === 'boolean' ? body.voice : undefined,
    animated: typeof body.animated === 'boolean' ? body.animated : undefined,
    url: asString(body.url) ?? undefined,
  });
}

function location(body: Json): MessageContent['location'] {
  const latitude = asNumber(body.latitude);
  const longitude = asNumber(body.longitude);
  if (latitude === null || longitude === null) return undefined;
  return optional({
    latitude,
    longitude,
    name: asString(body.name) ?? undefined,
    address: asString(body.address) ?? undefined,
    url: asString(body.url) ?? undefined,
  });
}

function contacts(value: unknown): MessageContent['contacts'] {
  return asArray(value).flatMap((item) => {
    const card = asObject(item);
    if (!card) return [];
    const name = asObject(card.name);
    const phones = asArray(card.phones).flatMap((p) => {
      const phone = asObject(p);
      const number = asString(phone?.phone) ?? asString(phone?.wa_id);
      return number ? [optional({ phone: number, wa_id: asString(phone?.wa_id) ?? undefined, type: asString(phone?.type) ?? undefined })] : [];
    });
    return [{ name: asString(name?.formatted_name) ?? asString(name?.first_name) ?? 'Contact', phones }];
  });
}

function interactive(body: Json): MessageContent['interactive'] {
  for (const kind of ['button_reply', 'list_reply', 'nfm_reply'] as const) {
    const reply = asObject(body[kind]);
    if (!reply) continue;
    return optional({
      kind,
      id: asString(reply.id) ?? undefined,
      title: asString(reply.title) ?? asString(reply.name) ?? undefined,
      description: asString(reply.description) ?? asString(reply.body) ?? undefined,
      response_json: asString(reply.response_json) ?? undefined,
    });
  }
  return undefined;
}

function order(body: Json): MessageContent['order'] {
  const items = asArray(body.product_items).flatMap((item) => {
    const product = asObject(item);
    const id = asString(product?.product_retailer_id);
    if (!product || !id) return [];
    return [{ product_retailer_id: id, quantity: asNumber(product.quantity) ?? 0, item_price: asNumber(product.item_price) ?? 0, currency: asString(product.currency) ?? '' }];
  });
  return optional({ catalog_id: asString(body.catalog_id) ?? undefined, text: asString(body.text) ?? undefined, items });
}

function referral(value: unknown): MessageContent['referral'] {
  const ad = asObject(value);
  if (!ad) return undefined;
  const fields = ['source_url', 'source_id', 'source_type', 'headline', 'body', 'media_type', 'image_url', 'video_url', 'thumbnail_url', 'ctwa_clid'] as const;
  return optional(Object.fromEntries(fields.map((field) => [field, asString(ad[field]) ?? undefined])));
}

// A product enquiry: the customer wrote about a catalog item ("Message business" on a product).
function referredProduct(context: Json | null): MessageContent['referred_product'] {
  const product = asObject(context?.referred_product);
  const productRetailerId = asString(product?.product_retailer_id);
  if (!product || !productRetailerId) return undefined;
  return optional({ catalog_id: asString(product.catalog_id) ?? undefined, product_retailer_id: productRetailerId });
}

function forwarded(context: Json | null): MessageContent['forwarded'] {
  if (context?.frequently_forwarded === true) return 'frequently_forwarded';
  return context?.forwarded === true ? 'forwarded' : undefined;
}

/** Meta's first error object (`errors[]` on unsupported messages and failed statuses) as data. */
export function firstError(value: unknown): DeliveryError | undefined {
  const first = asObject(asArray(value)[0]);
  if (!first) return undefined;
  const details = asString(asObject(first.error_data)?.details);
  return {
    code: typeof first.code === 'number' ? first.code : null,
    title: asString(first.title) ?? asString(first.message) ?? 'Unknown error',
    ...(details ? { details } : {}),
  };
}

// A short line for the conversation list and for screen readers, for every type Meta documents.
function summary(type: string, content: MessageContent, body: Json): string | null {
  if (content.media) {
    const labels: Record<string, string> = {
      image: '📷 Photo',
      video: '🎬 Video',
      audio: content.media.voice ? '🎤 Voice message' : '🎵 Audio',
      document: `📄 ${content.media.filename ?? 'Document'}`,
      sticker: 'Sticker',
    };
    return content.media.caption ?? labels[type] ?? null;
  }
  if (content.location) return `📍 ${content.location.name ?? content.location.address ?? `${content.location.latitude}, ${content.location.longitude}`}`;
  if (content.contacts) return `👤 ${content.contacts.map((c) => c.name).join(', ') || 'Contact card'}`;
  if (content.interactive) return content.interactive.title ?? content.interactive.description ?? null;
  if (content.button) return content.button.text ?? content.button.payload ?? null;
  if (content.order) return content.order.text ?? `🛒 Order (${content.order.items.length} items)`;
  if (content.system) return content.system.body ?? null;
  return asString(body.body);
}

/**
 * Reads the body of a message of `type` (the object under the key named by the type). Unknown
 * and unsupported types are kept, labelled, with Meta's error: never dropped.
 */
export function readMessageBody(message: Json): ReadMessageBody {
  const type = asString(message.type) ?? 'unsupported';
  const body = asObject(message[type]) ?? {};
  const context = asObject(message.context);
  const content: MessageContent = optional({
    media: MEDIA_TYPES.has(type) ? media(body) : undefined,
    location: type === 'location' ? location(body) : undefined,
    contacts: type === 'contacts' ? contacts(message.contacts) : undefined,
    interactive: type === 'interactive' ? interactive(body) : undefined,
    button: type === 'button' ? optional({ payload: asString(body.payload) ?? undefined, text: asString(body.text) ?? undefined }) : undefined,
    order: type === 'order' ? order(body) : undefined,
    system:
      type === 'system'
        ? optional({
            kind: asString(body.type) ?? 'unknown',
            body: asString(body.body) ?? undefined,
            // `wa_id` since webhooks v12; `new_wa_id` in v11 and earlier.
            new_wa_id: asString(body.wa_id) ?? asString(body.new_wa_id) ?? undefined,
            new_user_id: asString(body.user_id) ?? undefined,
          })
        : undefined,
    referral: referral(message.referral),
    referred_product: referredProduct(context),
    unsupported_type: type === 'unsupported' ? (asString(asObject(message.unsupported)?.type) ?? undefined) : undefined,
    forwarded: forwarded(context),
  });
  // A synced history message whose media comes in a later webhook (Coexistence).
  if (type === 'media_placeholder') return { text: '📎 Media (it arrives separately)', content, error: undefined };
  const known = type !== 'unsupported' && (type === 'text' || Object.keys(content).some((key) => key !== 'referral' && key !== 'forwarded' && key !== 'referred_product'));
  const text = known ? (summary(type, content, body) ?? '') : 'Unsupported message';
  return { text, content: known ? content : { ...content, unsupported_type: content.unsupported_type ?? type }, error: firstError(message.errors) };
}
