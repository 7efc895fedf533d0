import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyDelivery, itemCount, parseWebhook, updateCount } from '../../../main/whatsapp/webhook-parser';
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
      { phoneNumberId: '200300400500', wamid: 'wamid.OUT0001', status: 'delivered', timestampMs: 1_764_115_270_000, error: undefined, callbackData: null },
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

  it('keeps unsupported messages, labelled and with Meta’s error, instead of dropping them', () => {
    const [message] = parseWebhook(fixture('unsupported-message'), ARRIVAL).messages;
    expect(message).toMatchObject({
      type: 'unsupported',
      text: 'Unsupported message',
      content: { unsupported_type: 'poll_creation' },
      error: { code: 131051, title: 'Message type unknown', details: 'Message type is currently not supported.' },
    });
  });

  describe('every inbound type Meta documents', () => {
    const parsed = parseWebhook(fixture('all-inbound-types'), ARRIVAL);
    const byId = (n: number) => parsed.messages.find((m) => m.wamid === `wamid.TYPE${String(n).padStart(4, '0')}`);

    it('reads all eighteen messages of the batch, none dropped', () => {
      expect(parsed.messages).toHaveLength(18);
      expect(parsed.ignored).toEqual([]);
    });

    it.each([
      [1, 'text', 'plain text', { forwarded: 'forwarded' }],
      [2, 'image', 'the receipt', { media: { id: '1001', mime_type: 'image/jpeg', sha256: 'q83vEjRWeJA=', caption: 'the receipt', url: 'https://lookaside.example/1001' } }],
      [3, 'audio', '🎤 Voice message', { media: { id: '1002', mime_type: 'audio/ogg; codecs=opus', sha256: 'aa', voice: true } }],
      [4, 'audio', '🎵 Audio', { media: { id: '1003', mime_type: 'audio/mpeg', sha256: 'ab', voice: false } }],
      [5, 'video', '🎬 Video', { media: { id: '1004', mime_type: 'video/mp4', sha256: 'ac' } }],
      [6, 'document', 'Invoice', { media: { id: '1005', filename: 'Factura café.pdf', caption: 'Invoice', mime_type: 'application/pdf', sha256: 'ad' } }],
      [7, 'sticker', 'Sticker', { media: { id: '1006', mime_type: 'image/webp', sha256: 'ae', animated: true } }],
      [8, 'location', '📍 Puerta del Sol', { location: { latitude: 40.4168, longitude: -3.7038, name: 'Puerta del Sol', address: 'Madrid' } }],
      [9, 'contacts', '👤 Bea Ruiz', { contacts: [{ name: 'Bea Ruiz', phones: [{ phone: '+34 600 000 000', wa_id: '34600000000', type: 'CELL' }] }] }],
      [10, 'interactive', 'Yes', { interactive: { kind: 'button_reply', id: 'yes-1', title: 'Yes' } }],
      [11, 'interactive', 'Tomorrow', { interactive: { kind: 'list_reply', id: 'row-2', title: 'Tomorrow', description: 'Morning slot' } }],
      [12, 'interactive', 'flow', { interactive: { kind: 'nfm_reply', title: 'flow', description: 'Sent', response_json: '{"rating":"5"}' } }],
      [13, 'button', 'Stop promotions', { button: { payload: 'STOP', text: 'Stop promotions' } }],
      [14, 'order', 'for Friday', { order: { catalog_id: 'cat-1', text: 'for Friday', items: [{ product_retailer_id: 'sku-9', quantity: 2, item_price: 12.5, currency: 'EUR' }] } }],
      [15, 'system', 'User Ana changed from 15551234567 to 15559990000', { system: { kind: 'user_changed_number', body: 'User Ana changed from 15551234567 to 15559990000', new_wa_id: '15559990000' } }],
      [17, 'unsupported', 'Unsupported message', { unsupported_type: 'poll_creation' }],
      [18, 'hologram', 'Unsupported message', { unsupported_type: 'hologram' }],
    ] as const)('message %i: %s reads as “%s” with its content', (n, type, text, content) => {
      expect(byId(n)).toMatchObject({ type, text });
      expect(byId(n)?.content).toEqual(content);
    });

    it('keeps the click-to-WhatsApp referral and the context of replies', () => {
      expect(byId(16)?.content.referral).toEqual({
        source_url: 'https://fb.example/ad/1',
        source_id: 'ad-1',
        source_type: 'ad',
        headline: 'Summer sale',
        body: '20% off',
        media_type: 'image',
        image_url: 'https://img.example/1.jpg',
        ctwa_clid: 'clid-1',
      });
      expect(byId(10)?.replyTo).toBe('wamid.ASKED');
      expect(byId(13)?.replyTo).toBe('wamid.TEMPLATE');
    });
  });

  describe('reactions, edits and revokes', () => {
    it('reads a reaction as attached to its target, and a missing or empty emoji as removal', () => {
      expect(parseWebhook(fixture('reaction-add'), ARRIVAL).reactions).toEqual([
        expect.objectContaining({ targetWamid: 'wamid.OUT0001', emoji: '👍', direction: 'in', timestampMs: 1_764_115_300_000 }),
      ]);
      expect(parseWebhook(fixture('reaction-remove'), ARRIVAL).reactions[0]?.emoji).toBeNull();
      expect(parseWebhook(fixture('reaction-remove-empty'), ARRIVAL).reactions[0]?.emoji).toBeNull();
      expect(parseWebhook(fixture('reaction-add'), ARRIVAL).messages).toEqual([]);
    });

    it('reads an edit with the new text, and a revoke', () => {
      expect(parseWebhook(fixture('edit-text'), ARRIVAL).changes).toEqual([
        expect.objectContaining({ kind: 'edit', targetWamid: 'wamid.TYPE0001', type: 'text', text: 'plain text, corrected' }),
      ]);
      expect(parseWebhook(fixture('revoke'), ARRIVAL).changes).toEqual([expect.objectContaining({ kind: 'revoke', targetWamid: 'wamid.TYPE0002' })]);
    });

    it('lists a reaction or edit without a target as ignored', () => {
      const body = fixture('reaction-add') as { entry: { changes: { value: { messages: { reaction: Record<string, unknown> }[] } }[] }[] };
      const reaction = body.entry[0]?.changes[0]?.value.messages[0]?.reaction;
      if (reaction) delete reaction.message_id;
      expect(parseWebhook(body, ARRIVAL).ignored).toEqual(['reaction wamid.REACT1 without message_id']);
    });
  });

  it('falls back to arrival time when the timestamp is unusable', () => {
    const body = fixture('text-message') as { entry: { changes: { value: { messages: { timestamp: unknown }[] } }[] }[] };
    const first = body.entry[0]?.changes[0]?.value.messages[0];
    if (first) first.timestamp = 'yesterday';
    expect(parseWebhook(body, ARRIVAL).messages[0]?.timestampMs).toBe(ARRIVAL);
  });

  it('ignores statuses it does not track, such as the old deleted, without failing', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' }, statuses: [{ id: 'wamid.X', status: 'deleted', timestamp: '1' }] } }] }],
    };
    const parsed = parseWebhook(body, ARRIVAL);
    expect(parsed.statuses).toEqual([]);
    expect(parsed.ignored).toEqual(['status deleted for wamid.X']);
  });

  it('reads played (first play of a voice note)', () => {
    expect(parseWebhook(fixture('status-played'), ARRIVAL).statuses[0]?.status).toBe('played');
  });

  it('reports a body of another object type as ignored', () => {
    expect(parseWebhook({ object: 'page', entry: [] }, ARRIVAL)).toEqual({ ...emptyDelivery(), ignored: ['object "page"'] });
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

describe('itemCount (sizing a delivery without parsing it)', () => {
  it('counts the messages, echoes and statuses of every entry and change', () => {
    for (const name of ['batch-two-entries', 'all-inbound-types', 'echo-text', 'status-failed', 'reaction-add', 'edit-text']) {
      const body = fixture(name);
      expect(itemCount(body), name).toBe(updateCount(parseWebhook(body, ARRIVAL)));
    }
    expect(itemCount({ object: 'page', entry: [{ changes: [{ value: { messages: [{}] } }] }] })).toBe(0);
    expect(itemCount('not an object')).toBe(0);
  });

  it('never counts fewer updates than the parser finds, and never throws', () => {
    const text = fc.record({ from: fc.constantFrom('15550001111', '15550002222'), id: fc.string({ minLength: 1 }), type: fc.constant('text'), text: fc.record({ body: fc.string() }) });
    const status = fc.record({ id: fc.string({ minLength: 1 }), status: fc.constantFrom('sent', 'delivered', 'read', 'bogus'), timestamp: fc.constant('1764115200') });
    const value = fc.record(
      {
        metadata: fc.constant({ phone_number_id: '200300400500' }),
        messages: fc.array(fc.oneof(text, fc.jsonValue())),
        message_echoes: fc.array(fc.oneof(text, fc.jsonValue())),
        statuses: fc.array(fc.oneof(status, fc.jsonValue())),
      },
      { requiredKeys: ['metadata'] },
    );
    const change = fc.record({ field: fc.constantFrom('messages', 'smb_message_echoes', 'other'), value: fc.oneof(value, fc.jsonValue()) });
    fc.assert(
      fc.property(fc.array(fc.record({ changes: fc.array(change) })), (entry) => {
        const body = { object: 'whatsapp_business_account', entry };
        expect(itemCount(body)).toBeGreaterThanOrEqual(updateCount(parseWebhook(body, ARRIVAL)));
      }),
      { numRuns: 300 },
    );
  });
});
