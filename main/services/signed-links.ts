import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a signed link works: long enough to play a voice note or video and seek in it, or to save an export. */
export const SIGNED_LINK_TTL_MS = 60 * 60_000;

/**
 * Signed links to one resource of the gateway (a message's file, a conversation's export), for
 * what cannot send a token header: `<img>`, `<audio>`, `<video>`, a download. A link names its
 * resource and an expiry, signed with a key that lives only in this process: a restart ends every
 * link, and a client asks again.
 */
export class SignedLinks {
  private readonly key = randomBytes(32);

  constructor(private readonly now: () => number = Date.now) {}

  /** `path` (which may carry a query) with `expires` and `signature` for `resource` added, and when it expires. */
  link(path: string, resource: string): { url: string; expiresAtMs: number } {
    const expiresAtMs = this.now() + SIGNED_LINK_TTL_MS;
    const joiner = path.includes('?') ? '&' : '?';
    return { url: `${path}${joiner}expires=${expiresAtMs}&signature=${this.sign(resource, expiresAtMs)}`, expiresAtMs };
  }

  /** Whether a request's `expires` and `signature` open `resource` now. */
  verify(resource: string, query: URLSearchParams): boolean {
    const expires = query.get('expires');
    const signature = query.get('signature');
    if (expires === null || signature === null || !/^\d{1,15}$/.test(expires)) return false;
    const expiresAtMs = Number(expires);
    if (expiresAtMs <= this.now()) return false;
    const expected = Buffer.from(this.sign(resource, expiresAtMs));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(resource: string, expiresAtMs: number): string {
    return createHmac('sha256', this.key).update(`${resource}\n${expiresAtMs}`).digest('base64url');
  }
}

/** The resource name a media link signs: one message's file. */
export function mediaResource(messageId: number): string {
  return `media:${messageId}`;
}

/** The resource name an export link signs: one conversation in one format. */
export function exportResource(conversationId: number, format: string): string {
  return `export:${conversationId}:${format}`;
}
