import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { runCli, startCli, waitForListening, type CliProcess } from '../helpers/cli-process';

/** A gateway served by the built CLI on a free port, with its data dir and token. */
export type E2eGateway = { cli: CliProcess; url: string; token: string; dataDir: string };

/** The app secret e2e gateways sign with, so tests can post webhooks directly. */
export const E2E_APP_SECRET = 'e2e-app-secret';

/** `switchboard serve` on a fresh data dir. */
export async function serve(env: Record<string, string> = {}): Promise<E2eGateway> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-e2e-'));
  const cli = startCli(['serve', '--port', '0', '--data', dataDir], { WHATSAPP_APP_SECRET: E2E_APP_SECRET, ...env });
  const url = await waitForListening(cli);
  const token = /^token (\S+)$/m.exec(cli.stdout())?.[1] ?? '';
  return { cli, url, token, dataDir };
}

/** Stops the gateway (SIGTERM, a clean shutdown) and keeps its data dir, to start it again. */
export async function stopOnly(gateway: E2eGateway): Promise<void> {
  gateway.cli.child.kill('SIGTERM');
  await gateway.cli.exited;
}

/** Starts `serve` again on the same port and data dir (the token is kept in the data dir). */
export async function restart(gateway: E2eGateway, env: Record<string, string> = {}): Promise<E2eGateway> {
  const port = new URL(gateway.url).port;
  const cli = startCli(['serve', '--port', port, '--data', gateway.dataDir], { WHATSAPP_APP_SECRET: E2E_APP_SECRET, ...env });
  const url = await waitForListening(cli);
  return { ...gateway, cli, url };
}

/** Stops the gateway and removes its data dir. */
export async function stopGateway(gateway: E2eGateway): Promise<void> {
  gateway.cli.child.kill('SIGTERM');
  await gateway.cli.exited;
  rmSync(gateway.dataDir, { recursive: true, force: true });
}

/** Ends one test's page and gateway, whichever it opened. */
export async function closeTest(page: Page | null, gateway: E2eGateway | null): Promise<void> {
  await page?.close();
  if (gateway) await stopGateway(gateway);
}

/** `switchboard simulate …` against the gateway; returns its output. */
export async function simulateOn(gateway: E2eGateway, args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await runCli(['simulate', ...args, '--url', gateway.url, '--data', gateway.dataDir], { WHATSAPP_APP_SECRET: E2E_APP_SECRET, ...env });
  if (result.stderr !== '') throw new Error(`simulate failed: ${result.stderr}`);
  return result.stdout;
}

/** POSTs a signed webhook body, as Meta would. */
export async function postWebhook(gateway: E2eGateway, body: unknown): Promise<void> {
  const raw = JSON.stringify(body);
  const response = await fetch(`${gateway.url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, E2E_APP_SECRET) },
    body: raw,
  });
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
}

/** Calls the gateway's API with its token. */
export function callApi(gateway: E2eGateway, pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${gateway.url}${pathname}`, { ...init, headers: { authorization: `Bearer ${gateway.token}`, ...(init.headers ?? {}) } });
}

/** Opens the inbox in a new page, signed in; records the API requests it makes. */
export async function openInbox(browser: Browser, gateway: E2eGateway, viewport = { width: 1280, height: 720 }): Promise<{ page: Page; apiRequests: string[] }> {
  const page = await browser.newPage({ viewport });
  const apiRequests: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/api/')) apiRequests.push(`${request.method()} ${pathname}`);
  });
  await page.goto(`${gateway.url}/#token=${gateway.token}`);
  return { page, apiRequests };
}
