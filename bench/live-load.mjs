// Load process of the live-events benchmark: opens N WebSocket clients, then posts webhooks at a
// fixed rate, each carrying its send time; every client notes when the message arrives.
// Prints one JSON line with latency percentiles and delivery counts.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    ws: { type: 'string' },
    secret: { type: 'string', default: '' },
    clients: { type: 'string', default: '100' },
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

const latencies = [];
let delivered = 0;
const sockets = [];
const NEW_MESSAGE = Buffer.from('{"type":"new_message"');
const MARK = Buffer.from('"t=');
// Every client counts its new_message frames; one in ten also reads the send time and records the
// latency. Decoding every frame of every client would measure this process, not the server.
for (let i = 0; i < clients; i += 1) {
  const socket = new WebSocket(values.ws);
  const probe = i % 10 === 0;
  socket.on('message', (data) => {
    if (data.compare(NEW_MESSAGE, 0, NEW_MESSAGE.length, 0, NEW_MESSAGE.length) !== 0) return;
    delivered += 1;
    if (!probe) return;
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
const open = await Promise.all(sockets);
await new Promise((resolve) => setTimeout(resolve, 500));

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
  const req = http.request(`${values.url}${values.raw ? '/' : '/webhook'}`, { method: 'POST', headers, agent }, (res) => res.resume());
  req.end(body);
}

// Paced: one webhook every 1000/rate ms, sent in 10 ms slices.
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
  }, 10);
});
const expected = total * clients;
const deadline = now() + 10_000;
while (delivered < expected && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
for (const socket of open) socket.terminate();
agent.destroy();
process.stdout.write(`${JSON.stringify({ sent: total, clients, expected, delivered, p50_ms: pct(50), p99_ms: pct(99), max_ms: latencies.at(-1) ?? null, seconds: (now() - startedAt) / 1000 })}\n`);
