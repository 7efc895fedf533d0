import os from 'node:os';
import path from 'node:path';

/** The product name Electron derives its app-data folder from (package.json `productName`). */
export const PRODUCT_NAME = 'Switchboard';

/**
 * The folder Electron's `app.getPath('userData')` gives the desktop app, computed without
 * Electron so `switchboard serve` and the desktop app share one database by default.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
}

/** The database file inside a data dir. */
export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'switchboard.db');
}
