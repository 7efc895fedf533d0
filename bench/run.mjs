// `npm run bench`: every benchmark, each printing a table and its JSON, each with a raw baseline
// measured in the same run. `npm run bench -- ingest`, `-- live`, `-- outbox`, `-- memory`, `-- history`, `-- renderer`, `-- event-loop` or `-- forward` runs one.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = { ingest: 'bench/ingest.mjs', forward: 'bench/forward.mjs', live: 'bench/live.mjs', outbox: 'bench/outbox.mjs', memory: 'bench/memory.mjs', history: 'bench/history.mjs', renderer: 'bench/renderer.mjs', 'event-loop': 'bench/event-loop.mjs' };
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in SUITES));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')} (suites: ${Object.keys(SUITES).join(', ')})`);
  process.exit(2);
}
for (const name of chosen.length > 0 ? chosen : Object.keys(SUITES)) {
  const result = spawnSync(process.execPath, [SUITES[name]], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
