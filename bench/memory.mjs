// Memory under a flood: 3,000 signed webhooks of 20 KB each (60 MB), 64 at a time, into a fresh
// gateway; its RSS when idle, at the peak during the flood, right after, and a minute later.
// Beside it, the raw baseline server (node:http + HMAC + one insert per request) under the same
// flood. Prints a table and its JSON. `BENCH_MEMORY_SETTLE_S` shortens the minute (for trials).
import { createHmac } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, stopChild } from './processes.mjs';

const SECRET = 'bench-secret';
const WEBHOOKS = 3_000;
const CONCURRENCY = 64;
const SETTLE_S = Number(process.env.BENCH_MEMORY_SETTLE_S ?? 60);
const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. '.repeat(260).slice(0, 19_600);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process, in MiB (Linux /proc); null elsewhere. */
function rssMiB(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function webhook(n) {
  const from = `1555${n % 500}`;
  const message = { from, id: `wamid.FLOOD${n}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: FILLER } };
  const value = { messaging_product: 'whatsapp', metadata: { phone_number_id: '100000000000001' }, contacts: [{ profile: { name: 'Flood' }, wa_id: from }], messages: [message] };
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value }] }] });
}

async function flood(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (raw) =>
    new Promise((resolve, reject) => {
      const signature = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
      const req = http.request(`${url}/webhook`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(raw);
    });
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < WEBHOOKS) if ((await post(webhook(next++))) !== 200) failed += 1;
    }),
  );
  agent.destroy();
  return failed;
}

async function measure(name, args, env = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-memory-'));
  const { child, url } = await startServer(args(dataDir), env);
  await sleep(2_000);
  const idle = rssMiB(child.pid);
  let peak = idle ?? 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(child.pid) ?? 0)), 20);
  const started = performance.now();
  const failed = await flood(url);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = rssMiB(child.pid);
  await sleep(SETTLE_S * 1000);
  const settled = rssMiB(child.pid);
  // Two more floods: what stays after the first is reused, not added to.
  for (let round = 0; round < 2; round += 1) {
    await flood(url);
    await sleep(5_000);
  }
  const afterThree = rssMiB(child.pid);
  await stopChild(child);
  rmSync(dataDir, { recursive: true, force: true });
  const round = (value) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    name,
    webhooks: WEBHOOKS,
    failed,
    seconds: round(seconds),
    idle_mib: round(idle),
    peak_mib: round(peak),
    after_mib: round(after),
    settled_mib: round(settled),
    growth_peak_mib: round(peak - idle),
    growth_settled_mib: round(settled - idle),
    after_three_floods_mib: round(afterThree),
  };
}

const rows = [
  await measure('gateway (switchboard serve)', (dataDir) => ['dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir], {
    WHATSAPP_APP_SECRET: SECRET,
    SWITCHBOARD_SANDBOX_SEED: '0',
  }),
  await measure('baseline: node:http + HMAC + one insert', (dataDir) => ['bench/baseline-server.mjs', '--synchronous', 'FULL', '--data', dataDir, '--secret', SECRET]),
];

console.log(`\nMemory under a flood: ${WEBHOOKS} webhooks of 20 KB, ${CONCURRENCY} at a time; RSS in MiB (settled = ${SETTLE_S} s after)\n`);
console.log('| server | idle | peak | right after | settled | growth at peak | growth settled | after 2 more floods | failed | seconds |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.idle_mib} | ${r.peak_mib} | ${r.after_mib} | ${r.settled_mib} | ${r.growth_peak_mib} | ${r.growth_settled_mib} | ${r.after_three_floods_mib} | ${r.failed} | ${r.seconds} |`);
}
console.log(`\n${JSON.stringify({ suite: 'memory', settle_seconds: SETTLE_S, rows })}`);
