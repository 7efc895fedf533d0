// Live-events benchmark: webhook → WebSocket client latency at a fixed webhook rate with 100
// clients connected, fan-out throughput at a higher rate, and memory per idle client; against a
// raw `ws` broadcast server measured in the same run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { root, runJson, startServer, stopChild } from './processes.mjs';

const SECRET = 'bench-app-secret';
const TOKEN = 'bench-token';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);




function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

async function idleMemory(server, wsUrl, clients) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssKb(server.pid);
  const idle = spawn(process.execPath, ['bench/idle-clients.mjs', '--ws', wsUrl, '--clients', String(clients)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => idle.stdout.on('data', (chunk) => String(chunk).includes('connected') && resolve()));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = rssKb(server.pid);
  await stopChild(idle);
  return { clients, rss_before_kb: before, rss_after_kb: after, kb_per_client: (after - before) / clients };
}

async function suite(name, serverArgs, env, wsUrlOf, loadArgs) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-live-'));
  const { child, url } = await startServer(serverArgs(dataDir), env, 'ignore');
  const wsUrl = wsUrlOf(url);
  const common = ['bench/live-load.mjs', '--url', url, '--ws', wsUrl, '--secret', SECRET, ...loadArgs];
  await runJson([...common, '--clients', '10', '--rate', '200', '--seconds', '1']); // warm-up
  const latency = await runJson([...common, '--clients', '100', '--rate', '1000', '--seconds', String(SECONDS)]);
  const fanout = await runJson([...common, '--clients', '100', '--rate', '3000', '--seconds', String(Math.max(3, SECONDS / 2))]);
  const memory = await idleMemory(child, wsUrl, 1000);
  await stopChild(child);
  rmSync(dataDir, { recursive: true, force: true });
  return { name, latency, fanout: { ...fanout, deliveries_per_second: fanout.delivered / fanout.seconds }, memory };
}

export async function liveBenchmark() {
  // No seeded sandbox conversation: every new_message a client counts is one the load posted.
  const gateway = await suite(
    'gateway (webhook → log → /ws, synchronous=FULL)',
    (dataDir) => ['dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir],
    { WHATSAPP_APP_SECRET: SECRET, SWITCHBOARD_TOKEN: TOKEN, SWITCHBOARD_SANDBOX_SEED: '0' },
    (url) => `${url.replace('http', 'ws')}/ws?token=${TOKEN}`,
    [],
  );
  const raw = await suite('baseline: bare ws broadcast of each POST', () => ['bench/ws-baseline-server.mjs'], {}, (url) => url.replace('http', 'ws'), ['--raw']);
  return {
    results: [gateway, raw],
    targets: {
      p50_ms: { target: 2, measured: gateway.latency.p50_ms, met: gateway.latency.p50_ms <= 2 },
      p99_ms: { target: 10, measured: gateway.latency.p99_ms, met: gateway.latency.p99_ms <= 10 },
      idle_client_kb: { target: 50, measured: gateway.memory.kb_per_client, met: gateway.memory.kb_per_client <= 50 },
    },
  };
}

export function printLive(summary) {
  const fmt = (n) => (n === null ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 2 }));
  console.log(`\nLive events: 100 clients, webhooks at 1,000/s for ${SECONDS} s (latency) and 3,000/s (fan-out); 1,000 idle clients (memory)\n`);
  // Every client must get every message: a shortfall or a failed POST shows in the table, not only in the JSON.
  console.log('| server | p50 ms | p99 ms | max ms | delivered / expected | clients short | failed POSTs | fan-out deliveries/s (delivered / expected) | KB per idle client |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of summary.results) {
    console.log(
      `| ${r.name} | ${fmt(r.latency.p50_ms)} | ${fmt(r.latency.p99_ms)} | ${fmt(r.latency.max_ms)} | ${fmt(r.latency.delivered)} / ${fmt(r.latency.expected)} | ${r.latency.clients_short} | ${r.latency.failed} | ${fmt(r.fanout.deliveries_per_second)} (${fmt(r.fanout.delivered)} / ${fmt(r.fanout.expected)}) | ${fmt(r.memory.kb_per_client)} |`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const summary = await liveBenchmark();
  printLive(summary);
  console.log(JSON.stringify(summary, null, 2));
}
