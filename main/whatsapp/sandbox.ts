import { randomBytes, randomUUID } from 'node:crypto';
import type { MessageStatus } from '../../shared/contract';
import type { MediaUpload, OutgoingMessage, ReadReceipt, ReceiptResult, SendResult, UploadResult, WhatsAppClient } from './client';
import type { SampleName } from './sample-media';
import { inboundTextWebhook, inboundWebhook } from './simulated-payloads';

/** Delivers a webhook body to the gateway's own `POST /webhook`, signed like Meta would. */
export type WebhookPoster = (body: unknown) => Promise<void>;

/** How the simulator behaves: delays, and how often it shuffles, fails and answers. */
export type SandboxBehaviour = {
  /** ✓ after 1×, ✓✓ after 2×, blue after 4× this delay; a customer answers after 6×. */
  delayMs: number;
  /** Share of sends whose read arrives before delivered (Meta delivers out of order too). */
  shuffleRate: number;
  /** Share of sends that fail after ✓ with 131026 "Message undeliverable". */
  failureRate: number;
  /** Share of texts a simulated customer answers. */
  replyRate: number;
  random: () => number;
};

/** Defaults: realistic delays, one send in ten out of order, one in twenty failed, most answered. */
export const DEFAULT_SANDBOX: SandboxBehaviour = { delayMs: 600, shuffleRate: 0.1, failureRate: 0.05, replyRate: 0.7, random: Math.random };

/** A wamid of the shape Meta uses: `wamid.` + base64 of an opaque id. */
export function sandboxWamid(): string {
  return `wamid.${randomBytes(24).toString('base64')}`;
}

/** A Meta-shaped status webhook body for one message. */
export function statusWebhookBody(
  phoneNumberId: string,
  wamid: string,
  recipient: string,
  status: MessageStatus,
  atMs: number,
  extra: Record<string, unknown> = {},
): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'sandbox-waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: phoneNumberId, phone_number_id: phoneNumberId },
              statuses: [{ id: wamid, status, timestamp: String(Math.floor(atMs / 1000)), recipient_id: recipient, ...extra }],
            },
          },
        ],
      },
    ],
  };
}

const REPLIES = ['Thanks!', 'Great, thank you 🙏', 'Perfect.', 'Ok, I will check and come back to you.', 'Could you tell me more?', '👍'];

/** Simulated customers who write in on a fresh sandbox, so a new user sees a living inbox. */
export const SANDBOX_CUSTOMERS: readonly { waId: string; name: string; text: string; media: { sample: SampleName; caption?: string } }[] = [
  { waId: '15550100001', name: 'Ana Souza', text: 'Hi! My order #1042 has not arrived yet. Can you check?', media: { sample: 'photo', caption: 'This is the label on the box' } },
  { waId: '15550100002', name: 'Ben Carter', text: 'Do you ship to Canada?', media: { sample: 'voice' } },
  { waId: '15550100003', name: 'Chiara Rossi', text: 'Is the blue model back in stock? 💙', media: { sample: 'leaflet', caption: 'The order form' } },
];

const UNDELIVERABLE = [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Sandbox: the simulated customer could not be reached.' } }];

/**
 * Stands in for the Graph API when no access token is configured: accepts every send with a
 * realistic wamid, then posts signed status webhooks back through the real `/webhook` path (so the
 * sandbox exercises exactly the code a live install runs) — sometimes out of order, sometimes a
 * failure — and simulated customers answer.
 */
export class SandboxClient implements WhatsAppClient {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly post: WebhookPoster,
    private readonly behaviour: SandboxBehaviour,
    private readonly now: () => number = Date.now,
  ) {}

  send(message: OutgoingMessage): Promise<SendResult> {
    const wamid = sandboxWamid();
    const recipient = message.to.waId ?? message.to.userId ?? '';
    const { delayMs, random } = this.behaviour;
    const status = (value: MessageStatus, extra: Record<string, unknown> = {}) => () =>
      statusWebhookBody(message.phoneNumberId, wamid, recipient, value, this.now(), { ...(message.callbackData ? { biz_opaque_callback_data: message.callbackData } : {}), ...extra });
    // Meta sends only `sent` for reactions.
    const schedule: [number, () => unknown][] = [[delayMs, status('sent')]];
    if (message.body.type !== 'reaction') {
      if (random() < this.behaviour.failureRate) {
        schedule.push([delayMs * 2, status('failed', { errors: UNDELIVERABLE })]);
      } else {
        const shuffled = random() < this.behaviour.shuffleRate;
        schedule.push([shuffled ? delayMs * 3 : delayMs * 2, status('delivered')], [shuffled ? delayMs * 2 : delayMs * 4, status('read')]);
        if (message.body.type === 'text' && message.to.waId && random() < this.behaviour.replyRate) {
          const reply = REPLIES[Math.floor(random() * REPLIES.length)] ?? 'Thanks!';
          const from = message.to.waId;
          schedule.push([delayMs * 6, () => inboundTextWebhook({ phoneNumberId: message.phoneNumberId, from, name: '', text: reply, atMs: this.now() }).body]);
        }
      }
    }
    for (const [delay, body] of schedule) this.later(delay, body);
    return Promise.resolve({ ok: true, wamid });
  }

  /** Accepts the file as Meta would (the gateway checked its type and size), naming it with a sandbox media id. */
  uploadMedia(_upload: MediaUpload): Promise<UploadResult> {
    return Promise.resolve({ ok: true, mediaId: `sandbox-media-${randomUUID()}` });
  }

  markRead(_receipt: ReadReceipt): Promise<ReceiptResult> {
    return Promise.resolve({ ok: true });
  }

  /** Simulated customers write in (a fresh sandbox's first start). */
  seed(phoneNumberId: string): void {
    SANDBOX_CUSTOMERS.forEach((customer, index) => {
      const from = { phoneNumberId, from: customer.waId, name: customer.name };
      this.later(this.behaviour.delayMs * (index + 1), () => inboundTextWebhook({ ...from, text: customer.text, atMs: this.now() }).body);
      // Then a file, so a new install shows a photo, a voice note and a document.
      this.later(this.behaviour.delayMs * (index + 1 + SANDBOX_CUSTOMERS.length), () => inboundWebhook({ ...from, content: { type: 'media', ...customer.media }, atMs: this.now() }).body);
    });
  }

  /** Cancels webhooks not yet posted (on shutdown). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(delayMs: number, body: () => unknown): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.post(body()).catch(() => {
        // The gateway is stopping; a webhook it no longer accepts has nowhere to go.
      });
    }, delayMs);
    this.timers.add(timer);
  }
}
