import type { BridgeApi } from '../bridge/bridge-api';

/** A link is reused until this long before it expires (an element may take that long to load it). */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

type Entry = { src: string; expiresAtMs: number };

// Per bridge (one per signed-in session): a row scrolled out and back in reuses its file's link, so
// the browser's cache serves the same URL instead of fetching and decoding the file again.
const caches = new WeakMap<BridgeApi, Map<number, Entry>>();

function cacheOf(bridge: BridgeApi): Map<number, Entry> {
  let cache = caches.get(bridge);
  if (!cache) caches.set(bridge, (cache = new Map()));
  return cache;
}

/** The link a message's file was last shown with, while it is still good. */
export function cachedMediaSrc(bridge: BridgeApi, messageId: number, nowMs = Date.now()): string | null {
  const entry = cacheOf(bridge).get(messageId);
  if (!entry) return null;
  if (entry.expiresAtMs - RENEW_BEFORE_MS > nowMs) return entry.src;
  cacheOf(bridge).delete(messageId);
  return null;
}

export function rememberMediaSrc(bridge: BridgeApi, messageId: number, src: string, expiresAt: string): void {
  cacheOf(bridge).set(messageId, { src, expiresAtMs: Date.parse(expiresAt) });
}

/** The link failed to load (expired early, the gateway restarted): the next mount asks for a new one. */
export function forgetMediaSrc(bridge: BridgeApi, messageId: number): void {
  cacheOf(bridge).delete(messageId);
}
