// History at scale (part of `npm run bench`): a generated database of 10,000 conversations and
// 1,000,000 messages (`switchboard seed-demo`), then the gateway serving it: time to ready, RSS,
// and p50/p95 of the conversation list, thread pages and search over HTTP; then one 1,000,000-message
// thread on its own, paged from anywhere in it. The raw baseline is the same SQL run directly
// through better-sqlite3 in this process, in the same run. Prints a table and JSON.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { URLSearchParams } from 'node:url';
import path from 'node:path';
import Database from 'better-sqlite3';
import { root, runOutput, stopChild } from './processes.mjs';

const CONVERSATIONS = Number(process.env.BENCH_HISTORY_CONVERSATIONS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_HISTORY_MESSAGES ?? 1_000_000);
const SAMPLES = 400;
const TOKEN = 'bench-token';
const SECRET = 'bench-history-secret';
const INGEST_SECONDS = 5;
// One customer of many years: every page of their thread, anywhere in it, costs what the newest does.
const LONG_THREAD = Number(process.env.BENCH_HISTORY_LONG_THREAD ?? 1_000_000);

function rssMiB(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return null;
  }
}


// Starts the gateway on the data dir; resolves once it prints `listening`, with the time that took.
function startGateway(dataDir) {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main/cli.cjs', 'serve', '--port', '0', '--data', dataDir], {
    cwd: root,
    env: { ...process.env, SWITCHBOARD_TOKEN: TOKEN, SWITCHBOARD_SANDBOX_SEED: '0', WHATSAPP_APP_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^listening (\S+)$/m.exec(out);
      if (match) resolve({ child, url: match[1], readyMs: performance.now() - started });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50_ms: Math.round(at(0.5) * 1000) / 1000, p95_ms: Math.round(at(0.95) * 1000) / 1000, max_ms: Math.round((sorted.at(-1) ?? 0) * 1000) / 1000 };
}

async function timeEach(inputs, call) {
  const samples = [];
  for (const input of inputs) {
    const started = performance.now();
    await call(input);
    samples.push(performance.now() - started);
  }
  return percentiles(samples);
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-history-'));
const seeded = await runOutput(['dist/main/cli.cjs', 'seed-demo', '--conversations', String(CONVERSATIONS), '--messages', String(MESSAGES), '--data', dataDir]);
const dbFile = path.join(dataDir, 'switchboard.db');
const dbMegabytes = statSync(dbFile).size / 1e6;

// Inputs drawn once, used by both the gateway and the raw baseline.
const raw = new Database(dbFile, { readonly: true });
let state = 12345;
const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
const conversationIds = raw.prepare('SELECT id FROM conversations').pluck().all();
const maxMessageId = raw.prepare('SELECT max(id) FROM messages').pluck().get();
const pickConversations = Array.from({ length: SAMPLES }, () => conversationIds[Math.floor(random() * conversationIds.length)]);
const pickMessages = Array.from({ length: SAMPLES }, () => raw.prepare('SELECT id, conversation_id FROM messages WHERE id = ?').get(1 + Math.floor(random() * maxMessageId)));
const listAfter = Array.from({ length: SAMPLES }, () => conversationIds[Math.floor(random() * conversationIds.length)]);

const starts = [];
let gateway = null;
for (let n = 0; n < 3; n += 1) {
  if (gateway) await stopChild(gateway.child);
  gateway = await startGateway(dataDir);
  starts.push(gateway.readyMs);
}
const { url, child } = gateway;
await new Promise((resolve) => setTimeout(resolve, 1_000));
const rssIdle = rssMiB(child.pid);

const rows = [
  { name: 'conversation list, first page of 50', target_p95_ms: 5, gateway: await timeEach(pickConversations, () => get(`${url}/api/conversations?limit=50`)) },
  { name: 'conversation list, a page of 50 after any conversation', target_p95_ms: 5, gateway: await timeEach(listAfter, (id) => get(`${url}/api/conversations?limit=50&after_id=${id}`)) },
  { name: 'thread, newest page of 50', target_p95_ms: 2, gateway: await timeEach(pickConversations, (id) => get(`${url}/api/conversations/${id}/messages?limit=50`)) },
  { name: 'thread, page of 50 centred on a message', target_p95_ms: 2, gateway: await timeEach(pickMessages, (m) => get(`${url}/api/conversations/${m.conversation_id}/messages?around=${m.id}&limit=50`)) },
];
// Search: a rare term (one order id), common words, and inside one conversation; then the RSS
// after 1,000 searches.
const rareTerms = Array.from({ length: SAMPLES }, () => `${['A', 'BR', 'PT', 'CN', 'JP'][Math.floor(random() * 5)]}${10000 + Math.floor(random() * 89999)}`);
const commonTerms = Array.from({ length: SAMPLES }, () => ['pedido', 'order', 'obrigado', 'merci', 'São Paulo', '谢谢你'.slice(0, 2) + '订单'][Math.floor(random() * 6)]);
const search = (query) => get(`${url}/api/search?${new URLSearchParams({ limit: '20', ...query })}`);
rows.push(
  { name: 'search, a rare term (an order id), global, 20 results', target_p95_ms: 20, gateway: await timeEach(rareTerms, (q) => search({ q })) },
  { name: 'search, a common word, global, 20 results', target_p95_ms: 20, gateway: await timeEach(commonTerms, (q) => search({ q })) },
  { name: 'search inside one conversation, a common word', target_p95_ms: 5, gateway: await timeEach(pickConversations, (id) => search({ q: 'pedido', conversation_id: String(id) })) },
);
for (let n = 0; n < 1_000 - 3 * SAMPLES; n += 1) await search({ q: commonTerms[n % SAMPLES] });
const rssAfter = rssMiB(child.pid);

// Ingest on the million-message database: alone, then while a client searches back to back.
const ingest = () => runOutput(['bench/load.mjs', '--url', url, '--secret', SECRET, '--seconds', String(INGEST_SECONDS), '--connections', '64', '--batch', '1']).then((out) => JSON.parse(out.trim().split('\n').at(-1)));
const ingestAlone = await ingest();
let searching = true;
let searchesDuringIngest = 0;
const searcher = (async () => {
  for (let n = 0; searching; n += 1) {
    await search({ q: commonTerms[n % SAMPLES] });
    searchesDuringIngest += 1;
  }
})();
const ingestWithSearch = await ingest();
searching = false;
await searcher;
await stopChild(child);
// Full export and backup of the million-message database, each as its own process.
const exported = (await runOutput(['dist/main/cli.cjs', 'export', '--out', path.join(dataDir, 'export'), '--data', dataDir])).trim();
const backedUp = (await runOutput(['dist/main/cli.cjs', 'backup', path.join(dataDir, 'backup.db'), '--data', dataDir])).trim();

// Raw baseline: the same reads straight through better-sqlite3, no HTTP, no JSON, no service.
const firstPage = raw.prepare('SELECT * FROM conversations ORDER BY last_message_at DESC, id DESC LIMIT 50');
const activity = raw.prepare('SELECT last_message_at FROM conversations WHERE id = ?').pluck();
const afterActive = raw.prepare('SELECT * FROM conversations WHERE (last_message_at, id) < (?, ?) ORDER BY last_message_at DESC, id DESC LIMIT 50');
const afterInactive = raw.prepare('SELECT * FROM conversations WHERE last_message_at IS NULL AND id < ? ORDER BY last_message_at DESC, id DESC LIMIT ?');
const newest = raw.prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY timestamp DESC, id DESC LIMIT 50');
const position = raw.prepare('SELECT timestamp FROM messages WHERE id = ?').pluck();
const older = raw.prepare('SELECT * FROM messages WHERE conversation_id = ? AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT 24');
const newer = raw.prepare('SELECT * FROM messages WHERE conversation_id = ? AND (timestamp, id) >= (?, ?) ORDER BY timestamp, id LIMIT 26');
const baselines = [
  await timeEach(pickConversations, () => firstPage.all()),
  await timeEach(listAfter, (id) => {
    const at = activity.get(id) ?? null;
    if (at === null) return afterInactive.all(id, 50);
    const active = afterActive.all(at, id);
    return active.length < 50 ? [...active, ...afterInactive.all(Number.MAX_SAFE_INTEGER, 50 - active.length)] : active;
  }),
  await timeEach(pickConversations, (id) => newest.all(id)),
  await timeEach(pickMessages, (m) => {
    const at = position.get(m.id);
    return [older.all(m.conversation_id, at, m.id), newer.all(m.conversation_id, at, m.id)];
  }),
];
// The same searches straight through SQLite: the index's first 20 rowids, no join, no snippet.
const match = raw.prepare('SELECT rowid FROM message_search WHERE message_search MATCH ? ORDER BY rowid DESC LIMIT 20').pluck();
const phrase = (q) => q.split(/\s+/).map((term) => `"${term}"`).join(' ');
baselines.push(
  await timeEach(rareTerms, (q) => match.all(phrase(q))),
  await timeEach(commonTerms, (q) => match.all(phrase(q))),
  await timeEach(pickConversations, (id) => raw.prepare('SELECT rowid FROM message_search WHERE message_search MATCH ? AND rowid IN (SELECT search_key FROM messages WHERE conversation_id = ?) ORDER BY rowid DESC LIMIT 20').all('"pedido"', id)),
);
raw.close();
rmSync(dataDir, { recursive: true, force: true });
rows.forEach((row, index) => (row.baseline = baselines[index]));

// --- One long thread, in a database of its own: the newest page, and pages anywhere in it. ---
const longDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-long-thread-'));
const longSeeded = (await runOutput(['dist/main/cli.cjs', 'seed-demo', '--conversations', '1', '--messages', String(LONG_THREAD), '--data', longDir])).trim();
const longDb = new Database(path.join(longDir, 'switchboard.db'), { readonly: true });
const longId = longDb.prepare('SELECT id FROM conversations').pluck().get();
const [firstId, lastId] = longDb.prepare('SELECT min(id), max(id) FROM messages').raw().get();
const anywhere = Array.from({ length: SAMPLES }, () => longDb.prepare('SELECT id, timestamp FROM messages WHERE id = ?').get(firstId + Math.floor(random() * (lastId - firstId + 1))));
const longGateway = await startGateway(longDir);
await new Promise((resolve) => setTimeout(resolve, 1_000));
const thread = `${longGateway.url}/api/conversations/${longId}/messages?limit=50`;
const label = `one ${LONG_THREAD.toLocaleString('en-US')}-message thread`;
const longRows = [
  { name: `${label}, newest page of 50`, target_p95_ms: 2, gateway: await timeEach(anywhere, () => get(thread)) },
  { name: `${label}, page of 50 before a message anywhere in it`, target_p95_ms: 2, gateway: await timeEach(anywhere, (m) => get(`${thread}&before=${m.timestamp}_${m.id}`)) },
  { name: `${label}, page of 50 after a message anywhere in it`, target_p95_ms: 2, gateway: await timeEach(anywhere, (m) => get(`${thread}&after=${m.timestamp}_${m.id}`)) },
  { name: `${label}, page of 50 centred on a message anywhere in it`, target_p95_ms: 2, gateway: await timeEach(anywhere, (m) => get(`${thread}&around=${m.id}`)) },
];
await stopChild(longGateway.child);
agent.destroy();
// The same reads straight through SQLite (a page, without the probes for more on either side).
const longNewest = longDb.prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY timestamp DESC, id DESC LIMIT 50');
const longBefore = longDb.prepare('SELECT * FROM messages WHERE conversation_id = ? AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT 50');
const longAfter = longDb.prepare('SELECT * FROM messages WHERE conversation_id = ? AND (timestamp, id) > (?, ?) ORDER BY timestamp, id LIMIT 50');
const longCentredOlder = longDb.prepare('SELECT * FROM messages WHERE conversation_id = ? AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT 24');
const longCentredNewer = longDb.prepare('SELECT * FROM messages WHERE conversation_id = ? AND (timestamp, id) >= (?, ?) ORDER BY timestamp, id LIMIT 26');
const longBaselines = [
  await timeEach(anywhere, () => longNewest.all(longId)),
  await timeEach(anywhere, (m) => longBefore.all(longId, m.timestamp, m.id)),
  await timeEach(anywhere, (m) => longAfter.all(longId, m.timestamp, m.id)),
  await timeEach(anywhere, (m) => [longCentredOlder.all(longId, m.timestamp, m.id), longCentredNewer.all(longId, m.timestamp, m.id)]),
];
longDb.close();
rmSync(longDir, { recursive: true, force: true });
longRows.forEach((row, index) => (row.baseline = longBaselines[index]));
rows.push(...longRows);

const readyMs = Math.round([...starts].sort((a, b) => a - b)[1]);
console.log(`\nHistory at scale: ${CONVERSATIONS.toLocaleString('en-US')} conversations, ${MESSAGES.toLocaleString('en-US')} messages (${dbMegabytes.toFixed(0)} MB on disk); ${seeded.trim()}; the long thread: ${longSeeded}\n`);
console.log('| measure | gateway p50 ms | gateway p95 ms | target p95 | met | raw SQL p50 ms | raw SQL p95 ms | gateway max ms |');
console.log('|---|---:|---:|---:|---|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.gateway.p50_ms} | ${r.gateway.p95_ms} | ≤ ${r.target_p95_ms} | ${r.gateway.p95_ms <= r.target_p95_ms ? 'yes' : 'no'} | ${r.baseline.p50_ms} | ${r.baseline.p95_ms} | ${r.gateway.max_ms} |`,
  );
}
const ingestRatio = ingestWithSearch.per_second / ingestAlone.per_second;
console.log(
  `| ingest while searching (webhooks/s, with / alone: ${Math.round(ingestWithSearch.per_second)} / ${Math.round(ingestAlone.per_second)}, ${searchesDuringIngest} searches) | ${ingestRatio.toFixed(2)} | | ≥ 0.80 | ${ingestRatio >= 0.8 ? 'yes' : 'no'} | | |`,
);
console.log(`| gateway ready after start (median of 3) | ${readyMs} | | ≤ 500 | ${readyMs <= 500 ? 'yes' : 'no'} | | |`);
console.log(`| gateway RSS, idle / after the reads and 1,000 searches (MiB) | ${rssIdle?.toFixed(1)} / ${rssAfter?.toFixed(1)} | | ≤ 150 | ${(rssAfter ?? 0) <= 150 ? 'yes' : 'no'} | | |`);
console.log(`\n${exported}\n${backedUp}`);
console.log(
  `\n${JSON.stringify({ suite: 'history', export: exported, backup: backedUp, conversations: CONVERSATIONS, messages: MESSAGES, db_megabytes: Math.round(dbMegabytes), seed: seeded.trim(), long_thread: { messages: LONG_THREAD, seed: longSeeded }, ready_ms: readyMs, ready_runs_ms: starts.map(Math.round), rss_idle_mib: rssIdle, rss_after_mib: rssAfter, ingest_alone: ingestAlone, ingest_with_search: ingestWithSearch, searches_during_ingest: searchesDuringIngest, rows })}`,
);
