import { BrowserWindow, shell, type WebContents } from 'electron';
import { pathToFileURL } from 'node:url';

/** Where the window's page and preload script live in the build. */
export type WindowFiles = { rendererIndex: string; preload: string };

/** Whether a URL is the renderer page we load (file URL of the built index.html). */
export function isRendererUrl(url: string, files: WindowFiles): boolean {
  return url.split('#')[0] === pathToFileURL(files.rendererIndex).href;
}

/**
 * Opens the inbox window: sandboxed, context-isolated, no Node in the page. Navigation away from
 * our page is refused and links open in the system browser.
 */
export function openMainWindow(files: WindowFiles, trusted: Set<WebContents>): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Switchboard',
    webPreferences: { preload: files.preload, sandbox: true, contextIsolation: true, nodeIntegration: false },
  });
  const contents = window.webContents;
  trusted.add(contents);
  contents.on('destroyed', () => trusted.delete(contents));
  contents.on('will-navigate', (event, url) => {
    if (!isRendererUrl(url, files)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https:')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadFile(files.rendererIndex);
  return window;
}
