import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * A public URL in front of the gateway, so Meta can call it: one interface, three adapters. The
 * rest of the gateway only ever sees `publicUrl`.
 * - `ngrok`: the ngrok agent in-process (the `@ngrok/ngrok` library, prebuilt per platform),
 *   with the user's NGROK_AUTHTOKEN and, for a URL that survives restarts, NGROK_DOMAIN.
 * - `cloudflared`: a `cloudflared` binary the user installed, found on the PATH (a quick tunnel,
 *   `https://….trycloudflare.com`); never downloaded at run time.
 * - a URL: a reverse proxy or tunnel the user runs (a named Cloudflare tunnel, Caddy, nginx…).
 */
export type Tunnel = { kind: TunnelSpec['kind']; publicUrl: string; close(): Promise<void> };

export type TunnelSpec = { kind: 'ngrok' } | { kind: 'cloudflared' } | { kind: 'declared'; url: string };

/** A tunnel that cannot be opened, said in one line. */
export class TunnelError extends Error {}

/** `--tunnel ngrok`, `--tunnel cloudflared` or `--tunnel https://…` (http only for a proxy on this machine). */
export function parseTunnelSpec(value: string): TunnelSpec {
  if (value === 'ngrok' || value === 'cloudflared') return { kind: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TunnelError(`--tunnel must be ngrok, cloudflared or the https URL of your own tunnel or proxy, not ${value}`);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw new TunnelError(`--tunnel ${value}: Meta only calls https URLs`);
  if (url.search || url.hash) throw new TunnelError(`--tunnel ${value}: give the URL without a query or fragment (the callback is <url>/webhook)`);
  return { kind: 'declared', url: url.href.replace(/\/+$/, '') };
}

/** What the ngrok adapter uses of `@ngrok/ngrok` (a double in tests). */
export type NgrokLibrary = {
  forward(options: { addr: string; authtoken: string; domain?: string; proto: 'http' }): Promise<{ url(): string | null; close(): Promise<void> }>;
};

export type TunnelDeps = {
  env: Record<string, string | undefined>;
  loadNgrok(): Promise<NgrokLibrary>;
  /** Where to look for `cloudflared` (default: the PATH). */
  findBinary(name: string): string | null;
  /** How long a tunnel may take to come up. */
  startTimeoutMs: number;
};

export const DEFAULT_TUNNEL_DEPS: TunnelDeps = {
  env: process.env,
  loadNgrok: () => import('@ngrok/ngrok') as unknown as Promise<NgrokLibrary>,
  findBinary: (name) => findOnPath(name, process.env.PATH ?? ''),
  startTimeoutMs: 30_000,
};

/** The executable `name` in one of the PATH's folders, or null. */
export function findOnPath(name: string, searchPath: string): string | null {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const folder of searchPath.split(path.delimiter).filter(Boolean)) {
    for (const candidate of names) {
      try {
        accessSync(path.join(folder, candidate), constants.X_OK);
        return path.join(folder, candidate);
      } catch {
        // Not in this folder.
      }
    }
  }
  return null;
}

/** Opens the tunnel to the gateway listening at `localUrl` (http://127.0.0.1:port). */
export async function openTunnel(spec: TunnelSpec, localUrl: string, deps: TunnelDeps = DEFAULT_TUNNEL_DEPS): Promise<Tunnel> {
  switch (spec.kind) {
    case 'declared':
      return { kind: 'declared', publicUrl: spec.url, close: () => Promise.resolve() };
    case 'ngrok':
      return openNgrok(localUrl, deps);
    case 'cloudflared':
      return openCloudflared(localUrl, deps);
  }
}

async function openNgrok(localUrl: string, deps: TunnelDeps): Promise<Tunnel> {
  const authtoken = deps.env.NGROK_AUTHTOKEN?.trim();
  if (!authtoken) throw new TunnelError('--tunnel ngrok needs NGROK_AUTHTOKEN: your authtoken from the ngrok dashboard (and NGROK_DOMAIN for a URL that stays the same)');
  let ngrok: NgrokLibrary;
  try {
    ngrok = await deps.loadNgrok();
  } catch (error) {
    throw new TunnelError(`--tunnel ngrok: the ngrok library does not load on this platform (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  const domain = deps.env.NGROK_DOMAIN?.trim();
  let listener: Awaited<ReturnType<NgrokLibrary['forward']>>;
  try {
    listener = await withTimeout(ngrok.forward({ addr: new URL(localUrl).host, authtoken, proto: 'http', ...(domain ? { domain } : {}) }), deps.startTimeoutMs, 'ngrok');
  } catch (error) {
    throw new TunnelError(`--tunnel ngrok: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const url = listener.url();
  if (!url) {
    await listener.close();
    throw new TunnelError('--tunnel ngrok: the agent gave no public URL');
  }
  return { kind: 'ngrok', publicUrl: url.replace(/\/+$/, ''), close: () => listener.close() };
}

/** The quick tunnel's address in cloudflared's log. */
const QUICK_TUNNEL_URL = /https:\/\/[a-z0-9-]+\.trycloudflare\.com/;

async function openCloudflared(localUrl: string, deps: TunnelDeps): Promise<Tunnel> {
  const binary = deps.findBinary('cloudflared');
  if (!binary) throw new TunnelError('--tunnel cloudflared needs the cloudflared binary on the PATH (Switchboard never downloads it); or run your named tunnel yourself and pass its URL: --tunnel https://…');
  const child: ChildProcess = spawn(binary, ['tunnel', '--no-autoupdate', '--url', localUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  const publicUrl = await new Promise<string>((resolve, reject) => {
    let lastLine = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new TunnelError(`--tunnel cloudflared: no tunnel URL within ${deps.startTimeoutMs / 1000} s${lastLine ? ` (last said: ${lastLine})` : ''}`));
    }, deps.startTimeoutMs);
    const read = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      lastLine = text.trim().split('\n').at(-1) ?? lastLine;
      const found = QUICK_TUNNEL_URL.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new TunnelError(`--tunnel cloudflared: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new TunnelError(`--tunnel cloudflared exited (code ${code})${lastLine ? `: ${lastLine}` : ''}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    kind: 'cloudflared',
    publicUrl,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not come up within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
