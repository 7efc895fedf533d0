// The main process's event-loop delay under webhook ingest (monitorEventLoopDelay, sampled every
// 5 ms): what the desktop app's window, menus and IPC feel. Two layouts, each idle (the baseline)
// and under two loads: the gateway in the main process itself (as `switchboard serve` runs it, and
// as the desktop app ran it before), and the desktop app as it is now, the built main process under
// the Electron stand-in with its window open and the gateway in a utility process of its own. A p99
// above 16 ms (a frame) in the main process is what moving the gateway out had to cure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../tests/e2e/chromium.ts';
import { launchStandInApp } from '../tests/stand-in/window-host.ts';
import { cpuSeconds, root, runJson, startServer, stopChild } from './processes.mjs';

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
  const cpuBefore = cpuSeconds(child.pid);
  let load = null;
  if (batch === null) await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  else load = await runJson(['bench/load.mjs', '--url', url, '--secret', SECRET, '--seconds', String(SECONDS), '--connections', '64', '--batch', String(batch)]);
  const cpu = cpuUsed(cpuBefore, cpuSeconds(child.pid));
  await stopChild(child);
  const delay = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(dataDir, { recursive: true, force: true });
  return { name, messages_per_second: load ? Math.round(load.messages_per_second) : 0, ...delay, main_cpu_s: cpu, gateway_cpu_s: cpu };
}

/** CPU seconds used between two readings (null where /proc cannot be read). */
function cpuUsed(before, after) {
  return before === null || after === null ? null : Math.round((after - before) * 100) / 100;
}

const PROBE = path.join(root, 'bench', 'loop-delay-probe.cjs');

// The desktop app's main process (stand-in Electron, a window showing the inbox), its gateway in a utility process.
async function measureDesktop(name, batch, browser) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-loop-'));
  const report = path.join(dataDir, 'loop-delay.json');
  const app = await launchStandInApp(browser, {
    dataDir,
    env: { WHATSAPP_APP_SECRET: SECRET, SWITCHBOARD_SANDBOX_SEED: '0', SWITCHBOARD_PORT: '0', BENCH_LOOP_DELAY_FILE: report },
    execArgv: ['--require', PROBE],
  });
  const page = await app.firstWindow();
  const info = await page.evaluate(() => globalThis.switchboard.getInfo({}));
  process.kill(app.pid, 'SIGUSR2');
  const gatewayPid = app.gatewayPids[0];
  const before = { main: cpuSeconds(app.pid), gateway: cpuSeconds(gatewayPid) };
  let load = null;
  if (batch === null) await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  else load = await runJson(['bench/load.mjs', '--url', info.value.url, '--secret', SECRET, '--seconds', String(SECONDS), '--connections', '64', '--batch', String(batch)]);
  const main = cpuUsed(before.main, cpuSeconds(app.pid));
  const gateway = cpuUsed(before.gateway, cpuSeconds(gatewayPid));
  await app.quit();
  const delay = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(dataDir, { recursive: true, force: true });
  return { name, messages_per_second: load ? Math.round(load.messages_per_second) : 0, ...delay, main_cpu_s: main, gateway_cpu_s: gateway };
}

const rows = [
  await measure('gateway in the main process: idle (baseline)', null),
  await measure('gateway in the main process: 1-message webhooks', 1),
  await measure('gateway in the main process: 100-message webhooks', 100),
];
const browser = await launchChromium();
try {
  rows.push(
    await measureDesktop('desktop main, gateway in utility process: idle', null, browser),
    await measureDesktop('desktop main, gateway in utility process: 1-message webhooks', 1, browser),
    await measureDesktop('desktop main, gateway in utility process: 100-message webhooks', 100, browser),
  );
} finally {
  await browser.close();
}
console.log(`\nMain-process event-loop delay (${SECONDS} s each, monitorEventLoopDelay at 5 ms resolution; loads: 64 connections)\n`);
const width = Math.max(...rows.map((row) => row.name.length));
console.log(`${'scenario'.padEnd(width)}  ${'msgs/s'.padStart(8)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'max ms'.padStart(7)}  ${'main CPU s'.padStart(10)}  ${'gateway CPU s'.padStart(13)}`);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(width)}  ${String(row.messages_per_second).padStart(8)}  ${String(row.p50_ms).padStart(7)}  ${String(row.p99_ms).padStart(7)}  ${String(row.max_ms).padStart(7)}  ${String(row.main_cpu_s).padStart(10)}  ${String(row.gateway_cpu_s).padStart(13)}`,
  );
}
console.log(`(CPU seconds are used during the ${SECONDS} s measured; a main process far from ${SECONDS} s that still waits was waiting for a core, not working.)`);
console.log(`\n${JSON.stringify({ suite: 'event-loop', seconds: SECONDS, rows })}`);
