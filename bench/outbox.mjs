/* global document, MutationObserver, KeyboardEvent -- functions passed to page.evaluate run in the browser */
// Sending benchmark: outbox throughput against a loopback fake Graph API (at Meta's default
// 80 messages/s per number, and with the limit lifted to see the outbox's own ceiling), against a
// raw baseline of direct POSTs to the same fake; then the time from pressing Enter in the composer
// to ✓ on screen in sandbox mode, in headless Chromium, against a bare fetch round trip.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer, stopChild } from './processes.mjs';

const SECRET = 'bench-app-secret';
const TOKEN = 'bench-token';
const PHONE = '200300400500';
const CUSTOMERS = 500;
const SENDS = Number(process.env.BENCH_SENDS ?? 2000);

function fakeGraph() {
  const received = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(performance.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.BENCH${++counter}` }] }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, received, close: () => server.close() })));
}



const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function post(url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function inParallel(count, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

function rate(times) {
  if (times.length < 2) return { per_second: 0, max_in_any_second: times.length };
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while (sorted[i] - sorted[j] >= 1000) j += 1;
    max = Math.max(max, i - j + 1);
  }
  return { per_second: (sorted.length - 1) / ((sorted.at(-1) - sorted[0]) / 1000), max_in_any_second: max };
}

async function gatewayThroughput(name, extraEnv) {
  const graph = await fakeGraph();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-outbox-'));
  const { child, url } = await startServer(['dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir], {
    WHATSAPP_APP_SECRET: SECRET, SWITCHBOARD_TOKEN: TOKEN, WHATSAPP_ACCESS_TOKEN: 'bench', WHATSAPP_PHONE_NUMBER_ID: PHONE,
    WHATSAPP_GRAPH_URL: graph.url, SWITCHBOARD_READ_RECEIPTS: 'never', ...extraEnv,
  }, 'ignore');
  // Customers write first: replies are only allowed inside their 24-hour window.
  const now = Math.floor(Date.now() / 1000);
  for (let batch = 0; batch < CUSTOMERS; batch += 100) {
    const messages = Array.from({ length: 100 }, (_, i) => ({ from: String(15550000000 + batch + i), id: `wamid.in${batch + i}`, timestamp: String(now), type: 'text', text: { body: 'hi' } }));
    const body = { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: PHONE }, messages } }] }] };
    const raw = JSON.stringify(body);
    await post(`${url}/webhook`, body, { 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` });
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const startedAt = performance.now();
  await inParallel(SENDS, 16, (n) => post(`${url}/api/conversations/${(n % CUSTOMERS) + 1}/messages`, { text: `reply ${n}` }, { authorization: `Bearer ${TOKEN}` }));
  const acceptedAt = performance.now();
  while (graph.received.length < SENDS && performance.now() - startedAt < 120_000) await new Promise((resolve) => setTimeout(resolve, 20));
  await stopChild(child);
  graph.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { name, sends: SENDS, delivered_to_graph: graph.received.length, api_accept_per_second: SENDS / ((acceptedAt - startedAt) / 1000), ...rate(graph.received) };
}

async function rawThroughput() {
  const graph = await fakeGraph();
  await inParallel(SENDS, 16, () => post(`${graph.url}/v26.0/${PHONE}/messages`, { messaging_product: 'whatsapp', to: '+1', type: 'text', text: { body: 'x' } }));
  graph.close();
  return { name: 'baseline: direct POSTs to the fake Graph API (16 at a time, no outbox)', sends: SENDS, delivered_to_graph: graph.received.length, ...rate(graph.received) };
}

async function composerToSent() {
  // The same Chromium the end-to-end tests use (system, CHROME_PATH, or the npm-bundled build).
  const { findChromium, CHROMIUM_ARGS } = await import('../tests/e2e/chromium.ts');
  const { executablePath: chromium } = await findChromium();
  const { chromium: driver } = await import('playwright-core');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-composer-'));
  const results = {};
  for (const delay of ['0', '600']) {
    const { child, url } = await startServer(['dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir], {
      WHATSAPP_APP_SECRET: SECRET, SWITCHBOARD_TOKEN: TOKEN, SWITCHBOARD_SANDBOX_DELAY_MS: delay, SWITCHBOARD_SANDBOX_SEED: '0',
      SWITCHBOARD_SANDBOX_FAILURE_RATE: '0', SWITCHBOARD_SANDBOX_REPLY_RATE: '0', SWITCHBOARD_PAIR_BURST: '1000',
    }, 'ignore');
    const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '100000000000001' }, contacts: [{ profile: { name: 'Bench' }, wa_id: '15551234567' }], messages: [{ from: '15551234567', id: `wamid.c${delay}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'hello' } }] } }] }] });
    await post(`${url}/webhook`, JSON.parse(raw), { 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` });
    const browser = await driver.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    await page.goto(`${url}/#token=${TOKEN}`);
    await page.getByTestId('conversation').first().click();
    const box = page.getByRole('textbox', { name: 'Reply' });
    const samples = [];
    const fetchSamples = [];
    for (let i = 0; i < 20; i += 1) {
      const text = `bench ${delay} ${i}`;
      await box.fill(text);
      const waited = page.evaluate((t) => new Promise((resolve) => {
        const started = performance.now();
        const check = () => {
          const bubble = [...document.querySelectorAll('[data-testid="message"]')].find((el) => el.textContent.includes(t));
          const status = bubble?.querySelector('.ticks')?.getAttribute('data-status');
          if (status && status !== 'pending') {
            observer.disconnect();
            resolve(performance.now() - started);
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        document.querySelector('textarea').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      }), text);
      samples.push(await waited);
      fetchSamples.push(await page.evaluate(async () => {
        const started = performance.now();
        await fetch('/api/health');
        return performance.now() - started;
      }));
    }
    await browser.close();
    await stopChild(child);
    const sorted = samples.sort((a, b) => a - b);
    const fetchSorted = fetchSamples.sort((a, b) => a - b);
    results[`sandbox_delay_${delay}ms`] = { samples: sorted.length, p50_ms: sorted[10], p95_ms: sorted[18], baseline_fetch_p50_ms: fetchSorted[10] };
  }
  rmSync(dataDir, { recursive: true, force: true });
  return results;
}

const results = [rawThroughput, () => gatewayThroughput('gateway outbox, Meta default limit (80/s per number)', {}), () => gatewayThroughput('gateway outbox, limit lifted (100,000/s)', { SWITCHBOARD_THROUGHPUT_PER_NUMBER: '100000' })];
const throughput = [];
for (const run of results) throughput.push(await run());
const composer = await composerToSent();
const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : '–');
console.log(`\nSending: ${SENDS} replies to ${CUSTOMERS} customers through the outbox to a loopback fake Graph API\n`);
console.log('| run | delivered to Graph | messages/s at Graph | max in any 1 s | API accepted/s |');
console.log('|---|---:|---:|---:|---:|');
for (const r of throughput) console.log(`| ${r.name} | ${fmt(r.delivered_to_graph)} | ${fmt(r.per_second)} | ${fmt(r.max_in_any_second)} | ${fmt(r.api_accept_per_second)} |`);
console.log('\nComposer Enter → ✓ on screen (sandbox, headless Chromium, 20 sends):\n');
console.log('| sandbox delay | p50 ms | p95 ms | baseline: fetch round trip p50 ms |');
console.log('|---|---:|---:|---:|');
for (const [name, r] of Object.entries(composer)) if (r.p50_ms !== undefined) console.log(`| ${name} | ${fmt(r.p50_ms)} | ${fmt(r.p95_ms)} | ${fmt(r.baseline_fetch_p50_ms)} |`);
console.log(JSON.stringify({ throughput, composer }, null, 2));
agent.destroy();
