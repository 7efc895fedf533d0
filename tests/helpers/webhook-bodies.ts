/** A one-message inbound webhook body, built field by field so tests can poison any one of them. */
export function inboundText(options: { wamid: string; from?: string; text?: string; timestamp?: unknown; phoneNumberId?: string }): Record<string, unknown> {
  const from = options.from ?? '34600111222';
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '880011223344',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: options.phoneNumberId ?? '200300400500' },
              contacts: [{ profile: { name: 'Lucía Gómez' }, wa_id: from }],
              messages: [{ from, id: options.wamid, timestamp: options.timestamp ?? '1764115200', type: 'text', text: { body: options.text ?? `text of ${options.wamid}` } }],
            },
          },
        ],
      },
    ],
  };
}
