import { useCallback, useEffect, useState } from 'react';
import type { Result } from '../../shared/contract';

/**
 * A settings form over one view of the gateway's: loads the view and a draft of it, and saves by
 * one request that answers the new view (which becomes the view and the draft again). What went
 * wrong loading or saving is `error`; `saved` says the last save went through.
 */
export function useSavedForm<View, Draft>(load: () => Promise<Result<View>>, draftOf: (view: View) => Draft) {
  const [view, setView] = useState<View | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    void load().then((result) => {
      if (!result.ok) return setError(result.error.message);
      setView(result.value);
      setDraft(draftOf(result.value));
    });
    // Loaded once per mount: `load` is the caller's, made anew each render.
  }, []);

  /** Saves by `request`; resolves to the new view, or null when it was refused (then `error` says why). */
  const save = useCallback(
    async (request: () => Promise<Result<View>>): Promise<View | null> => {
      setSaving(true);
      setSaved(false);
      const result = await request();
      setSaving(false);
      if (!result.ok) {
        setError(result.error.message);
        return null;
      }
      setError(null);
      setSaved(true);
      setView(result.value);
      setDraft(draftOf(result.value));
      return result.value;
    },
    [draftOf],
  );

  return { view, setView, draft, setDraft, error, setError, saving, saved, save };
}
