import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidWebhookSignature, signWebhookBody } from '../../../main/whatsapp/signature';

const SECRET = 'app-secret-for-tests';
// Meta's wire form escapes non-ASCII, so the bytes differ from a re-serialised copy.
const WIRE = Buffer.from('{"text":{"body":"caf\\u00e9 \\ud83d\\ude00 @shop"}}', 'utf8');

function hmac(bytes: Buffer | string): string {
  return `sha256=${createHmac('sha256', SECRET).update(bytes).digest('hex')}`;
}

describe('isValidWebhookSignature', () => {
  it('accepts Meta’s HMAC-SHA256 of the exact raw bytes', () => {
    expect(isValidWebhookSignature(WIRE, hmac(WIRE), SECRET)).toBe(true);
    expect(signWebhookBody(WIRE, SECRET)).toBe(hmac(WIRE));
  });

  it('accepts upper-case hex digits', () => {
    expect(isValidWebhookSignature(WIRE, `sha256=${hmac(WIRE).slice(7).toUpperCase()}`, SECRET)).toBe(true);
  });

  it('rejects a signature of the re-serialised body (the classic bug)', () => {
    const reserialised = JSON.stringify(JSON.parse(WIRE.toString('utf8')));
    expect(reserialised).not.toBe(WIRE.toString('utf8'));
    expect(isValidWebhookSignature(WIRE, hmac(reserialised), SECRET)).toBe(false);
  });

  it('rejects a missing header, a missing prefix, a wrong secret and a truncated digest', () => {
    expect(isValidWebhookSignature(WIRE, undefined, SECRET)).toBe(false);
    expect(isValidWebhookSignature(WIRE, hmac(WIRE).slice(7), SECRET)).toBe(false);
    expect(isValidWebhookSignature(WIRE, hmac(WIRE), 'other-secret')).toBe(false);
    expect(isValidWebhookSignature(WIRE, hmac(WIRE).slice(0, -2), SECRET)).toBe(false);
    expect(isValidWebhookSignature(WIRE, 'sha256=é', SECRET)).toBe(false);
  });
});
