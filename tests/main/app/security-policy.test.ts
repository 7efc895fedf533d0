import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// `electron` is the test double (vitest.config.ts): imported by path for its recording helpers.
import { app, BrowserWindow, protocol, session, shell } from '../../doubles/electron';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { registerAppScheme, serveAppScheme } from '../../../main/app/app-protocol';
import { guardPermissions, openMainWindow } from '../../../main/app/main-window';
import {
  APP_INDEX_URL,
  appContentSecurityPolicy,
  devToolsAllowed,
  isAppUrl,
  isPermissionAllowed,
  isSafeExternalUrl,
  resolveAppFile,
} from '../../../main/app/security-policy';

const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-renderer-'));
mkdirSync(path.join(rendererDir, 'assets'));
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Switchboard</title>');
writeFileSync(path.join(rendererDir, 'assets', 'index.js'), 'console.log(1)');
afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));

describe('the security policy, rule by rule', () => {
  it('serves only files inside the renderer folder: no climbing out, encoded or not, no other host', () => {
    expect(resolveAppFile(rendererDir, 'app://switchboard/')).toBe(path.join(rendererDir, 'index.html'));
    expect(resolveAppFile(rendererDir, 'app://switchboard/assets/index.js?v=1#x')).toBe(path.join(rendererDir, 'assets', 'index.js'));
    // Climbing is clamped at the folder: whatever the dots, the file asked for is inside it.
    for (const url of ['app://switchboard/../secrets.json', 'app://switchboard/%2e%2e/%2e%2e/etc/passwd', 'app://switchboard/assets/..%2f..%2f..%2fsecrets.json']) {
      const resolved = resolveAppFile(rendererDir, url) ?? '';
      expect(resolved.startsWith(`${rendererDir}${path.sep}`), url).toBe(true);
    }
    // Refused outright: backslashes, drive letters, NUL bytes, broken escapes, another host or scheme.
    for (const url of ['app://switchboard/..%5c..%5csecrets.json', 'app://switchboard/C:/Windows/win.ini', 'app://switchboard/index.html%00.png', 'app://switchboard/%E0%A4%A', 'app://evil/index.html', 'file:///etc/passwd', 'not a url']) {
      expect(resolveAppFile(rendererDir, url), url).toBeNull();
    }
  });

  it('counts only app://switchboard pages as ours', () => {
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(isAppUrl('app://switchboard/index.html#token')).toBe(true);
    for (const url of ['file:///opt/Switchboard/resources/app.asar/dist/renderer/index.html', 'app://other/index.html', 'https://switchboard/index.html', 'http://127.0.0.1:8787/', 'javascript:alert(1)', '']) expect(isAppUrl(url), url).toBe(false);
  });

  it('writes a CSP that allows only the app and the local gateway’s media, and names base-uri and form-action', () => {
    const csp = appContentSecurityPolicy('http://127.0.0.1:8791');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data: http://127.0.0.1:8791");
    expect(csp).toContain('media-src http://127.0.0.1:8791');
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).not.toMatch(/unsafe-eval|\*/);
  });

  it('grants notifications to our page and nothing else to anyone', () => {
    expect(isPermissionAllowed('notifications', 'app://switchboard/index.html')).toBe(true);
    expect(isPermissionAllowed('notifications', 'https://evil.example')).toBe(false);
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial']) expect(isPermissionAllowed(permission, 'app://switchboard/index.html'), permission).toBe(false);
  });

  it('opens in the system browser only plain https links with a real host and no credentials', () => {
    expect(isSafeExternalUrl('https://www.openstreetmap.org/?mlat=40.4&mlon=-3.7')).toBe(true);
    for (const url of ['http://example.com', 'file:///etc/passwd', 'smb://server/share', 'javascript:alert(1)', 'https://user:pass@example.com', 'https://localhost/', `https://example.com/${'a'.repeat(2100)}`, 'ms-msdt:/id PCWDiagnostic']) expect(isSafeExternalUrl(url), url).toBe(false);
  });

  it('allows DevTools only in development', () => {
    expect(devToolsAllowed(false)).toBe(true);
    expect(devToolsAllowed(true)).toBe(false);
  });
});

describe('the window and the app:// scheme, with the electron double', () => {
  beforeEach(() => {
    BrowserWindow.created.length = 0;
    shell.opened.length = 0;
  });

  it('opens a sandboxed window on app://switchboard that refuses navigation, middle clicks and unsafe links', () => {
    (app as { isPackaged: boolean }).isPackaged = true;
    // The window is the double's (main-window.ts is typed against the real Electron).
    const window = openMainWindow({ preload: '/app/preload.cjs' }, new Set()) as unknown as BrowserWindow;
    const options = window.options as { webPreferences: Record<string, unknown> };
    expect(options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, devTools: false, disableBlinkFeatures: 'Auxclick' });
    const contents = window.webContents;
    expect(contents.loadedUrl).toBe('app://switchboard/index.html');
    const navigate = (url: string) => {
      let prevented = false;
      contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('app://switchboard/index.html')).toBe(false);
    expect(contents.windowOpenHandler?.({ url: 'https://www.openstreetmap.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual(['https://www.openstreetmap.org/']);
    (app as { isPackaged: boolean }).isPackaged = false;
  });

  it('installs permission handlers that grant only notifications to our page', () => {
    guardPermissions();
    const granted: boolean[] = [];
    session.defaultSession.requestHandler?.({ getURL: () => 'app://switchboard/index.html' }, 'notifications', (value) => granted.push(value));
    session.defaultSession.requestHandler?.({ getURL: () => 'app://switchboard/index.html' }, 'media', (value) => granted.push(value));
    expect(granted).toEqual([true, false]);
    expect(session.defaultSession.checkHandler?.(null, 'geolocation', 'app://switchboard')).toBe(false);
  });

  it('serves the page with its CSP, and 404 for a path outside the renderer', async () => {
    registerAppScheme();
    expect(protocol.privileged).toContainEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } });
    serveAppScheme(rendererDir, () => 'http://127.0.0.1:8787');
    const handler = protocol.handlers.get('app');
    const page = await handler?.(new Request('app://switchboard/index.html'));
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page?.headers.get('content-security-policy')).toContain("base-uri 'none'");
    expect((await handler?.(new Request('app://switchboard/%2e%2e/%2e%2e/etc/passwd')))?.status).toBe(404);
    expect((await handler?.(new Request('app://switchboard/missing.js')))?.status).toBe(404);
  });
});
