import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootGateway } from '../../../main/boot';
import { resolveConfig } from '../../../main/config';
import { CHECKPOINT_WORKER_SOURCE, postSignedWebhook, TEST_SECRETS } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

// A real file system that runs out of space: an 8 MB tmpfs. Mounting needs root (CI runs as root);
// elsewhere the SQLite-level disk-full test in faults.test.ts covers the same path.
function mountSmallTmpfs(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

// Writes until the file system says ENOSPC; returns the filler's path.
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

const mountPoint = mountSmallTmpfs();

describe.skipIf(mountPoint === null)('ENOSPC on a real file system (tmpfs, root only)', () => {
  it('answers 503 while the disk is full, loses no acknowledged delivery, and resumes by itself once space is freed', async () => {
    const dir = mountPoint as string;
    const dataDir = path.join(dir, 'data');
    const config = resolveConfig({ host: '127.0.0.1', port: 0, dataDir }, { WHATSAPP_APP_SECRET: TEST_SECRETS.appSecret, SWITCHBOARD_SANDBOX_SEED: '0' });
    const logs: string[] = [];
    let gateway = await bootGateway(config, { rendererDir: null, checkpointWorker: CHECKPOINT_WORKER_SOURCE, log: (line) => logs.push(line) });
    try {
      expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.D0' }))).status).toBe(200);
      const filler = fillDisk(dir);
      const acknowledged: string[] = [];
      const refusals: { status: number; code: string; message: string }[] = [];
      for (let n = 0; n < 200 && refusals.length < 3; n += 1) {
        const wamid = `wamid.DF${n}`;
        const response = await postSignedWebhook(gateway.url, inboundText({ wamid, text: 'w'.repeat(3000), from: `3465${n}` }));
        if (response.status === 200) acknowledged.push(wamid);
        else refusals.push({ status: response.status, ...((await response.json()) as { error: { code: string; message: string } }).error });
      }
      expect(refusals.length).toBe(3);
      for (const refusal of refusals) {
        expect(refusal.status).toBe(503);
        expect(refusal.code).toBe('unavailable');
        expect(refusal.message).toContain('the disk is full (SQLITE_FULL');
      }
      rmSync(filler);
      expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.FREED' }))).status).toBe(200);
      await gateway.processed();
      await gateway.close();
      // Everything acknowledged survived, read back by a fresh process state.
      gateway = await bootGateway(config, { rendererDir: null, log: () => undefined });
      await gateway.processed();
      for (const wamid of ['wamid.D0', ...acknowledged, 'wamid.FREED']) expect(gateway.store.messages.findByWamid(wamid), wamid).toBeDefined();
    } finally {
      await gateway.close();
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
