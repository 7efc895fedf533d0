import { app, BrowserWindow, dialog, type Tray, type WebContents } from 'electron';
import path from 'node:path';
import { registerAppScheme, serveAppScheme } from './app/app-protocol';
import { createTray, installContextMenu, rememberWindowState, savedWindowState, showUnreadTotal, watchCrashes } from './app/desktop-shell';
import { forkUtilityGateway, GatewayHost } from './app/gateway-host';
import { forwardEvents, registerIpc, trustedSenderCheck } from './app/ipc-registry';
import { guardPermissions, openMainWindow } from './app/main-window';
import { SafeStorageSecretStore } from './app/safe-storage-secrets';
import { isAppUrl } from './app/security-policy';
import { startUpdates, updatesConfigured } from './app/updates';
import { RotatingLog } from './services/rotating-log';

// Electron composition root. The gateway (database, ingest, outbox, HTTP/WS) runs in a utility
// process of its own (gateway-host.ts): under a webhook flood this process's event loop stays free
// for the window, its IPC and the OS. Here: paths → the gateway's process → IPC → window, tray, dock.
const APP_ID = 'app.switchboard.desktop';
const files = {
  rendererIndex: path.join(__dirname, '..', 'renderer', 'index.html'),
  preload: path.join(__dirname, '..', 'preload', 'preload.cjs'),
  gatewayProcess: path.join(__dirname, 'gateway-process.cjs'),
  checkpointWorker: path.join(__dirname, 'checkpoint-worker.cjs'),
  icon: path.join(__dirname, 'icon.png'),
};
const trusted = new Set<WebContents>();
let gateway: GatewayHost | null = null;
let tray: Tray | null = null;

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  // What happened outlives the console an installed app does not have.
  const logFile = new RotatingLog(dataDir);
  const log = (line: string) => {
    console.log(line);
    logFile.write(line);
  };
  watchCrashes(log);
  // Windows ties notifications (and their clicks) to the app through this id.
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  // Credentials saved in the settings screen are encrypted by the OS (safeStorage), never in clear:
  // the gateway's process gets them decrypted, in memory, and asks here to save new ones.
  const secretStore = new SafeStorageSecretStore(dataDir);
  let shownUnread = -1;
  const host = new GatewayHost({
    fork: () => forkUtilityGateway(files.gatewayProcess),
    startMessage: () => ({
      host: process.env.SWITCHBOARD_HOST ?? '127.0.0.1',
      port: Number(process.env.SWITCHBOARD_PORT ?? 8787),
      dataDir,
      env: { ...process.env },
      secrets: secretStore.read(),
      launchAtLogin: app.getLoginItemSettings().openAtLogin,
      rendererDir: path.dirname(files.rendererIndex),
      checkpointWorker: files.checkpointWorker,
    }),
    secrets: secretStore,
    setLaunchAtLogin: (on) => app.setLoginItemSettings({ openAtLogin: on }),
    log,
    onEvents: (events) => forwardEvents(events, trusted),
    onUnread: (total) => {
      if (total !== shownUnread) showUnreadTotal((shownUnread = total), tray);
    },
    // The pages resume from the event log, and learn the gateway's new address.
    onRestarted: () => {
      for (const contents of trusted) if (!contents.isDestroyed()) contents.reload();
    },
  });
  gateway = host;
  await host.start();
  serveAppScheme(path.dirname(files.rendererIndex), () => host.url);
  guardPermissions();
  registerIpc(host, trustedSenderCheck(trusted, isAppUrl));
  // The desktop agent is online while one of its windows is open, like a WebSocket client.
  const open = () => {
    const window = openMainWindow(files, trusted, savedWindowState(dataDir));
    installContextMenu(window.webContents);
    rememberWindowState(window, dataDir);
    const id = window.id;
    host.windowOpened(id);
    window.on('closed', () => host.windowClosed(id));
    return window;
  };
  const show = () => {
    const window = BrowserWindow.getAllWindows()[0] ?? open();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  open();
  tray = createTray(files.icon, show);
  if (shownUnread >= 0) showUnreadTotal(shownUnread, tray);
  app.on('activate', show);
  app.on('second-instance', show);
  // Updates only once a publish target is configured; electron-updater is loaded only then.
  if (updatesConfigured(app.isPackaged, process.resourcesPath)) {
    const { autoUpdater } = await import('electron-updater');
    startUpdates(autoUpdater, (version) => askToRestart(version), log);
  }
}

async function askToRestart(version: string): Promise<boolean> {
  const answer = await dialog.showMessageBox({
    type: 'info',
    buttons: ['Restart now', 'Later'],
    defaultId: 1,
    cancelId: 1,
    message: `Switchboard ${version} is ready`,
    detail: 'Restart to use it now, or it installs the next time Switchboard quits.',
  });
  return answer.response === 0;
}

// The data dir is derived from the name: "Switchboard" however the app was started.
app.setName('Switchboard');
registerAppScheme();
// The documented single-instance pattern: a second launch shows the first window and starts nothing.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('window-all-closed', () => {
    // macOS keeps the app (and the tray elsewhere keeps it reachable) when its window closes.
    if (process.platform !== 'darwin' && !tray) app.quit();
  });
  app.on('will-quit', (event) => {
    if (!gateway) return;
    event.preventDefault();
    const closing = gateway;
    gateway = null;
    void closing.stop().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Switchboard could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}
