import type { IncomingMessage } from 'node:http';
import { fail, ok, type Result } from '../../shared/contract';

/**
 * Reads a request body up to `limitBytes`. A declared Content-Length over the limit is refused
 * before reading; a chunked body stops being buffered the moment it passes the limit.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Result<Buffer>> {
  const tooLarge = fail<Buffer>('payload_too_large', `body is larger than ${limitBytes} bytes`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: Result<Buffer>) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        finish(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(ok(Buffer.concat(chunks, size))));
    req.on('error', () => finish(fail('bad_request', 'the request body could not be read')));
  });
}

/** Whether the request declares a JSON body (`application/json`, any charset). */
export function isJsonRequest(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}
