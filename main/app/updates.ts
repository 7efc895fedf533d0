import { existsSync } from 'node:fs';
import path from 'node:path';

/** The part of electron-updater's `autoUpdater` the app uses (a double in tests). */
export type Updater = {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** How often a running app looks for a new version. */
export const UPDATE_CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether updates are on: only in a packaged app built with a `publish` target (electron-builder
 * then writes `app-update.yml` beside the app archive). Without one there is nowhere to look.
 */
export function updatesConfigured(isPackaged: boolean, resourcesPath: string): boolean {
  return isPackaged && existsSync(path.join(resourcesPath, 'app-update.yml'));
}

/**
 * Checks at start and daily, downloads in the background, and asks before restarting: a reply
 * being typed is never cut off by an update. Returns a stop (clears the daily check).
 */
export function startUpdates(updater: Updater, ask: (version: string) => Promise<boolean>, log: (line: string) => void): () => void {
  updater.autoDownload = true;
  // A downloaded update the agent postponed installs when they next quit.
  updater.autoInstallOnAppQuit = true;
  updater.on('error', (error) => log(`updates: ${error.message}`));
  updater.on('update-downloaded', (info) => {
    void ask(info.version).then((restart) => {
      if (restart) updater.quitAndInstall();
      else log(`updates: ${info.version} downloaded; it installs when Switchboard quits`);
    });
  });
  const check = () => updater.checkForUpdates().catch((error: unknown) => log(`updates: could not check (${error instanceof Error ? error.message : String(error)})`));
  void check();
  const timer = setInterval(() => void check(), UPDATE_CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
