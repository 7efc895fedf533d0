import { randomBytes } from 'node:crypto';
import { SELF_TEST_HEADER, WebhookSelfTestSchema } from '../../shared/contract';
import { signWebhookBody } from '../whatsapp/signature';
import { fetchFailure } from '../fetch-failure';

/** Why Meta could not use the public URL, as a developer needs to hear it. */
export type SelfTestFailure = 'unreachable' | 'wrong_token' | 'not_this_gateway' | 'http_error' | 'body_rewritten';

export type SelfTestResult = { callback_url: string; ok: true; latency_ms: number } | { callback_url: string; ok: false; reason: SelfTestFailure; message: string };

/**
 * Calls the gateway's own public URL as Meta would: the `GET /webhook` handshake with a random
 * challenge and the verify token (what "The callback URL or verify token couldn't be validated"
 * is about), then a signed POST marked as a self-test, which the gateway answers without storing
 * anything, to prove a proxy in between passes the body through byte for byte (HMAC needs that).
 */
export async function selfTestWebhook(publicUrl: string, secrets: { verifyToken: string; appSecret: string }, fetchImpl: typeof fetch = fetch, timeoutMs = 10_000): Promise<SelfTestResult> {
  const callback_url = `${publicUrl}/webhook`;
  const challenge = randomBytes(12).toString('hex');
  const started = performance.now();
  const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': secrets.verifyToken, 'hub.challenge': challenge });
  const failed = (reason: SelfTestFailure, message: string): SelfTestResult => ({ callback_url, ok: false, reason, message });
  let handshake: Response;
  try {
    handshake = await fetchImpl(`${callback_url}?${query.toString()}`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return failed('unreachable', `${callback_url} does not answer (${fetchFailure(error, timeoutMs)}): is the tunnel up?`);
  }
  const answer = await handshake.text().catch(() => '');
  if (handshake.status === 403) return failed('wrong_token', `${callback_url} refused the verify token: another app answers there, or it expects another token`);
  if (handshake.status !== 200) return failed('http_error', `${callback_url} answered HTTP ${handshake.status} to the handshake: does the tunnel point at this gateway's port?`);
  if (answer !== challenge) return failed('not_this_gateway', `${callback_url} answered the handshake without echoing the challenge: a proxy rewrites the response, or another app answers there`);
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [], self_test: challenge });
  let post: Response;
  try {
    post = await fetchImpl(callback_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, secrets.appSecret), [SELF_TEST_HEADER]: challenge },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return failed('unreachable', `${callback_url} took the handshake but not a delivery (${fetchFailure(error, timeoutMs)})`);
  }
  const posted = (await post.json().catch(() => null)) as unknown;
  if (post.status === 401) return failed('body_rewritten', `a delivery through ${callback_url} no longer matches its signature: the proxy rewrites the body (it must pass it byte for byte)`);
  const echoed = WebhookSelfTestSchema.safeParse(posted);
  if (post.status !== 200 || !echoed.success || echoed.data.self_test !== challenge) return failed('http_error', `${callback_url} answered a delivery with HTTP ${post.status}, not this gateway's answer`);
  return { callback_url, ok: true, latency_ms: Math.round(performance.now() - started) };
}
