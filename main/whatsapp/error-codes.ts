import type { RetryAdvice } from './client';

// Meta's error codes that mean "not accepted, try later" (WHATSAPP.md §9). Every other code is
// final: invalid parameters (100, 131008, 131009), outside the window (131047), token (190),
// template errors (132xxx), undeliverable (131026) … are marked failed with Meta's text.
const RETRYABLE: Record<number, RetryAdvice> = {
  1: 'backoff',
  2: 'backoff',
  4: 'backoff',
  80007: 'backoff',
  130429: 'backoff',
  131000: 'backoff',
  131016: 'backoff',
  133004: 'backoff',
  131056: 'pair_limit',
  131057: 'maintenance',
};

/** What to do after Meta answered with an error `code` (null when the body had none) and an HTTP status. */
export function retryAdvice(code: number | null, httpStatus: number): RetryAdvice {
  if (code !== null) return RETRYABLE[code] ?? 'never';
  return httpStatus === 429 || httpStatus >= 500 ? 'backoff' : 'never';
}

// Errors raised before the request could leave this machine: safe to send again.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What to do after the request failed without an HTTP answer. */
export function networkRetryAdvice(error: unknown): RetryAdvice {
  const cause = error instanceof Error && 'cause' in error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code && NOT_SENT.has(cause.code) ? 'backoff' : 'unknown_outcome';
}
