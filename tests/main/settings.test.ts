import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayInfo, Message, SettingsView } from '../../shared/contract';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { startFakeGraph } from '../helpers/fake-graph';
import { freshFixtureBytes } from '../helpers/fixtures';
import { api, postSignedWebhook, startTestGateway } from '../helpers/test-gateway';

let gateway: Awaited<ReturnType<typeof startTestGateway>> | null = null;
let graph: Awaited<ReturnType<typeof startFakeGraph>> | null = null;
afterEach(async () => {
  await gateway?.stop();
  await graph?.close();
  gateway = null;
  graph = null;
});

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const LIVE = { mode: 'live', access_token: 'EAAG-settings-token', app_secret: 'meta-app-secret-123', phone_number_id: '200300400500', waba_id: '900800700600' };

describe('the WhatsApp connection from the settings screen', () => {
  it('goes live without a restart: sends use the new token, webhooks the new app secret; the token is kept 0600 and never shown', async () => {
    graph = await startFakeGraph();
    // No WhatsApp credentials in the environment: the settings decide (the app secret below is the sandbox's own).
    gateway = await startTestGateway({ WHATSAPP_GRAPH_URL: graph.url, WHATSAPP_APP_SECRET: '' });
    const before = (await (await api(gateway.url, '/api/settings')).json()) as SettingsView;
    expect(before).toMatchObject({ mode: 'sandbox', source: 'settings', secrets_storage: 'file', can_edit: true, has_access_token: false, webhook_path: '/webhook', gateway_url: gateway.url });

    const missing = await api(gateway.url, '/api/settings', json({ mode: 'live', phone_number_id: '200300400500' }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: 'bad_request', message: 'going live needs the access token, the app secret' } });

    const saved = await api(gateway.url, '/api/settings', json(LIVE));
    expect(saved.status).toBe(200);
    const view = (await saved.json()) as SettingsView;
    expect(view).toMatchObject({ mode: 'live', phone_number_id: '200300400500', waba_id: '900800700600', has_access_token: true, has_app_secret: true });
    expect(JSON.stringify(view)).not.toContain('EAAG-settings-token');
    expect(((await (await api(gateway.url, '/api/info')).json()) as GatewayInfo)).toMatchObject({ mode: 'live', phone_number_id: '200300400500' });
    // Every client hears of it through the event log (its badge and number follow).
    const events = (await (await api(gateway.url, '/api/events?since=0')).json()) as { events: { type: string; mode?: string; phone_number_id?: string }[] };
    expect(events.events.filter((event) => event.type === 'gateway_update')).toEqual([expect.objectContaining({ mode: 'live', phone_number_id: '200300400500' })]);

    // A webhook signed with Meta's app secret is taken; one signed with the old sandbox secret is not.
    const fixture = freshFixtureBytes('text-message', Math.floor(Date.now() / 1000));
    const withOld = await postSignedWebhook(gateway.url, fixture);
    expect(withOld.status).toBe(401);
    const withNew = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(fixture, LIVE.app_secret) }, body: new Uint8Array(fixture) });
    expect(withNew.status).toBe(200);
    await gateway.processed();

    const reply = (await (await api(gateway.url, '/api/conversations/1/messages', json({ text: 'now live' }))).json()) as Message;
    await expect.poll(() => graph?.requests.some((request) => request.path.endsWith('/200300400500/messages'))).toBe(true);
    const sent = graph.requests.find((request) => request.path.endsWith('/200300400500/messages'));
    expect(sent).toMatchObject({ authorization: 'Bearer EAAG-settings-token', body: { text: { body: 'now live' } } });
    expect(reply.text).toBe('now live');

    const secrets = path.join(gateway.dataDir, 'whatsapp-secrets.json');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(secrets, 'utf8'))).toMatchObject({ access_token: LIVE.access_token, app_secret: LIVE.app_secret });
    expect(readFileSync(path.join(gateway.dataDir, 'settings.json'), 'utf8')).not.toContain('EAAG');

    // And back to the sandbox, keeping what was saved for next time.
    const back = (await (await api(gateway.url, '/api/settings', json({ mode: 'sandbox' }))).json()) as SettingsView;
    expect(back).toMatchObject({ mode: 'sandbox', has_access_token: true });
  });

  it('answers 403 to another agent, 409 when the environment sets the connection, 400 for a malformed id', async () => {
    gateway = await startTestGateway({ WHATSAPP_APP_SECRET: '' });
    const anaToken = gateway.store.tokens.add('Ana García', Date.now());
    const asAna = await fetch(`${gateway.url}/api/settings`, { ...json(LIVE), headers: { 'content-type': 'application/json', authorization: `Bearer ${anaToken}` } });
    expect(asAna.status).toBe(403);
    expect(((await (await fetch(`${gateway.url}/api/settings`, { headers: { authorization: `Bearer ${anaToken}` } })).json()) as SettingsView).can_edit).toBe(false);
    const malformed = await api(gateway.url, '/api/settings', json({ ...LIVE, phone_number_id: '+34 600' }));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { message: expect.stringContaining('phone_number_id: must be the numeric id Meta shows') } });
    await gateway.stop();

    gateway = await startTestGateway({ WHATSAPP_ACCESS_TOKEN: 'EAAG-env', WHATSAPP_PHONE_NUMBER_ID: '111222333444' });
    expect(((await (await api(gateway.url, '/api/settings')).json()) as SettingsView)).toMatchObject({ mode: 'live', source: 'environment', can_edit: false });
    const locked = await api(gateway.url, '/api/settings', json({ mode: 'sandbox' }));
    expect(locked.status).toBe(409);
  });
});

describe('the desktop app’s own preference: launch at login', () => {
  it('is shown and changed with the settings in the desktop app, leaving the connection alone; refused under plain Node', async () => {
    let atLogin = false;
    gateway = await startTestGateway({ WHATSAPP_APP_SECRET: '' }, { desktop: { launchAtLogin: () => atLogin, setLaunchAtLogin: (on) => (atLogin = on) } });
    expect(((await (await api(gateway.url, '/api/settings')).json()) as SettingsView).launch_at_login).toBe(false);
    const changed = (await (await api(gateway.url, '/api/settings', json({ mode: 'sandbox', launch_at_login: true }))).json()) as SettingsView;
    expect(changed).toMatchObject({ launch_at_login: true, mode: 'sandbox' });
    expect(atLogin).toBe(true);
    expect(gateway.logs.some((line) => line.startsWith('settings: now'))).toBe(false);
    await gateway.stop();

    gateway = await startTestGateway({ WHATSAPP_APP_SECRET: '' });
    expect(((await (await api(gateway.url, '/api/settings')).json()) as SettingsView).launch_at_login).toBeNull();
    const refused = await api(gateway.url, '/api/settings', json({ mode: 'sandbox', launch_at_login: true }));
    expect(refused.status).toBe(400);
  });
});
