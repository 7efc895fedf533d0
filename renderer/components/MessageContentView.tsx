import type { Message } from '../../shared/contract';

const MEDIA_LABELS: Record<string, string> = { image: 'Photo', video: 'Video', audio: 'Audio', document: 'Document', sticker: 'Sticker' };

/** What a message carries besides text: attachment, place, contacts, the button or row tapped, an order. */
export function MessageContentView({ message }: { message: Message }) {
  const { content } = message;
  if (content.media) {
    const label = content.media.voice ? 'Voice message' : (MEDIA_LABELS[message.type] ?? 'Attachment');
    return (
      <p className="content content-media" data-kind="media">
        {label}
        {content.media.filename ? `: ${content.media.filename}` : ''}
        {content.media.mime_type ? <span className="content-meta"> ({content.media.mime_type})</span> : null}
      </p>
    );
  }
  if (content.location) {
    const { latitude, longitude, name, address } = content.location;
    return (
      <p className="content content-location" data-kind="location">
        {[name, address].filter(Boolean).join(', ') || 'Location'} <span className="content-meta">{latitude.toFixed(5)}, {longitude.toFixed(5)}</span>
      </p>
    );
  }
  if (content.contacts) {
    return (
      <ul className="content content-contacts" data-kind="contacts">
        {content.contacts.map((card, index) => (
          <li key={index}>
            {card.name}: {card.phones.map((p) => p.phone).join(', ') || 'no number'}
          </li>
        ))}
      </ul>
    );
  }
  if (content.interactive) return <p className="content content-meta">Tapped: {content.interactive.title ?? content.interactive.id ?? content.interactive.kind}</p>;
  if (content.button) return <p className="content content-meta">Tapped button: {content.button.text ?? content.button.payload}</p>;
  if (content.order) {
    return (
      <ul className="content content-order" data-kind="order">
        {content.order.items.map((item) => (
          <li key={item.product_retailer_id}>
            {item.quantity} × {item.product_retailer_id} ({item.item_price} {item.currency})
          </li>
        ))}
      </ul>
    );
  }
  return null;
}
