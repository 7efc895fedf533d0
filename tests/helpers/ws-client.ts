import WebSocket from 'ws';
import type { ServerFrame } from '../../shared/contract';

/** A WebSocket client that collects frames and can wait for a condition on them. */
export type TestSocket = {
  socket: WebSocket;
  frames: ServerFrame[];
  waitFor(predicate: (frames: ServerFrame[]) => boolean): Promise<void>;
  close(): void;
};

/** Opens `/ws`; rejects with the HTTP status when the upgrade is refused. */
export function openSocket(url: string, options: { token?: string; since?: number; headers?: Record<string, string> } = {}): Promise<TestSocket> {
  const target = new URL('/ws', url.replace(/^http/, 'ws'));
  if (options.token) target.searchParams.set('token', options.token);
  if (options.since !== undefined) target.searchParams.set('since', String(options.since));
  const socket = new WebSocket(target, { headers: options.headers });
  const frames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data, isBinary) => {
    // Browsers get binary frames as Blobs: every frame must be text.
    if (isBinary) throw new Error('the gateway sent a binary frame');
    frames.push(JSON.parse(String(data)) as ServerFrame);
    for (const check of waiters) check();
  });
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        frames,
        close: () => socket.close(),
        waitFor: (predicate) =>
          new Promise((done) => {
            const check = () => {
              if (predicate(frames)) {
                waiters.delete(check);
                done();
              }
            };
            waiters.add(check);
            check();
          }),
      }),
    );
  });
}
