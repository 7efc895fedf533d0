/**
 * A JSON value as a tree whose objects and arrays fold (`<details>`): open down to a webhook's text,
 * closed below that and past 50 items, so a large delivery stays readable; each level folds by a click.
 */
export function JsonTree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const label = name === undefined ? null : <span className="json-key">{JSON.stringify(name)}: </span>;
  if (value !== null && typeof value === 'object') {
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) {
      return (
        <div className="json-leaf">
          {label}
          {open}
          {close}
        </div>
      );
    }
    return (
      <details className="json-node" open={depth < 12 && entries.length <= 50}>
        <summary>
          {label}
          {open}
          <span className="json-count">
            {entries.length} {Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}
          </span>
          {close}
        </summary>
        <div className="json-children">
          {entries.map(([key, item]) => (
            <JsonTree key={key} value={item} {...(Array.isArray(value) ? {} : { name: key })} depth={depth + 1} />
          ))}
        </div>
      </details>
    );
  }
  return (
    <div className="json-leaf">
      {label}
      <span className={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
    </div>
  );
}
