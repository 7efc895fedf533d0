import { app, Menu, screen, session, Tray, nativeImage, type BrowserWindow, type ContextMenuParams, type MenuItemConstructorOptions, type WebContents } from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What a desktop app is expected to do around its window: a spelling-aware context menu, the
 * window where it was left, the unread total on the dock/taskbar and in the tray, crashes logged
 * and the page reloaded after one.
 */

/** The context menu of a right click: spelling suggestions first, then the edit actions that apply. */
export function contextMenuTemplate(params: Pick<ContextMenuParams, 'misspelledWord' | 'dictionarySuggestions' | 'editFlags' | 'isEditable'>, contents: Pick<WebContents, 'replaceMisspelling'>, addWord: (word: string) => void): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = params.dictionarySuggestions.slice(0, 5).map((suggestion) => ({ label: suggestion, click: () => contents.replaceMisspelling(suggestion) }));
  if (params.misspelledWord) {
    if (items.length === 0) items.push({ label: 'No spelling suggestions', enabled: false });
    items.push({ label: `Add “${params.misspelledWord}” to the dictionary`, click: () => addWord(params.misspelledWord) }, { type: 'separator' });
  }
  if (params.isEditable) items.push({ role: 'cut', enabled: params.editFlags.canCut }, { role: 'copy', enabled: params.editFlags.canCopy }, { role: 'paste', enabled: params.editFlags.canPaste }, { role: 'selectAll' });
  else items.push({ role: 'copy', enabled: params.editFlags.canCopy });
  return items;
}

export function installContextMenu(contents: WebContents): void {
  contents.on('context-menu', (_event, params) => {
    Menu.buildFromTemplate(contextMenuTemplate(params, contents, (word) => session.defaultSession.addWordToSpellCheckerDictionary(word))).popup();
  });
}

/** A window's place: restored only when it still lies on a connected display. */
export type WindowState = { x: number; y: number; width: number; height: number; maximized: boolean };

/** The saved state if it fits one of the displays (a monitor unplugged since leaves it off-screen), else null. */
export function restorableState(saved: unknown, displays: readonly { x: number; y: number; width: number; height: number }[]): WindowState | null {
  const state = saved as Partial<WindowState> | null;
  if (!state || ![state.x, state.y, state.width, state.height].every((value) => typeof value === 'number' && Number.isFinite(value))) return null;
  const { x = 0, y = 0, width = 0, height = 0 } = state;
  if (width < 400 || height < 300) return null;
  const visible = displays.some((area) => x + 100 > area.x && y + 50 > area.y && x + 100 < area.x + area.width && y + 50 < area.y + area.height);
  return visible ? { x, y, width, height, maximized: state.maximized === true } : null;
}

export function windowStateFile(dataDir: string): string {
  return path.join(dataDir, 'window-state.json');
}

export function savedWindowState(dataDir: string): WindowState | null {
  const file = windowStateFile(dataDir);
  try {
    return existsSync(file) ? restorableState(JSON.parse(readFileSync(file, 'utf8')), screen.getAllDisplays().map((display) => display.workArea)) : null;
  } catch {
    return null;
  }
}

/** Saves the window's place when it closes. */
export function rememberWindowState(window: BrowserWindow, dataDir: string): void {
  window.on('close', () => {
    const bounds = window.getNormalBounds();
    writeFileSync(windowStateFile(dataDir), JSON.stringify({ ...bounds, maximized: window.isMaximized() }));
  });
}

/** The unread total where the OS shows it: the dock or taskbar badge (macOS, Linux launchers) and the tray's tooltip. */
export function showUnreadTotal(total: number, tray: Tray | null): void {
  app.setBadgeCount(total);
  tray?.setToolTip(total > 0 ? `Switchboard: ${total} unread` : 'Switchboard');
}

/** A tray icon that shows the window: the app keeps running in the background. */
export function createTray(iconFile: string, show: () => void): Tray | null {
  if (!existsSync(iconFile)) return null;
  const tray = new Tray(nativeImage.createFromPath(iconFile).resize({ width: 16, height: 16 }));
  tray.setToolTip('Switchboard');
  tray.setContextMenu(Menu.buildFromTemplate([{ label: 'Show Switchboard', click: show }, { type: 'separator' }, { label: 'Quit', role: 'quit' }]));
  tray.on('click', show);
  return tray;
}

/** Logs crashes of the main process, a renderer or a helper process; a crashed page is reloaded. */
export function watchCrashes(log: (line: string) => void): void {
  process.on('uncaughtException', (error) => log(`uncaught exception: ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  app.on('render-process-gone', (_event, contents, details) => {
    log(`the window's page stopped (${details.reason}, exit code ${details.exitCode})`);
    if (details.reason !== 'clean-exit' && !contents.isDestroyed()) contents.reload();
  });
  app.on('child-process-gone', (_event, details) => log(`a helper process stopped: ${details.type} (${details.reason}, exit code ${details.exitCode})`));
}
