import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { inboundText } from '../helpers/webhook-bodies';
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
    await postWebhook(url, inboundText({ wamid: 'wamid.desktop-1', from: '4915112345678', text: 'Hello from the desktop test' }));
    await page.getByRole('option', { name: /Hello from the desktop test/ }).waitFor();
    await page.screenshot({ path: path.join(os.tmpdir(), 'switchboard-desktop-live.png') });
  });
});
