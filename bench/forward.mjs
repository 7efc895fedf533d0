// Forwarding (`serve --forward-to`): what relaying every verified delivery to a local target costs
// ingest, how fast the target is fed, and the latency it adds per delivery. Baseline, in the same
// run: ingest alone. The target is a plain HTTP server in this process that answers 200 at once.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { runJson, startServer, stopChild } from './processes.mjs';

const SECRET = 'bench-forward-secret';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SEQUENTIAL = 300;

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round = (value) => Math.round(value * 100) / 100;

/** The developer's endpoint: when each delivery (by its x-switchboard-delivery id) arrived. */
async function startTarget() {
  const arrivals = new Map();
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      arrivals.set(Number(req.headers['x-switchboard-delivery']), performance.now());
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, arrivals, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function serve(extra) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-forward-'));
  const { child, url } = await startServer(['dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir, ...extra], { WHATSAPP_APP_SECRET: SECRET, SWITCHBOARD_SANDBOX_SEED: '0' }, 'ignore');
  return { url, stop: async () => { await stopChild(child); rmSync(dataDir, { recursive: true, force: true }); } };
}

function signedBody(n) {
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '200300400500' }, contacts: [{ profile: { name: 'Bench' }, wa_id: '15550000001' }], messages: [{ from: '15550000001', id: `wamid.forward-seq-${n}`, timestamp: '1764115200', type: 'text', text: { body: `sequential ${n}` } }] } }] }],
  });
  return { raw, signature: `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` };
}

async function waitFor(check, timeoutMs) {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

// 1. Saturating ingest, alone and while forwarding.
const alone = await serve([]);
const aloneLoad = await runJson(['bench/load.mjs', '--url', alone.url, '--secret', SECRET, '--seconds', String(SECONDS), '--connections', '64', '--batch', '1']);
await alone.stop();

const target = await startTarget();
const forwarding = await serve(['--forward-to', target.url]);
const loadStarted = performance.now();
const forwardLoad = await runJson(['bench/load.mjs', '--url', forwarding.url, '--secret', SECRET, '--seconds', String(SECONDS), '--connections', '64', '--batch', '1']);
const loadEnded = performance.now();
const relayedDuringLoad = target.arrivals.size;
await waitFor(() => target.arrivals.size >= forwardLoad.ok, 120_000);
const drainedAfterMs = performance.now() - loadEnded;
const relayRate = target.arrivals.size / ((performance.now() - loadStarted) / 1000);

// 2. Latency: one delivery at a time, from the moment it is posted to its acknowledgement (what
// Meta waits for) and to its arrival at the target (what the developer waits for).
const ackMs = [];
const arrivalMs = [];
for (let n = 1; n <= SEQUENTIAL; n += 1) {
  const before = target.arrivals.size;
  const { raw, signature } = signedBody(n);
  const sent = performance.now();
  const response = await fetch(`${forwarding.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body: raw });
  await response.arrayBuffer();
  const acked = performance.now();
  await waitFor(() => target.arrivals.size > before, 10_000);
  const arrived = [...target.arrivals.values()].at(-1);
  ackMs.push(acked - sent);
  arrivalMs.push(arrived - sent);
}
await forwarding.stop();
await target.close();
ackMs.sort((a, b) => a - b);
arrivalMs.sort((a, b) => a - b);

const rows = {
  ingest_alone_msgs_per_s: Math.round(aloneLoad.messages_per_second),
  ingest_while_forwarding_msgs_per_s: Math.round(forwardLoad.messages_per_second),
  ingest_ratio: round(forwardLoad.messages_per_second / aloneLoad.messages_per_second),
  relayed_during_load: relayedDuringLoad,
  acknowledged_during_load: forwardLoad.ok,
  relay_rate_per_s: Math.round(relayRate),
  backlog_drained_after_load_ms: Math.round(drainedAfterMs),
  sequential: {
    deliveries: SEQUENTIAL,
    posted_to_ack_ms: { p50: round(percentile(ackMs, 50)), p99: round(percentile(ackMs, 99)) },
    posted_to_target_ms: { p50: round(percentile(arrivalMs, 50)), p99: round(percentile(arrivalMs, 99)), max: round(arrivalMs.at(-1)) },
  },
};

console.log(`\nForwarding every verified delivery to a local target (${SECONDS} s of 1-message webhooks, 64 connections)\n`);
const table = [
  ['ingest alone (baseline)', `${rows.ingest_alone_msgs_per_s} msgs/s`],
  ['ingest while forwarding', `${rows.ingest_while_forwarding_msgs_per_s} msgs/s (${rows.ingest_ratio} of alone)`],
  ['relayed to the target during the load', `${rows.relayed_during_load} of ${rows.acknowledged_during_load}`],
  ['relay rate, load and drain', `${rows.relay_rate_per_s} deliveries/s`],
  ['backlog relayed after the load ended', `${rows.backlog_drained_after_load_ms} ms`],
  [`one at a time (${SEQUENTIAL}): posted → acknowledged p50 / p99`, `${rows.sequential.posted_to_ack_ms.p50} / ${rows.sequential.posted_to_ack_ms.p99} ms`],
  ['one at a time: posted → at the target p50 / p99 / max', `${rows.sequential.posted_to_target_ms.p50} / ${rows.sequential.posted_to_target_ms.p99} / ${rows.sequential.posted_to_target_ms.max} ms`],
];
const width = Math.max(...table.map(([name]) => name.length));
for (const [name, value] of table) console.log(`${name.padEnd(width)}  ${value}`);
console.log(`\n${JSON.stringify({ suite: 'forward', seconds: SECONDS, ...rows })}`);
