import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerEvent, WorkbenchView } from '../../../shared/contract';
import type { ConnectionSecrets, SecretStore } from '../../../main/services/connection-settings';
import type { NgrokLibrary, TunnelDeps } from '../../../main/services/tunnel';
import { findOnPath } from '../../../main/services/tunnel';
import { startReverseProxy } from '../../helpers/reverse-proxy';
import { api, postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

// The workbench from the settings: the tunnel opened, switched and closed while the gateway runs,
// and forward targets added and removed, as the desktop app's Settings → Developer does it.

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function tunnelDeps(overrides: Partial<TunnelDeps> = {}): TunnelDeps {
  return { env: {}, loadNgrok: () => Promise.reject(new Error('not in this test')), findBinary: () => null, cloudflaredConfigs: [], startTimeoutMs: 2_000, ...overrides };
}

/** A double of `@ngrok/ngrok` that answers a fixed URL and records the authtokens it was given. */
function ngrokDouble(url: string) {
  const tokens: string[] = [];
  const library: NgrokLibrary = {
    forward: (options) => {
      tokens.push(options.authtoken);
      return Promise.resolve({ url: () => url, close: () => Promise.resolve() });
    },
  };
  return { library, tokens };
}

/** The developer's app: records the text of each delivery it is given. */
async function developerApp(): Promise<{ url: string; texts: string[] }> {
  const texts: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entry: { changes: { value: { messages: { text: { body: string } }[] } }[] }[] };
      texts.push(body.entry[0]!.changes[0]!.value.messages[0]!.text.body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, texts };
}

async function update(url: string, body: unknown, token?: string): Promise<{ status: number; json: WorkbenchView & { error?: { code: string; message: string } } }> {
  const response = await api(url, '/api/workbench', { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as WorkbenchView & { error?: { code: string; message: string } } };
}

async function view(url: string): Promise<WorkbenchView> {
  return (await (await api(url, '/api/workbench')).json()) as WorkbenchView;
}

function tunnelEvents(events: ServerEvent[]): unknown[] {
  return events.filter((event) => event.type === 'tunnel_update').map(({ state, public_url, error }) => ({ state, public_url, error }));
}

describe('the workbench from the settings', () => {
  it('opens a tunnel the settings choose, tells clients, points the Meta setup at it, switches it off, and opens it again at the next start', async () => {
    const proxy = await startReverseProxy();
    closers.push(() => proxy.close());
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-workbench-'));
    closers.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const gateway = await startTestGateway({}, {}, { dataDir });
    proxy.upstream.url = gateway.url;
    const events: ServerEvent[] = [];
    gateway.bus.subscribeBatch((published) => events.push(...published));

    expect(await view(gateway.url)).toMatchObject({ can_edit: true, tunnel_source: 'settings', tunnel: { kind: 'off' }, tunnel_state: { state: 'off' }, forward_source: 'settings', forward_targets: [] });
    const opened = await update(gateway.url, { tunnel: { kind: 'url', url: `${proxy.url}/` } });
    expect(opened.status).toBe(200);
    expect(opened.json).toMatchObject({ tunnel: { kind: 'url', url: proxy.url }, tunnel_state: { state: 'open', public_url: proxy.url, error: null }, previous_callback_url: null });
    expect(tunnelEvents(events)).toEqual([
      { state: 'opening', public_url: null, error: null },
      { state: 'open', public_url: proxy.url, error: null },
    ]);
    const setup = (await (await api(gateway.url, '/api/webhook-setup')).json()) as { callback_url: string; check: { ok: boolean } };
    expect(setup).toMatchObject({ callback_url: `${proxy.url}/webhook`, check: { ok: true } });

    // Another public URL (the proxy by another loopback name): the callback Meta was given is flagged as changed.
    const renamed = proxy.url.replace('127.0.0.1', 'localhost');
    expect((await update(gateway.url, { tunnel: { kind: 'url', url: renamed } })).json).toMatchObject({ tunnel_state: { state: 'open', public_url: renamed }, previous_callback_url: `${proxy.url}/webhook` });
    expect((await update(gateway.url, { tunnel: { kind: 'off' } })).json.tunnel_state).toEqual({ state: 'off', public_url: null, error: null });
    expect(((await (await api(gateway.url, '/api/webhook-setup')).json()) as { callback_url: string | null }).callback_url).toBeNull();
    expect((await update(gateway.url, { tunnel: { kind: 'url', url: proxy.url } })).json.tunnel_state.state).toBe('open');
    await gateway.stop();

    // The saved tunnel opens again at the next start, in the background.
    const again = await startTestGateway({}, {}, { dataDir });
    closers.push(() => again.stop());
    await expect.poll(async () => (await view(again.url)).tunnel_state, { timeout: 5_000 }).toEqual({ state: 'open', public_url: proxy.url, error: null });
  });

  it('shows a tunnel that fails with its reason, keeps the choice, and opens it once the authtoken is given', async () => {
    const ngrok = ngrokDouble('https://fixed-name.ngrok.app');
    const gateway = await startTestGateway({}, { tunnelDeps: tunnelDeps({ loadNgrok: () => Promise.resolve(ngrok.library) }) });
    closers.push(() => gateway.stop());
    const failed = await update(gateway.url, { tunnel: { kind: 'ngrok', domain: 'fixed-name.ngrok.app' } });
    expect(failed.status).toBe(200);
    expect(failed.json).toMatchObject({
      tunnel: { kind: 'ngrok', domain: 'fixed-name.ngrok.app' },
      tunnel_state: { state: 'failed', public_url: null, error: 'ngrok needs your authtoken from the ngrok dashboard (NGROK_AUTHTOKEN, or in Settings), and a fixed domain for a URL that stays the same' },
      ngrok_authtoken: null,
    });
    const opened = await update(gateway.url, { ngrok_authtoken: 'ngrok-token-1234' });
    expect(opened.json).toMatchObject({ tunnel_state: { state: 'open', public_url: 'https://fixed-name.ngrok.app' }, ngrok_authtoken: 'settings' });
    expect(ngrok.tokens).toEqual(['ngrok-token-1234']);
    // Kept with the other credentials, never in the view.
    expect(JSON.stringify(await view(gateway.url))).not.toContain('ngrok-token-1234');
    expect(JSON.parse(readFileSync(path.join(gateway.dataDir, 'whatsapp-secrets.json'), 'utf8'))).toMatchObject({ ngrok_authtoken: 'ngrok-token-1234' });
  });

  it('follows a cloudflared tunnel that goes down after opening', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-cloudflared-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'cloudflared'), '#!/bin/sh\necho "INF |  https://brisk-owl.trycloudflare.com  |" >&2\nsleep 0.3\necho "ERR connection lost" >&2\nexit 1\n');
    chmodSync(path.join(dir, 'cloudflared'), 0o755);
    const gateway = await startTestGateway({}, { tunnelDeps: tunnelDeps({ findBinary: (name) => findOnPath(name, dir) }) });
    closers.push(() => gateway.stop());
    const opened = await update(gateway.url, { tunnel: { kind: 'cloudflared', name: null, hostname: null } });
    expect(opened.json).toMatchObject({ cloudflared_found: true, tunnel_state: { state: 'open', public_url: 'https://brisk-owl.trycloudflare.com' } });
    await expect.poll(async () => (await view(gateway.url)).tunnel_state, { timeout: 5_000 }).toEqual({ state: 'failed', public_url: null, error: 'the tunnel went down: cloudflared exited (code 1): ERR connection lost' });
  });

  it('adds a forward target while running, stops relaying to a removed one, and starts a re-added one at the newest delivery', async () => {
    const app = await developerApp();
    const gateway = await startTestGateway({}, { forwarder: { firstRetryMs: 20, maxRetryMs: 80 } });
    closers.push(() => gateway.stop());
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.before', text: 'Before the target' }))).status).toBe(200);
    const added = await update(gateway.url, { forward_targets: [{ url: app.url, fields: ['messages'] }] });
    expect(added.json.forward_targets).toEqual([{ url: app.url, fields: ['messages'], state: 'ok', last_error: null }]);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.added', text: 'With the target' }))).status).toBe(200);
    await expect.poll(() => app.texts, { timeout: 5_000 }).toEqual(['With the target']);

    expect((await update(gateway.url, { forward_targets: [] })).json.forward_targets).toEqual([]);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.removed', text: 'While removed' }))).status).toBe(200);
    await gateway.forwarded();
    await update(gateway.url, { forward_targets: [{ url: app.url, fields: null }] });
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.back', text: 'Back again' }))).status).toBe(200);
    await expect.poll(() => app.texts, { timeout: 5_000 }).toEqual(['With the target', 'Back again']);
    expect(gateway.logs).toContain(`forward: no longer relaying to ${app.url}`);
  });

  it('shows a target that is down as retrying, with why', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const gateway = await startTestGateway({}, { forwarder: { firstRetryMs: 50, maxRetryMs: 200 } });
    closers.push(() => gateway.stop());
    await update(gateway.url, { forward_targets: [{ url: `http://127.0.0.1:${port}/hook`, fields: null }] });
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.down' }))).status).toBe(200);
    await expect.poll(async () => (await view(gateway.url)).forward_targets, { timeout: 5_000 }).toEqual([{ url: `http://127.0.0.1:${port}/hook`, fields: null, state: 'retrying', last_error: 'connection refused (is it running?)' }]);
  });

  it('refuses bad input, another agent and what the command line set, and changes nothing', async () => {
    const gateway = await startTestGateway({}, { tunnel: { kind: 'url', url: 'https://hooks.example.com' }, forwardTo: [{ url: 'http://127.0.0.1:9/hook', fields: null }] });
    closers.push(() => gateway.stop());
    const before = await view(gateway.url);
    expect(before).toMatchObject({ tunnel_source: 'flags', tunnel: { kind: 'url', url: 'https://hooks.example.com' }, tunnel_state: { state: 'open' }, forward_source: 'flags' });

    const cases: [unknown, number, string, RegExp | string][] = [
      [{ tunnel: { kind: 'url', url: 'http://hooks.example.com' } }, 400, 'bad_request', /must be https: Meta only calls https URLs/],
      [{ tunnel: { kind: 'tailscale' } }, 400, 'bad_request', /tunnel/],
      [{ forward_targets: [{ url: 'ftp://x', fields: null }] }, 400, 'bad_request', /must be an http or https URL/],
      [{ forward_targets: [{ url: 'http://a.test/1', fields: null }, { url: 'http://a.test/1', fields: null }] }, 400, 'bad_request', /each target once/],
      [{ forward_targets: [{ url: 'http://a.test/1', fields: ['Messages!'] }] }, 400, 'bad_request', /webhook field names/],
      [{ ngrok_authtoken: 'short' }, 400, 'bad_request', /too short/],
      [{ tunnel: { kind: 'off' } }, 409, 'conflict', 'the tunnel is set on the command line (serve --tunnel): change it there and restart'],
      [{ forward_targets: [] }, 409, 'conflict', 'the forward targets are set on the command line (serve --forward-to): change them there and restart'],
    ];
    for (const [body, status, code, message] of cases) {
      const answer = await update(gateway.url, body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.json.error?.code).toBe(code);
      expect(answer.json.error?.message).toMatch(message);
    }
    const ana = gateway.store.tokens.add('Ana García', Date.now());

    expect((await view(gateway.url)).can_edit).toBe(true);
    const forbidden = await update(gateway.url, { ngrok_authtoken: 'ngrok-token-1234' }, ana);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error?.message).toMatch(/who runs this gateway, can change its tunnel and forward targets/);
    expect(await view(gateway.url)).toEqual(before);
  });

  it('refuses a forward target that is this gateway itself, here or through its tunnel', async () => {
    const gateway = await startTestGateway({}, { tunnel: { kind: 'url', url: 'https://hooks.example.com' } });
    closers.push(() => gateway.stop());
    const port = new URL(gateway.url).port;
    for (const url of [`http://localhost:${port}/webhook`, `http://127.0.0.1:${port}/anything`, 'https://hooks.example.com/webhook']) {
      const looping = await update(gateway.url, { forward_targets: [{ url, fields: null }] });
      expect(looping.status, url).toBe(400);
      expect(looping.json.error?.message).toBe(`forward_targets: ${url} is this gateway itself: each delivery would come back and be relayed again, without end (give your own app’s address)`);
    }
    // Another port on this machine is another app.
    expect((await update(gateway.url, { forward_targets: [{ url: `http://127.0.0.1:${Number(port) === 65535 ? 1 : Number(port) + 1}/webhook`, fields: null }] })).status).toBe(200);
  });

  it('keeps both saves when the WhatsApp connection and the ngrok authtoken are saved at once through a slow keychain', async () => {
    // As the desktop's keychain: each write waits on another process, the secrets change only once it is done.
    let kept: ConnectionSecrets = {};
    const keychain: SecretStore = {
      kind: 'os_keychain',
      read: () => ({ ...kept }),
      write: async (secrets) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        kept = { ...secrets };
      },
    };
    const gateway = await startTestGateway({ WHATSAPP_APP_SECRET: '' }, { secretStore: keychain });
    closers.push(() => gateway.stop());
    const [connection, workbench] = await Promise.all([
      api(gateway.url, '/api/settings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'sandbox', access_token: 'EAAG-saved-together' }) }),
      update(gateway.url, { ngrok_authtoken: 'ngrok-saved-together' }),
    ]);
    expect([connection.status, workbench.status]).toEqual([200, 200]);
    expect(kept).toMatchObject({ access_token: 'EAAG-saved-together', ngrok_authtoken: 'ngrok-saved-together' });
  });
});
