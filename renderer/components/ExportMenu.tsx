import { useState } from 'react';
import type { EXPORT_FORMATS } from '../../shared/contract';
import { useBridge } from '../stores/inbox-stores';

const CHOICES: { format: (typeof EXPORT_FORMATS)[number]; label: string }[] = [
  { format: 'html', label: 'Printable transcript (HTML)' },
  { format: 'text', label: 'Plain text' },
  { format: 'json', label: 'JSON (every field)' },
];

/**
 * Exports the open conversation: the gateway streams the file from a short-lived link, which the
 * page (or the desktop window) saves as a download; a failure is shown, not swallowed.
 */
export function ExportMenu({ conversationId }: { conversationId: number }) {
  const bridge = useBridge();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = async (format: (typeof EXPORT_FORMATS)[number]) => {
    setBusy(true);
    setError(null);
    const link = await bridge.getExportLink({ conversation_id: conversationId, format });
    setBusy(false);
    if (!link.ok) {
      setError(link.error.message);
      return;
    }
    const href = await bridge.gatewayUrl(link.value.url).catch(() => null);
    if (!href) {
      setError('the gateway cannot be reached');
      return;
    }
    const anchor = document.createElement('a');
    anchor.href = href;
    anchor.download = '';
    anchor.rel = 'noopener';
    anchor.click();
  };
  return (
    <details className="export-menu">
      <summary>Export</summary>
      <div className="export-choices" role="group" aria-label="Export conversation">
        {CHOICES.map(({ format, label }) => (
          <button key={format} type="button" disabled={busy} onClick={() => void download(format)}>
            {label}
          </button>
        ))}
      </div>
      {error && (
        <p className="export-error" role="alert">
          Could not export: {error}
        </p>
      )}
    </details>
  );
}
