import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { inboundText } from '../helpers/webhook-bodies';
import { seriousViolations } from './axe';
import { launchChromium } from './chromium';
import { E2E_APP_SECRET, postWebhook, serve, stopGateway, type E2eGateway } from './e2e-gateway';
import { startCli, waitForListening } from '../helpers/cli-process';
import { startFakeGraph } from '../helpers/fake-graph';
import { startReverseProxy } from '../helpers/reverse-proxy';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// The developer's webhook inspector in a real browser: a delivery shows up live, opens with its
// headers, body and signature check, the filters narrow the list, a refused request is listed with
// why, and a delivery copies as a signed curl command.

let browser: Browser;
let gateway: E2eGateway | null = null;
let context: BrowserContext | null = null;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  await context?.close();
  context = null;
  if (gateway) await stopGateway(gateway);
  gateway = null;
});

function shot(name: string): { path: string } {
  return { path: path.join(os.tmpdir(), `switchboard-inspector-${name}.png`) };
}

async function openInspector(): Promise<Page> {
  gateway = await serve();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(`${gateway.url}/#token=${gateway.token}`);
  await page.getByRole('button', { name: 'Webhooks' }).click();
  await page.getByRole('dialog', { name: 'Webhook inspector' }).waitFor();
  return page;
}

describe('the webhook inspector in a real browser', () => {
  it('shows a delivery live, opens it, filters, lists a refused request, and copies a signed curl', async () => {
    const page = await openInspector();
    await page.getByText('No delivery yet').waitFor();
    const body = inboundText({ wamid: 'wamid.inspector-live', from: '34600111999', text: 'Is my order on its way?' });
    await postWebhook(gateway!, body);
    const row = page.getByRole('list', { name: 'Deliveries, newest first' }).getByRole('button').first();
    await row.waitFor();
    expect(await row.textContent()).toContain('messages');
    await row.click();
    const detail = page.getByRole('article', { name: 'Delivery 1' });
    await detail.getByText('✓ Signature matches the body under the app secret in force').waitFor();
    await detail.getByText('"Is my order on its way?"').waitFor();
    await detail.getByText('wamid.inspector-live').first().waitFor();
    await page.screenshot(shot('opened'));
    expect(await seriousViolations(page)).toEqual([]);

    await detail.getByRole('button', { name: 'Copy as curl' }).click();
    await detail.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(copied).toContain(`curl -X POST '${gateway!.url}/webhook'`);
    expect(copied).toContain(`-H 'x-hub-signature-256: ${signWebhookBody(JSON.stringify(body), E2E_APP_SECRET)}'`);
    // The copied command replays: the gateway takes it (a duplicate changes nothing).
    const replayed = await fetch(`${gateway!.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(JSON.stringify(body), E2E_APP_SECRET) }, body: JSON.stringify(body) });
    expect(replayed.status).toBe(200);

    await page.getByRole('combobox', { name: 'Field' }).selectOption('statuses');
    await page.getByText('No delivery matches these filters.').waitFor();
    await page.getByRole('combobox', { name: 'Field' }).selectOption('');
    await page.getByRole('searchbox', { name: 'Text in the body' }).fill('on its way');
    await expect.poll(() => page.getByRole('list', { name: 'Deliveries, newest first' }).getByRole('button').count(), { timeout: 5_000 }).toBe(2);
    await page.getByRole('searchbox', { name: 'Text in the body' }).fill('nothing like this');
    await page.getByText('No delivery matches these filters.').waitFor();
    await page.getByRole('searchbox', { name: 'Text in the body' }).fill('');
    // Received from tomorrow on: none yet.
    const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await page.getByLabel('From').fill(local);
    await page.getByText('No delivery matches these filters.').waitFor();
    await page.getByLabel('From').fill('');
    await expect.poll(() => page.getByRole('list', { name: 'Deliveries, newest first' }).getByRole('button').count(), { timeout: 5_000 }).toBe(2);

    const forged = JSON.stringify(inboundText({ wamid: 'wamid.forged' }));
    expect((await fetch(`${gateway!.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(forged, 'wrong-secret') }, body: forged })).status).toBe(401);
    // A refused request is not a logged delivery: opening the tab looks again.
    await page.getByRole('button', { name: /^Refused/ }).click();
    await page.getByRole('button', { name: 'Refused (1)' }).waitFor();
    await page.getByText(/signed with another app secret, or the body changed on the way/).waitFor();
    await page.screenshot(shot('refused'));
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows how Meta reaches the gateway, and points the number at it', async () => {
    const graph = await startFakeGraph();
    const proxy = await startReverseProxy();
    try {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-e2e-'));
      const cli = startCli(['serve', '--port', '0', '--data', dataDir, '--tunnel', proxy.url], {
        WHATSAPP_APP_SECRET: E2E_APP_SECRET,
        WHATSAPP_ACCESS_TOKEN: 'EAAG-e2e-wiring',
        WHATSAPP_PHONE_NUMBER_ID: graph.wiring.phoneNumberId,
        WHATSAPP_WABA_ID: graph.wiring.wabaId,
        WHATSAPP_GRAPH_URL: graph.url,
      });
      const url = await waitForListening(cli);
      proxy.upstream.url = url;
      gateway = { cli, url, token: /^token (\S+)$/m.exec(cli.stdout())?.[1] ?? '', dataDir };
      context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${url}/#token=${gateway.token}`);
      await page.getByRole('button', { name: 'Webhooks' }).click();
      await page.getByRole('button', { name: 'Meta setup' }).click();
      await page.getByText(`${proxy.url}/webhook`).first().waitFor();
      await page.getByText(/✓ Meta can reach it/).waitFor();
      await page.getByText('Messages for this number go to https://shared-app.example.com/webhook, not here.').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Point this number at this gateway' }).click();
      await page.getByText('✓ Messages for this number come here.').waitFor();
      expect(graph.wiring.phoneOverride).toBe(`${proxy.url}/webhook`);
      await page.screenshot(shot('setup'));
    } finally {
      await proxy.close();
      await graph.close();
    }
  });

  it('opens a public URL and a forward target from Settings → Developer, checked as Meta would call it', async () => {
    const proxy = await startReverseProxy();
    const received: string[] = [];
    const app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/whatsapp`;
    try {
      gateway = await serve();
      proxy.upstream.url = gateway.url;
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${gateway.url}/#token=${gateway.token}`);
      await page.getByRole('button', { name: 'Settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Settings' });
      await dialog.getByRole('button', { name: 'Developer' }).click();
      await dialog.getByText(/No public URL/).waitFor();
      await dialog.getByLabel(/My own URL/).check();
      await dialog.getByLabel(/^Public URL/).fill(proxy.url);
      await dialog.getByRole('button', { name: 'Add a target' }).click();
      await dialog.getByLabel('Target 1 URL').fill(appUrl);
      await dialog.getByLabel(/^Fields/).fill('messages');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText(`✓ Open at ${proxy.url}`).waitFor();
      await dialog.getByText(/✓ Meta can reach it/).waitFor();
      await dialog.getByText(`${proxy.url}/webhook`).first().waitFor();
      await dialog.getByText('Relaying.').waitFor();
      await page.screenshot(shot('developer-settings'));
      expect(await seriousViolations(page)).toEqual([]);

      // Meta's delivery through the public URL reaches the inbox and the developer's app.
      const body = JSON.stringify(inboundText({ wamid: 'wamid.settings-tunnel', text: 'Through the settings tunnel' }));
      const posted = await fetch(`${proxy.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, E2E_APP_SECRET) }, body });
      expect(posted.status).toBe(200);
      await expect.poll(() => received, { timeout: 5_000 }).toEqual([body]);

      await dialog.getByLabel(/Off: Meta/).check();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText(/No public URL/).waitFor();
      await page.setViewportSize({ width: 480, height: 900 });
      await dialog.getByLabel(/My own URL/).check();
      await page.screenshot(shot('developer-settings-narrow'));
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement.scrollWidth <= (globalThis as unknown as { document: { documentElement: { clientWidth: number } } }).document.documentElement.clientWidth)).toBe(true);
    } finally {
      await proxy.close();
      await new Promise<void>((resolve) => app.close(() => resolve()));
    }
  });
});
