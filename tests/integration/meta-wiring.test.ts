import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookSetup } from '../../main/services/webhook-setup';
import { resolveConfig } from '../../main/config';
import { startFakeGraph } from '../helpers/fake-graph';
import { startReverseProxy } from '../helpers/reverse-proxy';
import { api, startTestGateway } from '../helpers/test-gateway';

// Meta wired to the gateway's public URL for one test number: the app subscribed to the business
// account, the number's callback override set (Meta checks it with the handshake first), and the
// routing read back. Every Graph call goes to the loopback fake, which checks paths, token and bodies.

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const LIVE_TOKEN = 'EAAG-wiring-token';

async function liveGatewayBehindTunnel(env: Record<string, string> = {}) {
  const graph = await startFakeGraph();
  graph.wiring.accessToken = LIVE_TOKEN;
  closers.push(() => graph.close());
  const proxy = await startReverseProxy();
  closers.push(() => proxy.close());
  const gateway = await startTestGateway(
    { WHATSAPP_ACCESS_TOKEN: LIVE_TOKEN, WHATSAPP_PHONE_NUMBER_ID: graph.wiring.phoneNumberId, WHATSAPP_WABA_ID: graph.wiring.wabaId, WHATSAPP_GRAPH_URL: graph.url, ...env },
    { tunnel: { kind: 'url', url: proxy.url } },
  );
  closers.push(() => gateway.stop());
  proxy.upstream.url = gateway.url;
  return { graph, proxy, gateway };
}

const connect = (url: string) => api(url, '/api/webhook-setup/connect-meta', { method: 'POST' });

describe('wiring Meta to the public URL', () => {
  it('subscribes the app, sets the number’s override after Meta’s handshake, and reads back where webhooks go', async () => {
    const { graph, proxy, gateway } = await liveGatewayBehindTunnel();
    const before = (await (await api(gateway.url, '/api/webhook-setup')).json()) as Record<string, unknown>;
    expect(before).toMatchObject({
      public_url: proxy.url,
      callback_url: `${proxy.url}/webhook`,
      check: { ok: true },
      routing: { subscribed_apps: [], phone_number_override: null, app_callback: 'https://shared-app.example.com/webhook', effective: 'https://shared-app.example.com/webhook' },
      routing_error: null,
    });
    const wired = await connect(gateway.url);
    expect(wired.status).toBe(200);
    expect(await wired.json()).toEqual({
      subscribed_apps: [{ id: '670843887433847', name: 'Switchboard test app', override_callback_uri: null }],
      phone_number_override: `${proxy.url}/webhook`,
      business_account_override: null,
      app_callback: 'https://shared-app.example.com/webhook',
      effective: `${proxy.url}/webhook`,
    });
    // The Graph API version is the configured one; the paths are Meta's.
    const calls = graph.requests.map((request) => `${request.method} ${request.path.replace(/^\/v[\d.]+/, '')}`);
    expect(calls).toEqual([
      `GET /${graph.wiring.wabaId}/subscribed_apps`,
      `GET /${graph.wiring.phoneNumberId}?fields=webhook_configuration`,
      `POST /${graph.wiring.wabaId}/subscribed_apps`,
      `POST /${graph.wiring.phoneNumberId}`,
      `GET /${graph.wiring.wabaId}/subscribed_apps`,
      `GET /${graph.wiring.phoneNumberId}?fields=webhook_configuration`,
    ]);
    const override = graph.requests.find((request) => request.method === 'POST' && request.path.endsWith(`/${graph.wiring.phoneNumberId}`));
    expect(override?.body).toEqual({ webhook_configuration: { override_callback_uri: `${proxy.url}/webhook`, verify_token: expect.any(String) as unknown } });
    expect(override?.authorization).toBe(`Bearer ${LIVE_TOKEN}`);
  });

  it('says why it could not: Meta’s refusal of the token, a callback that fails Meta’s handshake', async () => {
    const { graph, proxy, gateway } = await liveGatewayBehindTunnel();
    graph.wiring.accessToken = 'another-token';
    const refused = await connect(gateway.url);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: { code: 'unavailable', message: `subscribing the app to business account ${graph.wiring.wabaId} failed: Invalid OAuth access token - Cannot parse access token (190)` } });
    graph.wiring.accessToken = LIVE_TOKEN;
    proxy.mode.value = 'down';
    const unverified = await connect(gateway.url);
    expect(await unverified.json()).toEqual({
      error: { code: 'unavailable', message: `pointing phone number ${graph.wiring.phoneNumberId} at ${proxy.url}/webhook failed: (#2200) Callback verification failed with the following errors: HTTP Status Code = 403 (2200)` },
    });
    expect(graph.wiring.phoneOverride).toBeNull();
  });

  it('refuses in the sandbox, without a tunnel, without a WABA id, and for another agent', async () => {
    const sandbox = await startTestGateway();
    closers.push(() => sandbox.stop());
    expect(await (await connect(sandbox.url)).json()).toEqual({ error: { code: 'bad_request', message: 'no public URL to point Meta at: start the gateway with --tunnel' } });
    const setup = (await (await api(sandbox.url, '/api/webhook-setup')).json()) as Record<string, unknown>;
    expect(setup).toMatchObject({ public_url: null, check: null, routing: null, routing_error: 'the sandbox has no Meta account to wire: go live first (access token, app secret, phone number id)' });

    const noWaba = resolveConfig({ host: '127.0.0.1', port: 0, dataDir: path.join(os.tmpdir(), 'switchboard-unused') }, { WHATSAPP_ACCESS_TOKEN: LIVE_TOKEN, WHATSAPP_PHONE_NUMBER_ID: '200300400500', WHATSAPP_APP_SECRET: 's', SWITCHBOARD_USER: 'owner' });
    const setupNoWaba = new WebhookSetup({ publicUrl: () => 'https://hooks.example.com', current: () => noWaba });
    expect(await setupNoWaba.connect({ user: 'owner' })).toEqual({ ok: false, error: { code: 'bad_request', message: 'wiring Meta needs the WhatsApp Business Account id (WHATSAPP_WABA_ID, or in Settings)' } });
    expect(await setupNoWaba.connect({ user: 'ana' })).toEqual({ ok: false, error: { code: 'forbidden', message: 'only owner, who runs this gateway, can change where Meta sends its webhooks' } });
  });
});
