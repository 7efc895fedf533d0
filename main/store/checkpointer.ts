import type { Database } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import type { CheckpointWorkerData, CheckpointWorkerReport } from './checkpoint-worker';
import { WAL_AUTOCHECKPOINT_PAGES } from './database';

/** Where the worker is and how often it checkpoints. */
export type CheckpointerOptions = {
  /** The database file; the worker opens a connection of its own to it. */
  databasePath: string;
  /** The worker script: `checkpoint-worker.cjs` beside the built bundle, or its TypeScript source. */
  script: string;
  log: (line: string) => void;
  /** Pause between two passes while the WAL grows (default 50 ms); longer, up to 250 ms, while it does not. */
  intervalMs?: number;
  /** WAL size, in frames, at which the worker rewinds it (default: the size SQLite's own autocheckpoint used). */
  restartFrames?: number;
};

/** Checkpoints run by a worker thread; `stop` hands them back to SQLite's autocheckpoint. */
export type Checkpointer = {
  /** Whether the worker checkpoints now (otherwise the commit that fills the WAL does). */
  active(): boolean;
  /** Stops the worker; resolves once it has closed its connection. */
  stop(): Promise<void>;
};

const STOP_GRACE_MS = 2_000;

/**
 * Moves WAL checkpoints off the main thread. SQLite's autocheckpoint runs inside the commit that
 * fills the WAL, stalling the event loop for as long as it copies pages and syncs the database
 * file; the worker does that on its own connection instead. Until the worker reports ready, and
 * whenever it fails or exits, autocheckpoint stays on: the WAL never grows without a bound.
 */
export function startCheckpointer(db: Database, options: CheckpointerOptions): Checkpointer {
  let active = false;
  let stopping = false;
  let handedBack = false;
  // Reasons arrive more than once (an error, then the exit): the first one is logged.
  const handBack = (reason: string | null) => {
    const wasActive = active;
    active = false;
    if (db.open) db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    if (reason !== null && !stopping && !handedBack) {
      options.log(`database: background checkpoints ${wasActive ? 'stopped' : 'unavailable'} (${reason}); commits checkpoint the WAL instead`);
    }
    handedBack = true;
  };
  const workerData: CheckpointWorkerData = {
    path: options.databasePath,
    intervalMs: options.intervalMs ?? 50,
    restartFrames: options.restartFrames ?? WAL_AUTOCHECKPOINT_PAGES,
  };
  let worker: Worker;
  try {
    worker = new Worker(options.script, { workerData });
  } catch (error) {
    handBack(error instanceof Error ? error.message : String(error));
    return { active: () => false, stop: () => Promise.resolve() };
  }
  // Never the reason the process stays alive.
  worker.unref();
  worker.on('message', (report: CheckpointWorkerReport) => {
    if (report.type === 'failed') handBack(report.message);
    else if (!stopping && !handedBack && db.open) {
      db.pragma('wal_autocheckpoint = 0');
      active = true;
    }
  });
  worker.on('error', (error) => handBack(error.message));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      handBack(`worker exited with code ${code}`);
      resolve();
    }),
  );
  return {
    active: () => active,
    stop: async () => {
      stopping = true;
      handBack(null);
      worker.postMessage('stop');
      const grace = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
      await exited;
      clearTimeout(grace);
    },
  };
}
