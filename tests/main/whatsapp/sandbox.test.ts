import { afterEach, describe, expect, it, vi } from 'vitest';
import { SAMPLE_MEDIA, sampleSha256Base64 } from '../../../main/whatsapp/sample-media';
import { SANDBOX_CUSTOMERS, SandboxClient, type SandboxBehaviour } from '../../../main/whatsapp/sandbox';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';

afterEach(() => vi.useRealTimers());

function sandbox(behaviour: Partial<SandboxBehaviour>, randoms: number[] = []) {
  vi.useFakeTimers();
  const posted: unknown[] = [];
  const client = new SandboxClient((body) => (posted.push(body), Promise.resolve()), {
    delayMs: 100,
    shuffleRate: 0,
    failureRate: 0,
    replyRate: 0,
    random: () => randoms.shift() ?? 0.99,
    ...behaviour,
  });
  const statuses = () => posted.flatMap((body) => parseWebhook(body, 0).statuses.map((s) => s.status));
  return { client, posted, statuses };
}

const text = { phoneNumberId: '1', to: { waId: '15551234567', userId: null }, body: { type: 'text', text: 'hi', previewUrl: false }, replyTo: null, callbackData: 'cb-12345678' } as const;

describe('SandboxClient', () => {
  it('answers with a realistic wamid, then sent, delivered and read, carrying our callback data', async () => {
    const { client, posted, statuses } = sandbox({});
    const result = await client.send(text);
    expect(result).toMatchObject({ ok: true, wamid: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]{32}$/) });
    await vi.advanceTimersByTimeAsync(100);
    expect(statuses()).toEqual(['sent']);
    await vi.advanceTimersByTimeAsync(300);
    expect(statuses()).toEqual(['sent', 'delivered', 'read']);
    expect(parseWebhook(posted[0], 0).statuses[0]?.callbackData).toBe('cb-12345678');
  });

  it('sometimes delivers read before delivered, as Meta does', async () => {
    const { client, statuses } = sandbox({ shuffleRate: 1 }, [0.99, 0]);
    await client.send(text);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(statuses()).toEqual(['sent', 'read', 'delivered']);
  });

  it('sometimes fails a send after ✓ with Meta’s undeliverable error', async () => {
    const { client, posted } = sandbox({ failureRate: 1 }, [0]);
    await client.send(text);
    await vi.advanceTimersByTimeAsync(1_000);
    const parsed = posted.map((body) => parseWebhook(body, 0).statuses[0]);
    expect(parsed.map((s) => s?.status)).toEqual(['sent', 'failed']);
    expect(parsed[1]?.error).toMatchObject({ code: 131026, title: 'Message undeliverable' });
  });

  it('has the customer answer a text', async () => {
    const { client, posted } = sandbox({ replyRate: 1 }, [0.99, 0.99, 0, 0]);
    await client.send(text);
    await vi.advanceTimersByTimeAsync(1_000);
    const replies = posted.flatMap((body) => parseWebhook(body, 0).messages);
    expect(replies).toEqual([expect.objectContaining({ customer: { waId: '15551234567', userId: null, name: null }, text: 'Thanks!' })]);
  });

  it('sends only sent for a reaction, as Meta does', async () => {
    const { client, statuses } = sandbox({ replyRate: 1 });
    await client.send({ ...text, body: { type: 'reaction', targetWamid: 'wamid.X', emoji: '👍' } });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(statuses()).toEqual(['sent']);
  });

  it('seeds a living inbox with simulated customers: a text each, then a real photo, voice note and document', async () => {
    const { client, posted } = sandbox({});
    client.seed('1');
    await vi.advanceTimersByTimeAsync(1_000);
    const messages = posted.flatMap((body) => parseWebhook(body, 0).messages);
    const names = SANDBOX_CUSTOMERS.map((c) => c.name);
    expect(messages.map((m) => m.customer.name)).toEqual([...names, ...names]);
    expect(messages.map((m) => m.type)).toEqual(['text', 'text', 'text', 'image', 'audio', 'document']);
    expect(messages.slice(3).map((m) => m.content.media)).toEqual([
      { id: SAMPLE_MEDIA.photo.id, mime_type: 'image/jpeg', sha256: sampleSha256Base64('photo'), caption: 'This is the label on the box' },
      { id: SAMPLE_MEDIA.voice.id, mime_type: SAMPLE_MEDIA.voice.mimeType, sha256: sampleSha256Base64('voice'), voice: true },
      { id: SAMPLE_MEDIA.leaflet.id, mime_type: 'application/pdf', sha256: sampleSha256Base64('leaflet'), caption: 'The order form', filename: 'leaflet.pdf' },
    ]);
  });

  it('posts nothing after stop', async () => {
    const { client, posted } = sandbox({});
    await client.send(text);
    client.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(posted).toEqual([]);
  });
});
