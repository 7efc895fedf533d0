// The gateway's main-thread event-loop delay under webhook ingest (monitorEventLoopDelay, sampled
// every 5 ms inside the gateway): what the desktop app's window would feel if the gateway shares
// Electron's main process. Baseline: the same gateway idle for as long. A p99 above 16 ms (a frame)
// would call for moving the gateway to a utilityProcess.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, runJson, startServer, stopChild } from './processes.mjs';

const SECRET = 'bench-loop-secret';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function measure(name, batch) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-loop-'));
  const report = path.join(dataDir, 'loop-delay.json');
  const { child, url } = await startServer(['--require', path.join(root, 'bench', 'loop-delay-probe.cjs'), 'dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir], {
    WHATSAPP_APP_SECRET: SECRET,
    SWITCHBOARD_SANDBOX_SEED: '0',
    BENCH_LOOP_DELAY_FILE: report,
  });
  // Start-up (migrations, first queries) is not what the window feels afterwards: measure from here.
  child.kill('SIGUSR2');
  let load = null;
  if (batch === null) await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  else load = await runJson(['bench/load.mjs', '--url', url, '--secret', SECRET, '--seconds', String(SECONDS), '--connections', '64', '--batch', String(batch)]);
  await stopChild(child);
  const delay = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(dataDir, { recursive: true, force: true });
  return { name, messages_per_second: load ? Math.round(load.messages_per_second) : 0, ...delay };
}

const rows = [await measure('idle gateway (baseline)', null), await measure('ingest, 1-message webhooks, 64 connections', 1), await measure('ingest, 100-message webhooks, 64 connections', 100)];
console.log(`\nGateway main-thread event-loop delay (${SECONDS} s each, monitorEventLoopDelay at 5 ms resolution)\n`);
const width = Math.max(...rows.map((row) => row.name.length));
console.log(`${'scenario'.padEnd(width)}  ${'msgs/s'.padStart(8)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'max ms'.padStart(7)}`);
for (const row of rows) console.log(`${row.name.padEnd(width)}  ${String(row.messages_per_second).padStart(8)}  ${String(row.p50_ms).padStart(7)}  ${String(row.p99_ms).padStart(7)}  ${String(row.max_ms).padStart(7)}`);
console.log(`\n${JSON.stringify({ suite: 'event-loop', seconds: SECONDS, rows })}`);
