import type { Message } from '../../shared/contract';
import { MediaAttachment } from './MediaAttachment';

/** What a message carries besides text: attachment, place, contacts, the button or row tapped, an order. */
export function MessageContentView({ message }: { message: Message }) {
  const { content } = message;
  if (content.media) return <MediaAttachment message={message} />;
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
