// Load generator for the webhook benchmark, run in its own process: signed Meta-shaped webhooks,
// each with fresh wamids (so every request is new work, never a duplicate), over keep-alive
// connections. Prints one JSON line with the counts and latencies.
import autocannon from 'autocannon';
import { createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    secret: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    batch: { type: 'string', default: '1' },
  },
});
const batch = Number(values.batch);
const prefix = randomBytes(6).toString('hex');
let counter = 0;

// 500 customers: a realistic spread of conversations rather than one hot row.
function body() {
  const messages = [];
  for (let i = 0; i < batch; i += 1) {
    counter += 1;
    const from = String(15550000000 + (counter % 500));
    messages.push({ from, id: `wamid.${prefix}${counter}`, timestamp: String(1764115200 + (counter % 86400)), type: 'text', text: { body: `message ${counter}` } });
  }
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '200300400500' }, contacts: [{ profile: { name: 'Bench' }, wa_id: messages[0].from }], messages } }] }],
  });
}

const cpuBefore = process.cpuUsage();
const result = await autocannon({
  url: `${values.url}/webhook`,
  method: 'POST',
  connections: Number(values.connections),
  duration: Number(values.seconds),
  requests: [
    {
      setupRequest(request) {
        const payload = body();
        request.body = payload;
        request.headers = { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', values.secret).update(payload).digest('hex')}` };
        return request;
      },
    },
  ],
});
const cpuUsed = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    ok: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
    seconds: result.duration,
    per_second: result['2xx'] / result.duration,
    messages_per_second: (result['2xx'] * batch) / result.duration,
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    // Share of one core this process used while it ran the load (user + system).
    cpu_share: (cpuUsed.user + cpuUsed.system) / 1e6 / result.duration,
  })}\n`,
);
