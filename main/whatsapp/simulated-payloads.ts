import type { MessageStatus } from '../../shared/contract';
import { randomBytes } from 'node:crypto';
import { statusWebhookBody } from './sandbox';

/** An inbound text from a customer, shaped exactly like Meta's `messages` webhook. */
export function inboundTextWebhook(input: {
  phoneNumberId: string;
  from: string;
  name: string;
  text: string;
  atMs: number;
  wamid?: string;
}): { wamid: string; body: unknown } {
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
              // An empty name is left out, as Meta does when the customer has none to share.
              contacts: [{ profile: input.name ? { name: input.name } : {}, wa_id: input.from }],
              messages: [
                { from: input.from, id: wamid, timestamp: String(Math.floor(input.atMs / 1000)), type: 'text', text: { body: input.text } },
              ],
            },
          },
        ],
      },
    ],
  };
  return { wamid, body };
}

/** A status webhook for a message the business sent. */
export function statusWebhook(input: { phoneNumberId: string; wamid: string; recipient: string; status: MessageStatus; atMs: number }): unknown {
  return statusWebhookBody(input.phoneNumberId, input.wamid, input.recipient, input.status, input.atMs);
}
