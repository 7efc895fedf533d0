import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publicUrlProblem, trimPublicUrl, TunnelChoiceSchema, type TunnelChoice } from '../../shared/contract';

/**
 * A public URL in front of the gateway, so Meta can call it: one interface, three adapters. The
 * rest of the gateway only ever sees `publicUrl`.
 * - `ngrok`: the ngrok agent in-process (the `@ngrok/ngrok` library, prebuilt per platform),
 *   with the user's authtoken and, for a URL that survives restarts, a fixed domain.
 * - `cloudflared`: a `cloudflared` binary the user installed, found on the PATH; never downloaded
 *   at run time. A quick tunnel (`https://….trycloudflare.com`), or a named tunnel the user created
 *   (`cloudflared tunnel create`, `tunnel route dns`), run with its credentials and pointed here.
 * - `url`: a reverse proxy or tunnel the user runs (Caddy, nginx, a tunnel on another machine…).
 */
export type Tunnel = {
  kind: TunnelSpec['kind'];
  publicUrl: string;
  close(): Promise<void>;
  /** Called once if the tunnel goes down by itself (the cloudflared process exited), with why. */
  onDown(listener: (reason: string) => void): void;
};

export type TunnelSpec = Exclude<TunnelChoice, { kind: 'off' }>;

/** A tunnel that cannot be opened, said in one line. */
export class TunnelError extends Error {}

/**
 * `--tunnel ngrok`, `--tunnel cloudflared` (a quick tunnel), `--tunnel cloudflared:NAME` (a named
 * tunnel, its host name read from cloudflared's config) or `cloudflared:NAME@HOST`, or
 * `--tunnel https://…` (http only for a proxy on this machine).
 */
export function parseTunnelSpec(value: string): TunnelSpec {
  if (value === 'ngrok') return { kind: 'ngrok', domain: null };
  const named = /^cloudflared(?::([^@]*)(?:@(.*))?)?$/.exec(value);
  if (named) {
    const parsed = TunnelChoiceSchema.safeParse({ kind: 'cloudflared', name: named[1] ?? null, hostname: named[2] ?? null });
    if (!parsed.success) throw new TunnelError(`--tunnel ${value}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')} (cloudflared:NAME or cloudflared:NAME@HOST)`);
    return parsed.data as TunnelSpec;
  }
  if (!URL.canParse(value)) throw new TunnelError(`--tunnel must be ngrok, cloudflared, cloudflared:NAME or the https URL of your own tunnel or proxy, not ${value}`);
  const problem = publicUrlProblem(value);
  if (problem) throw new TunnelError(`--tunnel ${value} ${problem}`);
  return { kind: 'url', url: trimPublicUrl(value) };
}

/** The tunnel in a few words, for logs and messages. */
export function describeTunnel(spec: TunnelSpec): string {
  switch (spec.kind) {
    case 'ngrok':
      return spec.domain ? `ngrok (${spec.domain})` : 'ngrok';
    case 'cloudflared':
      return spec.name ? `the cloudflared tunnel ${spec.name}` : 'a cloudflared quick tunnel';
    case 'url':
      return spec.url;
  }
}

/** What the ngrok adapter uses of `@ngrok/ngrok` (a double in tests). */
export type NgrokLibrary = {
  forward(options: { addr: string; authtoken: string; domain?: string; proto: 'http' }): Promise<{ url(): string | null; close(): Promise<void> }>;
};

export type TunnelDeps = {
  /** NGROK_AUTHTOKEN and NGROK_DOMAIN are read here. */
  env: Record<string, string | undefined>;
  loadNgrok(): Promise<NgrokLibrary>;
  /** Where to look for `cloudflared` (default: the PATH). */
  findBinary(name: string): string | null;
  /** Where cloudflared's config file may be, in the order cloudflared itself looks. */
  cloudflaredConfigs: readonly string[];
  /** How long a tunnel may take to come up. */
  startTimeoutMs: number;
};

/** The folders cloudflared searches for `config.yml` (or `.yaml`), in its order. */
function cloudflaredConfigCandidates(home: string): string[] {
  const folders = [path.join(home, '.cloudflared'), path.join(home, '.cloudflare-warp'), path.join(home, 'cloudflare-warp'), '/etc/cloudflared', '/usr/local/etc/cloudflared'];
  return folders.flatMap((folder) => [path.join(folder, 'config.yml'), path.join(folder, 'config.yaml')]);
}

export const DEFAULT_TUNNEL_DEPS: TunnelDeps = {
  env: process.env,
  loadNgrok: () => import('@ngrok/ngrok') as unknown as Promise<NgrokLibrary>,
  findBinary: (name) => findOnPath(name, process.env.PATH ?? ''),
  cloudflaredConfigs: cloudflaredConfigCandidates(os.homedir()),
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
    case 'url':
      return { kind: 'url', publicUrl: spec.url, close: () => Promise.resolve(), onDown: () => undefined };
    case 'ngrok':
      return openNgrok(spec, localUrl, deps);
    case 'cloudflared':
      return spec.name ? openNamedCloudflared(spec.name, spec.hostname, localUrl, deps) : openQuickCloudflared(localUrl, deps);
  }
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

async function openNgrok(spec: Extract<TunnelSpec, { kind: 'ngrok' }>, localUrl: string, deps: TunnelDeps): Promise<Tunnel> {
  const authtoken = deps.env.NGROK_AUTHTOKEN?.trim();
  if (!authtoken) throw new TunnelError('ngrok needs your authtoken from the ngrok dashboard (NGROK_AUTHTOKEN, or in Settings), and a fixed domain for a URL that stays the same');
  let ngrok: NgrokLibrary;
  try {
    ngrok = await deps.loadNgrok();
  } catch (error) {
    throw new TunnelError(`ngrok: the ngrok library does not load on this platform (${firstLine(error)})`);
  }
  const domain = spec.domain ?? deps.env.NGROK_DOMAIN?.trim();
  let listener: Awaited<ReturnType<NgrokLibrary['forward']>>;
  try {
    listener = await withTimeout(ngrok.forward({ addr: new URL(localUrl).host, authtoken, proto: 'http', ...(domain ? { domain } : {}) }), deps.startTimeoutMs, 'ngrok');
  } catch (error) {
    throw new TunnelError(`ngrok: ${firstLine(error)}`);
  }
  const url = listener.url();
  if (!url) {
    await listener.close();
    throw new TunnelError('ngrok: the agent gave no public URL');
  }
  // The agent reconnects by itself: it never goes down for good while the gateway runs.
  return { kind: 'ngrok', publicUrl: url.replace(/\/+$/, ''), close: () => listener.close(), onDown: () => undefined };
}

/** The quick tunnel's address in cloudflared's log. */
const QUICK_TUNNEL_URL = /https:\/\/[a-z0-9-]+\.trycloudflare\.com/;
/** What cloudflared logs once a named tunnel has a connection to Cloudflare's edge. */
const CONNECTION_REGISTERED = /Registered tunnel connection/;

function openQuickCloudflared(localUrl: string, deps: TunnelDeps): Promise<Tunnel> {
  return runCloudflared(['tunnel', '--no-autoupdate', '--url', localUrl], 'a cloudflared quick tunnel', deps, (text) => QUICK_TUNNEL_URL.exec(text)?.[0] ?? null);
}

async function openNamedCloudflared(name: string, hostname: string | null, localUrl: string, deps: TunnelDeps): Promise<Tunnel> {
  const host = hostname ?? namedTunnelHost(name, deps.cloudflaredConfigs);
  // `--url` sends every host name of the tunnel here, whatever the config's ingress rules say.
  return runCloudflared(['tunnel', '--no-autoupdate', 'run', '--url', localUrl, name], `the cloudflared tunnel ${name}`, deps, (text) => (CONNECTION_REGISTERED.test(text) ? `https://${host}` : null));
}

/**
 * The public host name of the named tunnel, from the first config file of cloudflared's that
 * names it (`tunnel:`): its first ingress rule with a `hostname:`.
 */
export function namedTunnelHost(name: string, configs: readonly string[]): string {
  for (const file of configs) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const config = readCloudflaredConfig(text);
    if (config.tunnel !== name) continue;
    const host = config.hostnames[0];
    if (!host) throw new TunnelError(`cloudflared: ${file} names the tunnel ${name} but no ingress hostname: give it (cloudflared:${name}@hooks.example.com, or in Settings)`);
    return host;
  }
  throw new TunnelError(`cloudflared: no config file of cloudflared's names the tunnel ${name}: give its public host name (cloudflared:${name}@hooks.example.com, or in Settings)`);
}

/**
 * The two keys of cloudflared's YAML config that matter here: `tunnel:` (its name or UUID) and the
 * `hostname:` of each ingress rule. Read line by line: the file is flat YAML, and no YAML parser
 * is shipped for two keys.
 */
export function readCloudflaredConfig(text: string): { tunnel: string | null; hostnames: string[] } {
  const unquote = (value: string) => value.trim().replace(/^(['"])(.*)\1$/, '$2');
  let tunnel: string | null = null;
  const hostnames: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const withoutComment = line.replace(/\s+#.*$/, '');
    const top = /^tunnel:\s*(.+)$/.exec(withoutComment);
    if (top?.[1]) tunnel = unquote(top[1]);
    const rule = /^\s*(?:-\s+)?hostname:\s*(.+)$/.exec(withoutComment);
    if (rule?.[1]) hostnames.push(unquote(rule[1]));
  }
  return { tunnel, hostnames };
}

/**
 * Runs cloudflared until `ready` finds what it waits for in its log (the quick tunnel's URL, a
 * named tunnel's first connection) and answers the public URL; fails with its last line when it
 * exits first or says nothing in time.
 */
async function runCloudflared(args: string[], what: string, deps: TunnelDeps, ready: (text: string) => string | null): Promise<Tunnel> {
  const binary = deps.findBinary('cloudflared');
  if (!binary) throw new TunnelError('cloudflared: the cloudflared binary is not on the PATH (Switchboard never downloads it); or run your tunnel yourself and give its URL');
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastLine = '';
  const publicUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new TunnelError(`cloudflared: ${what} did not come up within ${deps.startTimeoutMs / 1000} s${lastLine ? ` (last said: ${lastLine})` : ''}`));
    }, deps.startTimeoutMs);
    const read = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      lastLine = text.trim().split('\n').at(-1) ?? lastLine;
      const found = ready(text);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new TunnelError(`cloudflared: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new TunnelError(`cloudflared exited (code ${code})${lastLine ? `: ${lastLine}` : ''}`));
    });
  });
  child.removeAllListeners('exit');
  let closing = false;
  const downListeners: ((reason: string) => void)[] = [];
  child.once('exit', (code) => {
    if (!closing) for (const listener of downListeners) listener(`cloudflared exited (code ${code})${lastLine ? `: ${lastLine}` : ''}`);
  });
  return {
    kind: 'cloudflared',
    publicUrl,
    onDown: (listener) => void downListeners.push(listener),
    close: () =>
      new Promise((resolve) => {
        closing = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
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
