import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '../../../renderer/components/Composer';

afterEach(cleanup);

describe('Composer', () => {
  it('sends on Enter and clears the box when the send was accepted', async () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<Composer onSend={onSend} error={null} />);
    const box = screen.getByRole('textbox', { name: 'Reply' });
    fireEvent.change(box, { target: { value: 'Hola' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('Hola', { replyTo: null, previewUrl: false });
    await vi.waitFor(() => expect((box as HTMLTextAreaElement).value).toBe(''));
  });

  it('keeps the text when the send was refused, and shows why', async () => {
    render(<Composer onSend={() => Promise.resolve(false)} error="conversation 3 does not exist" />);
    const box = screen.getByRole('textbox', { name: 'Reply' });
    fireEvent.change(box, { target: { value: 'Hola' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await vi.waitFor(() => expect(screen.getByRole('button', { name: 'Send' })).not.toHaveProperty('disabled', true));
    expect((box as HTMLTextAreaElement).value).toBe('Hola');
    expect(screen.getByRole('alert').textContent).toBe('Not sent: conversation 3 does not exist');
  });

  it('does not send empty text', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<Composer onSend={onSend} error={null} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: '   ' } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
  });

  it('refuses text over 4,096 characters visibly', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<Composer onSend={onSend} error={null} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'a'.repeat(4097) } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('4097 of 4096 characters');
  });

  it('adds a line on Shift+Enter instead of sending', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<Composer onSend={onSend} error={null} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'a' } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
  });

  it('quotes a message and asks for a link preview when chosen, and can drop the quote', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    const onCancelQuote = vi.fn();
    render(<Composer onSend={onSend} error={null} quote={{ wamid: 'wamid.Q', text: 'the question' }} onCancelQuote={onCancelQuote} />);
    expect(screen.getByText('the question')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Link preview'));
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'see https://example.com' } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('see https://example.com', { replyTo: 'wamid.Q', previewUrl: true });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel reply' }));
    expect(onCancelQuote).toHaveBeenCalled();
  });
});
