import type { IncomingMessage, ServerResponse } from 'node:http';
import { SELF_TEST_HEADER, type WebhookReceipt, type WebhookSelfTest } from '../../shared/contract';
import type { RejectedRequest } from '../services/webhook-admin';
import type { WebhookIntake } from '../services/webhook-intake';
import { describeStorageFailure, isStorageFailure } from '../store/storage-failure';
import { isValidWebhookSignature, signWebhookBody } from '../whatsapp/signature';
import { sendError, sendJson } from './http-responses';
import { isJsonRequest, readBody } from './read-body';

/** Meta's documented maximum webhook payload. */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;

/** What the webhook route needs and what it reports. */
export type WebhookRouteDeps = {
  appSecret: string;
  verifyToken: string;
  intake: WebhookIntake;
  now: () => number;
  /** Called for every rejected request (listed and counted; its body is never stored). */
  onRejected: (reason: string, request: RejectedRequest) => void;
  /** Told the size of every body read, signed or not (memory pacing during a flood). */
  onBodyRead?: (bytes: number) => void;
  log: (line: string) => void;
};

/** How much of a digest the inspector shows: enough to compare, too little to matter. */
const DIGEST_SHOWN = 16;

function rejected(req: IncomingMessage, bytes: number | null, signature: RejectedRequest['signature'] = null): RejectedRequest {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value.slice(0, 200) : null;
  };
  return { method: req.method ?? 'GET', content_type: header('content-type'), bytes, user_agent: header('user-agent'), from: header('x-forwarded-for') ?? req.socket.remoteAddress ?? null, signature };
}

// Headers kept with each delivery in the webhook log (never credentials).
const LOGGED_HEADERS = ['content-type', 'content-length', 'user-agent', 'x-hub-signature-256', 'x-forwarded-for'];

function loggedHeaders(req: IncomingMessage): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of LOGGED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

/** `GET /webhook`: Meta's verification handshake. No signature is involved: the GET carries no body. */
export function handleWebhookVerification(req: IncomingMessage, url: URL, res: ServerResponse, deps: WebhookRouteDeps): void {
  const mode = url.searchParams.get('hub.mode');
  const token = url.searchParams.get('hub.verify_token');
  const challenge = url.searchParams.get('hub.challenge');
  if (mode !== 'subscribe' || token !== deps.verifyToken || challenge === null) {
    deps.onRejected('verification', rejected(req, null));
    sendError(res, 'forbidden', 'webhook verification failed: hub.mode must be subscribe and hub.verify_token must match');
    return;
  }
  // Meta expects the challenge echoed as the raw body, not JSON.
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(challenge);
}

/**
 * `POST /webhook`: verify the HMAC on the raw bytes, check the JSON, and commit (raw delivery in
 * the webhook log, and usually its messages too); 200 only after that commit, because Meta never
 * redelivers what it got a 200 for. The answer says which: processed, or queued for processing.
 */
export async function handleWebhookDelivery(req: IncomingMessage, res: ServerResponse, deps: WebhookRouteDeps): Promise<void> {
  if (!isJsonRequest(req)) {
    deps.onRejected('content-type', rejected(req, null));
    sendError(res, 'unsupported_media_type', 'webhook body must be application/json');
    req.resume();
    return;
  }
  const body = await readBody(req, MAX_WEBHOOK_BYTES);
  if (body.ok) deps.onBodyRead?.(body.value.length);
  if (!body.ok) {
    deps.onRejected(body.error.code, rejected(req, null));
    sendError(res, body.error.code, body.error.message, { connection: 'close' });
    return;
  }
  const signature = req.headers['x-hub-signature-256'];
  const header = Array.isArray(signature) ? signature[0] : signature;
  if (!isValidWebhookSignature(body.value, header, deps.appSecret)) {
    const expected = signWebhookBody(body.value, deps.appSecret);
    deps.onRejected(
      'signature',
      rejected(req, body.value.length, { received: header?.slice(0, DIGEST_SHOWN) ?? null, received_length: header?.length ?? 0, expected: expected.slice(0, DIGEST_SHOWN), expected_length: expected.length }),
    );
    sendError(res, 'unauthorized', header ? 'X-Hub-Signature-256 does not match the body' : 'X-Hub-Signature-256 is missing');
    return;
  }
  // The gateway testing its own public URL: the signature held, so the body came through the tunnel unchanged.
  const selfTest = req.headers[SELF_TEST_HEADER];
  if (typeof selfTest === 'string') {
    sendJson(res, 200, { self_test: selfTest.slice(0, 64) } satisfies WebhookSelfTest);
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.value.toString('utf8'));
  } catch {
    deps.onRejected('json', rejected(req, body.value.length));
    sendError(res, 'bad_request', 'webhook body is not valid JSON');
    return;
  }
  const receivedAtMs = deps.now();
  let receipt: WebhookReceipt;
  try {
    receipt = await deps.intake.submit({ receivedAtMs, signature: header ?? '', headers: loggedHeaders(req), body: body.value }, json);
  } catch (error) {
    // Not stored: a non-200 makes Meta retry, which is exactly what we want. Only the storage
    // failing gets here (a delivery's own content never does: see WebhookIntake).
    const reason = isStorageFailure(error) ? describeStorageFailure(error) : error instanceof Error ? error.message : String(error);
    deps.log(`webhook: storing failed: ${reason}`);
    sendError(res, 'unavailable', `the delivery could not be stored: ${reason}; Meta will retry`, { 'retry-after': '30' });
    return;
  }
  sendJson(res, 200, receipt);
}
