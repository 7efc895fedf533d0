/** How much of the 24-hour customer-service window is left, as the agent reads it. */
export function windowLeft(expiresAt: string | null, nowMs: number): { open: boolean; text: string } {
  if (!expiresAt) return { open: false, text: 'The customer has not written yet: only templates can be sent.' };
  const leftMs = Date.parse(expiresAt) - nowMs;
  if (leftMs <= 0) return { open: false, text: 'The 24-hour window is closed: only templates can be sent.' };
  const hours = Math.floor(leftMs / 3_600_000);
  const minutes = Math.floor((leftMs % 3_600_000) / 60_000);
  return { open: true, text: `Window closes in ${hours > 0 ? `${hours} h ` : ''}${minutes} min` };
}
