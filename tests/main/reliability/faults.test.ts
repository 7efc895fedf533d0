import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootGateway } from '../../../main/boot';
import { resolveConfig } from '../../../main/config';
import { DataDirInUseError } from '../../../main/store/data-dir-lock';
import { runCli, startCli, waitForListening } from '../../helpers/cli-process';
import { startFakeGraph } from '../../helpers/fake-graph';
import { api, CHECKPOINT_WORKER_SOURCE, postSignedWebhook, startTestGateway, TEST_SECRETS } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-faults-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function configFor(dir: string) {
  return resolveConfig({ host: '127.0.0.1', port: 0, dataDir: dir }, { WHATSAPP_APP_SECRET: TEST_SECRETS.appSecret, SWITCHBOARD_SANDBOX_SEED: '0' });
}

describe('the database cannot take a write (disk full)', () => {
  it('answers 503 with a clear error, acknowledges nothing it did not commit, and resumes by itself when space returns', async () => {
    const gateway = await startTestGateway();
    try {
      const db = gateway.store.db;
      expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.BEFORE' }))).status).toBe(200);
      // SQLite's own "disk full": no page may be added beyond the ones in use.
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      const acknowledged: string[] = [];
      let refused: Response | null = null;
      for (let n = 0; n < 400 && !refused; n += 1) {
        const wamid = `wamid.FILL${n}`;
        const response = await postSignedWebhook(gateway.url, inboundText({ wamid, text: 'x'.repeat(2000) }));
        if (response.status === 200) acknowledged.push(wamid);
        else refused = response;
      }
      expect(refused?.status).toBe(503);
      expect(refused?.headers.get('retry-after')).toBe('30');
      const body = (await refused?.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unavailable');
      expect(body.error.message).toMatch(/^the delivery could not be stored: the disk is full \(SQLITE_FULL/);
      expect(gateway.logs.some((line) => line.includes('the disk is full'))).toBe(true);
      // Every acknowledged delivery is committed, and nothing else is.
      const logged = db.prepare('SELECT count(*) FROM webhook_log').pluck().get();
      expect(logged).toBe(acknowledged.length + 1);
      // Space returns: the next delivery is stored, and so is everything acknowledged before.
      db.pragma('max_page_count = 1073741823');
      expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.AFTER' }))).status).toBe(200);
      await gateway.processed();
      for (const wamid of [...acknowledged, 'wamid.AFTER', 'wamid.BEFORE']) expect(gateway.store.messages.findByWamid(wamid), wamid).toBeDefined();
    } finally {
      await gateway.stop();
    }
  });

  it('keeps a logged backlog while the disk is full and processes it by itself once space returns, with no new delivery to prompt it', async () => {
    const gateway = await startTestGateway();
    try {
      const db = gateway.store.db;
      const messages = Array.from({ length: 1500 }, (_, n) => ({ from: '34600111222', id: `wamid.BL${n}`, timestamp: '1764115200', type: 'text', text: { body: 'y'.repeat(500) } }));
      const big = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, messages } }] }] };
      // Logged and acknowledged in one commit, then processing hits a full disk.
      const pages = db.pragma('page_count', { simple: true }) as number;
      const response = await postSignedWebhook(gateway.url, big);
      expect(response.status).toBe(200);
      db.pragma(`max_page_count = ${Math.max(pages + 200, db.pragma('page_count', { simple: true }) as number)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(gateway.logs.some((line) => line.startsWith('webhook: processing paused, the disk is full'))).toBe(true);
      expect(db.prepare("SELECT outcome FROM webhook_log").pluck().all()).toEqual(['received']);
      db.pragma('max_page_count = 1073741823');
      await gateway.processed();
      expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1500);
      expect(db.prepare("SELECT outcome FROM webhook_log").pluck().all()).toEqual(['processed']);
    } finally {
      await gateway.stop();
    }
  });
});

describe('a database file that cannot be read at start', () => {
  it('refuses a file that is not a database with one line naming it, and leaves it byte for byte', async () => {
    const file = path.join(dataDir, 'switchboard.db');
    writeFileSync(file, 'this is a shopping list, not a database\n'.repeat(200));
    const before = sha256(file);
    const result = await runCli(['serve', '--port', '0', '--data', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `switchboard: the database ${file} cannot be read (not an SQLite database file); it was left untouched: restore it from a backup, or move it aside to start with an empty one\n`,
    );
    expect(sha256(file)).toBe(before);
  });

  it('refuses a truncated database with one line, and leaves it as it was', async () => {
    const gateway = await bootGateway(configFor(dataDir), { rendererDir: null, checkpointWorker: CHECKPOINT_WORKER_SOURCE, log: () => undefined });
    const bodies = Array.from({ length: 300 }, (_, n) => inboundText({ wamid: `wamid.T${n}`, text: 'z'.repeat(1000), from: `3464${n}` }));
    for (const body of bodies) expect((await postSignedWebhook(gateway.url, body)).status).toBe(200);
    await gateway.processed();
    await gateway.close();
    const file = path.join(dataDir, 'switchboard.db');
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const before = sha256(file);
    const result = await runCli(['serve', '--port', '0', '--data', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(new RegExp(`^switchboard: the database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read \\(SQLITE_CORRUPT`));
    expect(result.stderr).toContain('it was left untouched');
    expect(sha256(file)).toBe(before);
  });
});

describe('two processes on one data dir', () => {
  it('refuses a second gateway in the same data dir, naming the first, and lets one start once the first stopped', async () => {
    const first = await bootGateway(configFor(dataDir), { rendererDir: null, log: () => undefined, command: 'the Switchboard desktop app' });
    try {
      const refused = bootGateway(configFor(dataDir), { rendererDir: null, log: () => undefined });
      await expect(refused).rejects.toBeInstanceOf(DataDirInUseError);
      await expect(refused).rejects.toThrow(new RegExp(`is in use by the Switchboard desktop app \\(pid ${process.pid}, since `));
    } finally {
      await first.close();
    }
    const second = await bootGateway(configFor(dataDir), { rendererDir: null, log: () => undefined });
    await second.close();
  });

  it('makes a second switchboard serve exit with one line while the first serves, and frees the dir when the first is killed', async () => {
    const first = startCli(['serve', '--port', '0', '--data', dataDir]);
    await waitForListening(first);
    const second = await runCli(['serve', '--port', '0', '--data', dataDir]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^switchboard: data dir ${dataDir} is in use by switchboard serve \\(pid ${first.child.pid}, since [^)]+\\): stop it first, or give this one another --data dir\\n$`));
    // kill -9 leaves no stale lock: the OS drops the file lock with the process.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = startCli(['serve', '--port', '0', '--data', dataDir]);
    await waitForListening(third);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });
});

describe('a Graph API that never answers', () => {
  it('never keeps shutdown waiting more than a few seconds, and records the send as possibly accepted', async () => {
    const graph = await startFakeGraph();
    graph.answers.push('hang');
    const gateway = await startTestGateway(
      { WHATSAPP_ACCESS_TOKEN: 'EAAG-test', WHATSAPP_PHONE_NUMBER_ID: '200300400500', WHATSAPP_GRAPH_URL: graph.url },
      { shutdownGraceMs: 500 },
    );
    try {
      const fresh = inboundText({ wamid: 'wamid.CUSTOMER', timestamp: String(Math.floor(Date.now() / 1000)) });
      expect((await postSignedWebhook(gateway.url, fresh)).status).toBe(200);
      await gateway.processed();
      const [conversation] = gateway.store.conversations.list();
      const sent = await api(gateway.url, `/api/conversations/${conversation?.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hola' }) });
      expect(sent.status).toBe(201);
      const { id } = (await sent.json()) as { id: number };
      while (graph.requests.filter((request) => request.path.endsWith('/messages')).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = Date.now();
      const db = gateway.store.db;
      const closing = gateway.close();
      await closing;
      const took = Date.now() - started;
      expect(took).toBeLessThan(3_000);
      expect(db.open).toBe(false);
      expect(gateway.logs.some((line) => line.includes('still unanswered after 500 ms'))).toBe(true);
      // Recorded before the database closed: failed, with the reason, never re-sent blindly.
      const reopened = await bootGateway(gateway.config, { rendererDir: null, log: () => undefined });
      try {
        expect(reopened.store.messages.get(id)).toMatchObject({ status: 'failed', error: { title: 'Switchboard stopped before the WhatsApp Graph API answered' } });
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(gateway.config.dataDir, { recursive: true, force: true });
      await graph.close();
    }
  });
});
