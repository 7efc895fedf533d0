import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/** The `X-Hub-Signature-256` value Meta would send for `rawBody` signed with `appSecret`. */
export function signWebhookBody(rawBody: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * Whether `header` is Meta's HMAC-SHA256 of the exact bytes received. The raw bytes are hashed,
 * never a re-serialised copy: Meta signs its escaped wire form, so JSON.stringify of the parsed
 * body differs whenever a message holds non-ASCII text, `@` or `/`.
 */
export function isValidWebhookSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !header.startsWith(PREFIX)) return false;
  const received = Buffer.from(header.slice(PREFIX.length).toLowerCase(), 'utf8');
  const expected = Buffer.from(signWebhookBody(rawBody, appSecret).slice(PREFIX.length), 'utf8');
  // timingSafeEqual needs equal lengths; the length of a hex digest is not a secret.
  return received.length === expected.length && timingSafeEqual(received, expected);
}
