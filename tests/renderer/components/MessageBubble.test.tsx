import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageBubble, senderLabel } from '../../../renderer/components/MessageBubble';
import { message } from '../fake-bridge';

afterEach(cleanup);

describe('MessageBubble', () => {
  it('names the catalog product a customer asked about', () => {
    render(<MessageBubble message={message({ text: 'Is it in stock?', content: { referred_product: { catalog_id: 'CATALOG_9999', product_retailer_id: 'SKU-1234' } } })} />);
    expect(screen.getByText('Asking about product SKU-1234 (catalog CATALOG_9999)')).toBeTruthy();
  });

  it('marks a time that is the arrival time because WhatsApp sent no usable one', () => {
    render(<MessageBubble message={message({ timestamp: '2026-11-30T10:00:00.000Z', timestamp_source: 'received' })} />);
    const time = screen.getByTitle(/no usable time/);
    expect(time.textContent?.startsWith('≈ ')).toBe(true);
  });

  it('shows Meta’s time unmarked', () => {
    render(<MessageBubble message={message({ timestamp: '2026-11-30T10:00:00.000Z' })} />);
    expect(screen.queryByTitle(/no usable time/)).toBeNull();
  });
});

describe('MessageBubble: who sent it and what it quotes', () => {
  it('names the sender of an outgoing message: You, another agent, or the WhatsApp Business app', () => {
    expect(senderLabel({ direction: 'out', sent_by: 'me' }, 'me')).toBe('You');
    expect(senderLabel({ direction: 'out', sent_by: 'maria' }, 'me')).toBe('maria');
    expect(senderLabel({ direction: 'out' }, 'me')).toBe('WhatsApp Business app');
    expect(senderLabel({ direction: 'out', sent_by: '' }, 'me')).toBeNull();
    expect(senderLabel({ direction: 'in' }, 'me')).toBeNull();
    render(<MessageBubble me="me" message={message({ direction: 'out', status: 'sent', sent_by: 'maria' })} />);
    expect(screen.getByText('maria').className).toBe('bubble-sender');
  });

  it('opens the quoted message when it is stored; otherwise the quote is plain text', () => {
    const onOpenQuote = vi.fn();
    render(<MessageBubble onOpenQuote={onOpenQuote} quoted="Where is my order?" message={message({ id: 9, reply_to: 'wamid.Q', reply_to_id: 4 })} />);
    fireEvent.click(screen.getByRole('button', { name: 'Show the quoted message: Where is my order?' }));
    expect(onOpenQuote).toHaveBeenCalledWith(4);
    cleanup();
    render(<MessageBubble onOpenQuote={onOpenQuote} message={message({ id: 9, reply_to: 'wamid.GONE' })} />);
    expect(screen.queryByRole('button', { name: /Show the quoted message/ })).toBeNull();
    expect(screen.getByText('an earlier message')).toBeTruthy();
  });
});

describe('MessageBubble content, shown once as the customer sent it', () => {
  it('shows a place with its name, address and a map link, not its coordinates twice', () => {
    render(
      <MessageBubble
        message={message({ type: 'location', text: '📍 Puerta del Sol', content: { location: { latitude: 40.4168, longitude: -3.7038, name: 'Puerta del Sol', address: 'Madrid' } } })}
      />,
    );
    expect(screen.getByText('Puerta del Sol').tagName).toBe('STRONG');
    expect(screen.getByText(/Madrid/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open in a map' }).getAttribute('href')).toBe('https://www.openstreetmap.org/?mlat=40.4168&mlon=-3.7038#map=17/40.4168/-3.7038');
    expect(screen.queryByText('📍 Puerta del Sol')).toBeNull();
    expect(document.querySelector('.content-location svg[data-icon="pin"]')).not.toBeNull();
  });

  it('shows a tapped button or list row once, as the customer’s choice', () => {
    render(<MessageBubble message={message({ type: 'interactive', text: 'Yes please', content: { interactive: { kind: 'button_reply', id: 'yes', title: 'Yes please' } } })} />);
    expect(screen.getAllByText('Yes please')).toHaveLength(1);
    expect(screen.getByText('Chose')).toBeTruthy();
  });

  it('says who reacted with what', () => {
    render(
      <MessageBubble
        message={message({
          reactions: [
            { emoji: '❤️', from: 'customer' },
            { emoji: '👍', from: 'business' },
          ],
        })}
      />,
    );
    expect(screen.getByLabelText('The customer reacted ❤️')).toBeTruthy();
    expect(screen.getByLabelText('You reacted 👍')).toBeTruthy();
  });
});

describe('MessageBubble: a shared contact', () => {
  it('shows a card per contact, each number callable and marked when it is on WhatsApp, the name once', () => {
    render(
      <MessageBubble
        message={message({
          type: 'contacts',
          text: '👤 Marta Ruiz',
          content: { contacts: [{ name: 'Marta Ruiz', phones: [{ phone: '+34 600 111 222', wa_id: '34600111222', type: 'CELL' }, { phone: '+34 910 000 000', type: 'WORK' }] }, { name: 'No Number', phones: [] }] },
        })}
      />,
    );
    const cards = screen.getAllByRole('listitem');
    expect(cards[0]?.textContent).toBe('Marta Ruizcell +34 600 111 222 · on WhatsAppwork +34 910 000 000');
    expect(cards[0]?.querySelector('svg[data-icon="person"]')).not.toBeNull();
    expect(screen.getByRole('link', { name: '+34 600 111 222' }).getAttribute('href')).toBe('tel:+34600111222');
    expect(cards[1]?.textContent).toContain('No phone number');
    expect(screen.getAllByText('Marta Ruiz')).toHaveLength(1);
  });
});
