import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootGateway } from '../../main/boot';
import { resolveConfig } from '../../main/config';
import { CHECKPOINT_WORKER_SOURCE, QUIET_SANDBOX } from '../helpers/test-gateway';

describe('the desktop app when its port is taken', () => {
  it('moves the gateway to the next free port and says where, instead of failing to start', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-port-'));
    const logs: string[] = [];
    try {
      const config = resolveConfig({ host: '127.0.0.1', port: taken, dataDir }, { ...QUIET_SANDBOX });
      const gateway = await bootGateway(config, { rendererDir: null, checkpointWorker: CHECKPOINT_WORKER_SOURCE, log: (line) => logs.push(line), portFallback: true });
      const port = Number(new URL(gateway.url).port);
      expect(port).not.toBe(taken);
      expect(logs).toContain(`port ${taken} on 127.0.0.1 is in use (another program has it): listening on ${port} instead; point your tunnel or proxy there`);
      expect((await fetch(`${gateway.url}/api/health`)).status).toBe(200);
      await gateway.close();
    } finally {
      squatter.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
