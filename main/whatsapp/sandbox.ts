import { randomBytes } from 'node:crypto';
import type { MessageStatus } from '../../shared/contract';
import type { OutgoingText, SendResult, WhatsAppClient } from './client';

/** Delivers a webhook body to the gateway's own `POST /webhook`, signed like Meta would. */
export type WebhookPoster = (body: unknown) => Promise<void>;

/** How long after a send each simulated status webhook is posted. */
export type SandboxTimings = { sentMs: number; deliveredMs: number; readMs: number };

/** Timings close to what WhatsApp shows a person: ✓ at once, ✓✓ within a second, blue a little later. */
export function sandboxTimings(baseDelayMs: number): SandboxTimings {
  return { sentMs: baseDelayMs, deliveredMs: baseDelayMs * 2, readMs: baseDelayMs * 4 };
}

/** A wamid of the shape Meta uses: `wamid.` + base64 of an opaque id. */
export function sandboxWamid(): string {
  return `wamid.${randomBytes(24).toString('base64')}`;
}

/** A Meta-shaped status webhook body for one message. */
export function statusWebhookBody(phoneNumberId: string, wamid: string, recipient: string, status: MessageStatus, atMs: number): unknown {
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
              statuses: [{ id: wamid, status, timestamp: String(Math.floor(atMs / 1000)), recipient_id: recipient }],
            },
          },
        ],
      },
    ],
  };
}

/**
 * Stands in for the Graph API when no access token is configured: accepts every send with a
 * realistic wamid, then posts signed status webhooks back through the real `/webhook` path, so the
 * sandbox exercises exactly the code a live install runs.
 */
export class SandboxClient implements WhatsAppClient {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly post: WebhookPoster,
    private readonly timings: SandboxTimings,
    private readonly now: () => number = Date.now,
  ) {}

  sendText(message: OutgoingText): Promise<SendResult> {
    const wamid = sandboxWamid();
    const recipient = message.to.waId ?? message.to.userId ?? '';
    const schedule: [MessageStatus, number][] = [
      ['sent', this.timings.sentMs],
      ['delivered', this.timings.deliveredMs],
      ['read', this.timings.readMs],
    ];
    for (const [status, delayMs] of schedule) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const body = statusWebhookBody(message.phoneNumberId, wamid, recipient, status, this.now());
        this.post(body).catch(() => {
          // The gateway is stopping; a status it no longer accepts has nowhere to go.
        });
      }, delayMs);
      this.timers.add(timer);
    }
    return Promise.resolve({ ok: true, wamid });
  }

  /** Cancels status webhooks not yet posted (on shutdown). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
