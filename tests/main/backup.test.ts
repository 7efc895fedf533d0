import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../main/store/migrations';
import { runCli, startCli, waitForListening } from '../helpers/cli-process';
import { startTestGateway, TEST_SECRETS } from '../helpers/test-gateway';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { inboundMedia, inboundText } from '../helpers/webhook-bodies';
import { backupMediaFolder } from '../../main/store/backup';
import { mediaFilePath, mediaFolder } from '../../main/store/media-files';
import { SAMPLE_MEDIA, sampleSha256Base64 } from '../../main/whatsapp/sample-media';

let root: string;
let dataDir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'switchboard-backup-'));
  dataDir = path.join(root, 'data');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

// Every row of every table (the search index's own included), for comparing two databases.
function dump(file: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = (db.pragma('table_list') as { name: string; type: string; schema: string; wr: number }[]).filter(
      (table) => table.schema === 'main' && (table.type === 'table' || table.type === 'shadow') && !table.name.startsWith('sqlite_'),
    );
    return Object.fromEntries(tables.map(({ name, wr }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY ${wr ? 1 : 'rowid'}`).all()]));
  } finally {
    db.close();
  }
}

const post = (url: string, body: unknown) => {
  const raw = JSON.stringify(body);
  return fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, TEST_SECRETS.appSecret) }, body: raw });
};

describe('switchboard backup and restore', () => {
  it('backs up the live database while a gateway serves and ingests, and restores it with every row the same', async () => {
    const serving = startCli(['serve', '--port', '0', '--data', dataDir], { WHATSAPP_APP_SECRET: TEST_SECRETS.appSecret });
    const url = await waitForListening(serving);
    for (let n = 0; n < 50; n += 1) expect((await post(url, inboundText({ wamid: `wamid.BK${n}`, text: `pedido ${n} São Paulo`, from: `3466${n % 7}` }))).status).toBe(200);
    // Files too: a photo and a voice note, archived by the sandbox before the backup.
    for (const name of ['photo', 'voice'] as const) {
      const media = inboundMedia({ wamid: `wamid.BK${name}`, type: SAMPLE_MEDIA[name].type, media: { id: SAMPLE_MEDIA[name].id, sha256: sampleSha256Base64(name) } });
      expect((await post(url, media)).status).toBe(200);
      while (!existsSync(mediaFilePath(mediaFolder(dataDir), SAMPLE_MEDIA[name].sha256))) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Ingest goes on while the backup runs.
    const during = Promise.all(Array.from({ length: 50 }, (_, n) => post(url, inboundText({ wamid: `wamid.DURING${n}`, from: `3467${n % 5}` }))));
    const backupFile = path.join(root, 'switchboard-backup.db');
    const backup = await runCli(['backup', backupFile, '--data', dataDir]);
    await during;
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toMatch(/^backed up .+ to .+switchboard-backup\.db: \d+\.\d MB in \d+\.\d s \(\d+\.\d MB\/s\); 2 media files \(0\.0 MB\) in .+switchboard-backup\.db\.media\n$/);
    serving.child.kill('SIGTERM');
    expect(await serving.exited).toBe(0);
    const snapshot = dump(backupFile);
    expect((snapshot.messages ?? []).length).toBeGreaterThanOrEqual(50);

    const elsewhere = path.join(root, 'restored');
    const restored = await runCli(['restore', backupFile, '--data', elsewhere]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(/^restored .+ into .+switchboard\.db: \d+\.\d MB in \d+\.\d s; 2 media files \(0\.0 MB\)\n$/);
    expect(dump(path.join(elsewhere, 'switchboard.db'))).toEqual(snapshot);
    for (const name of ['photo', 'voice'] as const) {
      const file = mediaFilePath(mediaFolder(elsewhere), SAMPLE_MEDIA[name].sha256);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(SAMPLE_MEDIA[name].sha256);
    }
  });

  it('restores around a damaged or missing file in the backup: the message says so, the rest comes back', async () => {
    const gateway = await startTestGateway();
    for (const name of ['photo', 'voice'] as const) {
      const media = inboundMedia({ wamid: `wamid.D${name}`, type: SAMPLE_MEDIA[name].type, media: { id: SAMPLE_MEDIA[name].id, sha256: sampleSha256Base64(name) } });
      expect((await post(gateway.url, media)).status).toBe(200);
    }
    await gateway.processed();
    await gateway.mediaSettled();
    const source = gateway.config.dataDir;
    await gateway.close();
    const backupFile = path.join(root, 'damaged.db');
    expect((await runCli(['backup', backupFile, '--data', source])).stderr).toBe('');
    writeFileSync(mediaFilePath(backupMediaFolder(backupFile), SAMPLE_MEDIA.photo.sha256), 'not the photo');
    const restored = await runCli(['restore', backupFile, '--data', dataDir]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toContain('; 1 media files (0.0 MB), 1 missing or damaged in the backup (their messages show it)');
    const db = new BetterSqlite3(path.join(dataDir, 'switchboard.db'), { readonly: true });
    const states = db.prepare('SELECT kind, state, error FROM media_files ORDER BY kind').all();
    db.close();
    expect(states).toEqual([
      { kind: 'audio', state: 'stored', error: null },
      { kind: 'image', state: 'failed', error: 'the file was missing or damaged in the backup it was restored from' },
    ]);
    expect(existsSync(mediaFilePath(mediaFolder(dataDir), SAMPLE_MEDIA.photo.sha256))).toBe(false);
    rmSync(source, { recursive: true, force: true });
  });

  it('keeps the database it replaces, with its WAL, beside the restored one', async () => {
    const first = await runCli(['seed-demo', '--conversations', '3', '--messages', '30', '--data', dataDir]);
    expect(first.stderr).toBe('');
    const backupFile = path.join(root, 'b.db');
    await runCli(['backup', backupFile, '--data', dataDir]);
    const before = dump(path.join(dataDir, 'switchboard.db'));
    const result = await runCli(['restore', backupFile, '--data', dataDir]);
    const kept = /kept as (\S+)\n$/.exec(result.stdout)?.[1] ?? '';
    expect(kept).toContain('switchboard.db.before-restore-');
    expect(dump(kept)).toEqual(before);
  });

  it('refuses with one line, changing nothing: a newer schema, a corrupt file, a foreign one, a running gateway', async () => {
    await runCli(['seed-demo', '--conversations', '2', '--messages', '10', '--data', dataDir]);
    const database = path.join(dataDir, 'switchboard.db');
    const original = dump(database);

    const newer = path.join(root, 'newer.db');
    await runCli(['backup', newer, '--data', dataDir]);
    const db = new BetterSqlite3(newer);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    const future = await runCli(['restore', newer, '--data', dataDir]);
    expect(future.code).toBe(2);
    expect(future.stderr).toBe(`switchboard: the database has schema version ${LATEST_SCHEMA_VERSION + 1}, newer than this app's ${LATEST_SCHEMA_VERSION}: update Switchboard\n`);

    const garbage = path.join(root, 'garbage.db');
    writeFileSync(garbage, 'not a database at all');
    const corrupt = await runCli(['restore', garbage, '--data', dataDir]);
    expect(corrupt.stderr).toBe(`switchboard: ${garbage} is not a usable backup: not an SQLite database file\n`);

    const foreign = path.join(root, 'foreign.db');
    new BetterSqlite3(foreign).exec('CREATE TABLE notes (text TEXT)');
    const other = await runCli(['restore', foreign, '--data', dataDir]);
    expect(other.stderr).toBe(`switchboard: ${foreign} is an SQLite file but not a Switchboard backup\n`);

    const serving = startCli(['serve', '--port', '0', '--data', dataDir]);
    await waitForListening(serving);
    const busy = await runCli(['restore', newer, '--data', dataDir]);
    expect(busy.stderr).toMatch(/^switchboard: data dir .+ is in use by switchboard serve/);
    serving.child.kill('SIGTERM');
    await serving.exited;

    // Every refusal left the data dir's database as it was.
    expect(dump(database)).toEqual(original);
    const again = await runCli(['backup', newer, '--data', dataDir]);
    expect(again.stderr).toBe(`switchboard: ${newer} already exists: choose a new file name\n`);
    const usage = await runCli(['backup', '--data', dataDir]);
    expect(usage.stderr).toBe('switchboard: backup takes one file: switchboard backup <file> [--data <dir>]\n');
  });
});
