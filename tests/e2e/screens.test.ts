import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { launchChromium } from './chromium';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { startFakeGraph } from '../helpers/fake-graph';
import { callApi, closeTest, openInbox, restart, serve, stopOnly, type E2eGateway } from './e2e-gateway';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

let gateway: E2eGateway | null = null;
let page: Page | null = null;
afterEach(async () => {
  await closeTest(page, gateway);
  page = null;
  gateway = null;
});

// What the page's CSP refused, as Chromium reports it on the console.
const cspViolations: string[] = [];

/** Saved for a person to look at (test artifacts, not committed). */
function shot(name: string): { path: string } {
  return { path: path.join(os.tmpdir(), `switchboard-e2e-screen-${name}.png`) };
}

/** A sandbox whose seeded customers (texts, a photo, a voice note, a PDF) have all arrived. */
async function seededInbox(viewport?: { width: number; height: number }): Promise<Page> {
  gateway = await serve({ SWITCHBOARD_SANDBOX_DELAY_MS: '50', SWITCHBOARD_SANDBOX_SEED: '1' });
  const opened = await openInbox(browser, gateway, viewport);
  page = opened.page;
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  await expect.poll(() => page?.getByTestId('conversation').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  return page;
}

async function openFirstConversation(inbox: Page): Promise<void> {
  await inbox.getByTestId('conversation').first().click();
  await inbox.locator('[data-testid="message"]').first().waitFor();
}

describe('every screen passes axe-core (no serious or critical violation) and is looked at', () => {
  it('the sign-in screen', async () => {
    gateway = await serve();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(gateway.url);
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot(shot('login'));
  });

  it('the inbox and an open conversation, light and dark, and the search palette', async () => {
    cspViolations.length = 0;
    const inbox = await seededInbox();
    expect(await seriousViolations(inbox)).toEqual([]);
    await openFirstConversation(inbox);
    await inbox.getByRole('textbox', { name: 'Reply' }).fill('Thanks, we ship to Canada in 3 days.');
    await inbox.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await inbox.getByTestId('conversation').first().filter({ hasText: 'You: Thanks' }).waitFor();
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('light'));

    await inbox.emulateMedia({ colorScheme: 'dark' });
    expect(await inbox.evaluate('getComputedStyle(document.querySelector(".sidebar")).backgroundColor')).toBe('rgb(17, 27, 33)');
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('dark'));
    // The agent's own choice wins over the OS, and is kept.
    await inbox.getByLabel('Theme').selectOption('light');
    expect(await inbox.evaluate('getComputedStyle(document.querySelector(".sidebar")).backgroundColor')).toBe('rgb(255, 255, 255)');
    await inbox.reload();
    await inbox.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(await inbox.evaluate('getComputedStyle(document.querySelector(".sidebar")).backgroundColor')).toBe('rgb(255, 255, 255)');

    await inbox.keyboard.press('Control+k');
    await inbox.getByRole('combobox', { name: 'Search conversations and messages' }).fill('order');
    await inbox.getByRole('listbox', { name: 'Results' }).getByRole('option').first().waitFor();
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('search'));
    // Start-up, a thread with a photo, voice note and PDF, sending, themes and search: nothing the CSP refused.
    expect(cspViolations).toEqual([]);
  });

  it('480 px wide: the list or the conversation, never a sideways scroll', async () => {
    const inbox = await seededInbox({ width: 480, height: 800 });
    const sideways = 'document.documentElement.scrollWidth > document.documentElement.clientWidth';
    expect(await inbox.evaluate(sideways)).toBe(false);
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('narrow-list'));
    await openFirstConversation(inbox);
    expect(await inbox.locator('.sidebar').isVisible()).toBe(false);
    expect(await inbox.evaluate(sideways)).toBe(false);
    expect(await seriousViolations(inbox)).toEqual([]);
    await inbox.screenshot(shot('narrow-thread'));
    await inbox.getByRole('button', { name: 'Back to the conversation list' }).click();
    await inbox.locator('.sidebar').waitFor();
  });

  it('text follows the user’s font size', async () => {
    const inbox = await seededInbox();
    await openFirstConversation(inbox);
    const size = (selector: string) => inbox.evaluate<number>(`parseFloat(getComputedStyle(document.querySelector(${JSON.stringify(selector)})).fontSize)`);
    const before = { bubble: await size('.bubble-text'), name: await size('.conversation-name'), meta: await size('.bubble-meta') };
    // What a larger default font size in the browser or the OS does: the root size grows.
    await inbox.evaluate('document.documentElement.style.fontSize = "24px"');
    expect(await size('.bubble-text')).toBeCloseTo(before.bubble * 1.5, 0);
    expect(await size('.conversation-name')).toBeCloseTo(before.name * 1.5, 0);
    expect(await size('.bubble-meta')).toBeCloseTo(before.meta * 1.5, 0);
    expect(await inbox.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth')).toBe(false);
    await inbox.screenshot(shot('large-text'));
  });

  it('the keyboard alone: few Tab stops, arrows through the list and the messages, every action reachable, Esc closes', async () => {
    const inbox = await seededInbox();
    await openFirstConversation(inbox);
    // Tab stops from the conversation list to the reply box: each control once, the list and the timeline one each.
    await inbox.getByRole('listbox', { name: 'Conversations' }).focus();
    let stops = 0;
    while (stops < 60 && (await inbox.evaluate('document.activeElement?.getAttribute("aria-label")')) !== 'Reply') {
      await inbox.keyboard.press('Tab');
      stops += 1;
    }
    // Export, the timeline, Emoji, Attach files, the reply box.
    expect(stops).toBe(5);
    // Back into the timeline: it focuses the newest message; Up goes to older ones.
    await inbox.keyboard.press('Shift+Tab');
    await inbox.keyboard.press('Shift+Tab');
    await inbox.keyboard.press('Shift+Tab');
    const newest = await inbox.evaluate('[...document.querySelectorAll("[data-testid=message]")].sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).at(-1)?.dataset.messageId');
    expect(await inbox.evaluate('document.activeElement?.dataset.messageId')).toBe(newest);
    await inbox.keyboard.press('ArrowUp');
    expect(await inbox.evaluate('document.activeElement?.dataset.testid')).toBe('message');
    const focusedId = await inbox.evaluate('document.activeElement?.dataset.messageId');
    // Right steps into the message's actions; on a customer's text the first is Reply; Enter quotes it.
    expect(focusedId).not.toBe(newest);
    await inbox.keyboard.press('ArrowDown');
    expect(await inbox.evaluate('document.activeElement?.dataset.messageId')).toBe(newest);
    await inbox.keyboard.press('ArrowUp');
    expect(await inbox.evaluate('document.activeElement?.dataset.messageId')).toBe(focusedId);
    let label = '';
    for (let step = 0; step < 6 && label !== 'Reply'; step += 1) {
      await inbox.keyboard.press('ArrowRight');
      label = (await inbox.evaluate<string>('document.activeElement?.textContent ?? ""')).trim();
    }
    expect(label).toBe('Reply');
    await inbox.keyboard.press('Enter');
    await inbox.getByText('Replying to:').waitFor();
    await inbox.getByRole('textbox', { name: 'Reply' }).focus();
    await inbox.keyboard.press('Escape');
    expect(await inbox.getByText('Replying to:').count()).toBe(0);
    // Alt+Down opens the next conversation.
    const before = await inbox.locator('.conversation-header h2').textContent();
    await inbox.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => inbox.locator('.conversation-header h2').textContent()).not.toBe(before);
    await inbox.screenshot(shot('keyboard'));
  });

  it('settings: goes live from the screen, without a restart; a reply then reaches the (fake) Graph API', async () => {
    const graph = await startFakeGraph();
    try {
      gateway = await serve({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_APP_SECRET: '' });
      const opened = await openInbox(browser, gateway);
      page = opened.page;
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await page.getByRole('button', { name: 'Settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Settings' });
      await dialog.locator('code', { hasText: '/webhook' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot(shot('settings'));
      await dialog.getByRole('radio', { name: /Live/ }).check();
      await dialog.getByLabel('Access token').fill('EAAG-e2e-token');
      await dialog.getByLabel('App secret').fill('meta-app-secret-e2e');
      await dialog.getByLabel('Phone number id').fill('200300400500');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText('Saved: now live on 200300400500.').waitFor();
      expect(await page.locator('.sandbox-badge').count()).toBe(0);
      await page.screenshot(shot('settings-live'));
      const info = (await (await callApi(gateway, '/api/info')).json()) as { mode: string };
      expect(info.mode).toBe('live');
      // Meta's webhook, signed with the app secret just saved, is taken; the reply goes out with the saved token.
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '200300400500' }, contacts: [{ profile: { name: 'Iris' }, wa_id: '15550009999' }], messages: [{ from: '15550009999', id: 'wamid.E2E.SETTINGS', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'are you live?' } }] } }] }],
      });
      const delivered = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, 'meta-app-secret-e2e') }, body });
      expect(delivered.status).toBe(200);
      await page.getByRole('button', { name: 'Close settings' }).click();
      await page.getByTestId('conversation').filter({ hasText: 'Iris' }).click();
      await page.getByRole('textbox', { name: 'Reply' }).fill('Yes, live now');
      await page.getByRole('textbox', { name: 'Reply' }).press('Enter');
      await expect.poll(() => graph.requests.find((request) => request.path.endsWith('/200300400500/messages'))?.authorization, { timeout: 10_000 }).toBe('Bearer EAAG-e2e-token');
      // A composer attachment goes the live way: uploaded to the media endpoint, then sent by its id.
      await page.locator('input[type="file"]').setInputFiles(path.join(import.meta.dirname, '../../main/whatsapp/sample-media/leaflet.pdf'));
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => graph.requests.some((request) => request.path.endsWith('/200300400500/media')), { timeout: 10_000 }).toBe(true);
      const upload = graph.requests.find((request) => request.path.endsWith('/200300400500/media'));
      expect(upload).toMatchObject({ authorization: 'Bearer EAAG-e2e-token', body: { fields: { messaging_product: 'whatsapp', type: 'application/pdf' }, file: { name: 'leaflet.pdf', type: 'application/pdf' } } });
      await expect.poll(() => graph.requests.filter((request) => request.path.endsWith('/200300400500/messages')).map((request) => (request.body as { type?: string }).type), { timeout: 10_000 }).toContain('document');
      await page.locator('[data-testid="message"] .file-card', { hasText: 'leaflet.pdf' }).waitFor();
    } finally {
      await graph.close();
    }
  });

  it('reconnects: the gateway stops, the page says so and keeps what it had; Retry now tries at once; back within seconds', async () => {
    const inbox = await seededInbox();
    await openFirstConversation(inbox);
    if (!gateway) throw new Error('no gateway');
    let sockets = 0;
    inbox.on('websocket', () => (sockets += 1));
    await stopOnly(gateway);
    await inbox.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 10_000 });
    // What was loaded stays readable while the gateway is away.
    expect(await inbox.locator('[data-testid="message"]').count()).toBeGreaterThan(0);
    await inbox.screenshot(shot('reconnecting'));
    const before = sockets;
    await inbox.getByRole('button', { name: 'Retry now' }).click();
    await expect.poll(() => sockets, { timeout: 1_000 }).toBeGreaterThan(before);
    const restartedAt = Date.now();
    gateway = await restart(gateway, { SWITCHBOARD_SANDBOX_SEED: '0' });
    // Attempts are at most 5 s apart: "Live" returns within that of the gateway answering.
    await inbox.getByRole('status').filter({ hasText: /^Live$/ }).waitFor({ timeout: 8_000 });
    expect(Date.now() - restartedAt).toBeLessThan(8_000);
    expect(await inbox.getByRole('button', { name: 'Retry now' }).count()).toBe(0);
  });
});
