import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fillPath, MEDIA_FILE_PATH } from '../../shared/contract';

/** How long a media link works: long enough to play a voice note or video and seek in it. */
export const MEDIA_LINK_TTL_MS = 60 * 60_000;

/**
 * Signed links to archived files, for elements that cannot send a token header (`<img>`, `<audio>`,
 * `<video>`). A link names one message and an expiry, signed with a key that lives only in this
 * process: a restart ends every link, and a client asks again (`getMediaLink`).
 */
export class MediaLinks {
  private readonly key = randomBytes(32);

  constructor(private readonly now: () => number = Date.now) {}

  /** A link to a message's file, valid until the returned expiry. */
  link(messageId: number): { url: string; expiresAtMs: number } {
    const expiresAtMs = this.now() + MEDIA_LINK_TTL_MS;
    const path = fillPath(MEDIA_FILE_PATH, { message_id: messageId });
    return { url: `${path}?expires=${expiresAtMs}&signature=${this.sign(messageId, expiresAtMs)}`, expiresAtMs };
  }

  /** Whether `expires` and `signature` (from a link's query) open this message's file now. */
  verify(messageId: number, expires: string | null, signature: string | null): boolean {
    if (expires === null || signature === null || !/^\d{1,15}$/.test(expires)) return false;
    const expiresAtMs = Number(expires);
    if (expiresAtMs <= this.now()) return false;
    const expected = Buffer.from(this.sign(messageId, expiresAtMs));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(messageId: number, expiresAtMs: number): string {
    return createHmac('sha256', this.key).update(`${messageId}.${expiresAtMs}`).digest('base64url');
  }
}
