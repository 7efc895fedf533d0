// Webhook ingestion benchmark (part of `npm run bench`): throughput with ack-after-commit, against two raw baselines
// measured in the same run on the same machine. Prints a table, then the JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cpuSeconds, runJson, startServer, stopChild } from './processes.mjs';

const SECRET = 'bench-app-secret';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);


function load(url, batch, seconds) {
  return runJson(['bench/load.mjs', '--url', url, '--secret', SECRET, '--seconds', String(seconds), '--connections', String(CONNECTIONS), '--batch', String(batch)]);
}


// The gateway acknowledges once a delivery is durable in its webhook log and processes it into
// messages right after; this waits (polling the database from outside) until nothing
// acknowledged is left unprocessed, so the figures below include processing, not just acks.
async function drained(dataDir, pendingRows) {
  const startedAt = performance.now();
  while (pendingRows(dataDir) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  return (performance.now() - startedAt) / 1000;
}

async function scenario(name, serverArgs, env, batch, countRows, pendingRows) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  const { child, url } = await startServer(serverArgs(dataDir), env);
  await load(url, batch, 2); // warm-up: JIT, page cache, connection setup
  await drained(dataDir, pendingRows);
  const before = countRows(dataDir);
  const serverCpuBefore = cpuSeconds(child.pid);
  const result = await load(url, batch, SECONDS);
  const serverCpuAfter = cpuSeconds(child.pid);
  // Share of one core the server used during the load (all its threads): with the load
  // generator's share, where the 2 cores went.
  const serverCpuShare = serverCpuBefore === null || serverCpuAfter === null ? null : (serverCpuAfter - serverCpuBefore) / result.seconds;
  const drainSeconds = await drained(dataDir, pendingRows);
  const stored = countRows(dataDir) - before;
  await stopChild(child);
  rmSync(dataDir, { recursive: true, force: true });
  const processedPerSecond = stored / (result.seconds + drainSeconds);
  return { name, batch, ...result, server_cpu_share: serverCpuShare, stored, drain_seconds: drainSeconds, processed_messages_per_second: processedPerSecond };
}

const gatewayEnv = { WHATSAPP_APP_SECRET: SECRET, SWITCHBOARD_TOKEN: 'bench', SWITCHBOARD_SANDBOX_SEED: '0' };
const gateway = (dataDir) => ['dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir];
const baseline = (sync) => (dataDir) => ['bench/baseline-server.mjs', '--synchronous', sync, '--data', dataDir, '--secret', SECRET];
const countMessages = (dataDir) => {
  const db = new Database(path.join(dataDir, 'switchboard.db'), { readonly: true });
  const count = db.prepare('SELECT count(*) FROM messages').pluck().get();
  db.close();
  return count;
};
const pendingDeliveries = (dataDir) => {
  const db = new Database(path.join(dataDir, 'switchboard.db'), { readonly: true });
  const count = db.prepare("SELECT count(*) FROM webhook_log WHERE outcome = 'received'").pluck().get();
  db.close();
  return count;
};
const countDeliveries = (dataDir) => {
  const db = new Database(path.join(dataDir, 'baseline.db'), { readonly: true });
  const count = db.prepare('SELECT count(*) FROM deliveries').pluck().get();
  db.close();
  return count;
};

const results = [];
const none = () => 0;
results.push(await scenario('gateway, single-message webhooks (synchronous=FULL, group commit)', gateway, gatewayEnv, 1, countMessages, pendingDeliveries));
results.push(await scenario('gateway, 100-message batches (synchronous=FULL, group commit)', gateway, gatewayEnv, 100, countMessages, pendingDeliveries));
// The same single-message load with V8's memory defaults (no MemoryGovernor): what pacing the
// collector through floods costs ingest, measured in the same run.
results.push(await scenario('gateway, single-message webhooks, V8 memory defaults (SWITCHBOARD_MEMORY_GOVERNOR=0)', gateway, { ...gatewayEnv, SWITCHBOARD_MEMORY_GOVERNOR: '0' }, 1, countMessages, pendingDeliveries));
results.push(await scenario('baseline: node:http + HMAC + 1 insert/request, synchronous=FULL', baseline('FULL'), {}, 1, countDeliveries, none));
results.push(await scenario('baseline: node:http + HMAC + 1 insert/request, synchronous=OFF (ceiling)', baseline('OFF'), {}, 1, countDeliveries, none));

const [single, batched, v8Defaults, full, off] = results;
const summary = {
  machine: { cpus: os.cpus().length, node: process.version, seconds: SECONDS, connections: CONNECTIONS },
  results,
  ratios: {
    gateway_vs_durable_baseline: single.per_second / full.per_second,
    gateway_vs_no_durability_ceiling: single.per_second / off.per_second,
    gateway_vs_gateway_with_v8_memory_defaults: single.per_second / v8Defaults.per_second,
  },
  targets: {
    webhooks_per_second: { target: 8000, measured: single.per_second, met: single.per_second >= 8000 },
    batched_messages_per_second: { target: 100000, measured: batched.messages_per_second, met: batched.messages_per_second >= 100000 },
    batched_messages_processed_per_second: { target: 100000, measured: batched.processed_messages_per_second, met: batched.processed_messages_per_second >= 100000 },
  },
};

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log('\nWebhook ingestion (ack after commit), %d s per scenario, %d connections, %d CPUs, Node %s\n', SECONDS, CONNECTIONS, os.cpus().length, process.version);
console.log('| scenario | acked requests/s | acked messages/s | p50 ms | p99 ms | errors | acknowledged | stored | drain s | processed messages/s | server CPU | load generator CPU |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const share = (value) => (value === null ? '–' : `${Math.round(value * 100)}%`);
for (const r of results) {
  console.log(
    `| ${r.name} | ${fmt(r.per_second)} | ${fmt(r.messages_per_second)} | ${r.latency_p50_ms} | ${r.latency_p99_ms} | ${r.errors} | ${fmt(r.ok * r.batch)} | ${fmt(r.stored)} | ${r.drain_seconds.toFixed(2)} | ${fmt(r.processed_messages_per_second)} | ${share(r.server_cpu_share)} | ${share(r.cpu_share)} |`,
  );
}
console.log(`\ngateway / durable baseline: ${summary.ratios.gateway_vs_durable_baseline.toFixed(2)}×`);
console.log(`gateway / no-durability ceiling: ${summary.ratios.gateway_vs_no_durability_ceiling.toFixed(2)}`);
console.log(`gateway / the same with V8's memory defaults: ${summary.ratios.gateway_vs_gateway_with_v8_memory_defaults.toFixed(2)}×`);
console.log(`CPU: share of one core during the load, all threads; ${os.cpus().length} cores in all.\n`);
console.log(JSON.stringify(summary, null, 2));
