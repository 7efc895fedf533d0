import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerEvent, ServerFrame } from '../../../shared/contract';
import { inboundTextWebhook } from '../../../main/whatsapp/simulated-payloads';
import { postSignedWebhook, startTestGateway, TEST_SECRETS } from '../../helpers/test-gateway';
import { openSocket } from '../../helpers/ws-client';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
beforeEach(async () => {
  gateway = await startTestGateway();
});
afterEach(() => gateway.stop());

const token = TEST_SECRETS.apiToken;
const events = (frames: ServerFrame[]) => frames.filter((f): f is ServerEvent => 'seq' in f && f.type !== 'caught_up' && f.type !== 'resync');

let counter = 0;
function inbound(text: string) {
  counter += 1;
  return postSignedWebhook(gateway.url, inboundTextWebhook({ phoneNumberId: '1', from: '15551234567', name: 'Ana', text, atMs: 1_764_115_200_000 + counter * 1000 }).body);
}

describe('/ws', () => {
  it('refuses a missing or wrong token with HTTP 401 before upgrading', async () => {
    await expect(openSocket(gateway.url)).rejects.toThrow('HTTP 401');
    await expect(openSocket(gateway.url, { token: 'wrong' })).rejects.toThrow('HTTP 401');
  });

  it('refuses a foreign Origin and a foreign Host with 403', async () => {
    await expect(openSocket(gateway.url, { token, headers: { origin: 'https://evil.example' } })).rejects.toThrow('HTTP 403');
    await expect(openSocket(gateway.url, { token, headers: { host: 'evil.example' } })).rejects.toThrow('HTTP 403');
  });

  it('accepts our own page’s Origin and the token in the Authorization header', async () => {
    const client = await openSocket(gateway.url, { headers: { origin: gateway.url, authorization: `Bearer ${token}` } });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    client.close();
  });

  it('refuses a since that is not a seq with 400', async () => {
    await expect(openSocket(`${gateway.url}`, { token, headers: {} , since: -1 })).rejects.toThrow('HTTP 400');
  });

  it('greets, then pushes live events in seq order', async () => {
    const client = await openSocket(gateway.url, { token });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    expect(client.frames[0]).toMatchObject({ type: 'hello', info: { mode: 'sandbox', head_seq: 0 } });
    await inbound('hello');
    await client.waitFor((frames) => events(frames).length === 2);
    expect(events(client.frames).map((e) => [e.type, e.seq])).toEqual([
      ['new_message', 1],
      ['conversation_update', 2],
    ]);
    client.close();
  });

  it('resumes with ?since: every missed event, then caught_up, then live, without gap or duplicate', async () => {
    await inbound('one');
    await inbound('two');
    const client = await openSocket(gateway.url, { token, since: 1 });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    await inbound('three');
    await client.waitFor((frames) => events(frames).length === 5);
    expect(events(client.frames).map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(client.frames.findIndex((f) => f.type === 'caught_up')).toBe(4);
    client.close();
  });

  it('tells a client whose since is ahead of the log to resync', async () => {
    await inbound('one');
    const client = await openSocket(gateway.url, { token, since: 50 });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    expect(client.frames.map((f) => f.type)).toEqual(['hello', 'resync', 'caught_up']);
    client.close();
  });

  it('answers a malformed client frame with an error frame and stays open', async () => {
    const client = await openSocket(gateway.url, { token });
    client.socket.send('not json');
    client.socket.send(JSON.stringify({ type: 'subscribe_everything' }));
    await client.waitFor((frames) => frames.filter((f) => f.type === 'error').length === 2);
    await inbound('still here');
    await client.waitFor((frames) => events(frames).length === 2);
    client.close();
  });

  it('drops a client that sends a frame over the size limit, and keeps serving others', async () => {
    const big = await openSocket(gateway.url, { token });
    const other = await openSocket(gateway.url, { token });
    const closed = new Promise<number>((resolve) => big.socket.once('close', (code) => resolve(code)));
    big.socket.send('x'.repeat(20_000));
    expect(await closed).toBe(1009);
    await inbound('after');
    await other.waitFor((frames) => events(frames).length === 2);
    other.close();
  });
});
