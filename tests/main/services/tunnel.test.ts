import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOnPath, openTunnel, parseTunnelSpec, readCloudflaredConfig, TunnelError, type NgrokLibrary, type TunnelDeps } from '../../../main/services/tunnel';

const NGROK = { kind: 'ngrok', domain: null } as const;
const QUICK = { kind: 'cloudflared', name: null, hostname: null } as const;

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
  return { env: {}, loadNgrok: () => Promise.reject(new Error('not in this test')), findBinary: () => null, cloudflaredConfigs: [], startTimeoutMs: 2_000, ...overrides };
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
  it('parses ngrok, cloudflared (quick or named) and a URL of the user’s own; refuses the rest in one line', () => {
    expect(parseTunnelSpec('ngrok')).toEqual(NGROK);
    expect(parseTunnelSpec('cloudflared')).toEqual(QUICK);
    expect(parseTunnelSpec('cloudflared:dev-hooks')).toEqual({ kind: 'cloudflared', name: 'dev-hooks', hostname: null });
    expect(parseTunnelSpec('cloudflared:dev-hooks@Hooks.Example.com')).toEqual({ kind: 'cloudflared', name: 'dev-hooks', hostname: 'hooks.example.com' });
    expect(parseTunnelSpec('https://hooks.example.com/')).toEqual({ kind: 'url', url: 'https://hooks.example.com' });
    expect(parseTunnelSpec('http://127.0.0.1:9000')).toEqual({ kind: 'url', url: 'http://127.0.0.1:9000' });
    expect(() => parseTunnelSpec('http://hooks.example.com')).toThrow('--tunnel http://hooks.example.com must be https: Meta only calls https URLs');
    expect(() => parseTunnelSpec('localtunnel')).toThrow('--tunnel must be ngrok, cloudflared, cloudflared:NAME or the https URL of your own tunnel or proxy, not localtunnel');
    expect(() => parseTunnelSpec('https://hooks.example.com/?x=1')).toThrow(/no query or fragment/);
    expect(() => parseTunnelSpec('cloudflared:dev hooks')).toThrow(/--tunnel cloudflared:dev hooks: name must be the tunnel’s name or UUID/);
    expect(() => parseTunnelSpec('cloudflared:dev@not a host')).toThrow(/hostname must be a host name/);
  });

  it('opens ngrok in-process with the user’s authtoken and fixed domain, and closes it', async () => {
    const ngrok = ngrokDouble();
    const tunnel = await openTunnel(NGROK, 'http://127.0.0.1:8787', deps({ env: { NGROK_AUTHTOKEN: 'token-123', NGROK_DOMAIN: 'quiet-river-42.ngrok-free.app' }, loadNgrok: () => Promise.resolve(ngrok.library) }));
    expect(tunnel.publicUrl).toBe('https://quiet-river-42.ngrok-free.app');
    expect(ngrok.calls).toEqual([{ addr: '127.0.0.1:8787', authtoken: 'token-123', proto: 'http', domain: 'quiet-river-42.ngrok-free.app' }]);
    await tunnel.close();
    expect(ngrok.closed()).toBe(1);
  });

  it('says what ngrok needs: the authtoken, a library that loads, an agent that answers', async () => {
    await expect(openTunnel(NGROK, 'http://127.0.0.1:8787', deps())).rejects.toThrow(new TunnelError('ngrok needs your authtoken from the ngrok dashboard (NGROK_AUTHTOKEN, or in Settings), and a fixed domain for a URL that stays the same'));
    await expect(openTunnel(NGROK, 'http://127.0.0.1:8787', deps({ env: { NGROK_AUTHTOKEN: 't' }, loadNgrok: () => Promise.reject(new Error('Cannot find module @ngrok/ngrok-linux-x64-musl')) }))).rejects.toThrow(
      'ngrok: the ngrok library does not load on this platform (Cannot find module @ngrok/ngrok-linux-x64-musl)',
    );
    const refusing: NgrokLibrary = { forward: () => Promise.reject(new Error('authentication failed: The authtoken you specified is not valid')) };
    await expect(openTunnel(NGROK, 'http://127.0.0.1:8787', deps({ env: { NGROK_AUTHTOKEN: 't' }, loadNgrok: () => Promise.resolve(refusing) }))).rejects.toThrow('ngrok: authentication failed: The authtoken you specified is not valid');
  });

  it('runs the cloudflared found on the PATH, reads its quick-tunnel URL, and stops it on close', async () => {
    const dir = fakeCloudflared(`echo "$@" > "${'$'}(dirname "$0")/args"
echo "2026-11-30T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com..." >&2
echo "2026-11-30T10:00:01Z INF |  https://violet-lake-mint.trycloudflare.com  |" >&2
exec sleep 30`);
    const tunnel = await openTunnel(QUICK, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, dir) }));
    expect(tunnel.publicUrl).toBe('https://violet-lake-mint.trycloudflare.com');
    expect(readFileSync(path.join(dir, 'args'), 'utf8').trim()).toBe('tunnel --no-autoupdate --url http://127.0.0.1:8787');
    await tunnel.close();
  });

  it('says what cloudflared needs: the binary on the PATH, a URL before it exits or times out', async () => {
    await expect(openTunnel(QUICK, 'http://127.0.0.1:8787', deps())).rejects.toThrow(/the cloudflared binary is not on the PATH \(Switchboard never downloads it\)/);
    const failing = fakeCloudflared('echo "ERR failed to request quick Tunnel: dial tcp: lookup api.trycloudflare.com: no such host" >&2; exit 1');
    await expect(openTunnel(QUICK, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, failing) }))).rejects.toThrow(
      'cloudflared exited (code 1): ERR failed to request quick Tunnel: dial tcp: lookup api.trycloudflare.com: no such host',
    );
    const silent = fakeCloudflared('echo "INF Starting tunnel" >&2; exec sleep 30');
    await expect(openTunnel(QUICK, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, silent), startTimeoutMs: 300 }))).rejects.toThrow('cloudflared: a cloudflared quick tunnel did not come up within 0.3 s (last said: INF Starting tunnel)');
  });

  it('takes a domain for ngrok from the choice before NGROK_DOMAIN', async () => {
    const ngrok = ngrokDouble();
    await openTunnel({ kind: 'ngrok', domain: 'fixed.ngrok.app' }, 'http://127.0.0.1:8787', deps({ env: { NGROK_AUTHTOKEN: 't0ken', NGROK_DOMAIN: 'other.ngrok.app' }, loadNgrok: () => Promise.resolve(ngrok.library) }));
    expect(ngrok.calls[0]?.domain).toBe('fixed.ngrok.app');
  });

  it('runs a named cloudflared tunnel pointed here, with its host name from cloudflared’s config, once it has a connection', async () => {
    const dir = fakeCloudflared(`echo "$@" > "${'$'}(dirname "$0")/args"
echo "INF Starting tunnel tunnelID=6ff42ae2" >&2
sleep 0.1
echo "INF Registered tunnel connection connIndex=0 connection=abc event=0 ip=198.41.200.13 location=ams01 protocol=quic" >&2
exec sleep 30`);
    const config = path.join(dir, 'config.yml');
    writeFileSync(config, `tunnel: dev-hooks  # made with cloudflared tunnel create
credentials-file: /home/dev/.cloudflared/6ff42ae2.json
ingress:
  - hostname: "hooks.dev.example.com"
    service: http://localhost:3000
  - service: http_status:404
`);
    const tunnel = await openTunnel({ kind: 'cloudflared', name: 'dev-hooks', hostname: null }, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, dir), cloudflaredConfigs: [path.join(dir, 'missing.yml'), config] }));
    expect(tunnel.publicUrl).toBe('https://hooks.dev.example.com');
    expect(readFileSync(path.join(dir, 'args'), 'utf8').trim()).toBe('tunnel --no-autoupdate run --url http://127.0.0.1:8787 dev-hooks');
    await tunnel.close();
  });

  it('says when a named tunnel’s host name cannot be found, and reports a tunnel that goes down after opening', async () => {
    const dir = fakeCloudflared(`echo "INF Registered tunnel connection connIndex=0" >&2
sleep 0.2
echo "ERR Unauthorized: Tunnel not found" >&2
exit 1`);
    const other = path.join(dir, 'config.yml');
    writeFileSync(other, 'tunnel: another\ningress:\n  - hostname: a.example.com\n    service: http://localhost:1\n');
    await expect(openTunnel({ kind: 'cloudflared', name: 'dev-hooks', hostname: null }, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, dir), cloudflaredConfigs: [other] }))).rejects.toThrow(
      "cloudflared: no config file of cloudflared's names the tunnel dev-hooks: give its public host name (cloudflared:dev-hooks@hooks.example.com, or in Settings)",
    );
    const tunnel = await openTunnel({ kind: 'cloudflared', name: 'dev-hooks', hostname: 'hooks.dev.example.com' }, 'http://127.0.0.1:8787', deps({ findBinary: (name) => findOnPath(name, dir) }));
    expect(tunnel.publicUrl).toBe('https://hooks.dev.example.com');
    const down = await new Promise<string>((resolve) => tunnel.onDown(resolve));
    expect(down).toBe('cloudflared exited (code 1): ERR Unauthorized: Tunnel not found');
    await tunnel.close();
  });

  it('reads the tunnel and ingress host names of cloudflared’s config, quoted or not, ignoring comments', () => {
    expect(readCloudflaredConfig("tunnel: 'abc-123'\n# hostname: commented.example.com\ningress:\n- hostname: one.example.com\n  service: http://localhost:1\n  - hostname: two.example.com # second\n")).toEqual({
      tunnel: 'abc-123',
      hostnames: ['one.example.com', 'two.example.com'],
    });
  });
});
