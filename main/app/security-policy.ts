import path from 'node:path';
import { CONTENT_TYPES } from '../gateway/static-route';

/**
 * The desktop app's security rules, each a pure function with its own tests: where the page comes
 * from, what it may load, where it may go, which permissions it gets, which links leave the app.
 */

/** The page is served from `app://switchboard/`, never from `file://` (which keeps file privileges). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Whether a URL is a page of ours (the app origin), for navigation and the IPC sender check. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The file an `app://` request names inside the renderer folder, or null: another host, a path
 * that climbs out (`..`, encoded or not), a NUL byte, a backslash or a drive letter. `/` is the
 * index page.
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (relative.includes('\0') || relative.includes('\\') || /^\/?[a-zA-Z]:/.test(relative)) return null;
  if (relative === '/' || relative === '') relative = '/index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${path.posix.normalize(relative)}`);
  return file.startsWith(`${root}${path.sep}`) ? file : null;
}

/**
 * The page's Content-Security-Policy in the desktop app: scripts and styles from the app only,
 * media and images also from the local gateway (signed media links), no connections (IPC needs
 * none), no plugins, frames, base URL or form targets.
 */
export function appContentSecurityPolicy(gatewayUrl: string): string {
  const gateway = new URL(gatewayUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: ${gateway}`,
    `media-src ${gateway}`,
    "font-src 'self'",
    "connect-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Only notifications (new customer messages) are granted, and only to our page; camera, microphone, geolocation and the rest never. */
export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return permission === 'notifications' && isAppUrl(requestingUrl);
}

/** A link the system browser may open: https, a real host name, no user name or password in it. */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.hostname.includes('.') && parsed.username === '' && parsed.password === '' && url.length <= 2_048;
}

/** DevTools only while developing, never in a packaged build. */
export function devToolsAllowed(isPackaged: boolean): boolean {
  return !isPackaged;
}


/** The content type an app file is served with. */
export function appContentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
