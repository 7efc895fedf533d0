// A stand-in for the `electron` module, so the built main process runs under plain Node in tests
// and benchmarks (the Electron binary cannot be downloaded here). It is faithful where the app
// depends on Electron's behaviour: windows are Chromium pages (hosted by the parent process, see
// window-host.ts) that load `app://` through the app's own protocol handler and run the real built
// preload; IPC goes through the app's ipcMain handlers with the real sender and frame; the gateway
// runs as a separate process with `process.parentPort`, as a utility process does. It plays the OS
// too: the keychain (safeStorage), login items, the dock badge, the window manager's focus.
const { EventEmitter } = require('node:events');
const { fork } = require('node:child_process');
const { createCipheriv, createDecipheriv, randomBytes } = require('node:crypto');
const path = require('node:path');

const role = process.env.ELECTRON_STAND_IN_ROLE ?? 'main';

/** In a utility process only `net` exists, as in Electron. */
const net = { fetch: (input, init) => globalThis.fetch(input, init) };

if (role === 'utility') {
  module.exports = { net };
  return;
}

// A message to a host that is gone is dropped (the callback takes the EPIPE), never thrown.
const toHost = (message) => {
  if (process.connected) process.send(message, undefined, {}, () => undefined);
};

// ---- app ----------------------------------------------------------------------------------
class App extends EventEmitter {
  constructor() {
    super();
    this.name = 'Electron';
    this.isPackaged = false;
    this.loginItem = { openAtLogin: false };
    this.badgeCount = 0;
    this.quitting = false;
  }
  getPath(name) {
    if (name !== 'userData') throw new Error(`stand-in: app.getPath('${name}') is not used by the app`);
    return process.env.ELECTRON_STAND_IN_USER_DATA;
  }
  setName(name) {
    this.name = name;
  }
  getName() {
    return this.name;
  }
  whenReady() {
    return Promise.resolve();
  }
  requestSingleInstanceLock() {
    return true;
  }
  setAppUserModelId() {}
  getLoginItemSettings() {
    return { ...this.loginItem };
  }
  setLoginItemSettings(settings) {
    this.loginItem = { ...this.loginItem, ...settings };
    toHost({ t: 'app', what: 'login-item', openAtLogin: this.loginItem.openAtLogin });
  }
  setBadgeCount(count) {
    this.badgeCount = count;
    toHost({ t: 'app', what: 'badge', count });
    return true;
  }
  /** Electron's order: before-quit, then will-quit (either may be prevented), then the process ends. */
  quit() {
    if (this.quitting) {
      this.finishQuit();
      return;
    }
    const before = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    this.quitting = true;
    for (const window of [...windows.values()]) window.destroy();
    this.finishQuit();
  }
  finishQuit() {
    const will = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.emit('quit');
    this.exit(0);
  }
  exit(code = 0) {
    toHost({ t: 'exit', code });
    // Let the message reach the host before the channel goes.
    setImmediate(() => process.exit(code));
  }
}
const app = new App();

// ---- windows --------------------------------------------------------------------------------
const windows = new Map();
let nextWindowId = 1;

class WebContents extends EventEmitter {
  constructor(window) {
    super();
    const url = () => this.url;
    this.window = window;
    this.id = window.id;
    this.url = '';
    this.destroyed = false;
    this.windowOpenHandler = null;
    // The main frame as Electron exposes it to IPC: one object per page, its URL the page's.
    this.mainFrame = {
      get url() {
        return url();
      },
      routingId: 1,
    };
  }
  getURL() {
    return this.url;
  }
  isDestroyed() {
    return this.destroyed;
  }
  loadURL(url) {
    this.url = url;
    toHost({ t: 'window-load', window: this.id, url });
    return Promise.resolve();
  }
  reload() {
    toHost({ t: 'window-reload', window: this.id });
  }
  send(channel, payload) {
    if (this.destroyed) throw new Error('Object has been destroyed');
    toHost({ t: 'window-send', window: this.id, channel, payload });
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  replaceMisspelling() {}
}

class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return [...windows.values()];
  }
  static fromId(id) {
    return windows.get(id) ?? null;
  }
  constructor(options = {}) {
    super();
    this.id = nextWindowId++;
    this.options = options;
    this.webContents = new WebContents(this);
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    this.minimized = false;
    this.maximized = false;
    this.focused = true;
    this.destroyed = false;
    windows.set(this.id, this);
    toHost({ t: 'window-create', window: this.id, preload: options.webPreferences?.preload ?? null, webPreferences: options.webPreferences ?? {}, bounds: this.bounds });
  }
  loadURL(url) {
    return this.webContents.loadURL(url);
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
    toHost({ t: 'window-state', window: this.id, visible: true });
  }
  minimize() {
    this.minimized = true;
    this.setFocused(false);
    toHost({ t: 'window-state', window: this.id, visible: false });
  }
  show() {
    toHost({ t: 'window-state', window: this.id, visible: true });
  }
  focus() {
    this.setFocused(true);
  }
  isFocused() {
    return this.focused;
  }
  /** The window manager moved the focus (the host, or a call above). */
  setFocused(focused) {
    if (this.focused === focused) return;
    this.focused = focused;
    toHost({ t: 'window-state', window: this.id, focused });
    this.emit(focused ? 'focus' : 'blur');
  }
  maximize() {
    this.maximized = true;
  }
  isMaximized() {
    return this.maximized;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  close() {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    windows.delete(this.id);
    this.webContents.destroyed = true;
    toHost({ t: 'window-close', window: this.id });
    this.webContents.emit('destroyed');
    this.emit('closed');
    if (windows.size === 0 && !app.quitting) app.emit('window-all-closed');
  }
}

// ---- IPC, protocol, session ------------------------------------------------------------------
class IpcMain extends EventEmitter {
  constructor() {
    super();
    this.handlers = new Map();
  }
  handle(channel, handler) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel) {
    this.handlers.delete(channel);
  }
}
const ipcMain = new IpcMain();

const protocol = {
  privileged: [],
  handlers: new Map(),
  registerSchemesAsPrivileged(schemes) {
    this.privileged.push(...schemes);
  },
  handle(scheme, handler) {
    this.handlers.set(scheme, handler);
  },
};

const session = {
  defaultSession: {
    requestHandler: null,
    checkHandler: null,
    setPermissionRequestHandler(handler) {
      this.requestHandler = handler;
    },
    setPermissionCheckHandler(handler) {
      this.checkHandler = handler;
    },
    addWordToSpellCheckerDictionary() {
      return true;
    },
  },
};

// ---- the OS -----------------------------------------------------------------------------------
// The keychain: a key this "login session" keeps (the environment), so a restart decrypts.
const keychainKey = Buffer.from(process.env.ELECTRON_STAND_IN_KEYCHAIN_KEY ?? randomBytes(32).toString('hex'), 'hex');
const safeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString(text) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keychainKey, iv);
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
  },
  decryptString(buffer) {
    const decipher = createDecipheriv('aes-256-gcm', keychainKey, buffer.subarray(0, 12));
    decipher.setAuthTag(buffer.subarray(12, 28));
    return Buffer.concat([decipher.update(buffer.subarray(28)), decipher.final()]).toString('utf8');
  },
};

const shell = {
  openExternal(url) {
    toHost({ t: 'app', what: 'open-external', url });
    return Promise.resolve();
  },
};

const dialog = {
  showErrorBox(title, content) {
    process.stderr.write(`stand-in error box: ${title}: ${content}\n`);
    toHost({ t: 'app', what: 'error-box', title, content });
  },
  showMessageBox(options) {
    return Promise.resolve({ response: options.cancelId ?? 0 });
  },
};

const Menu = { buildFromTemplate: (template) => ({ template, popup() {} }) };
const nativeImage = { createFromPath: (file) => ({ file, resize() { return this; } }) };
class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.toolTip = '';
  }
  setToolTip(text) {
    this.toolTip = text;
    toHost({ t: 'app', what: 'tray-tooltip', text });
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
}
const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };

// ---- utility processes ------------------------------------------------------------------------
const utilityProcess = {
  fork(script, args = [], options = {}) {
    const child = fork(script, args, {
      execArgv: ['--require', path.join(__dirname, 'register.cjs')],
      env: { ...(options.env ?? process.env), ELECTRON_STAND_IN_ROLE: 'utility' },
      serialization: 'advanced',
      stdio: options.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const utility = new EventEmitter();
    utility.pid = child.pid;
    utility.postMessage = (message) => {
      if (child.connected) child.send(message, undefined, {}, () => undefined);
    };
    child.on('error', () => undefined);
    utility.kill = () => child.kill('SIGTERM');
    child.on('message', (message) => utility.emit('message', message));
    child.on('spawn', () => utility.emit('spawn'));
    child.on('exit', (code, signal) => {
      if (code !== 0) app.emit('child-process-gone', {}, { type: 'Utility', reason: signal ? 'killed' : 'crashed', exitCode: code ?? -1, serviceName: options.serviceName });
      utility.emit('exit', code ?? (signal ? 128 + 15 : 0));
    });
    toHost({ t: 'app', what: 'utility-fork', pid: child.pid, serviceName: options.serviceName ?? null });
    return utility;
  },
};

// ---- requests from the host (the windows' side) -----------------------------------------------
async function answer(request) {
  switch (request.kind) {
    case 'ipc-invoke': {
      const handler = ipcMain.handlers.get(request.channel);
      if (!handler) throw new Error(`No handler registered for '${request.channel}'`);
      const window = windows.get(request.window);
      const sender = window ? window.webContents : new WebContents({ id: -1 });
      // A subframe is another frame object than the main frame, as in Electron.
      const senderFrame = request.mainFrame ? sender.mainFrame : { url: request.frameUrl, routingId: 2 };
      return handler({ sender, senderFrame, frameId: request.mainFrame ? 1 : 2 }, ...request.args);
    }
    case 'protocol': {
      const handler = protocol.handlers.get(request.scheme);
      if (!handler) return { status: 404, headers: {}, body: new Uint8Array() };
      const response = await handler(new Request(request.url, { method: request.method }));
      return { status: response.status, headers: Object.fromEntries(response.headers), body: new Uint8Array(await response.arrayBuffer()) };
    }
    case 'permission': {
      const window = windows.get(request.window);
      const handler = session.defaultSession.requestHandler;
      if (!handler || !window) return true;
      return new Promise((resolve) => handler(window.webContents, request.permission, resolve, { requestingUrl: request.url }));
    }
    default:
      throw new Error(`stand-in: unknown request ${request.kind}`);
  }
}

process.on('message', (message) => {
  switch (message.t) {
    case 'request':
      Promise.resolve()
        .then(() => answer(message))
        .then(
          (result) => toHost({ t: 'reply', id: message.id, ok: true, result }),
          (error) => toHost({ t: 'reply', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
        );
      return;
    case 'quit':
      app.quit();
      return;
    case 'navigated': {
      const window = windows.get(message.window);
      if (!window) return;
      window.webContents.url = message.url;
      window.webContents.emit('did-navigate', {}, message.url);
      return;
    }
    case 'second-instance':
      app.emit('second-instance', {}, [], process.cwd());
      return;
    case 'focus':
      windows.get(message.window)?.setFocused(message.focused);
      return;
    case 'close-window':
      windows.get(message.window)?.close();
      return;
    case 'render-process-gone': {
      const window = windows.get(message.window);
      if (window) app.emit('render-process-gone', {}, window.webContents, { reason: 'crashed', exitCode: 139 });
      return;
    }
  }
});

module.exports = {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  safeStorage,
  shell,
  dialog,
  Menu,
  nativeImage,
  Tray,
  screen,
  utilityProcess,
  net,
};
