// Load process of the live-events benchmark: connects N WebSocket clients (a few full `ws` probes
// here, the rest in a separate crowd process that only counts frames), then posts webhooks at a
// fixed rate, each carrying its send time; every probe notes when each message arrives.
// Prints one JSON line with latency percentiles and delivery counts.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    ws: { type: 'string' },
    secret: { type: 'string', default: '' },
    clients: { type: 'string', default: '100' },
    probes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    raw: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const rate = Number(values.rate);
const total = rate * Number(values.seconds);
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const now = () => Number(process.hrtime.bigint()) / 1e6;

const probes = Math.min(clients, Number(values.probes));
const latencies = [];
const probeCounts = new Array(probes).fill(0);
const sockets = [];
const NEW_MESSAGE = Buffer.from('"type":"new_message"');
const MARK = Buffer.from('"t=');
const isNewMessage = (data) => {
  const at = data.indexOf(NEW_MESSAGE);
  return at !== -1 && at < 48;
};
// The probes decode every frame like a real client and record each message's latency.
for (let i = 0; i < probes; i += 1) {
  const socket = new WebSocket(values.ws);
  socket.on('message', (data) => {
    if (!isNewMessage(data)) return;
    probeCounts[i] += 1;
    const at = data.indexOf(MARK);
    if (at === -1) return;
    const end = data.indexOf(34, at + 3);
    latencies.push(now() - Number(data.toString('latin1', at + 3, end)));
  });
  sockets.push(new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  }));
}

// The crowd: the other clients, in their own process, counting what they receive.
const crowd = spawn(process.execPath, [new URL('./ws-crowd.mjs', import.meta.url).pathname, '--ws', values.ws, '--clients', String(clients - probes)], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const crowdLines = createInterface({ input: crowd.stdout });
const crowdReady = new Promise((resolve) => crowdLines.once('line', resolve));
const crowdReport = () =>
  new Promise((resolve) => {
    crowdLines.once('line', (line) => resolve(JSON.parse(line).new_messages));
    crowd.stdin.write('report\n');
  });
await crowdReady;
const open = await Promise.all(sockets);
await new Promise((resolve) => setTimeout(resolve, 500));

const failures = [];
function post(n) {
  const sentAt = now();
  const body = values.raw
    ? JSON.stringify({ type: 'new_message', text: `t=${sentAt}` }) // "t=… is found the same way in both
    : JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' }, contacts: [{ profile: { name: 'Bench' }, wa_id: String(15550000000 + (n % 100)) }], messages: [{ from: String(15550000000 + (n % 100)), id: `wamid.live${process.pid}.${n}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `t=${sentAt}` } }] } }] }],
      });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (!values.raw) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', values.secret).update(body).digest('hex')}`;
  const req = http.request(`${values.url}${values.raw ? '/' : '/webhook'}`, { method: 'POST', headers, agent }, (res) => {
    if (res.statusCode !== 200) failures.push(`HTTP ${res.statusCode}`);
    res.resume();
  });
  req.on('error', (error) => failures.push(error.message));
  req.end(body);
}

// Paced: one webhook every 1000/rate ms, sent in 1 ms slices (a timer tick).
const startedAt = now();
let sent = 0;
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((now() - startedAt) / 1000) * rate));
    while (sent < due) post(sent++);
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 1);
});
const expected = total * clients;
const deadline = now() + 10_000;
let perClient = probeCounts;
const sum = (counts) => counts.reduce((total, n) => total + n, 0);
while (now() < deadline) {
  perClient = [...probeCounts, ...(await crowdReport())];
  if (sum(perClient) >= expected) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
crowd.stdin.end();
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
for (const socket of open) socket.terminate();
agent.destroy();
process.stdout.write(`${JSON.stringify({ sent: total, failed: failures.length, first_failure: failures[0] ?? null, clients, probes, expected, delivered: sum(perClient), clients_short: perClient.filter((n) => n < total).length, fewest_received: Math.min(...perClient), p50_ms: pct(50), p99_ms: pct(99), max_ms: latencies.at(-1) ?? null, seconds: (now() - startedAt) / 1000 })}\n`);
