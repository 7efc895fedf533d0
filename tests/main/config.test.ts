import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../main/config';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-config-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const resolve = (env: Record<string, string>) => resolveConfig({ host: '127.0.0.1', port: 0, dataDir }, env);

describe('resolveConfig', () => {
  it('defaults to a sandbox with on_open read receipts and Meta’s default throughput', () => {
    expect(resolve({})).toMatchObject({ readReceipts: 'on_open', throughputPerNumber: 80, pairBurst: 20, whatsapp: { mode: 'sandbox', failureRate: 0.05, seed: true } });
  });

  it('keeps all history unless a retention is set', () => {
    expect(resolve({}).historyRetentionDays).toBeNull();
    expect(resolve({ SWITCHBOARD_HISTORY_RETENTION_DAYS: '365' }).historyRetentionDays).toBe(365);
  });

  it.each([
    [{ SWITCHBOARD_READ_RECEIPTS: 'always' }, 'SWITCHBOARD_READ_RECEIPTS must be on_open, on_reply or never, not always'],
    [{ SWITCHBOARD_SANDBOX_FAILURE_RATE: '2' }, 'SWITCHBOARD_SANDBOX_FAILURE_RATE must be a number from 0 to 1, not 2'],
    [{ SWITCHBOARD_THROUGHPUT_PER_NUMBER: '-5' }, 'SWITCHBOARD_THROUGHPUT_PER_NUMBER must be a positive number, not -5'],
    [{ SWITCHBOARD_SANDBOX_DELAY_MS: 'soon' }, 'SWITCHBOARD_SANDBOX_DELAY_MS must be a number of milliseconds'],
    [{ SWITCHBOARD_HISTORY_RETENTION_DAYS: 'forever' }, 'SWITCHBOARD_HISTORY_RETENTION_DAYS must be a positive number, not forever'],
    [{ WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1' }, 'WHATSAPP_ACCESS_TOKEN is set but WHATSAPP_APP_SECRET is not: Meta webhooks could not be verified'],
  ])('refuses %o in one line', (env, message) => {
    expect(() => resolve(env)).toThrow(message);
  });
});
