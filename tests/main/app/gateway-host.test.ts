import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayHost, type GatewayChild, type GatewayHostDeps } from '../../../main/app/gateway-host';
import type { FromGateway, GatewayStart, ToGateway } from '../../../main/app/gateway-link';
import { serveGatewayProcess } from '../../../main/app/gateway-process';
import type { ConnectionSecrets } from '../../../main/services/connection-settings';
import type { ServerEvent } from '../../../shared/contract';
import { CHECKPOINT_WORKER_SOURCE, QUIET_SANDBOX, TEST_SECRETS } from '../../helpers/test-gateway';

/** Messages cross as they would between processes: cloned, and a turn of the loop later. */
function deliver<T>(listeners: ((message: T) => void)[], message: T): void {
  const copy = structuredClone(message);
  setImmediate(() => listeners.forEach((listener) => listener(copy)));
}

/** A gateway "process" in this one: serveGatewayProcess on one end of an in-memory link. */
function inMemoryChild(exits: number[]): GatewayChild {
  const toChild: ((message: ToGateway) => void)[] = [];
  const toHost: ((message: FromGateway) => void)[] = [];
  const exitListeners: ((code: number) => void)[] = [];
  let exited = false;
  const exit = (code: number) => {
    if (exited) return;
    // (A killed child's own exit(0) after its close is not reported: the host saw 143.)
    exited = true;
    exits.push(code);
    setImmediate(() => exitListeners.forEach((listener) => listener(code)));
  };
  serveGatewayProcess({ post: (message) => !exited && deliver(toHost, message), onMessage: (listener) => toChild.push(listener) }, { exit });
  return {
    post: (message) => !exited && deliver(toChild, message),
    onMessage: (listener) => toHost.push(listener),
    onExit: (listener) => exitListeners.push(listener),
    // Death as the OS deals it: nothing more reaches the host; the database and its lock go (here by a close).
    kill: () => {
      exit(143);
      toChild.forEach((listener) => listener({ type: 'stop' }));
    },
  };
}

type Harness = { host: GatewayHost; events: ServerEvent[]; unread: number[]; logs: string[]; saved: ConnectionSecrets[]; loginItems: boolean[]; restarts: number; exits: number[] };

const LIVE_TOKEN = 'EAAG-live-access-token';
/** The keychain double refuses this one, as a Linux session without a keyring would. */
const REFUSED_TOKEN = 'EAAG-refused-by-the-keychain';

const dirs: string[] = [];
const hosts: GatewayHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startMessage(dataDir: string, env: Record<string, string> = {}): Omit<GatewayStart, 'type'> {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    env: { SWITCHBOARD_USER: 'desk', WHATSAPP_APP_SECRET: TEST_SECRETS.appSecret, WHATSAPP_VERIFY_TOKEN: TEST_SECRETS.verifyToken, SWITCHBOARD_SANDBOX_DELAY_MS: '20', ...QUIET_SANDBOX, ...env },
    secrets: {},
    launchAtLogin: false,
    rendererDir: '',
    checkpointWorker: CHECKPOINT_WORKER_SOURCE,
  };
}

function harness(overrides: Partial<GatewayHostDeps> = {}, dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-host-'))): Harness {
  dirs.push(dataDir);
  const result: Harness = { host: null as unknown as GatewayHost, events: [], unread: [], logs: [], saved: [], loginItems: [], restarts: 0, exits: [] };
  result.host = new GatewayHost(
    {
      fork: () => inMemoryChild(result.exits),
      startMessage: () => startMessage(dataDir),
      secrets: {
        kind: 'os_keychain',
        read: () => ({}),
        write: (secrets) => {
          if (secrets.access_token === REFUSED_TOKEN) return Promise.reject(new Error('no keyring in this session'));
          result.saved.push(secrets);
          return Promise.resolve();
        },
      },
      setLaunchAtLogin: (on) => result.loginItems.push(on),
      log: (line) => result.logs.push(line),
      onEvents: (events) => result.events.push(...events),
      onUnread: (total) => result.unread.push(total),
      onRestarted: () => result.restarts++,
      ...overrides,
    },
    { firstDelayMs: 10, maxDelayMs: 40, stableAfterMs: 60_000 },
  );
  hosts.push(result.host);
  return result;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 10) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the gateway in a process of its own', () => {
  it('starts, answers the windows’ operations as the desktop’s own user, and streams the events it commits', async () => {
    const { host, events, unread } = harness();
    const url = await host.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(url);
    expect(await host.invoke('getInfo', {})).toMatchObject({ ok: true, value: { user: 'desk', mode: 'sandbox', url } });
    // Validation happens in the gateway, as for any caller.
    expect(await host.invoke('sendMessage', { conversation_id: 1, text: '' })).toEqual({ ok: false, error: { code: 'bad_request', message: 'text: must not be empty' } });
    await until(() => unread.length > 0, 'the first unread total');
    expect(unread[0]).toBe(0);
    // A window opening makes the desktop agent online: an event committed there, streamed here.
    host.windowOpened(1);
    await until(() => events.length > 0, 'the presence event');
    expect(events[0]).toMatchObject({ type: 'presence', user: 'desk', state: 'online' });
  });

  it('saves credentials through the main process’s keychain, and says why it refused', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-host-'));
    const { host, saved, loginItems } = harness({ startMessage: () => ({ ...startMessage(dataDir), env: { SWITCHBOARD_USER: 'desk', ...QUIET_SANDBOX } }) }, dataDir);
    await host.start();
    const refused = await host.invoke('updateSettings', { mode: 'live', access_token: REFUSED_TOKEN, app_secret: 'app-secret-1', phone_number_id: '1234567' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('no keyring in this session') as unknown } });
    expect(await host.invoke('getSettings', {})).toMatchObject({ ok: true, value: { mode: 'sandbox', has_access_token: false, secrets_storage: 'os_keychain' } });
    const live = await host.invoke('updateSettings', { mode: 'live', access_token: LIVE_TOKEN, app_secret: 'app-secret-1', phone_number_id: '1234567' });
    expect(live).toMatchObject({ ok: true, value: { mode: 'live', has_access_token: true } });
    expect(saved).toEqual([{ access_token: LIVE_TOKEN, app_secret: 'app-secret-1' }]);
    expect(await host.invoke('updateSettings', { mode: 'live', launch_at_login: true })).toMatchObject({ ok: true, value: { launch_at_login: true } });
    await until(() => loginItems.length > 0, 'the login item');
    expect(loginItems).toEqual([true]);
  });

  it('restarts the gateway after it dies, answers "unavailable" meanwhile, and reloads the windows once back', async () => {
    let children: GatewayChild[] = [];
    const exits: number[] = [];
    const h = harness({
      fork: () => {
        const child = inMemoryChild(exits);
        children.push(child);
        return child;
      },
    });
    await h.host.start();
    h.host.windowOpened(7);
    children[0]!.kill();
    await until(() => h.host.url === '', 'the host to see the exit');
    expect(await h.host.invoke('getInfo', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await until(() => h.restarts === 1, 'the restart');
    // The dead one's data dir lock can outlive it a moment: a start refused meanwhile is retried, later each time.
    expect(children.length).toBeGreaterThanOrEqual(2);
    expect(h.logs.some((line) => /the gateway process stopped \(exit code 143\); restarting in 10 ms/.test(line))).toBe(true);
    // The open window is online again in the new process.
    await until(() => h.events.some((event) => event.type === 'presence' && event.state === 'online'), 'the window’s presence');
    expect(await h.host.invoke('getInfo', {})).toMatchObject({ ok: true });
    children = [];
  });

  it('fails the first start with the gateway’s own sentence', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-host-'));
    const { host, exits } = harness({ startMessage: () => ({ ...startMessage(dataDir), env: { WHATSAPP_ACCESS_TOKEN: 'only-half-live' } }) }, dataDir);
    await expect(host.start()).rejects.toThrow(/WHATSAPP_/);
    expect(exits).toEqual([1]);
  });

  it('stops: the database is closed and the data dir free for the next process', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-host-'));
    const first = harness({}, dataDir);
    await first.host.start();
    await first.host.stop();
    expect(first.exits).toEqual([0]);
    const second = harness({}, dataDir);
    await expect(second.host.start()).resolves.toMatch(/^http/);
  });

  it('kills a gateway that does not stop within the deadline', async () => {
    const logs: string[] = [];
    let killed = false;
    const child: GatewayChild = {
      post: (message) => {
        if (message.type === 'start') setImmediate(() => listeners.forEach((listener) => listener({ type: 'ready', url: 'http://127.0.0.1:1' })));
      },
      onMessage: (listener) => listeners.push(listener),
      onExit: () => undefined,
      kill: () => (killed = true),
    };
    const listeners: ((message: FromGateway) => void)[] = [];
    const { host } = harness({ fork: () => child, log: (line) => logs.push(line) });
    await host.start();
    await host.stop(30);
    expect(killed).toBe(true);
    expect(logs).toContain('the gateway did not stop within 30 ms: stopped by force');
  });
});
