// Opens N idle WebSocket clients to a URL, prints `connected` when all are open, and keeps them
// open until stdin closes or SIGTERM.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({ options: { ws: { type: 'string' }, clients: { type: 'string', default: '1000' } } });
const sockets = [];
for (let batch = 0; batch < Number(values.clients); batch += 100) {
  const opening = [];
  for (let i = batch; i < Math.min(Number(values.clients), batch + 100); i += 1) {
    const socket = new WebSocket(values.ws);
    sockets.push(socket);
    opening.push(new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    }));
  }
  await Promise.all(opening);
}
process.stdout.write('connected\n');
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
