import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { fixture } from '../../helpers/fixtures';

const ARRIVAL = 1_800_000_000_000;

describe('parseWebhook', () => {
  it('reads an inbound text with its sender, name and Meta timestamp (seconds as a string)', () => {
    const parsed = parseWebhook(fixture('text-message'), ARRIVAL);
    expect(parsed.messages).toEqual([
      expect.objectContaining({
        phoneNumberId: '200300400500',
        customer: { waId: '34600111222', userId: null, name: 'Lucía Gómez' },
        direction: 'in',
        wamid: 'wamid.TEXT0001',
        type: 'text',
        text: '¿Tenéis envío a Canarias? 🚚 @tienda',
        timestampMs: 1_764_115_200_000,
      }),
    ]);
  });

  it('reads every entry, change, message and status of a batch, matching contacts by wa_id', () => {
    const parsed = parseWebhook(fixture('batch-two-entries'), ARRIVAL);
    expect(parsed.messages.map((m) => [m.wamid, m.customer.name, m.text])).toEqual([
      ['wamid.BATCH0002', 'Ben', 'from Ben'],
      ['wamid.BATCH0001', 'Ana', 'my receipt'],
    ]);
    expect(parsed.statuses).toEqual([
      { phoneNumberId: '200300400500', wamid: 'wamid.OUT0001', status: 'delivered', timestampMs: 1_764_115_270_000, error: undefined },
    ]);
    expect(parsed.ignored).toContain('field message_template_status_update');
  });

  it('keeps the error of a failed status', () => {
    const [status] = parseWebhook(fixture('status-failed'), ARRIVAL).statuses;
    expect(status?.status).toBe('failed');
    expect(status?.error).toEqual({
      code: 131047,
      title: 'Re-engagement message',
      details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    });
  });

  it('keys a username user by business-scoped id when there is no phone number', () => {
    const [message] = parseWebhook(fixture('bsuid-only-text'), ARRIVAL).messages;
    expect(message?.customer).toEqual({ waId: null, userId: 'DE.55501234567890', name: 'Kai' });
  });

  it('reads coexistence echoes as outgoing messages to the customer', () => {
    const [message] = parseWebhook(fixture('echo-text'), ARRIVAL).messages;
    expect(message).toMatchObject({ direction: 'out', customer: { waId: '34600111222' }, text: 'Sí, enviamos a Canarias.' });
  });

  it('keeps unsupported messages, labelled, instead of dropping them', () => {
    const [message] = parseWebhook(fixture('unsupported-message'), ARRIVAL).messages;
    expect(message).toMatchObject({ type: 'unsupported', text: 'Unsupported message' });
  });

  it('falls back to arrival time when the timestamp is unusable', () => {
    const body = fixture('text-message') as { entry: { changes: { value: { messages: { timestamp: unknown }[] } }[] }[] };
    const first = body.entry[0]?.changes[0]?.value.messages[0];
    if (first) first.timestamp = 'yesterday';
    expect(parseWebhook(body, ARRIVAL).messages[0]?.timestampMs).toBe(ARRIVAL);
  });

  it('ignores statuses it does not track, such as played, without failing', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' }, statuses: [{ id: 'wamid.X', status: 'played', timestamp: '1' }] } }] }],
    };
    const parsed = parseWebhook(body, ARRIVAL);
    expect(parsed.statuses).toEqual([]);
    expect(parsed.ignored).toEqual(['status played for wamid.X']);
  });

  it('reports a body of another object type as ignored', () => {
    expect(parseWebhook({ object: 'page', entry: [] }, ARRIVAL)).toEqual({ messages: [], statuses: [], ignored: ['object "page"'] });
    expect(parseWebhook([1, 2], ARRIVAL).ignored).toHaveLength(1);
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parseWebhook(value, ARRIVAL);
        parseWebhook({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value }] }] }, ARRIVAL);
      }),
      { numRuns: 500 },
    );
  });
});
