/** A string as one shell word, quoted for POSIX shells: 'it'\''s' for it's. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The headers a replayed delivery needs: Meta's signature makes it pass the gateway's check (or your own app's). */
const REPLAYED_HEADERS = ['content-type', 'x-hub-signature-256'];

/**
 * A `curl` command that replays a logged delivery, byte for byte, with Meta's signature: pasted
 * into a terminal it posts exactly what Meta sent to `url`.
 */
export function curlCommand(url: string, headers: Readonly<Record<string, string>>, body: string): string {
  const lines = [`curl -X POST ${shellQuote(url)}`];
  for (const name of REPLAYED_HEADERS) {
    const value = headers[name] ?? (name === 'content-type' ? 'application/json' : undefined);
    if (value !== undefined) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  lines.push(`--data-binary ${shellQuote(body)}`);
  return lines.join(' \\\n  ');
}
