import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../helpers/fixtures';
import { api, postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
beforeEach(async () => {
  gateway = await startTestGateway();
});
afterEach(() => gateway.stop());

type Listing = { deliveries: { id: number; outcome: string; detail: string; bytes: number }[]; rejected: Record<string, number>; retention_days: number };

describe('webhook log API', () => {
  it('lists deliveries newest first with their outcome, and counts rejected requests without storing them', async () => {
    await postSignedWebhook(gateway.url, fixtureBytes('text-message'));
    await postSignedWebhook(gateway.url, { object: 'page' });
    await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await gateway.processed();
    const listing = (await (await api(gateway.url, '/api/webhooks')).json()) as Listing;
    expect(listing.deliveries.map((d) => [d.id, d.outcome, d.detail])).toEqual([
      [2, 'ignored', 'object "page"'],
      [1, 'processed', ''],
    ]);
    expect(listing.deliveries[1]?.bytes).toBe(fixtureBytes('text-message').length);
    expect(listing.rejected).toEqual({ signature: 1 });
    expect(listing.retention_days).toBe(30);
    const headers = gateway.store.db.prepare('SELECT headers_json FROM webhook_log WHERE id = 1').pluck().get() as string;
    expect(JSON.parse(headers)).toMatchObject({ 'content-type': 'application/json', 'x-hub-signature-256': expect.stringMatching(/^sha256=/) });
  });

  it('replays a delivery: what was missing is applied, what is stored is a no-op', async () => {
    await postSignedWebhook(gateway.url, fixtureBytes('edit-text'));
    await postSignedWebhook(gateway.url, fixtureBytes('all-inbound-types'));
    await gateway.processed();
    const replay = await api(gateway.url, '/api/webhooks/1/replay', { method: 'POST' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ id: 1, events: 1, ignored: [] });
    expect(gateway.store.messages.findByWamid('wamid.TYPE0001')?.text).toBe('plain text, corrected');
    const again = (await (await api(gateway.url, '/api/webhooks/2/replay', { method: 'POST' })).json()) as { events: number };
    expect(again.events).toBe(0);
    const listing = (await (await api(gateway.url, '/api/webhooks')).json()) as Listing;
    expect(listing.deliveries.map((d) => d.outcome)).toEqual(['replayed', 'replayed']);
  });

  it('answers 404 for replaying a delivery that is not in the log', async () => {
    const response = await api(gateway.url, '/api/webhooks/99/replay', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'webhook delivery 99 is not in the log (older than 30 days?)' } });
  });

  it('prunes deliveries older than the retention', async () => {
    await postSignedWebhook(gateway.url, fixtureBytes('text-message'));
    gateway.store.db.prepare('UPDATE webhook_log SET received_at = ?').run(Date.now() - 31 * 24 * 3600 * 1000);
    await postSignedWebhook(gateway.url, fixtureBytes('echo-text'));
    await gateway.processed();
    expect(gateway.store.webhooks.prune(Date.now() - 30 * 24 * 3600 * 1000)).toBe(1);
    expect(gateway.store.db.prepare('SELECT count(*) FROM webhook_log').pluck().get()).toBe(1);
    expect(gateway.store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(2);
  });
});

describe('message info API', () => {
  it('returns a message with its status history', async () => {
    await postSignedWebhook(gateway.url, fixtureBytes('echo-text'));
    const body = JSON.parse(fixtureBytes('status-failed').toString('utf8')) as { entry: { changes: { value: { statuses: { id: string }[] } }[] }[] };
    const status = body.entry[0]?.changes[0]?.value.statuses[0];
    if (status) status.id = 'wamid.ECHO0001';
    await postSignedWebhook(gateway.url, body);
    await gateway.processed();
    const info = await (await api(gateway.url, '/api/messages/1/info')).json();
    expect(info).toMatchObject({
      message: { id: 1, status: 'failed', error: { code: 131047 } },
      history: [{ status: 'failed', timestamp: '2025-11-26T00:01:40.000Z', error: { code: 131047, title: 'Re-engagement message' } }],
    });
    expect((await api(gateway.url, '/api/messages/5/info')).status).toBe(404);
  });
});

describe('configuration', () => {
  it('refuses a retention that is not a positive number, in one line', async () => {
    const { resolveConfig } = await import('../../../main/config');
    expect(() => resolveConfig({ host: '127.0.0.1', port: 0, dataDir: gateway.config.dataDir }, { SWITCHBOARD_WEBHOOK_RETENTION_DAYS: 'forever' })).toThrow(
      'SWITCHBOARD_WEBHOOK_RETENTION_DAYS must be a positive number, not forever',
    );
  });
});
