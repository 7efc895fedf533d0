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
const isEvent = (f: ServerFrame): f is ServerEvent => 'seq' in f && f.type !== 'caught_up' && f.type !== 'resync';
const events = (frames: ServerFrame[]) => frames.filter(isEvent);
const messageEvents = (frames: ServerFrame[]) => events(frames).filter((e) => e.type === 'new_message' || e.type === 'conversation_update');
const log = (since: number) => gateway.store.events.after(since, 100_000);

let counter = 0;
async function inbound(text: string) {
  counter += 1;
  const response = await postSignedWebhook(gateway.url, inboundTextWebhook({ phoneNumberId: '1', from: '15551234567', name: 'Ana', text, atMs: 1_764_115_200_000 + counter * 1000 }).body);
  await gateway.processed();
  return response;
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
    await expect(openSocket(gateway.url, { token, since: -1 })).rejects.toThrow('HTTP 400');
  });

  it('greets with who the client is, then pushes live events in seq order', async () => {
    const client = await openSocket(gateway.url, { token });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    expect(client.frames[0]).toMatchObject({ type: 'hello', info: { mode: 'sandbox', user: gateway.config.localUser, head_seq: 0 } });
    await inbound('hello');
    await client.waitFor((frames) => messageEvents(frames).length === 1);
    expect(messageEvents(client.frames)).toEqual([expect.objectContaining({ type: 'new_message', conversation: expect.objectContaining({ preview: 'hello', unread_count: 1 }) })]);
    const seqs = events(client.frames).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    client.close();
  });

  it('resumes with ?since: exactly the log after since, then caught_up, then live', async () => {
    await inbound('one');
    await inbound('two');
    const client = await openSocket(gateway.url, { token, since: 1 });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    await inbound('three');
    const head = gateway.store.events.head();
    await client.waitFor((frames) => events(frames).at(-1)?.seq === head);
    expect(events(client.frames)).toEqual(log(1));
    client.close();
  });

  it('accepts a resume frame instead of ?since, before any event', async () => {
    await inbound('one');
    const client = await openSocket(gateway.url, { token });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    // Its own presence event may already be on the wire; resume is refused once an event went out.
    const sentBefore = events(client.frames).length > 0;
    client.socket.send(JSON.stringify({ type: 'resume', since: 0 }));
    if (sentBefore) {
      await client.waitFor((frames) => frames.some((f) => f.type === 'error'));
    } else {
      await client.waitFor((frames) => events(frames).some((e) => e.type === 'new_message'));
    }
    client.close();
  });

  it('tells a client whose since is ahead of the log to resync, then continues from the head', async () => {
    await inbound('one');
    const client = await openSocket(gateway.url, { token, since: 500 });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    expect(client.frames.slice(0, 2).map((f) => f.type)).toEqual(['hello', 'resync']);
    client.close();
  });

  it('tells a client whose since was pruned away to resync', async () => {
    await inbound('one');
    await inbound('two');
    await inbound('three');
    gateway.store.events.prune(Date.now() + 1000, 1_000_000);
    const client = await openSocket(gateway.url, { token, since: 1 });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    expect(client.frames[1]?.type).toBe('resync');
    client.close();
  });

  it('answers a malformed client frame with an error frame and stays open', async () => {
    const client = await openSocket(gateway.url, { token });
    await client.waitFor((frames) => frames.some((f) => f.type === 'caught_up'));
    client.socket.send('not json');
    client.socket.send(JSON.stringify({ type: 'subscribe_everything' }));
    client.socket.send(JSON.stringify({ type: 'typing', conversation_id: 999 }));
    await client.waitFor((frames) => frames.filter((f) => f.type === 'error').length === 3);
    expect(client.frames.filter((f) => f.type === 'error').at(-1)).toEqual({ type: 'error', error: { code: 'not_found', message: 'conversation 999 does not exist' } });
    await inbound('still here');
    await client.waitFor((frames) => messageEvents(frames).length === 1);
    client.close();
  });

  it('drops a client that sends a frame over the size limit, and keeps serving others', async () => {
    const big = await openSocket(gateway.url, { token });
    const other = await openSocket(gateway.url, { token });
    const closed = new Promise<number>((resolve) => big.socket.once('close', (code) => resolve(code)));
    big.socket.send('x'.repeat(20_000));
    expect(await closed).toBe(1009);
    await inbound('after');
    await other.waitFor((frames) => messageEvents(frames).length === 1);
    other.close();
  });
});

describe('/ws presence and typing between agents', () => {
  it('maps tokens to agents, shows each agent’s typing and viewing to the others, and presence follows connections', async () => {
    await inbound('hello');
    const benToken = gateway.store.tokens.add('ben', Date.now());
    const ana = await openSocket(gateway.url, { token });
    const ben = await openSocket(gateway.url, { token: benToken });
    await Promise.all([ana, ben].map((c) => c.waitFor((frames) => frames.some((f) => f.type === 'caught_up'))));
    expect(ben.frames[0]).toMatchObject({ type: 'hello', info: { user: 'ben' } });
    ben.socket.send(JSON.stringify({ type: 'typing', conversation_id: 1 }));
    ben.socket.send(JSON.stringify({ type: 'viewing', conversation_id: 1 }));
    await ana.waitFor((frames) => events(frames).some((e) => e.type === 'viewing' && e.user === 'ben'));
    expect(events(ana.frames).filter((e) => e.type === 'typing' || e.type === 'presence').map((e) => [e.type, 'user' in e ? e.user : null])).toEqual([
      ['presence', gateway.config.localUser],
      ['presence', 'ben'],
      ['typing', 'ben'],
    ]);
    const team = await (await fetch(`${gateway.url}/api/team`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(team).toMatchObject({ agents: expect.arrayContaining([{ user: 'ben', state: 'online' }]), typing: [{ user: 'ben', conversation_id: 1 }], viewing: [{ user: 'ben', conversation_id: 1 }] });
    ben.close();
    await ana.waitFor((frames) => events(frames).some((e) => e.type === 'presence' && e.user === 'ben' && e.state === 'offline'));
    ana.close();
  });

  it('sets typing and presence through the API as the token’s agent', async () => {
    await inbound('hello');
    const response = await fetch(`${gateway.url}/api/conversations/1/typing`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(gateway.store.events.after(0, 100).find((e) => e.type === 'typing')).toMatchObject({ user: gateway.config.localUser });
    const away = await fetch(`${gateway.url}/api/presence`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"state":"away"}' });
    expect(away.status).toBe(409);
    expect(await away.json()).toEqual({ error: { code: 'conflict', message: `${gateway.config.localUser} has no open connection` } });
  });
});
