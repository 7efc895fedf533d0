import { app, BrowserWindow, dialog, net, type Tray, type WebContents } from 'electron';
import path from 'node:path';
import { registerAppScheme, serveAppScheme } from './app/app-protocol';
import { createTray, installContextMenu, rememberWindowState, savedWindowState, showUnreadTotal, watchCrashes } from './app/desktop-shell';
import { registerIpc, trustedSenderCheck } from './app/ipc-registry';
import { guardPermissions, openMainWindow } from './app/main-window';
import { SafeStorageSecretStore } from './app/safe-storage-secrets';
import { isAppUrl } from './app/security-policy';
import { startUpdates, updatesConfigured } from './app/updates';
import { bootGateway, type RunningGateway } from './boot';
import { resolveConfig } from './config';
import { RotatingLog } from './services/rotating-log';
import { savedConnection } from './services/settings';

// Electron composition root: paths → config → gateway (store, services, HTTP/WS) → IPC → window.
const APP_ID = 'app.switchboard.desktop';
const files = {
  rendererIndex: path.join(__dirname, '..', 'renderer', 'index.html'),
  preload: path.join(__dirname, '..', 'preload', 'preload.cjs'),
  checkpointWorker: path.join(__dirname, 'checkpoint-worker.cjs'),
  icon: path.join(__dirname, 'icon.png'),
};
const trusted = new Set<WebContents>();
let gateway: RunningGateway | null = null;
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
    desktop: {
      launchAtLogin: () => app.getLoginItemSettings().openAtLogin,
      setLaunchAtLogin: (on) => app.setLoginItemSettings({ openAtLogin: on }),
    },
    // Graph API calls go through Chromium's network stack: the system proxy and certificate store.
    fetch: (input, init) => net.fetch(input instanceof URL ? input.href : input, init),
    rendererDir: path.dirname(files.rendererIndex),
    checkpointWorker: files.checkpointWorker,
    log,
    command: 'the Switchboard desktop app',
  });
  const running = gateway;
  serveAppScheme(path.dirname(files.rendererIndex), () => running.url);
  guardPermissions();
  registerIpc(running.handlers, running.bus, trusted, trustedSenderCheck(trusted, isAppUrl), running.localCaller);
  // The desktop agent is online while one of its windows is open, like a WebSocket client.
  const open = () => {
    const window = openMainWindow(files, trusted, savedWindowState(dataDir));
    installContextMenu(window.webContents);
    rememberWindowState(window, dataDir);
    const disconnect = running.presence.connect(running.localCaller.user);
    window.on('closed', disconnect);
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
  // The unread total on the dock or taskbar and in the tray, as conversations change.
  let shown = -1;
  const refreshUnread = () => {
    const total = running.store.conversations.unreadTotal();
    if (total !== shown) showUnreadTotal((shown = total), tray);
  };
  refreshUnread();
  // At most twice a second: under a burst of messages the badge need not count each one.
  let pending: NodeJS.Timeout | null = null;
  running.bus.subscribe((event) => {
    if (pending || !(event.type === 'conversation_update' || event.type === 'new_message' || event.type === 'conversation_removed')) return;
    pending = setTimeout(() => {
      pending = null;
      refreshUnread();
    }, 500);
  });
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
    void closing.close().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Switchboard could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}
