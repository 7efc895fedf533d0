// The crowd of the live-events benchmark: N WebSocket clients on bare TCP sockets that receive
// every frame the server sends and count them by reading frame headers only (and the first bytes
// of each payload, to tell new_message frames apart). The server's work is the same as for any
// client; this process stays cheap, so the latency probes measure the server, not a saturated
// client process. Answers pings (the server's heartbeat) like any client.
// Prints `connected` once all are upgraded; on a `report` line on stdin prints one JSON line with
// the new_message frames each client received.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { ws: { type: 'string' }, clients: { type: 'string', default: '90' } } });
const target = new URL(values.ws);
const PEEK = 48;
const NEW_MESSAGE = '"type":"new_message"';

// Counts the frames of one connection; server frames are never masked.
class FrameCounter {
  constructor(socket) {
    this.socket = socket;
    this.carry = null;
    this.skip = 0;
    this.newMessages = 0;
  }

  push(chunk) {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    let at = Math.min(this.skip, data.length);
    this.skip -= at;
    while (at < data.length) {
      if (data.length - at < 2) break;
      const short = data[at + 1] & 0x7f;
      let header = 2;
      let length = short;
      if (short === 126) {
        header = 4;
        if (data.length - at < header) break;
        length = data.readUInt16BE(at + 2);
      } else if (short === 127) {
        header = 10;
        if (data.length - at < header) break;
        length = Number(data.readBigUInt64BE(at + 2));
      }
      const opcode = data[at] & 0x0f;
      const start = at + header;
      const peek = Math.min(length, PEEK);
      if (data.length - start < peek) break;
      if (opcode === 1 && data.toString('latin1', start, start + peek).includes(NEW_MESSAGE)) this.newMessages += 1;
      if (opcode === 9) this.pong(data.subarray(start, start + peek));
      const end = start + length;
      if (end > data.length) {
        this.skip = end - data.length;
        at = data.length;
        break;
      }
      at = end;
    }
    if (at < data.length) this.carry = Buffer.from(data.subarray(at));
  }

  // A client's frames are masked (RFC 6455 §5.3); the pong echoes the ping's data.
  pong(payload) {
    const mask = randomBytes(4);
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i += 1) masked[i] ^= mask[i % 4];
    this.socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | masked.length]), mask, masked]));
  }
}

function connect() {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(target.port), target.hostname);
    socket.setNoDelay(true);
    const counter = new FrameCounter(socket);
    let head = Buffer.alloc(0);
    let upgraded = false;
    socket.once('connect', () => {
      socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => {
      if (upgraded) {
        counter.push(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      const status = head.toString('latin1', 0, head.indexOf('\r\n'));
      if (!status.startsWith('HTTP/1.1 101')) {
        reject(new Error(`upgrade refused: ${status}`));
        socket.destroy();
        return;
      }
      upgraded = true;
      if (head.length > end + 4) counter.push(head.subarray(end + 4));
      resolve(counter);
    });
    socket.once('error', reject);
  });
}

const counters = [];
for (let batch = 0; batch < Number(values.clients); batch += 50) {
  const size = Math.min(50, Number(values.clients) - batch);
  counters.push(...(await Promise.all(Array.from({ length: size }, connect))));
}
process.stdout.write('connected\n');

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'report') process.stdout.write(`${JSON.stringify({ new_messages: counters.map((c) => c.newMessages) })}\n`);
});
process.stdin.on('end', () => {
  for (const counter of counters) counter.socket.destroy();
  process.exit(0);
});
