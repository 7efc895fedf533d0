import type { MessageStatus } from '../../shared/contract';
import { randomBytes } from 'node:crypto';
import { SAMPLE_MEDIA, sampleSha256Base64, type SampleName } from './sample-media';
import { statusWebhookBody } from './sandbox';

/** What a simulated customer sends, as the message object's type-specific part. */
export type SimulatedContent =
  | { type: 'text'; text: string }
  | { type: 'image'; caption: string }
  | { type: 'media'; sample: SampleName; caption?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string }
  | { type: 'reaction'; targetWamid: string; emoji: string }
  | { type: 'button_reply'; title: string };

function messageBody(content: SimulatedContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: { body: content.text } };
    case 'image':
      return messageBody({ type: 'media', sample: 'photo', caption: content.caption });
    case 'media': {
      // A real file the sandbox's media source serves, with its real sha256: it archives as a live one would.
      const sample = SAMPLE_MEDIA[content.sample];
      const media = {
        id: sample.id,
        mime_type: sample.mimeType,
        sha256: sampleSha256Base64(content.sample),
        ...(content.caption && sample.type !== 'audio' ? { caption: content.caption } : {}),
        ...(sample.type === 'document' ? { filename: sample.file } : {}),
        ...(sample.type === 'audio' ? { voice: true } : {}),
      };
      return { type: sample.type, [sample.type]: media };
    }
    case 'location':
      return { type: 'location', location: { latitude: content.latitude, longitude: content.longitude, ...(content.name ? { name: content.name } : {}) } };
    case 'reaction':
      return { type: 'reaction', reaction: { message_id: content.targetWamid, emoji: content.emoji } };
    case 'button_reply':
      return { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: content.title.toLowerCase().replace(/\W+/g, '-'), title: content.title } } };
  }
}

/** An inbound message from a customer, shaped exactly like Meta's `messages` webhook. */
export function inboundWebhook(input: { phoneNumberId: string; from: string; name: string; content: SimulatedContent; atMs: number; wamid?: string }): { wamid: string; body: unknown } {
  const wamid = input.wamid ?? `wamid.${randomBytes(24).toString('base64')}`;
  const body = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'sandbox-waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: input.phoneNumberId, phone_number_id: input.phoneNumberId },
              contacts: [{ profile: input.name ? { name: input.name } : {}, wa_id: input.from }],
              messages: [{ from: input.from, id: wamid, timestamp: String(Math.floor(input.atMs / 1000)), ...messageBody(input.content) }],
            },
          },
        ],
      },
    ],
  };
  return { wamid, body };
}

/** An inbound text from a customer, shaped exactly like Meta's `messages` webhook. */
export function inboundTextWebhook(input: {
  phoneNumberId: string;
  from: string;
  name: string;
  text: string;
  atMs: number;
  wamid?: string;
}): { wamid: string; body: unknown } {
  return inboundWebhook({ ...input, content: { type: 'text', text: input.text } });
}

/** A status webhook for a message the business sent. */
export function statusWebhook(input: { phoneNumberId: string; wamid: string; recipient: string; status: MessageStatus; atMs: number }): unknown {
  return statusWebhookBody(input.phoneNumberId, input.wamid, input.recipient, input.status, input.atMs);
}
