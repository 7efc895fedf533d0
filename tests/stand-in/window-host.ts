import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';

/**
 * The windows' side of the Electron stand-in (electron.cjs is the main process's side): runs the
 * built main process under Node, and gives each BrowserWindow it opens a Chromium page that loads
 * `app://` through the app's own protocol handler (over https at a reserved name: Chromium knows no
 * `app:` scheme here), runs the real built preload with `ipcRenderer` and `contextBridge` bound to
 * the main process, and carries `webContents.send` to it. It plays the window manager (focus,
 * visibility) and the OS's notification centre (shown notifications, a click on one).
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const REGISTER = path.join(import.meta.dirname, 'register.cjs');
/** Where `app://switchboard/…` is served in the page. */
const APP_ORIGIN = 'https://switchboard.stand-in.test';

export function toPageUrl(appUrl: string): string {
  return appUrl.startsWith('app://switchboard/') ? `${APP_ORIGIN}/${appUrl.slice('app://switchboard/'.length)}` : appUrl;
}

export function toAppUrl(pageUrl: string): string {
  return pageUrl.startsWith(`${APP_ORIGIN}/`) ? `app://switchboard/${pageUrl.slice(APP_ORIGIN.length + 1)}` : pageUrl;
}

/** A notification the page showed, as the OS would list it. */
export type ShownNotification = { window: number; title: string; body: string; tag: string };

type FromMain =
  | { t: 'window-create'; window: number; preload: string | null; bounds: { width: number; height: number } }
  | { t: 'window-load'; window: number; url: string }
  | { t: 'window-send'; window: number; channel: string; payload: unknown }
  | { t: 'window-reload'; window: number }
  | { t: 'window-close'; window: number }
  | { t: 'window-state'; window: number; focused?: boolean; visible?: boolean }
  | { t: 'reply'; id: number; ok: boolean; result?: unknown; error?: string }
  | { t: 'app'; what: string; [key: string]: unknown }
  | { t: 'exit'; code: number };

export type StandInApp = {
  /** The main process's pid. */
  pid: number;
  /** The main process's output (and the gateway's, which it inherits). */
  output: string[];
  notifications: ShownNotification[];
  /** Every badge count the app set, in order. */
  badges: number[];
  errorBoxes: { title: string; content: string }[];
  /** The pid of each gateway process the app forked. */
  gatewayPids: number[];
  /** Resolves with the main process's exit code. */
  exited: Promise<number>;
  /** The first window's page once its inbox has loaded. */
  firstWindow(): Promise<Page>;
  /** The main process's window id of a page. */
  windowOf(page: Page): number;
  /** The window manager gives or takes the window's focus. */
  setFocused(page: Page, focused: boolean): Promise<void>;
  /** The OS's notification centre: a click on the newest notification with this tag. */
  clickNotification(tag: string): Promise<void>;
  /** The OS starts the app a second time: the single-instance lock hands it to this one. */
  secondInstance(): void;
  /** The page of a window crashes, as a renderer process can. */
  crashPage(page: Page): void;
  /** Quits the app (as its tray's Quit does) and resolves with the exit code. */
  quit(): Promise<number>;
  /** Ends the main process at once (a crash, a kill). */
  kill(): void;
};

/** The stand-in's keychain key: the same across launches of one test, so saved secrets decrypt after a restart. */
export function newKeychainKey(): string {
  return randomBytes(32).toString('hex');
}

/** The preload as Electron runs it in a sandboxed page: a CommonJS script whose `require('electron')` has `ipcRenderer` and `contextBridge`. */
function preloadScript(preloadFile: string, windowId: number, notificationsAllowed: boolean): string {
  const source = readFileSync(preloadFile, 'utf8');
  return `(() => {
  if (window.top !== window) return;
  const windowId = ${windowId};
  // The window manager: focus and visibility as the main process sets them.
  let focused = true;
  let visible = true;
  Document.prototype.hasFocus = function hasFocus() { return focused; };
  Object.defineProperty(Document.prototype, 'visibilityState', { get() { return visible ? 'visible' : 'hidden'; } });
  Object.defineProperty(Document.prototype, 'hidden', { get() { return !visible; } });
  Object.defineProperty(window, '__standInWindowState', { value: (state) => {
    if (state.visible !== undefined && state.visible !== visible) { visible = state.visible; document.dispatchEvent(new Event('visibilitychange')); }
    if (state.focused !== undefined && state.focused !== focused) { focused = state.focused; window.dispatchEvent(new Event(focused ? 'focus' : 'blur')); }
  } });
  // window.focus() from the page brings its BrowserWindow to the front, as in Electron.
  window.focus = () => { void window.__standInFocusWindow(); };
  // The OS's notification centre (Electron shows web notifications natively).
  const shown = [];
  class Notification extends EventTarget {
    static permission = ${JSON.stringify(notificationsAllowed ? 'granted' : 'denied')};
    static async requestPermission() {
      Notification.permission = (await window.__standInPermission('notifications')) ? 'granted' : 'denied';
      return Notification.permission;
    }
    constructor(title, options = {}) {
      super();
      this.title = title; this.body = options.body ?? ''; this.tag = options.tag ?? ''; this.onclick = null;
      shown.push(this);
      void window.__standInNotify({ window: windowId, title, body: this.body, tag: this.tag });
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: Notification, configurable: true, writable: true });
  Object.defineProperty(window, '__standInClickNotification', { value: (tag) => {
    const notice = shown.filter((n) => n.tag === tag).at(-1);
    if (!notice) return false;
    const event = new Event('click');
    notice.dispatchEvent(event);
    notice.onclick?.(event);
    return true;
  } });
  // ipcRenderer and contextBridge, bound to the main process.
  const listeners = new Map();
  Object.defineProperty(window, '__standInDeliver', { value: (batch) => {
    for (const [channel, payload] of batch) for (const listener of [...(listeners.get(channel) ?? [])]) listener({}, payload);
  } });
  const ipcRenderer = {
    invoke: (channel, ...args) => window.__standInInvoke(channel, args),
    on(channel, listener) { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(listener); return ipcRenderer; },
    removeListener(channel, listener) { listeners.get(channel)?.delete(listener); return ipcRenderer; },
  };
  const contextBridge = { exposeInMainWorld(key, api) { Object.defineProperty(window, key, { value: Object.freeze(api), enumerable: true }); } };
  const module = { exports: {} };
  const require = (name) => {
    if (name === 'electron') return { ipcRenderer, contextBridge };
    throw new Error('a sandboxed preload cannot require ' + name);
  };
  (function (module, exports, require) {
${source}
  })(module, module.exports, require);
})();`;
}

/**
 * Launches the built app (`dist/main/index.cjs`, so `npm run build` first) under Node with the
 * stand-in, its data in `dataDir`, and `env` added to this process's environment.
 */
export async function launchStandInApp(browser: Browser, options: { dataDir: string; env?: Record<string, string>; keychainKey?: string; echo?: boolean; /** More Node flags for the main process (a benchmark's probe). */ execArgv?: string[] }): Promise<StandInApp> {
  const child: ChildProcess = fork(path.join(ROOT, 'dist', 'main', 'index.cjs'), [], {
    cwd: ROOT,
    execArgv: ['--require', REGISTER, ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env, ELECTRON_STAND_IN_USER_DATA: options.dataDir, ELECTRON_STAND_IN_KEYCHAIN_KEY: options.keychainKey ?? newKeychainKey() },
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output.push(...text.split('\n').filter(Boolean));
    if (options.echo) process.stderr.write(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  // The main process can go (a quit, a crash) while a page still calls into it: a message then is
  // dropped, and its request fails, instead of an EPIPE thrown from the channel.
  child.on('error', () => undefined);
  const toMain = (message: Record<string, unknown>, failed: (error: Error) => void = () => undefined): void => {
    if (!child.connected) {
      failed(new Error('the app has exited'));
      return;
    }
    child.send(message, (error) => {
      if (error) failed(error);
    });
  };

  const pages = new Map<number, Page>();
  const windowIds = new Map<Page, number>();
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const queued = new Map<number, [string, unknown][]>();
  const loaded = new Map<number, Promise<unknown>>();
  let nextRequest = 1;
  let context: BrowserContext | null = null;
  const app: Pick<StandInApp, 'output' | 'notifications' | 'badges' | 'errorBoxes' | 'gatewayPids'> = {
    output,
    notifications: [],
    badges: [],
    errorBoxes: [],
    gatewayPids: [],
  };
  let windowCreated: (page: Page) => void = () => undefined;
  const firstPage = new Promise<Page>((resolve) => (windowCreated = resolve));

  const request = (message: Record<string, unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextRequest++;
      pending.set(id, { resolve, reject });
      toMain({ t: 'request', id, ...message }, (error) => {
        pending.delete(id);
        reject(error);
      });
    });

  const frameInfo = (page: Page, frame: Frame) => ({ window: windowIds.get(page) ?? -1, frameUrl: toAppUrl(frame.url()), mainFrame: frame === page.mainFrame() });

  const openContext = async (): Promise<BrowserContext> => {
    if (context) return context;
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    await context.route(`${APP_ORIGIN}/**`, async (route) => {
      try {
        const answer = (await request({ kind: 'protocol', scheme: 'app', url: toAppUrl(route.request().url()), method: route.request().method() })) as { status: number; headers: Record<string, string>; body: Uint8Array };
        await route.fulfill({ status: answer.status, headers: answer.headers, body: Buffer.from(answer.body) });
      } catch {
        await route.abort().catch(() => undefined);
      }
    });
    await context.exposeBinding('__standInInvoke', ({ page, frame }, channel: string, args: unknown[]) => request({ kind: 'ipc-invoke', ...frameInfo(page, frame), channel, args }));
    await context.exposeBinding('__standInPermission', ({ page, frame }, permission: string) => request({ kind: 'permission', window: windowIds.get(page) ?? -1, permission, url: toAppUrl(frame.url()) }));
    await context.exposeBinding('__standInFocusWindow', ({ page }) => {
      toMain({ t: 'focus', window: windowIds.get(page), focused: true });
    });
    await context.exposeBinding('__standInNotify', (_source, shown: ShownNotification) => {
      app.notifications.push(shown);
    });
    return context;
  };

  const deliver = (windowId: number, channel: string, payload: unknown) => {
    const batch = queued.get(windowId);
    if (batch) {
      batch.push([channel, payload]);
      return;
    }
    queued.set(windowId, [[channel, payload]]);
    setImmediate(() => {
      const events = queued.get(windowId) ?? [];
      queued.delete(windowId);
      const page = pages.get(windowId);
      // Before its page has loaded, a send reaches no listener: as in Electron, it is dropped.
      void page?.evaluate((items) => (globalThis as unknown as { __standInDeliver?: (batch: unknown) => void }).__standInDeliver?.(items), events).catch(() => undefined);
    });
  };

  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const waiting of pending.values()) waiting.reject(new Error('the app exited'));
      pending.clear();
      resolve(code ?? (signal ? 128 : 0));
    });
  });

  child.on('message', (message: FromMain) => {
    void (async () => {
      switch (message.t) {
        case 'window-create': {
          const ctx = await openContext();
          const page = await ctx.newPage();
          pages.set(message.window, page);
          windowIds.set(page, message.window);
          const allowed = Boolean(await request({ kind: 'permission', window: message.window, permission: 'notifications', url: 'app://switchboard/index.html' }));
          if (message.preload) await page.addInitScript(preloadScript(message.preload, message.window, allowed));
          page.on('framenavigated', (frame) => {
            if (frame === page.mainFrame()) toMain({ t: 'navigated', window: message.window, url: toAppUrl(frame.url()) });
          });
          windowCreated(page);
          return;
        }
        case 'window-load': {
          // The page may not exist yet (its creation is async here): wait for it.
          for (let tries = 0; !pages.has(message.window) && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
          const load = pages.get(message.window)?.goto(toPageUrl(message.url)).catch(() => undefined);
          if (load) loaded.set(message.window, load);
          return;
        }
        case 'window-send':
          deliver(message.window, message.channel, message.payload);
          return;
        case 'window-reload':
          await pages.get(message.window)?.reload().catch(() => undefined);
          return;
        case 'window-close':
          await pages.get(message.window)?.close().catch(() => undefined);
          pages.delete(message.window);
          return;
        case 'window-state':
          await pages
            .get(message.window)
            ?.evaluate((state) => (globalThis as unknown as { __standInWindowState?: (s: unknown) => void }).__standInWindowState?.(state), { focused: message.focused, visible: message.visible })
            .catch(() => undefined);
          return;
        case 'reply': {
          const waiting = pending.get(message.id);
          pending.delete(message.id);
          if (message.ok) waiting?.resolve(message.result);
          else waiting?.reject(new Error(message.error));
          return;
        }
        case 'app':
          if (message.what === 'badge') app.badges.push(message.count as number);
          if (message.what === 'error-box') app.errorBoxes.push({ title: message.title as string, content: message.content as string });
          if (message.what === 'utility-fork') app.gatewayPids.push(message.pid as number);
          return;
        case 'exit':
          return;
      }
    })();
  });

  return {
    ...app,
    pid: child.pid ?? -1,
    exited,
    firstWindow: async () => {
      const page = await Promise.race([firstPage, exited.then((code) => Promise.reject(new Error(`the app exited (code ${code}) before opening a window:\n${output.join('\n')}`)))]);
      for (let tries = 0; !loaded.has(windowIds.get(page) ?? -1) && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      await loaded.get(windowIds.get(page) ?? -1);
      return page;
    },
    windowOf: (page) => windowIds.get(page) ?? -1,
    setFocused: async (page, focused) => {
      toMain({ t: 'focus', window: windowIds.get(page), focused });
      // The main process answers with a window-state message; wait until the page reflects it.
      for (let tries = 0; tries < 200; tries++) {
        if ((await page.evaluate(() => (globalThis as unknown as { document: { hasFocus(): boolean } }).document.hasFocus())) === focused) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('the window did not take the focus state');
    },
    clickNotification: async (tag) => {
      const page = [...pages.values()][0];
      const clicked = await page?.evaluate((t) => (globalThis as unknown as { __standInClickNotification(tag: string): boolean }).__standInClickNotification(t), tag);
      if (!clicked) throw new Error(`no notification with tag ${tag}`);
    },
    secondInstance: () => {
      toMain({ t: 'second-instance' });
    },
    crashPage: (page) => {
      toMain({ t: 'render-process-gone', window: windowIds.get(page) });
    },
    quit: async () => {
      toMain({ t: 'quit' });
      const code = await exited;
      await context?.close().catch(() => undefined);
      return code;
    },
    kill: () => {
      child.kill('SIGKILL');
      void context?.close().catch(() => undefined);
    },
  };
}
