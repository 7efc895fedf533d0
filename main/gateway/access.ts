import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may call /api and /ws: the install's own token (its user is `localUser`), tokens of a team
 * server's agents (`userOfToken`), and the Host/Origin names that are ours.
 */
export type AccessPolicy = {
  apiToken: string;
  localUser: string;
  userOfToken: (token: string) => string | null;
  bindHost: string;
  allowedHosts: string[];
  allowedOrigins: string[];
};

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The token a request presents: `Authorization: Bearer …`, or `?token=` where headers cannot be set (browsers' WebSocket). */
export function presentedToken(req: IncomingMessage, url: URL, allowQuery: boolean): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return allowQuery ? url.searchParams.get('token') : null;
}

/**
 * The user a presented token belongs to, or null. The install's token is compared in constant
 * time (hashing first makes lengths equal); agents' tokens are looked up by their hash.
 */
export function authenticate(presented: string | null, policy: AccessPolicy): string | null {
  if (presented === null || presented === '') return null;
  if (timingSafeEqual(digest(presented), digest(policy.apiToken))) return policy.localUser;
  return policy.userOfToken(presented);
}

function hostName(hostHeader: string): string {
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return match?.[1] ?? '';
}

/**
 * Guards against DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends
 * `Host: evil.example`, which is not one of ours.
 */
export function isAllowedHost(req: IncomingMessage, policy: AccessPolicy): boolean {
  const name = hostName(req.headers.host ?? '');
  const ours = [...LOOPBACK_HOSTS, policy.bindHost.toLowerCase(), ...policy.allowedHosts.map((h) => h.toLowerCase())];
  return name !== '' && ours.includes(name);
}

/**
 * Any web page the agent visits may try to open a WebSocket to localhost; only our own page (same
 * host as the request) and configured origins may. Non-browser clients send no Origin.
 */
export function isAllowedOrigin(req: IncomingMessage, policy: AccessPolicy): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes(origin)) return true;
  try {
    const parsed = new URL(origin);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}
