import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCli, waitForListening } from '../helpers/cli-process';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('switchboard serve', () => {
  it('prints listening, token and mode, serves, and stops cleanly on SIGTERM with the database closed', async () => {
    const cli = startCli(['serve', '--port', '0', '--data', dataDir]);
    const url = await waitForListening(cli);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.stdout()).toMatch(/^token \S+$/m);
    expect(cli.stdout()).toMatch(/^mode sandbox/m);
    expect(await (await fetch(`${url}/api/health`)).json()).toMatchObject({ status: 'ok', mode: 'sandbox' });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // A cleanly closed WAL database leaves no -wal file behind: the checkpoint worker's
    // connection is closed too, and the bundled worker was found (nothing logged about it).
    expect(() => statSync(path.join(dataDir, 'switchboard.db-wal'))).toThrow();
    expect(cli.stderr()).not.toContain('checkpoint');
  });

  it('keeps the generated token in the data dir (mode 0600) and reuses it', async () => {
    const first = startCli(['serve', '--port', '0', '--data', dataDir]);
    await waitForListening(first);
    const token = /^token (\S+)$/m.exec(first.stdout())?.[1];
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    const secrets = path.join(dataDir, 'secrets.json');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(secrets, 'utf8')).api_token).toBe(token);
    const second = startCli(['serve', '--port', '0', '--data', dataDir]);
    await waitForListening(second);
    expect(/^token (\S+)$/m.exec(second.stdout())?.[1]).toBe(token);
    second.child.kill('SIGTERM');
    await second.exited;
  });

  it('fails with one line when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const result = await runCli(['serve', '--port', String(port), '--data', dataDir]);
    blocker.close();
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([`switchboard: port ${port} on 127.0.0.1 is already in use`]);
  });

  it('fails with one line for an unknown flag and for a bad port', async () => {
    const unknown = await runCli(['serve', '--prot', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain("Unknown option '--prot'");
    const bad = await runCli(['serve', '--port', 'eighty']);
    expect(bad.stderr.trim()).toBe('switchboard: --port must be a whole number from 0 to 65535, not eighty');
  });

  // Root ignores directory permissions, so this case only means something for other users; the
  // next test covers the same error path for everyone.
  it.skipIf(process.getuid?.() === 0)('fails with one line when the data dir is not writable', async () => {
    chmodSync(dataDir, 0o500);
    const result = await runCli(['serve', '--port', '0', '--data', path.join(dataDir, 'inner')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^switchboard: data dir .* is not writable/);
  });

  it('fails with one line when the data dir is a file', async () => {
    const file = path.join(dataDir, 'a-file');
    (await import('node:fs')).writeFileSync(file, '');
    const result = await runCli(['serve', '--port', '0', '--data', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`switchboard: data dir ${file} is not writable (EEXIST)`]);
  });

  it('refuses a database from a newer version of the app with one line, leaving it untouched', async () => {
    const db = new BetterSqlite3(path.join(dataDir, 'switchboard.db'));
    db.pragma('user_version = 999');
    db.close();
    const result = await runCli(['serve', '--port', '0', '--data', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('schema version 999, newer than this app');
    const after = new BetterSqlite3(path.join(dataDir, 'switchboard.db'));
    expect(after.pragma('user_version', { simple: true })).toBe(999);
    after.close();
  });

  it('fails with one line for an unknown command', async () => {
    const result = await runCli(['serv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('switchboard: unknown command serv (try: serve, simulate, token, webhooks, backup, restore, export, erase, seed-demo)\n');
  });

  it('refuses live mode without a phone number id', async () => {
    const result = await runCli(['serve', '--port', '0', '--data', dataDir], { WHATSAPP_ACCESS_TOKEN: 'EAAG' });
    expect(result.stderr).toBe('switchboard: WHATSAPP_ACCESS_TOKEN is set but WHATSAPP_PHONE_NUMBER_ID is not\n');
  });
});

describe('switchboard token', () => {
  it('adds a token for an agent that a running gateway accepts at once, lists it, and revokes it', async () => {
    const serve = startCli(['serve', '--port', '0', '--data', dataDir]);
    const url = await waitForListening(serve);
    const added = await runCli(['token', 'add', 'Ana García', '--data', dataDir]);
    expect(added.code).toBe(0);
    const token = added.stdout.trim();
    expect(token).toMatch(/^[\w-]{32}$/);
    const info = await (await fetch(`${url}/api/info`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(info).toMatchObject({ user: 'Ana García' });
    const listed = await runCli(['token', 'list', '--data', dataDir]);
    expect(listed.stdout).toMatch(/^Ana García\t\d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
    expect(listed.stdout).not.toContain(token);
    expect((await runCli(['token', 'revoke', 'Ana García', '--data', dataDir])).stdout).toBe('revoked 1 token of Ana García\n');
    expect((await fetch(`${url}/api/info`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  it('fails with one line for a bad name, an unknown agent and an unknown action', async () => {
    expect((await runCli(['token', 'add', '--data', dataDir])).stderr).toBe('switchboard: token add needs an agent name: letters, digits, spaces, . _ - (at most 64)\n');
    expect((await runCli(['token', 'revoke', 'nobody', '--data', dataDir])).stderr).toBe('switchboard: no active token for nobody\n');
    expect((await runCli(['token', 'rotate', '--data', dataDir])).stderr).toBe('switchboard: token takes add <name>, list or revoke <name>\n');
  });
});

describe('durability', () => {
  it('keeps every acknowledged webhook through kill -9, and processes it at the next start', async () => {
    const serve = startCli(['serve', '--port', '0', '--data', dataDir], { WHATSAPP_APP_SECRET: 'durable' });
    const url = await waitForListening(serve);
    const { inboundTextWebhook } = await import('../../main/whatsapp/simulated-payloads');
    const { signWebhookBody } = await import('../../main/whatsapp/signature');
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async (_, n) => {
        const { wamid, body } = inboundTextWebhook({ phoneNumberId: '1', from: String(15550000000 + n), name: `C${n}`, text: `m${n}`, atMs: 1_764_115_200_000 });
        const raw = JSON.stringify(body);
        const response = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, 'durable') }, body: raw });
        if (response.status === 200) acknowledged.push(wamid);
      }),
    );
    serve.child.kill('SIGKILL');
    await serve.exited;
    expect(acknowledged).toHaveLength(200);
    const again = startCli(['serve', '--port', '0', '--data', dataDir], { WHATSAPP_APP_SECRET: 'durable' });
    await waitForListening(again);
    const db = new BetterSqlite3(path.join(dataDir, 'switchboard.db'), { readonly: true });
    await vi.waitFor(() => expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(200));
    const stored = new Set(db.prepare('SELECT wamid FROM messages').pluck().all());
    expect(acknowledged.every((wamid) => stored.has(wamid))).toBe(true);
    db.close();
    again.child.kill('SIGTERM');
    await again.exited;
  });
});

describe('switchboard simulate', () => {
  it('posts a correctly signed inbound text that the running gateway stores', async () => {
    const serve = startCli(['serve', '--port', '0', '--data', dataDir]);
    const url = await waitForListening(serve);
    const token = /^token (\S+)$/m.exec(serve.stdout())?.[1] ?? '';
    const result = await runCli(['simulate', '--text', 'hello', '--from', '15551234567', '--name', 'Ana', '--url', url, '--data', dataDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^delivered wamid\.\S+\n$/);
    // Acknowledged means durable; it is processed into the inbox a moment later.
    await vi.waitFor(async () => {
      const conversations = await (await fetch(`${url}/api/conversations`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(conversations).toEqual([expect.objectContaining({ name: 'Ana', wa_id: '15551234567', preview: 'hello' })]);
    });
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  it('injects an image, a voice note, a location, a button reply and a reaction that the gateway stores (and archives)', async () => {
    const serve = startCli(['serve', '--port', '0', '--data', dataDir]);
    const url = await waitForListening(serve);
    const token = /^token (\S+)$/m.exec(serve.stdout())?.[1] ?? '';
    const common = ['--from', '15551234567', '--name', 'Ana', '--url', url, '--data', dataDir];
    const text = await runCli(['simulate', '--text', 'first', ...common]);
    const wamid = /^delivered (\S+)$/.exec(text.stdout.trim())?.[1] ?? '';
    for (const args of [['--image', 'my receipt'], ['--media', 'voice'], ['--location', '40.4168,-3.7038'], ['--button-reply', 'Yes please'], ['--reaction', '👍', '--wamid', wamid]]) {
      const result = await runCli(['simulate', ...args, ...common]);
      expect(result.stderr).toBe('');
    }
    await vi.waitFor(async () => {
      const page = (await (await fetch(`${url}/api/conversations/1/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        messages: { type: string; text: string; reactions: unknown[]; media_file?: { state: string } }[];
      };
      expect(page.messages.map((m) => [m.type, m.text])).toEqual([
        ['text', 'first'],
        ['image', 'my receipt'],
        ['audio', '🎤 Voice message'],
        ['location', '📍 40.4168, -3.7038'],
        ['interactive', 'Yes please'],
      ]);
      expect(page.messages[0]?.reactions).toEqual([{ emoji: '👍', from: 'customer' }]);
      // The sandbox serves its real sample files: both archived.
      expect(page.messages.filter((m) => m.media_file).map((m) => m.media_file?.state)).toEqual(['stored', 'stored']);
    });
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  it('refuses ambiguous or malformed simulated content with one line', async () => {
    const common = ['--from', '15551234567', '--url', 'http://127.0.0.1:1', '--data', dataDir];
    expect((await runCli(['simulate', '--text', 'a', '--image', 'b', ...common])).stderr).toBe(
      'switchboard: simulate needs exactly one of --text, --image, --media, --location, --reaction, --button-reply (or --status)\n',
    );
    expect((await runCli(['simulate', '--media', 'selfie', ...common])).stderr).toBe('switchboard: --media must be one of the sample files: photo, voice, leaflet, clip\n');
    expect((await runCli(['simulate', '--location', 'Madrid', ...common])).stderr).toBe('switchboard: --location must be latitude,longitude (e.g. 40.4168,-3.7038)\n');
    expect((await runCli(['simulate', '--reaction', '👍', ...common])).stderr).toBe('switchboard: --reaction needs --wamid, the message it reacts to\n');
  });

  it('says the gateway refused a webhook signed with another secret', async () => {
    const serve = startCli(['serve', '--port', '0', '--data', dataDir]);
    const url = await waitForListening(serve);
    const result = await runCli(['simulate', '--text', 'hi', '--from', '15551234567', '--url', url], { WHATSAPP_APP_SECRET: 'not-the-gateways' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^switchboard: the gateway refused the webhook: HTTP 401 /);
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  it('fails with one line when no gateway answers, or the sender is not a number', async () => {
    const noGateway = await runCli(['simulate', '--text', 'hi', '--from', '15551234567', '--url', 'http://127.0.0.1:9', '--data', dataDir], { WHATSAPP_APP_SECRET: 's' });
    expect(noGateway.stderr).toBe('switchboard: no gateway answered at http://127.0.0.1:9/webhook: is switchboard serve running?\n');
    const badFrom = await runCli(['simulate', '--text', 'hi', '--from', 'Ana']);
    expect(badFrom.stderr).toBe('switchboard: --from must be the customer number, digits only (e.g. 15551234567)\n');
  });
});
