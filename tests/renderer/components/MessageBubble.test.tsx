import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageBubble } from '../../../renderer/components/MessageBubble';
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
