/**
 * Why a fetch got no answer, in a word or two: the system's code (ECONNREFUSED, ENOTFOUND…), a
 * timeout, or the error's own message. One wording for every outgoing call the gateway and CLI make.
 */
export function fetchFailure(error: unknown, timeoutMs?: number): string {
  if (timeoutMs !== undefined && error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
