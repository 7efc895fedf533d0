import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { startFakeGraph, type GraphRequest } from '../helpers/fake-graph';
import { inboundText } from '../helpers/webhook-bodies';
import { startReverseProxy } from '../helpers/reverse-proxy';
import { launchStandInApp, newKeychainKey, type StandInApp } from '../stand-in/window-host';
import { launchChromium } from './chromium';

// The desktop app end to end: the built main process under Node with the Electron stand-in
// (tests/stand-in), its gateway in a process of its own, windows as Chromium pages loading the
// real renderer through the app's protocol handler with the real built preload.

const APP_SECRET = 'desktop-e2e-app-secret';
const QUIET = { SWITCHBOARD_SANDBOX_SHUFFLE_RATE: '0', SWITCHBOARD_SANDBOX_FAILURE_RATE: '0', SWITCHBOARD_SANDBOX_REPLY_RATE: '0', SWITCHBOARD_SANDBOX_SEED: '0' };

let browser: Browser;
const running: StandInApp[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  for (const app of running.splice(0)) {
    app.kill();
    await app.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-desktop-'));
  dirs.push(dir);
  return dir;
}

async function launch(dir: string, env: Record<string, string> = {}, keychainKey = newKeychainKey()): Promise<{ app: StandInApp; page: Page }> {
  const app = await launchStandInApp(browser, { dataDir: dir, keychainKey, env: { WHATSAPP_APP_SECRET: APP_SECRET, SWITCHBOARD_PORT: '0', SWITCHBOARD_SANDBOX_DELAY_MS: '30', ...QUIET, ...env } });
  running.push(app);
  const page = await app.firstWindow();
  return { app, page };
}

/** The gateway's address, as the window learns it (over IPC). */
async function gatewayUrl(page: Page): Promise<string> {
  const info = (await page.evaluate(() => (globalThis as unknown as { switchboard: { getInfo(r: object): Promise<{ ok: boolean; value: { url: string } }> } }).switchboard.getInfo({}))) as { value: { url: string } };
  return info.value.url;
}

type Preload = Record<string, (request: object) => Promise<{ ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } }>>;

/** Calls an operation through the window's preload (IPC), as the renderer does. */
async function callIpc(page: Page, name: string, request: object = {}): Promise<{ ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } }> {
  return page.evaluate(([op, body]) => (globalThis as unknown as { switchboard: Preload }).switchboard[op as string]!(body as object), [name, request] as const);
}

/** The text messages sent to Meta (read receipts go to the same path). */
function textSends(requests: readonly GraphRequest[]): GraphRequest[] {
  return requests.filter((request) => request.path.endsWith('/messages') && (request.body as { type?: string } | null)?.type === 'text');
}

/** A webhook's timestamp for now: the customer's 24-hour window is open. */
function now(): string {
  return String(Math.floor(Date.now() / 1000));
}

function shot(name: string): { path: string } {
  return { path: path.join(os.tmpdir(), `switchboard-desktop-${name}.png`) };
}

async function postWebhook(url: string, body: unknown): Promise<void> {
  const raw = JSON.stringify(body);
  const response = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, APP_SECRET) }, body: raw });
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
}

describe('the desktop app (built main process, Electron stand-in)', () => {
  it('opens its window on app://, with the gateway in a process of its own, and shows a customer’s message live', async () => {
    const { app, page } = await launch(dataDir());
    expect(page.url()).toBe('https://switchboard.stand-in.test/index.html');
    expect(app.gatewayPids).toHaveLength(1);
    const url = await gatewayUrl(page);
    await postWebhook(url, inboundText({ timestamp: now(), wamid: 'wamid.desktop-1', from: '4915112345678', text: 'Hello from the desktop test' }));
    await page.getByRole('option', { name: /Hello from the desktop test/ }).waitFor();
    await page.screenshot({ path: path.join(os.tmpdir(), 'switchboard-desktop-live.png') });
  });

  it('sends a reply through IPC and moves its ticks live; the dock badge counts unread and clears when read', async () => {
    const { app, page } = await launch(dataDir());
    await postWebhook(await gatewayUrl(page), inboundText({ timestamp: now(), wamid: 'wamid.desktop-2', from: '4915112345679', text: 'Where is my parcel?' }));
    await expect.poll(() => app.badges.at(-1), { timeout: 5_000 }).toBe(1);
    await page.getByTestId('conversation').filter({ hasText: 'Where is my parcel?' }).click();
    await expect.poll(() => app.badges.at(-1), { timeout: 5_000 }).toBe(0);
    const box = page.getByRole('textbox', { name: 'Reply' });
    await box.fill('It left our warehouse this morning');
    await box.press('Enter');
    const reply = page.locator('[data-testid="message"]', { hasText: 'It left our warehouse this morning' });
    // The sandbox answers with sent, delivered and read, each a status webhook through the gateway's process.
    await reply.locator('.ticks[data-status="read"]').waitFor({ timeout: 10_000 });
    expect(await reply.locator('.bubble-sender').textContent()).toBe('You');
    await page.screenshot(shot('ticks'));
  });

  it('notifies of a customer’s message while the window is not in front; a click brings it and opens the conversation', async () => {
    const { app, page } = await launch(dataDir());
    const url = await gatewayUrl(page);
    await postWebhook(url, inboundText({ timestamp: now(), wamid: 'wamid.desktop-3', from: '4915112345680', text: 'First, while you look' }));
    await page.getByTestId('conversation').filter({ hasText: 'First, while you look' }).waitFor();
    // In front: no notification, only the polite announcement.
    expect(app.notifications).toEqual([]);
    await app.setFocused(page, false);
    await postWebhook(url, inboundText({ timestamp: now(), wamid: 'wamid.desktop-4', from: '4915112345680', text: 'Are you still there?' }));
    await expect.poll(() => app.notifications.length, { timeout: 5_000 }).toBe(1);
    const [notice] = app.notifications;
    expect(notice).toMatchObject({ body: 'Are you still there?', tag: expect.stringMatching(/^conversation-\d+$/) as unknown });
    await app.clickNotification(notice!.tag);
    await page.locator('[data-testid="message"]', { hasText: 'Are you still there?' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { hasFocus(): boolean } }).document.hasFocus())).toBe(true);
  });

  it('moves the gateway to the next port when its port is taken, and says where webhooks reach it', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as { port: number }).port;
    try {
      const { app, page } = await launch(dataDir(), { SWITCHBOARD_PORT: String(taken) });
      const url = new URL(await gatewayUrl(page));
      expect(Number(url.port)).not.toBe(taken);
      expect(app.output.some((line) => line.includes(`port ${taken} on 127.0.0.1 is in use`) && line.includes(`listening on ${url.port} instead`))).toBe(true);
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByText(`in front of ${url.origin}`).waitFor();
      await page.screenshot(shot('port-taken'));
      // Webhooks reach it there.
      await postWebhook(url.origin, inboundText({ timestamp: now(), wamid: 'wamid.desktop-5', from: '4915112345681', text: 'Through the other port' }));
      await page.getByTestId('conversation').filter({ hasText: 'Through the other port' }).waitFor();
    } finally {
      holder.close();
    }
  });

  it('quits with a send in flight: the send gets its grace, then is recorded as not known to have arrived, with Retry; nothing is lost across the restart', async () => {
    const graph = await startFakeGraph();
    try {
      const dir = dataDir();
      const keychainKey = newKeychainKey();
      const live = { WHATSAPP_ACCESS_TOKEN: 'EAAG-desktop-e2e-token', WHATSAPP_PHONE_NUMBER_ID: '200300400500', WHATSAPP_GRAPH_URL: graph.url };
      const first = await launch(dir, live, keychainKey);
      await postWebhook(await gatewayUrl(first.page), inboundText({ timestamp: now(), wamid: 'wamid.desktop-6', from: '4915112345682', text: 'Can you call me back?' }));
      await first.page.getByTestId('conversation').filter({ hasText: 'Can you call me back?' }).click();
      // Meta takes the reply and never answers.
      graph.hang.when = (request) => textSends([request]).length === 1;
      const box = first.page.getByRole('textbox', { name: 'Reply' });
      await box.fill('Calling you in five minutes');
      await box.press('Enter');
      await expect.poll(() => textSends(graph.requests).length, { timeout: 5_000 }).toBe(1);
      const quitting = Date.now();
      expect(await first.app.quit()).toBe(0);
      const took = Date.now() - quitting;
      expect(took).toBeLessThan(9_000);
      expect(first.app.output.some((line) => /outbox: 1 request\(s\) to WhatsApp still unanswered after 3000 ms/.test(line))).toBe(true);
      running.splice(running.indexOf(first.app), 1);

      const second = await launch(dir, live, keychainKey);
      await second.page.getByTestId('conversation').filter({ hasText: 'Calling you in five minutes' }).click();
      const reply = second.page.locator('[data-testid="message"]', { hasText: 'Calling you in five minutes' });
      await reply.locator('.ticks[data-status="failed"]').waitFor();
      await reply.getByText('Switchboard stopped before the WhatsApp Graph API answered: the message may still have been accepted; Retry sends it again.').waitFor();
      await reply.getByRole('button', { name: 'Retry' }).waitFor();
      await second.page.screenshot(shot('interrupted'));
      // Sent once, never re-sent on its own.
      expect(textSends(graph.requests)).toHaveLength(1);
    } finally {
      await graph.close();
    }
  });

  it('keeps credentials saved in Settings encrypted by the keychain, and live again after a restart', async () => {
    const dir = dataDir();
    const keychainKey = newKeychainKey();
    // Without the environment's app secret, the settings screen owns the connection.
    const first = await launch(dir, { WHATSAPP_APP_SECRET: '' }, keychainKey);
    const saved = await callIpc(first.page, 'updateSettings', { mode: 'live', access_token: 'EAAG-saved-in-settings', app_secret: 'app-secret-in-settings', phone_number_id: '200300400500' });
    expect(saved).toMatchObject({ ok: true, value: { mode: 'live', secrets_storage: 'os_keychain' } });
    await first.page.getByText('Sandbox').first().waitFor({ state: 'detached' });
    const onDisk = readFileSync(path.join(dir, 'whatsapp-secrets.enc'));
    expect(onDisk.toString('latin1')).not.toContain('EAAG-saved-in-settings');
    expect(existsSync(path.join(dir, 'whatsapp-secrets.json'))).toBe(false);
    expect(await first.app.quit()).toBe(0);
    running.splice(running.indexOf(first.app), 1);
    const second = await launch(dir, { WHATSAPP_APP_SECRET: '' }, keychainKey);
    expect(await callIpc(second.page, 'getSettings')).toMatchObject({ ok: true, value: { mode: 'live', has_access_token: true, has_app_secret: true, source: 'settings' } });
  });

  it('restarts a gateway process that dies; the window reloads, resumes and keeps working', async () => {
    const { app, page } = await launch(dataDir());
    await postWebhook(await gatewayUrl(page), inboundText({ timestamp: now(), wamid: 'wamid.desktop-7', from: '4915112345683', text: 'Before the crash' }));
    await page.getByTestId('conversation').filter({ hasText: 'Before the crash' }).waitFor();
    // The page before the crash still shows the inbox, so only a marker it loses tells that the window reloaded:
    // talking to it while it navigates would fail.
    await page.evaluate(() => ((globalThis as unknown as { reloadMarker: boolean }).reloadMarker = true));
    process.kill(app.gatewayPids[0]!, 'SIGKILL');
    await expect.poll(() => app.gatewayPids.length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => app.output.some((line) => line.startsWith('the gateway is back on')), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { reloadMarker?: boolean }).reloadMarker ?? false).catch(() => true), { timeout: 10_000 }).toBe(false);
    await page.getByTestId('conversation').filter({ hasText: 'Before the crash' }).waitFor();
    await postWebhook(await gatewayUrl(page), inboundText({ timestamp: now(), wamid: 'wamid.desktop-8', from: '4915112345684', text: 'After the crash' }));
    await page.getByTestId('conversation').filter({ hasText: 'After the crash' }).waitFor();
    expect(app.output.some((line) => /the gateway process stopped \(exit code \d+\); restarting in 500 ms/.test(line))).toBe(true);
  });

  it('brings its window to the front on a second launch, and reloads a page that crashed', async () => {
    const { app, page } = await launch(dataDir());
    await postWebhook(await gatewayUrl(page), inboundText({ timestamp: now(), wamid: 'wamid.desktop-9', from: '4915112345685', text: 'Still here after the crash' }));
    await page.getByTestId('conversation').filter({ hasText: 'Still here after the crash' }).waitFor();
    await app.setFocused(page, false);
    app.secondInstance();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { hasFocus(): boolean } }).document.hasFocus()), { timeout: 5_000 }).toBe(true);
    // A crashed page is logged and reloaded, and the inbox comes back from the gateway.
    await page.evaluate(() => ((globalThis as unknown as { crashMarker: boolean }).crashMarker = true));
    app.crashPage(page);
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { crashMarker?: boolean }).crashMarker ?? false), { timeout: 10_000 }).toBe(false);
    await page.getByTestId('conversation').filter({ hasText: 'Still here after the crash' }).waitFor();
    expect(app.output).toContain("the window's page stopped (crashed, exit code 139)");
  });

  it('goes public from Settings → Developer: the ngrok agent runs in the gateway’s process, its authtoken kept encrypted; a URL of one’s own opens again at the next start', async () => {
    const proxy = await startReverseProxy();
    try {
      const dir = dataDir();
      const keychainKey = newKeychainKey();
      const first = await launch(dir, {}, keychainKey);
      proxy.upstream.url = await gatewayUrl(first.page);
      await first.page.getByRole('button', { name: 'Settings' }).click();
      const dialog = first.page.getByRole('dialog', { name: 'Settings' });
      await dialog.getByRole('button', { name: 'Developer' }).click();
      await dialog.getByLabel(/ngrok: a tunnel/).check();
      await dialog.getByLabel(/Authtoken/).fill('ngrok-desktop-token-1234');
      await dialog.getByRole('button', { name: 'Save' }).click();
      // The real agent loads and runs, and cannot reach ngrok's service from here (or refuses the made-up token): the reason shows.
      await dialog.getByText(/✗ The tunnel is not open: ngrok: (failed to connect session|authentication failed)/).waitFor();
      await dialog.getByText('(set: leave empty to keep it)').waitFor();
      for (const file of ['whatsapp-secrets.enc', 'workbench.json', 'settings.json'].filter((name) => existsSync(path.join(dir, name)))) {
        expect(readFileSync(path.join(dir, file), 'utf8')).not.toContain('ngrok-desktop-token-1234');
      }
      expect(existsSync(path.join(dir, 'whatsapp-secrets.enc'))).toBe(true);

      await dialog.getByLabel(/My own URL/).check();
      await dialog.getByLabel(/Public URL \(https/).fill(proxy.url);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText(`✓ Open at ${proxy.url}`).waitFor();
      await dialog.getByText(/✓ Meta can reach it/).waitFor();
      await first.page.screenshot(shot('developer-settings'));
      expect(await first.app.quit()).toBe(0);
      running.splice(running.indexOf(first.app), 1);

      const second = await launch(dir, {}, keychainKey);
      proxy.upstream.url = await gatewayUrl(second.page);
      await expect.poll(async () => ((await callIpc(second.page, 'getWorkbench')).value as { tunnel_state: { state: string } }).tunnel_state.state, { timeout: 10_000 }).toBe('open');
      await second.page.getByRole('button', { name: 'Settings' }).click();
      await second.page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Developer' }).click();
      await second.page.getByText(`✓ Open at ${proxy.url}`).waitFor();
      // The authtoken came back from the OS keychain with the other credentials.
      expect(((await callIpc(second.page, 'getWorkbench')).value as { ngrok_authtoken: string | null }).ngrok_authtoken).toBe('settings');
    } finally {
      await proxy.close();
    }
  });
});
