// Worker thread that checkpoints the database's write-ahead log on a connection of its own, so
// that copying the WAL into the database file (tens of milliseconds for a large WAL) never
// blocks the main thread, where requests are answered and events are fanned out.
//
// Plain types and two package imports only: Node runs this file as it is in tests (type
// stripping), and the build bundles it as `checkpoint-worker.cjs` beside the main bundle.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** What the main thread passes to the worker. */
export type CheckpointWorkerData = { path: string; intervalMs: number; restartFrames: number };

/** What the worker reports: `ready` once its connection is open, `failed` when it must give up. */
export type CheckpointWorkerReport = { type: 'ready' } | { type: 'failed'; message: string };

type CheckpointResult = { busy: number; log: number; checkpointed: number };

const { path, intervalMs, restartFrames } = workerData as CheckpointWorkerData;
const port = parentPort;
let db: Database.Database | undefined;
let timer: NodeJS.Timeout | undefined;
// An idle app wakes the worker a few times a second, not twenty.
const idleMs = Math.max(intervalMs, 250);
let delayMs = intervalMs;
let last = { log: -1, checkpointed: -1 };

function report(message: CheckpointWorkerReport): void {
  port?.postMessage(message);
}

// PASSIVE copies what it can without ever blocking a writer. Under steady writes it never quite
// catches up, so SQLite never rewinds the WAL to its start; once the WAL holds restartFrames
// frames, RESTART holds writers back only while it copies the few frames written since the
// PASSIVE pass, and the next commit starts the WAL again from its beginning.
function checkpoint(): void {
  if (!db) return;
  try {
    const [passive = { busy: 0, log: 0, checkpointed: 0 }] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    if (passive.log >= restartFrames) db.pragma('wal_checkpoint(RESTART)');
    const unchanged = passive.log === last.log && passive.checkpointed === last.checkpointed;
    delayMs = unchanged ? Math.min(delayMs * 2, idleMs) : intervalMs;
    last = passive;
    timer = setTimeout(checkpoint, delayMs);
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): void {
  report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  stop();
}

function stop(): void {
  if (timer) clearTimeout(timer);
  db?.close();
  db = undefined;
  port?.close();
}

try {
  db = new Database(path, { fileMustExist: true });
  // Per connection: with FULL, a checkpoint syncs the database file before the WAL may be
  // rewound, so nothing committed depends on frames that are about to be overwritten.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  report({ type: 'ready' });
  port?.on('message', (message) => {
    if (message === 'stop') stop();
  });
  timer = setTimeout(checkpoint, intervalMs);
} catch (error) {
  fail(error);
}
