// The `electron` module every test sees (aliased in vitest.config.ts): records what the code under
// test registers and sends, so Electron-only adapters are tested without the Electron binary.
import { EventEmitter } from 'node:events';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class IpcMainDouble extends EventEmitter {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** Test helper: what `ipcRenderer.invoke(channel, ...args)` from `event.sender` would get. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

export const ipcMain = new IpcMainDouble();

class IpcRendererDouble extends EventEmitter {
  readonly invocations: { channel: string; args: unknown[] }[] = [];
  invokeResult: (channel: string, args: unknown[]) => unknown = () => undefined;

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push({ channel, args });
    return Promise.resolve(this.invokeResult(channel, args));
  }
}

export const ipcRenderer = new IpcRendererDouble();

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

export const app = {
  getPath: (name: string) => `/double/${name}`,
  whenReady: () => Promise.resolve(),
  on: () => app,
  quit: () => undefined,
  exit: () => undefined,
  requestSingleInstanceLock: () => true,
  setName: () => undefined,
  isPackaged: false,
};

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  },
};
export const dialog = { showErrorBox: () => undefined };
/** A window's web contents: records its event handlers and window-open handler, and what it loaded. */
export class WebContentsDouble extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  loadedUrl = '';
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.loadedUrl;
  }
}

export class BrowserWindow {
  static created: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.created;
  }
  readonly webContents = new WebContentsDouble();
  constructor(readonly options: Record<string, unknown>) {
    BrowserWindow.created.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.webContents.loadedUrl = url;
    return Promise.resolve();
  }
  on(): this {
    return this;
  }
}

/** protocol: the schemes declared privileged and the handlers registered. */
export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void {
    this.handlers.set(scheme, handler);
  },
};

type PermissionRequestHandler = (contents: { getURL(): string }, permission: string, callback: (granted: boolean) => void) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, requestingOrigin: string) => boolean;

/** session: the permission handlers the app installs. */
export const session = {
  defaultSession: {
    requestHandler: null as PermissionRequestHandler | null,
    checkHandler: null as PermissionCheckHandler | null,
    setPermissionRequestHandler(handler: PermissionRequestHandler): void {
      this.requestHandler = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler): void {
      this.checkHandler = handler;
    },
  },
};

export type IpcMainInvokeEvent = { sender: WebContents; senderFrame: { url: string } | null };
export type WebContents = { id: number; mainFrame: unknown; isDestroyed(): boolean; send(channel: string, ...args: unknown[]): void };

/** safeStorage: "encrypts" by reversing and tagging the bytes, so a test can tell encrypted from clear. */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  getSelectedStorageBackend(): string {
    return this.backend;
  },
  encryptString(text: string): Buffer {
    return Buffer.concat([Buffer.from('ENC:'), Buffer.from(text, 'utf8').reverse()]);
  },
  decryptString(encrypted: Buffer): string {
    if (!encrypted.subarray(0, 4).equals(Buffer.from('ENC:'))) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(encrypted.subarray(4)).reverse().toString('utf8');
  },
};
