import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../../main/gateway/static-route';

let root: string;
let server: Server;
let url: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'switchboard-static-'));
  const renderer = path.join(root, 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<html>app</html>');
  writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'secret.txt'), 'do not serve');
  server = createServer((req, res) => serveStatic(renderer, new URL(req.url ?? '/', 'http://x').pathname, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('serveStatic', () => {
  it('serves built files with their content type', async () => {
    const response = await fetch(`${url}/assets/app.js`);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('serves index.html with a content security policy for app routes', async () => {
    const response = await fetch(`${url}/conversations/4`);
    expect(await response.text()).toBe('<html>app</html>');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('never serves a file outside the renderer folder', async () => {
    // Sent raw: fetch would normalise the dots away before the server sees them.
    const { request } = await import('node:http');
    const body = await new Promise<string>((resolve) => {
      request(`${url}/..%2Fsecret.txt`, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      }).end();
    });
    expect(body).toBe('<html>app</html>');
  });

  it('answers 404 with a JSON error when the renderer is not built', async () => {
    const bare = createServer((_req, res) => serveStatic(null, '/', res));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'the renderer is not built: run npm run build' } });
    bare.close();
  });
});
