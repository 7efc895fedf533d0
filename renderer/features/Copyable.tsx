import { useCopy } from './use-copy';

/** A value with a copy button, for what is pasted elsewhere (Meta's dashboard). */
export function Copyable({ label, value }: { label: string; value: string }) {
  const { copied, copy } = useCopy();
  return (
    <div className="copyable">
      <span className="copyable-label">{label}</span>
      <code>{value}</code>
      <button type="button" onClick={() => copy(value)} aria-label={`Copy ${label.toLowerCase()}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
