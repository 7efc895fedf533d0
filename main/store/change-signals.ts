import { existsSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * What another process (a CLI command beside a running gateway) can tell the gateway it changed:
 * `tokens` (added or revoked: open WebSockets are checked at once) and `events` (it appended
 * events to the log: they are published to clients now, not at their next resume).
 */
export type ChangeSignal = 'tokens' | 'events';

function signalFile(dataDir: string, signal: ChangeSignal): string {
  return path.join(dataDir, `${signal}.changed`);
}

/** Tells a gateway running on `dataDir`, in any process, that `signal` changed. */
export function signalChange(dataDir: string, signal: ChangeSignal): void {
  writeFileSync(signalFile(dataDir, signal), `${new Date().toISOString()}\n`);
}

/** Calls `onChange` whenever `signalChange` is called for `dataDir` and `signal`, by any process; returns a stop function. */
export function watchChanges(dataDir: string, signal: ChangeSignal, onChange: () => void): () => void {
  const file = signalFile(dataDir, signal);
  if (!existsSync(file)) writeFileSync(file, '');
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(file, { persistent: false }, () => onChange());
    // A watch that fails later (the file system went away) leaves the periodic checks.
    watcher.on('error', () => watcher?.close());
  } catch {
    // No file watching here (some network file systems): heartbeats and resumes still catch up.
  }
  return () => watcher?.close();
}
