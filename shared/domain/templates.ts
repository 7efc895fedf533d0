// A template body's `{{1}}`, `{{2}}`… (or named `{{order_id}}`) placeholders: one rule for the
// gateway (the text a sent template shows) and the composer (its preview as the agent types).
const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** The distinct placeholders of a body, in order of first use. */
export function templatePlaceholders(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))];
}

/**
 * The body with its placeholders filled in order (`{{1}}` by number, a name by its order of first
 * use); a missing or empty value leaves its placeholder showing.
 */
export function fillTemplate(body: string, values: readonly string[]): string {
  const names = templatePlaceholders(body);
  return body.replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = values[/^\d+$/.test(name) ? Number(name) - 1 : names.indexOf(name)];
    return value === undefined || value === '' ? placeholder : value;
  });
}
