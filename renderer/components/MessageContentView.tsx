import type { Message } from '../../shared/contract';
import { Icon } from './Icon';
import { MediaAttachment } from './MediaAttachment';

/** What a message carries besides text: attachment, place, contacts, the button or row tapped, an order. */
export function MessageContentView({ message }: { message: Message }) {
  const { content } = message;
  if (content.media) return <MediaAttachment message={message} />;
  if (content.location) {
    const { latitude, longitude, name, address } = content.location;
    // OpenStreetMap: a map link that needs no account or key (it opens in the system browser).
    const map = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
    return (
      <p className="content content-location" data-kind="location">
        <Icon name="pin" className="location-pin" />
        <span>
          <strong>{name ?? 'Shared location'}</strong>
          {address && <span className="content-meta"> {address}</span>}
          <br />
          <a tabIndex={-1} href={map} target="_blank" rel="noreferrer">
            Open in a map
          </a>
        </span>
      </p>
    );
  }
  if (content.contacts) {
    return (
      <ul className="content content-contacts" data-kind="contacts" aria-label="Shared contacts">
        {content.contacts.map((card, index) => (
          <li key={index} className="contact-card">
            <Icon name="person" className="contact-avatar" />
            <strong className="contact-name">{card.name}</strong>
            {card.phones.length === 0 ? (
              <span className="content-meta">No phone number</span>
            ) : (
              card.phones.map((phone) => (
                <span key={phone.phone} className="contact-phone">
                  {phone.type && <span className="content-meta">{phone.type.toLowerCase()} </span>}
                  <a tabIndex={-1} href={`tel:${phone.phone.replace(/[^\d+]/g, '')}`}>
                    {phone.phone}
                  </a>
                  {phone.wa_id && <span className="content-meta"> · on WhatsApp</span>}
                </span>
              ))
            )}
          </li>
        ))}
      </ul>
    );
  }
  if (content.interactive) {
    return (
      <p className="content content-choice" data-kind="choice">
        <span className="content-meta">Chose </span>
        <strong>{content.interactive.title ?? content.interactive.id ?? content.interactive.kind}</strong>
      </p>
    );
  }
  if (content.button) {
    return (
      <p className="content content-choice" data-kind="choice">
        <span className="content-meta">Chose </span>
        <strong>{content.button.text ?? content.button.payload}</strong>
      </p>
    );
  }
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
