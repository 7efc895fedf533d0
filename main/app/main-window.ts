import { app, BrowserWindow, session, shell, type WebContents } from 'electron';
import { APP_INDEX_URL, devToolsAllowed, isAppUrl, isPermissionAllowed, isSafeExternalUrl } from './security-policy';

import type { WindowState } from './desktop-shell';

/** Where the window's preload script lives in the build. */
export type WindowFiles = { preload: string };

/** Grants only what the policy allows (notifications to our page), for requests and for checks. */
export function guardPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => callback(isPermissionAllowed(permission, contents.getURL())));
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
}

/**
 * Opens the inbox window: sandboxed, context-isolated, no Node in the page, served from
 * `app://switchboard`. Navigation away is refused, a middle click opens nothing, links open in the
 * system browser only when they are plain https, and DevTools exist only in development.
 */
export function openMainWindow(files: WindowFiles, trusted: Set<WebContents>, place: WindowState | null = null): BrowserWindow {
  const window = new BrowserWindow({
    ...(place ? { x: place.x, y: place.y, width: place.width, height: place.height } : { width: 1200, height: 800 }),
    minWidth: 480,
    minHeight: 400,
    title: 'Switchboard',
    webPreferences: {
      preload: files.preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: devToolsAllowed(app.isPackaged),
      // A middle click on a link would open it in a new window: never.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const contents = window.webContents;
  trusted.add(contents);
  contents.on('destroyed', () => trusted.delete(contents));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (place?.maximized) window.maximize();
  void window.loadURL(APP_INDEX_URL);
  return window;
}
