import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Ticks } from '../../../renderer/components/Ticks';

afterEach(cleanup);

describe('Ticks', () => {
  it('shows pending as a drawn clock (no emoji font needed), labelled Sending', () => {
    render(<Ticks status="pending" />);
    const tick = screen.getByRole('img', { name: 'Sending' });
    expect(tick.textContent).toBe('');
    expect(tick.querySelector('svg[data-icon="clock"][aria-hidden="true"]')).not.toBeNull();
  });

  it.each([
    ['sent', '✓', 'Sent'],
    ['delivered', '✓✓', 'Delivered'],
    ['read', '✓✓', 'Read'],
    ['failed', '!', 'Not delivered'],
  ] as const)('shows %s as %s, labelled %s', (status, glyph, label) => {
    render(<Ticks status={status} />);
    const tick = screen.getByRole('img', { name: label });
    expect(tick.textContent).toBe(glyph);
    expect(tick.className).toContain(`ticks-${status}`);
  });
});
