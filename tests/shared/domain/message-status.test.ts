import { describe, expect, it } from 'vitest';
import { canAdvanceStatus, isMessageStatus, MESSAGE_STATUSES } from '../../../shared/domain/message-status';

describe('canAdvanceStatus', () => {
  it('moves forward along pending, sent, delivered, read', () => {
    expect(canAdvanceStatus('pending', 'sent')).toBe(true);
    expect(canAdvanceStatus('sent', 'delivered')).toBe(true);
    expect(canAdvanceStatus('delivered', 'read')).toBe(true);
  });

  it('lets read skip delivered, since read implies it', () => {
    expect(canAdvanceStatus('sent', 'read')).toBe(true);
  });

  it('keeps read when a late delivered or sent arrives', () => {
    expect(canAdvanceStatus('read', 'delivered')).toBe(false);
    expect(canAdvanceStatus('read', 'sent')).toBe(false);
  });

  it('puts played after read, and keeps it when a late read arrives', () => {
    expect(canAdvanceStatus('read', 'played')).toBe(true);
    expect(canAdvanceStatus('delivered', 'played')).toBe(true);
    expect(canAdvanceStatus('played', 'read')).toBe(false);
    expect(canAdvanceStatus('played', 'failed')).toBe(false);
  });

  it('treats a repeated status as a no-op', () => {
    for (const status of MESSAGE_STATUSES) expect(canAdvanceStatus(status, status)).toBe(false);
  });

  it('lets failed replace pending, sent and delivered but not read', () => {
    expect(canAdvanceStatus('pending', 'failed')).toBe(true);
    expect(canAdvanceStatus('sent', 'failed')).toBe(true);
    expect(canAdvanceStatus('delivered', 'failed')).toBe(true);
    expect(canAdvanceStatus('read', 'failed')).toBe(false);
  });

  it('never leaves failed because of a late status', () => {
    for (const status of MESSAGE_STATUSES) expect(canAdvanceStatus('failed', status)).toBe(false);
  });

  it('never moves to pending', () => {
    for (const status of MESSAGE_STATUSES) expect(canAdvanceStatus(status, 'pending')).toBe(false);
  });
});

describe('isMessageStatus', () => {
  it('accepts tracked statuses, played included, and rejects others', () => {
    expect(isMessageStatus('read')).toBe(true);
    expect(isMessageStatus('played')).toBe(true);
    expect(isMessageStatus('deleted')).toBe(false);
    expect(isMessageStatus('warning')).toBe(false);
  });
});
