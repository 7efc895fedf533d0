import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootGateway, type BootOptions, type RunningGateway } from '../../main/boot';
import { resolveConfig } from '../../main/config';
import { signWebhookBody } from '../../main/whatsapp/signature';

/** A sandbox that neither shuffles, fails, answers nor seeds: tests switch each on where they test it. */
export const QUIET_SANDBOX = {
  SWITCHBOARD_SANDBOX_SHUFFLE_RATE: '0',
  SWITCHBOARD_SANDBOX_FAILURE_RATE: '0',
  SWITCHBOARD_SANDBOX_REPLY_RATE: '0',
  SWITCHBOARD_SANDBOX_SEED: '0',
};

/** Secrets every test gateway uses, so tests can sign and authenticate. */
export const TEST_SECRETS = { appSecret: 'test-app-secret', verifyToken: 'test-verify-token', apiToken: 'test-api-token' };

/** The checkpoint worker's source, run as it is by Node (the built app runs the bundled copy). */
export const CHECKPOINT_WORKER_SOURCE = path.join(import.meta.dirname, '..', '..', 'main', 'store', 'checkpoint-worker.ts');

/**
 * A gateway on a free loopback port with a fresh data dir, checkpointing in a worker thread as
 * the app does; `stop` closes it and removes the dir.
 */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: Partial<BootOptions> = {},
  /** A data dir to reuse (a restart); `stop` then leaves it for the caller to remove. */
  reuse: { dataDir?: string } = {},
): Promise<RunningGateway & { dataDir: string; logs: string[]; stop(): Promise<void> }> {
  const dataDir = reuse.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-'));
  const environment = {
    WHATSAPP_APP_SECRET: TEST_SECRETS.appSecret,
    WHATSAPP_VERIFY_TOKEN: TEST_SECRETS.verifyToken,
    SWITCHBOARD_TOKEN: TEST_SECRETS.apiToken,
    SWITCHBOARD_SANDBOX_DELAY_MS: '20',
    ...QUIET_SANDBOX,
    ...env,
  };
  const config = resolveConfig({ host: '127.0.0.1', port: 0, dataDir }, environment);
  const logs: string[] = [];
  const gateway = await bootGateway(config, { rendererDir: null, checkpointWorker: CHECKPOINT_WORKER_SOURCE, log: (line) => logs.push(line), env: environment, ...options });
  return {
    ...gateway,
    dataDir,
    logs,
    stop: async () => {
      await gateway.close();
      if (!reuse.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a body to /webhook signed with the test app secret. */
export function postSignedWebhook(url: string, body: unknown | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return fetch(`${url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, TEST_SECRETS.appSecret), ...headers },
    body: new Uint8Array(raw),
  });
}

/** Calls the local API with the test token. */
export function api(url: string, pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}${pathname}`, { ...init, headers: { authorization: `Bearer ${TEST_SECRETS.apiToken}`, ...(init.headers ?? {}) } });
}
