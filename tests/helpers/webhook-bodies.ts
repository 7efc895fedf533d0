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

/** An inbound message carrying a file (`type` image, audio, video, document or sticker), as Meta sends it. */
export function inboundMedia(options: {
  wamid: string;
  type: string;
  media: { id: string; sha256?: string; mime_type?: string; caption?: string; filename?: string; voice?: boolean };
  from?: string;
  timestamp?: string;
}): Record<string, unknown> {
  const body = inboundText({ wamid: options.wamid, ...(options.from ? { from: options.from } : {}), timestamp: options.timestamp ?? String(Math.floor(Date.now() / 1000)) });
  const value = (body.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[])[0]?.changes[0]?.value;
  const message = value?.messages[0];
  if (!message) throw new Error('inboundText changed shape');
  delete message.text;
  message.type = options.type;
  message[options.type] = options.media;
  return body;
}
