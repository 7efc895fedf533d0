import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { runCli, startCli, waitForListening } from '../helpers/cli-process';
import { startReverseProxy } from '../helpers/reverse-proxy';
import { inboundText } from '../helpers/webhook-bodies';

const SECRET = 'cli-forward-secret';
let dataDir: string;
const servers: Server[] = [];
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-forward-'));
});
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The developer's endpoint: what it got, and whether Meta's signature checked out with the app secret. */
async function target(port = 0): Promise<{ url: string; port: number; got: { body: string; valid: boolean; delivery: string }[] }> {
  const got: { body: string; valid: boolean; delivery: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const valid = req.headers['x-hub-signature-256'] === `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
      got.push({ body: raw.toString('utf8'), valid, delivery: String(req.headers['x-switchboard-delivery']) });
      res.writeHead(200).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${actual}/hook`, port: actual, got };
}

async function post(url: string, body: unknown): Promise<number> {
  const raw = JSON.stringify(body);
  return (await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, SECRET) }, body: raw })).status;
}

describe('switchboard serve --forward-to', () => {
  it('relays what arrived while the target was down after a restart too: each delivery once, in order', async () => {
    // A port nothing listens on yet.
    const later = await target();
    servers.pop()?.close();
    const url = `http://127.0.0.1:${later.port}/hook`;
    const first = startCli(['serve', '--port', '0', '--data', dataDir, '--forward-to', url], { WHATSAPP_APP_SECRET: SECRET });
    const gateway = await waitForListening(first);
    expect(await post(gateway, inboundText({ wamid: 'wamid.cli-1', text: 'one' }))).toBe(200);
    expect(await post(gateway, inboundText({ wamid: 'wamid.cli-2', text: 'two' }))).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toContain(`forward: relaying deliveries to ${url}`);

    const up = await target(later.port);
    const second = startCli(['serve', '--port', '0', '--data', dataDir, '--forward-to', url], { WHATSAPP_APP_SECRET: SECRET });
    const again = await waitForListening(second);
    expect(await post(again, inboundText({ wamid: 'wamid.cli-3', text: 'three' }))).toBe(200);
    await expect.poll(() => up.got.length, { timeout: 10_000 }).toBe(3);
    expect(up.got.map((item) => item.delivery)).toEqual(['1', '2', '3']);
    expect(up.got.every((item) => item.valid)).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('says in one line what is wrong with the forwarding flags', async () => {
    const cases: [string[], string][] = [
      [['--forward-fields', 'messages'], 'switchboard: --forward-fields narrows the --forward-to before it: give that first'],
      [['--forward-to', 'localhost:3000'], 'switchboard: --forward-to must be an http or https URL, not localhost:3000'],
      [['--forward-to', 'not a url'], 'switchboard: --forward-to must be a URL (e.g. http://localhost:3000/webhook), not not a url'],
      [['--forward-to', 'http://127.0.0.1:3000/a', '--forward-fields', 'Messages!'], 'switchboard: --forward-fields must be webhook fields separated by commas (e.g. messages,account_update), not Messages!'],
      [['--forward-to', 'http://127.0.0.1:3000/a', '--forward-to', 'http://127.0.0.1:3000/a'], 'switchboard: --forward-to: each target once'],
    ];
    for (const [flags, line] of cases) {
      const result = await runCli(['serve', '--port', '0', '--data', dataDir, ...flags]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([line]);
    }
  });
});

describe('switchboard serve --tunnel', () => {
  it('prints the callback URL and verify token for Meta, checks the URL, and warns when it changed since the last start', async () => {
    const proxies = [await startReverseProxy(), await startReverseProxy()];
    // The gateway's port is chosen here, so the first tunnel leads to it from the start.
    const port = (await target()).port;
    servers.pop()?.close();
    proxies[0]!.upstream.url = `http://127.0.0.1:${port}`;
    try {
      const first = startCli(['serve', '--port', String(port), '--data', dataDir, '--tunnel', proxies[0]!.url], { WHATSAPP_APP_SECRET: SECRET, WHATSAPP_VERIFY_TOKEN: 'verify-me-please' });
      await waitForListening(first);
      expect(first.stdout()).toContain(`callback ${proxies[0]!.url}/webhook\nverify-token verify-me-please\n`);
      await expect.poll(() => first.stderr(), { timeout: 10_000 }).toContain(`tunnel: checked: ${proxies[0]!.url}/webhook takes Meta's handshake and a signed delivery`);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = startCli(['serve', '--port', '0', '--data', dataDir, '--tunnel', proxies[1]!.url], { WHATSAPP_APP_SECRET: SECRET, WHATSAPP_VERIFY_TOKEN: 'verify-me-please' });
      await waitForListening(second);
      // Nothing behind this tunnel yet: the check says so.
      await expect.poll(() => second.stderr(), { timeout: 10_000 }).toContain('tunnel: check failed (http_error)');
      expect(second.stderr()).toContain(`tunnel: the callback URL changed since the last tunnel (was ${proxies[0]!.url}/webhook): give Meta the new one`);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const proxy of proxies) await proxy.close();
    }
  }, 30_000);

  it('says in one line what is wrong with the tunnel, or with a forward target that is the gateway itself', async () => {
    const http = await runCli(['serve', '--port', '0', '--data', dataDir, '--tunnel', 'http://hooks.example.com']);
    expect(http.stderr).toBe('switchboard: --tunnel http://hooks.example.com must be https: Meta only calls https URLs\n');
    const ngrok = await runCli(['serve', '--port', '0', '--data', dataDir, '--tunnel', 'ngrok']);
    expect(ngrok.code).toBe(2);
    expect(ngrok.stderr).toBe('switchboard: ngrok needs your authtoken from the ngrok dashboard (NGROK_AUTHTOKEN, or in Settings), and a fixed domain for a URL that stays the same\n');
    const wiring = await runCli(['serve', '--port', '0', '--data', dataDir, '--connect-meta']);
    expect(wiring.stderr).toBe('switchboard: --connect-meta points Meta at the public URL of a --tunnel: give one\n');
    const port = (await target()).port;
    servers.pop()?.close();
    const loop = await runCli(['serve', '--port', String(port), '--data', dataDir, '--forward-to', `http://localhost:${port}/webhook`]);
    expect(loop.stderr).toBe(`switchboard: --forward-to http://localhost:${port}/webhook is this gateway itself: each delivery would come back and be relayed again, without end (give your own app’s address)\n`);
    const cloudflared = await runCli(['serve', '--port', '0', '--data', dataDir, '--tunnel', 'cloudflared'], { PATH: path.join(dataDir, 'no-binaries-here') });
    expect(cloudflared.stderr).toMatch(/^switchboard: cloudflared: the cloudflared binary is not on the PATH/);
  });
});

describe('switchboard webhooks tail', () => {
  it('prints the last deliveries, then each new one as it is logged, one line each; --json opens each', async () => {
    const cli = startCli(['serve', '--port', '0', '--data', dataDir], { WHATSAPP_APP_SECRET: SECRET });
    const gateway = await waitForListening(cli);
    expect(await post(gateway, inboundText({ wamid: 'wamid.tail-1', text: 'Before the tail' }))).toBe(200);
    const lines = startCli(['webhooks', 'tail', '--url', gateway, '--data', dataDir]);
    const json = startCli(['webhooks', 'tail', '--json', '--url', gateway, '--data', dataDir]);
    await expect.poll(() => lines.stdout(), { timeout: 10_000 }).toMatch(/^#1 \S+Z messages 200300400500 \d+B processed\n$/);
    await expect.poll(() => json.stdout().split('\n').filter(Boolean).length, { timeout: 10_000 }).toBe(1);
    // Both follow the gateway's live events (and catch up on connecting): a new delivery is printed without asking.
    expect(await post(gateway, accountUpdateBody())).toBe(200);
    await expect.poll(() => lines.stdout().split('\n').filter(Boolean).length, { timeout: 10_000 }).toBe(2);
    expect(lines.stdout().split('\n')[1]).toMatch(/^#2 \S+Z account_update - \d+B /);
    await expect.poll(() => json.stdout().split('\n').filter(Boolean).length, { timeout: 10_000 }).toBe(2);
    const opened = JSON.parse(json.stdout().split('\n')[1]!) as { id: number; body: string; headers: Record<string, string>; signature: { valid: boolean } };
    expect(opened).toMatchObject({ id: 2, signature: { valid: true } });
    expect(JSON.parse(opened.body)).toEqual(accountUpdateBody());
    for (const child of [lines, json]) {
      child.child.kill('SIGINT');
      expect(await child.exited).toBe(0);
    }
    const refused = await runCli(['webhooks', 'tail', '--url', gateway], { SWITCHBOARD_TOKEN: 'not-the-token' });
    expect(refused.stderr).toBe('switchboard: the gateway refused the token: give SWITCHBOARD_TOKEN, or --data for the gateway’s data dir\n');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const gone = await runCli(['webhooks', 'tail', '--url', gateway, '--data', dataDir]);
    expect(gone.stderr).toMatch(/^switchboard: no gateway answers at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/);
  }, 30_000);
});

function accountUpdateBody(): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: [{ id: '880011223344', changes: [{ field: 'account_update', value: { phone_number: '15550001111', event: 'VERIFIED_ACCOUNT' } }] }] };
}

describe('switchboard webhooks replay', () => {
  it('sends a logged delivery, signed as Meta sent it, to a URL or back to the gateway; one line for each mistake', async () => {
    const cli = startCli(['serve', '--port', '0', '--data', dataDir], { WHATSAPP_APP_SECRET: SECRET });
    const gateway = await waitForListening(cli);
    const body = inboundText({ wamid: 'wamid.replay-cli', text: 'Replay me' });
    expect(await post(gateway, body)).toBe(200);
    const endpoint = await target();

    const sent = await runCli(['webhooks', 'replay', '1', '--to', endpoint.url, '--data', dataDir]);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toMatch(new RegExp(`^delivery 1 → ${endpoint.url.replace(/[.:/]/g, '\\$&')}: HTTP 200 in \\d+ ms\\n$`));
    expect(endpoint.got).toEqual([{ body: JSON.stringify(body), valid: true, delivery: '1' }]);

    // Back into the inbox through the gateway's own webhook route: accepted, and idempotent.
    const back = await runCli(['webhooks', 'replay', '1', '--url', gateway, '--data', dataDir]);
    expect(back.stdout).toContain(`delivery 1 → ${gateway}/webhook: HTTP 200`);

    const missing = await runCli(['webhooks', 'replay', '99', '--to', endpoint.url, '--data', dataDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('switchboard: webhook delivery 99 is not in the log (older than its retention, or never received)\n');
    const closed = await target();
    servers.pop()?.close();
    const refused = await runCli(['webhooks', 'replay', '1', '--to', closed.url, '--data', dataDir]);
    expect(refused.stderr).toBe(`switchboard: delivery 1 → ${closed.url}: no answer (ECONNREFUSED)\n`);
    const usage = await runCli(['webhooks', 'frobnicate', '--data', dataDir]);
    expect(usage.stderr).toBe('switchboard: usage: switchboard webhooks replay <delivery id> [--to <url>] [--url <gateway>] [--data <dir>], or webhooks tail [--json]\n');
    const badId = await runCli(['webhooks', 'replay', 'x', '--data', dataDir]);
    expect(badId.stderr).toBe('switchboard: the delivery id must be a whole number above 0, not x\n');
    const noDb = await runCli(['webhooks', 'replay', '1', '--data', path.join(dataDir, 'elsewhere')]);
    expect(noDb.stderr).toMatch(/^switchboard: no Switchboard database at .*: point --data at the gateway's data dir\n$/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
