import { app, BrowserWindow, dialog, type WebContents } from 'electron';
import path from 'node:path';
import { registerIpc, trustedSenderCheck } from './app/ipc-registry';
import { SafeStorageSecretStore } from './app/safe-storage-secrets';
import { savedConnection } from './services/settings';
import { registerAppScheme, serveAppScheme } from './app/app-protocol';
import { guardPermissions, openMainWindow } from './app/main-window';
import { isAppUrl } from './app/security-policy';
import { bootGateway, type RunningGateway } from './boot';
import { resolveConfig } from './config';

// Electron composition root: paths → config → gateway (store, services, HTTP/WS) → IPC → window.
const files = {
  rendererIndex: path.join(__dirname, '..', 'renderer', 'index.html'),
  preload: path.join(__dirname, '..', 'preload', 'preload.cjs'),
  checkpointWorker: path.join(__dirname, 'checkpoint-worker.cjs'),
};
const trusted = new Set<WebContents>();
let gateway: RunningGateway | null = null;

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  // Credentials saved in the settings screen are encrypted by the OS (safeStorage), never in clear.
  const secretStore = new SafeStorageSecretStore(dataDir);
  const config = resolveConfig(
    { host: process.env.SWITCHBOARD_HOST ?? '127.0.0.1', port: Number(process.env.SWITCHBOARD_PORT ?? 8787), dataDir },
    process.env,
    savedConnection(dataDir, secretStore),
  );
  gateway = await bootGateway(config, {
    secretStore,
    // The window needs only IPC: a port another program holds (8787 is wrangler's and RStudio's) moves the gateway, not the app.
    portFallback: true,
    rendererDir: path.dirname(files.rendererIndex),
    checkpointWorker: files.checkpointWorker,
    log: (line) => console.log(line),
    command: 'the Switchboard desktop app',
  });
  const running = gateway;
  serveAppScheme(path.dirname(files.rendererIndex), () => running.url);
  guardPermissions();
  registerIpc(running.handlers, running.bus, trusted, trustedSenderCheck(trusted, isAppUrl), running.localCaller);
  // The desktop agent is online while one of its windows is open, like a WebSocket client.
  const open = () => {
    const window = openMainWindow(files, trusted);
    const disconnect = running.presence.connect(running.localCaller.user);
    window.on('closed', disconnect);
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
}

// The data dir is derived from the name: "Switchboard" however the app was started.
app.setName('Switchboard');
registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();
app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', (event) => {
  if (!gateway) return;
  event.preventDefault();
  const closing = gateway;
  gateway = null;
  void closing.close().finally(() => app.quit());
});
app.whenReady().then(start).catch((error: unknown) => {
  dialog.showErrorBox('Switchboard could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
