import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOnPath, openTunnel, parseTunnelSpec, TunnelError, type NgrokLibrary, type TunnelDeps } from '../../../main/services/tunnel';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A double of `@ngrok/ngrok`: records what it was asked, answers with a URL. */
function ngrokDouble(url: string | null = 'https://quiet-river-42.ngrok-free.app') {
  const calls: Parameters<NgrokLibrary['forward']>[0][] = [];
  let closed = 0;
  const library: NgrokLibrary = {
    forward: (options) => {
      calls.push(options);
      return Promise.resolve({ url: () => url, close: () => Promise.resolve(void closed++) });
    },
  };
  return { library, calls, closed: () => closed };
}

function deps(overrides: Partial<TunnelDeps> = {}): TunnelDeps {
  return { env: {}, loadNgrok: () => Promise.reject(new Error('not in this test')), findBinary: () => null, startTimeoutMs: 2_000, ...overrides };
}

/** A stand-in `cloudflared` on a PATH of its own: a script that logs as the real one does. */
function fakeCloudflared(script: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-cloudflared-'));
  dirs.push(dir);
  const file = path.join(dir, 'cloudflared');
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return dir;
}

describe('--tunnel', () => {
  it('parses ngrok, cloudflared and a URL of the user’s own; refuses the rest in one line', () => {
    expect(parseTunnelSpec('ngrok')).toEqual({ kind: 'ngrok' });
    expect(parseTunnelSpec('cloudflared')).toEqual({ kind: 'cloudflared' });
    expect(parseTunnelSpec('https://hooks.example.com/')).toEqual({ kind: 'declared', url: 'https://hooks.example.com' });
    expect(parseTunnelSpec('http://127.0.0.1:9000')).toEqual({ kind: 'declared', url: 'http://127.0.0.1:9000' });
    expect(() => parseTunnelSpec('http://hooks.example.com')).toThrow('--tunnel http://hooks.example.com: Meta only calls https URLs');
    expect(() => parseTunnelSpec('localtunnel')).toThrow('--tunnel must be ngrok, cloudflared or the https URL of your own tunnel or proxy, not localtunnel');
    expect(() => parseTunnelSpec('https://hooks.example.com/?x=1')).toThrow(/without a query or fragment/);
  });

  it('opens ngrok in-process with the user’s authtoken and fixed domain, and closes it', async () => {
    const ngrok = ngrokDouble();
    const tunnel = await openTunnel({ kind: 'ngrok' }, 'http://127.0.0.1:8787', deps({ env: { NGROK_AUTHTOKEN: 'token-123', NGROK_DOMAIN: 'quiet-river-42.ngrok-free.app' }, loadNgrok: () => Promise.resolve(ngrok.library) }));
    expect(tunnel.publicUrl).toBe('https://quiet-river-42.ngrok-free.app');
    expect(ngrok.calls).toEqual([{ addr: '127.0.0.1:8787', authtoken: 'token-123', proto: 'http', domain: 'quiet-river-42.ngrok-free.app' }]);
    await tunnel.close();
    expect(ngrok.closed()).toBe(1);
  });

  it('says what ngrok needs: the authtoken, a library that loads, an agent that answers', async () => {
    await expect(openTunnel({ kind: 'ngrok' }, 'http://127.0.0.1:8787', deps())).rejects.toThrow(new TunnelError('--tunnel ngrok needs NGROK_AUTHTOKEN: your authtoken from the ngrok dashboard (and NGROK_DOMAIN for a URL that stays the same)'));
    await expect(openTunnel({ kind: 'ngrok' }, 'http://127.0.0.1:8787', deps({ env: { NGROK_AUTHTOKEN: 't' }, loadNgrok: () => Promise.reject(new Error('Cannot find module @ngrok/ngrok-linux-x64-musl')) }))).rejects.toThrow(
      '--tunnel ngrok: the ngrok library does not load on this platform (Cannot find module @ngrok/ngrok-linux-x64-musl)',
    );
    const refusing: NgrokLibrary = { forward: () => Promise.reject(new Error('authentication failed: The authtoken you specified is not valid')) };
    await expect(openTunnel({ kind: 'ngrok' }, 'http://127.0.0.1:8787', deps({ env: { NGROK_AUTHTOKEN: 't' }, loadNgrok: () => Promise.resolve(refusing) }))).rejects.toThrow('--tunnel ngrok: authentication failed: The authtoken you specified is not valid');
  });

  it('runs the cloudflared found on the PATH, reads its quick-tunnel URL, and stops it on close', async () => {
    const dir = fakeCloudflared(`echo "$@" > "${'$'}(dirname "$0")/args"
echo "2026-11-30T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com..." >&2
echo "2026-11-30T10:00:01Z INF |  https://violet-lake-mint.trycloudflare.com  |" >&2
exec sleep 30`);
    const tunnel = await openTunnel({ kind: 'cloudflared' }, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, dir) }));
    expect(tunnel.publicUrl).toBe('https://violet-lake-mint.trycloudflare.com');
    expect(readFileSync(path.join(dir, 'args'), 'utf8').trim()).toBe('tunnel --no-autoupdate --url http://127.0.0.1:8787');
    await tunnel.close();
  });

  it('says what cloudflared needs: the binary on the PATH, a URL before it exits or times out', async () => {
    await expect(openTunnel({ kind: 'cloudflared' }, 'http://127.0.0.1:8787', deps())).rejects.toThrow(/needs the cloudflared binary on the PATH \(Switchboard never downloads it\)/);
    const failing = fakeCloudflared('echo "ERR failed to request quick Tunnel: dial tcp: lookup api.trycloudflare.com: no such host" >&2; exit 1');
    await expect(openTunnel({ kind: 'cloudflared' }, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, failing) }))).rejects.toThrow(
      '--tunnel cloudflared exited (code 1): ERR failed to request quick Tunnel: dial tcp: lookup api.trycloudflare.com: no such host',
    );
    const silent = fakeCloudflared('echo "INF Starting tunnel" >&2; exec sleep 30');
    await expect(openTunnel({ kind: 'cloudflared' }, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, silent), startTimeoutMs: 300 }))).rejects.toThrow('--tunnel cloudflared: no tunnel URL within 0.3 s (last said: INF Starting tunnel)');
  });
});
