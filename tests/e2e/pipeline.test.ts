import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeGraph } from '../helpers/fake-graph';
import { launchChromium } from './chromium';
import { closeTest, E2E_APP_SECRET, openInbox as openE2eInbox, serve, simulateOn, type E2eGateway } from './e2e-gateway';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

type Gateway = E2eGateway;

let gateway: Gateway | null = null;
let page: Page | null = null;
afterEach(async () => {
  await closeTest(page, gateway);
  page = null;
  gateway = null;
});

async function simulate(args: string[], env: Record<string, string> = {}): Promise<string> {
  if (!gateway) throw new Error('no gateway');
  return simulateOn(gateway, args, env);
}

async function openInbox(g: Gateway): Promise<{ page: Page; apiRequests: string[] }> {
  const opened = await openE2eInbox(browser, g);
  page = opened.page;
  return opened;
}

// Runs in the page (as a string: this file is typechecked without DOM types). Records every status
// the bubble with `text` shows, as the page renders it, into window.seenStatuses.
function recordStatuses(text: string): string {
  return `(() => {
    const seen = [];
    window.seenStatuses = seen;
    const record = () => {
      const bubble = [...document.querySelectorAll('[data-testid="message"]')].find((el) => el.textContent.includes(${JSON.stringify(text)}));
      const status = bubble && bubble.querySelector('.ticks') && bubble.querySelector('.ticks').getAttribute('data-status');
      if (status && seen[seen.length - 1] !== status) seen.push(status);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    record();
  })()`;
}

const tickOf = (p: Page, text: string) => p.locator('[data-testid="message"]', { hasText: text }).locator('.ticks');

describe('the pipeline in a real browser (sandbox)', () => {
  beforeEach(async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_DELAY_MS: '400' });
  });

  it('shows a signed inbound webhook live, and a reply’s ticks follow the status webhooks', async () => {
    if (!gateway) throw new Error('no gateway');
    const { page: inbox, apiRequests } = await openInbox(gateway);
    await inbox.getByText('Sandbox', { exact: true }).waitFor();
    await inbox.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(new URL(inbox.url()).hash).toBe('');

    // No polling: an idle inbox asks for nothing but the opening pages of the conversations in
    // view (loaded ahead of a click), each once, and then for nothing at all.
    const pageAsk = /^GET \/api\/conversations\/\d+\/messages$/;
    await inbox.waitForTimeout(1_500);
    const afterLoad = apiRequests.length;
    await inbox.waitForTimeout(1_500);
    expect(apiRequests.slice(afterLoad)).toEqual([]);
    const pagesAsked = apiRequests.filter((request) => pageAsk.test(request));
    expect(new Set(pagesAsked).size).toBe(pagesAsked.length);

    // A new message comes live, with no request (its new row may be warmed: a page, no more).
    await simulate(['--text', 'hello from Ana', '--from', '15551234567', '--name', 'Ana']);
    const row = inbox.getByTestId('conversation').filter({ hasText: 'Ana' });
    await row.filter({ hasText: 'hello from Ana' }).waitFor();
    expect(apiRequests.slice(afterLoad).filter((request) => !pageAsk.test(request))).toEqual([]);

    await row.click();
    await inbox.locator('[data-testid="message"]', { hasText: 'hello from Ana' }).waitFor();
    const box = inbox.getByRole('textbox', { name: 'Reply' });
    await inbox.evaluate(recordStatuses('Hi Ana, how can I help?'));
    await box.fill('Hi Ana, how can I help?');
    await box.press('Enter');
    const ticks = tickOf(inbox, 'Hi Ana, how can I help?');
    await inbox.locator('[data-testid="message"]:has-text("Hi Ana, how can I help?") .ticks[data-status="read"]').waitFor({ timeout: 10_000 });
    expect(await inbox.evaluate('window.seenStatuses')).toEqual(['pending', 'sent', 'delivered', 'read']);
    expect(await ticks.getAttribute('aria-label')).toBe('Read');
    await inbox.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-inbox.png') });
  });

  it('keeps history after a reload and shows a refused token as the login screen', async () => {
    if (!gateway) throw new Error('no gateway');
    await simulate(['--text', 'stored earlier', '--from', '15550001111', '--name', 'Bo']);
    const { page: inbox } = await openInbox(gateway);
    await inbox.getByTestId('conversation').filter({ hasText: 'stored earlier' }).waitFor();
    await inbox.reload();
    await inbox.getByTestId('conversation').filter({ hasText: 'stored earlier' }).waitFor();
    await inbox.evaluate(() => localStorage.setItem('switchboard.token', 'wrong'));
    await inbox.reload();
    await inbox.getByText('The gateway refused that token.').waitFor();
  });
});

describe('what customers send, in a real browser (sandbox with real sample files)', () => {
  beforeEach(async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_DELAY_MS: '400' });
  });

  it('shows a photo, a voice note, a video and a document from the archive, each playable or openable', async () => {
    if (!gateway) throw new Error('no gateway');
    const from = ['--from', '15557770000', '--name', 'Dara'];
    await simulate(['--text', 'files coming', ...from]);
    for (const sample of ['photo', 'voice', 'clip', 'leaflet']) await simulate(['--media', sample, ...from]);
    const { page: inbox } = await openInbox(gateway);
    await inbox.getByTestId('conversation').filter({ hasText: 'Dara' }).click();
    const stored = inbox.locator('[data-kind="media"][data-state="stored"]');
    await expect.poll(() => stored.count(), { timeout: 10_000 }).toBe(4);
    // The bytes really arrive and decode: the photo has its pixels, the players their durations.
    await expect.poll(() => inbox.evaluate('(() => { const images = [...document.querySelectorAll(".media-image img")]; return images.length > 0 && images.every((img) => img.complete && img.naturalWidth === 640); })()'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => inbox.evaluate('(() => { const a = document.querySelector(".media-audio audio"); return a && a.readyState >= 1 && Math.round(a.duration) === 4; })()'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => inbox.evaluate('(() => { const v = document.querySelector(".media-video video"); return v && v.readyState >= 1 && v.videoWidth === 320; })()'), { timeout: 10_000 }).toBe(true);
    const card = inbox.locator('.file-card');
    expect(await card.textContent()).toContain('leaflet.pdf');
    expect(await card.textContent()).toContain('PDF · 1 KB');
    // The document link answers the PDF, as a download.
    const href = (await card.getAttribute('href')) ?? '';
    const pdf = await fetch(href);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toContain('attachment');
    await inbox.screenshot({ path: path.join(os.tmpdir(), 'switchboard-e2e-media.png'), fullPage: true });
    // Export from the conversation: a printable transcript arrives as a download.
    await inbox.getByText('Export', { exact: true }).click();
    const [download] = await Promise.all([inbox.waitForEvent('download'), inbox.getByRole('button', { name: 'Printable transcript (HTML)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^Dara-\d{4}-\d{2}-\d{2}\.html$/);
    const saved = readFileSync((await download.path()) ?? '', 'utf8');
    expect(saved).toContain('<h1>Conversation with Dara</h1>');
    expect(saved).toContain('[Document leaflet.pdf]');
  });
});

describe('failures in a real browser (sandbox that always fails)', () => {
  it('shows a failed send with Meta’s reason, and Retry sends it again', async () => {
    gateway = await serve({ SWITCHBOARD_SANDBOX_DELAY_MS: '50', SWITCHBOARD_SANDBOX_FAILURE_RATE: '1' });
    await simulate(['--text', 'are you there?', '--from', '15557770000', '--name', 'Dee']);
    const { page: inbox, apiRequests } = await openInbox(gateway);
    await inbox.getByTestId('conversation').filter({ hasText: 'Dee' }).click();
    const box = inbox.getByRole('textbox', { name: 'Reply' });
    await box.fill('Yes!');
    await box.press('Enter');
    const bubble = inbox.locator('[data-testid="message"]', { hasText: 'Yes!' });
    await bubble.locator('.ticks[data-status="failed"]').waitFor();
    expect(await bubble.getByRole('alert').textContent()).toContain('Message undeliverable (131026)');
    await bubble.getByRole('button', { name: 'Retry' }).click();
    // Sent again (pending, sent and failed can all land in one frame: the request is the evidence),
    // and failed again, with the reason.
    await vi.waitFor(() => expect(apiRequests.filter((request) => /^POST \/api\/messages\/\d+\/retry$/.test(request))).toHaveLength(1));
    await bubble.locator('.ticks[data-status="failed"]').waitFor();
    expect(await bubble.getByRole('alert').textContent()).toContain('Message undeliverable (131026)');
  });
});

describe('the pipeline in a real browser (live mode against a fake Graph API)', () => {
  it('sends through the Graph API and moves the tick on each signed status webhook, never backwards', async () => {
    const graph = await startFakeGraph();
    const secret = E2E_APP_SECRET;
    gateway = await serve({ WHATSAPP_ACCESS_TOKEN: 'EAAG-e2e', WHATSAPP_PHONE_NUMBER_ID: '200300400500', WHATSAPP_APP_SECRET: secret, WHATSAPP_GRAPH_URL: graph.url });
    try {
      const env = { WHATSAPP_APP_SECRET: secret, WHATSAPP_PHONE_NUMBER_ID: '200300400500' };
      await simulate(['--text', 'Is my order shipped?', '--from', '34600111222', '--name', 'Lucía'], env);
      const { page: inbox } = await openInbox(gateway);
      expect(await inbox.getByText('Sandbox', { exact: true }).count()).toBe(0);
      await inbox.getByTestId('conversation').filter({ hasText: 'Lucía' }).click();
      const box = inbox.getByRole('textbox', { name: 'Reply' });
      await box.fill('Yes, today.');
      await box.press('Enter');
      const tick = (status: string) => inbox.locator(`[data-testid="message"]:has-text("Yes, today.") .ticks[data-status="${status}"]`);
      await tick('pending').waitFor();
      const textIndex = () => graph.requests.findIndex((r) => (r.body as { type?: string }).type === 'text');
      await vi.waitFor(() => expect(textIndex()).toBeGreaterThanOrEqual(0));
      expect(graph.requests[textIndex()]).toMatchObject({ path: '/v26.0/200300400500/messages', authorization: 'Bearer EAAG-e2e', body: { to: '+34600111222', text: { body: 'Yes, today.' } } });
      // Typing showed the typing indicator, which also marks the customer's message read (on_open
      // policy; seeing the conversation sends a plain read receipt unless typing came first).
      await vi.waitFor(() =>
        expect(graph.requests.map((r) => r.body)).toEqual(
          expect.arrayContaining([{ messaging_product: 'whatsapp', status: 'read', message_id: expect.stringMatching(/^wamid\./), typing_indicator: { type: 'text' } }]),
        ),
      );
      // The fake Graph API numbers its answers in order.
      const wamid = `wamid.FAKE${textIndex() + 1}`;
      for (const status of ['sent', 'read']) {
        await simulate(['--status', status, '--wamid', wamid, '--from', '34600111222'], env);
        await tick(status).waitFor();
      }
      await simulate(['--status', 'delivered', '--wamid', wamid, '--from', '34600111222'], env);
      await inbox.reload();
      await inbox.getByTestId('conversation').filter({ hasText: 'Lucía' }).click();
      await tick('read').waitFor();
      const secrets = JSON.parse(readFileSync(path.join(gateway.dataDir, 'secrets.json'), 'utf8')) as { app_secret: string };
      expect(secrets.app_secret).not.toBe(secret);
    } finally {
      await graph.close();
    }
  });
});
