import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SAMPLE_MEDIA } from '../../main/whatsapp/sample-media';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationSchema, MessageSchema } from '../../shared/contract';
import { runCli } from '../helpers/cli-process';
import { postSignedWebhook, startTestGateway } from '../helpers/test-gateway';
import { inboundText } from '../helpers/webhook-bodies';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'switchboard-export-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');

describe('switchboard export', () => {
  it('exports everything as JSON Lines a program can read back', async () => {
    const dataDir = path.join(root, 'data');
    const seeded = await runCli(['seed-demo', '--conversations', '25', '--messages', '1500', '--data', dataDir]);
    expect(seeded.stderr).toBe('');
    const out = path.join(root, 'everything');
    const result = await runCli(['export', '--out', out, '--data', dataDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^exported 25 conversations, 1500 messages and 4 media files to .+everything: \d+\.\d MB in \d+\.\d s \(\d+\.\d MB\/s\)\n$/);
    const conversations = lines(path.join(out, 'conversations.jsonl')).map((line) => ConversationSchema.parse(JSON.parse(line)));
    const messages = lines(path.join(out, 'messages.jsonl')).map((line) => MessageSchema.parse(JSON.parse(line)));
    expect(conversations).toHaveLength(25);
    expect(messages).toHaveLength(1500);
    expect(new Set(messages.map((m) => m.id)).size).toBe(1500);
    expect(messages.some((m) => m.status === 'failed' && m.error)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8'))).toMatchObject({ format: 'switchboard-export', conversations: 25, messages: 1500, media_files: 4 });
    // Every archived file once, by hash with an extension; each message with a file names it.
    expect(readdirSync(path.join(out, 'media')).sort()).toEqual(
      [`${SAMPLE_MEDIA.photo.sha256}.jpg`, `${SAMPLE_MEDIA.voice.sha256}.ogg`, `${SAMPLE_MEDIA.leaflet.sha256}.pdf`, `${SAMPLE_MEDIA.clip.sha256}.mp4`].sort(),
    );
    const withFiles = lines(path.join(out, 'messages.jsonl')).map((line) => JSON.parse(line) as { type: string; media_path?: string });
    const photos = withFiles.filter((m) => m.type === 'image');
    expect(photos.length).toBeGreaterThan(0);
    for (const photo of photos) expect(photo.media_path).toBe(`media/${SAMPLE_MEDIA.photo.sha256}.jpg`);
    expect(readFileSync(path.join(out, 'media', `${SAMPLE_MEDIA.voice.sha256}.ogg`)).length).toBe(SAMPLE_MEDIA.voice.size);
  });

  it('exports one conversation as JSON, plain text and a printable, escaped HTML transcript', async () => {
    const gateway = await startTestGateway();
    const dataDir = gateway.config.dataDir;
    try {
      await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.X1', text: 'Hola <script>alert(1)</script> & adiós', timestamp: '1764115200' }));
      await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.X2', text: 'segundo día', timestamp: String(1764115200 + 86400) }));
      await gateway.processed();
      const [conversation] = gateway.store.conversations.list();
      const id = String(conversation?.id);
      const json = path.join(root, 'c.json');
      const text = path.join(root, 'c.txt');
      const html = path.join(root, 'c.html');
      // The gateway is still serving: export reads a snapshot beside it.
      expect((await runCli(['export', '--out', json, '--conversation', id, '--data', dataDir])).stdout).toBe(`exported conversation ${id} (2 messages) as json to ${json}\n`);
      await runCli(['export', '--out', text, '--conversation', id, '--format', 'text', '--data', dataDir]);
      await runCli(['export', '--out', html, '--conversation', id, '--format', 'html', '--data', dataDir]);
      const exported = JSON.parse(readFileSync(json, 'utf8')) as { conversation: unknown; messages: unknown[] };
      expect(exported.messages.map((m) => MessageSchema.parse(m).wamid)).toEqual(['wamid.X1', 'wamid.X2']);
      expect(lines(text).slice(3)).toEqual(['[2025-11-26 00:00] Lucía Gómez: Hola <script>alert(1)</script> & adiós', '[2025-11-27 00:00] Lucía Gómez: segundo día']);
      const page = readFileSync(html, 'utf8');
      expect(page).toContain('Hola &lt;script&gt;alert(1)&lt;/script&gt; &amp; adiós');
      expect(page).not.toContain('<script>');
      expect(page.match(/<h2>/g)).toHaveLength(2);
      expect(page).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    } finally {
      await gateway.stop();
    }
  });

  it('refuses with one line: no --out, a folder in use, an unknown conversation, a bad format, an existing file', async () => {
    const dataDir = path.join(root, 'data');
    await runCli(['seed-demo', '--conversations', '2', '--messages', '10', '--data', dataDir]);
    const used = path.join(root, 'used');
    mkdirSync(used);
    writeFileSync(path.join(used, 'keep.txt'), 'mine');
    const existing = path.join(root, 'existing.json');
    writeFileSync(existing, '{}');
    const cases: [string[], string][] = [
      [['export', '--data', dataDir], 'switchboard: export needs --out <path>: a file for one conversation, a new folder for everything\n'],
      [['export', '--out', used, '--data', dataDir], `switchboard: ${used} exists and is not an empty folder: choose a new one\n`],
      [['export', '--out', path.join(root, 'x.json'), '--conversation', '999', '--data', dataDir], 'switchboard: there is no conversation 999\n'],
      [['export', '--out', path.join(root, 'x.pdf'), '--conversation', '1', '--format', 'pdf', '--data', dataDir], 'switchboard: --format must be json, text or html, not pdf\n'],
      [['export', '--out', path.join(root, 'x'), '--format', 'html', '--data', dataDir], 'switchboard: --format is for one --conversation; everything is exported as JSON Lines\n'],
      [['export', '--out', existing, '--conversation', '1', '--data', dataDir], `switchboard: ${existing} already exists: choose a new file name\n`],
      [['export', '--out', path.join(root, 'y'), '--data', path.join(root, 'nothing')], `switchboard: there is no database at ${path.join(root, 'nothing', 'switchboard.db')} to export\n`],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(message);
    }
    expect(readFileSync(path.join(used, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
