// Raw baseline for the webhook benchmark: a bare node:http server that verifies the HMAC of each
// POST and does ONE better-sqlite3 insert per request, then answers 200. Run with
// `--synchronous FULL` (same durability as the gateway) or `--synchronous OFF` (no durability:
// the ceiling). Prints `listening <url>` when ready.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({ options: { synchronous: { type: 'string' }, data: { type: 'string' }, secret: { type: 'string' } } });
const db = new Database(path.join(values.data, 'baseline.db'));
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${values.synchronous}`);
db.exec('CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL)');
const insert = db.prepare('INSERT INTO deliveries (received_at, body) VALUES (?, ?)');

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', values.secret).update(body).digest('hex')}`);
    const received = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      res.writeHead(401).end();
      return;
    }
    insert.run(Date.now(), body);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => {
  db.close();
  process.exit(0);
}));
