// Raw baseline for the live-events benchmark: a bare `ws` server on node:http that broadcasts
// each POSTed body to every connected client, with nothing else (no auth, no log, no database).
// Prints `listening <url>` when ready.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ noServer: true });
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const frame = Buffer.concat(chunks);
    for (const client of wss.clients) client.send(frame, { binary: false });
    res.writeHead(200).end('{}');
  });
});
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  server.close(() => process.exit(0));
});
