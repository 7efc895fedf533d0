import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ComponentProps } from 'react';
import { Composer, planAttachmentSend, type PendingFile } from '../../../renderer/components/Composer';
import { DEFAULT_CANNED_REPLIES, cannedMatches, type CannedReply } from '../../../renderer/features/use-canned-replies';

afterEach(cleanup);

function cannedList(initial: CannedReply[] = [...DEFAULT_CANNED_REPLIES]) {
  const canned = {
    replies: initial,
    save: vi.fn((reply: CannedReply) => {
      canned.replies = [...canned.replies.filter((r) => r.shortcut !== reply.shortcut), reply];
    }),
    remove: vi.fn(),
  };
  return canned;
}

type Props = ComponentProps<typeof Composer>;
function TestComposer(props: Partial<Props> & Pick<Props, 'onSend' | 'error'>) {
  return <Composer onAttach={() => Promise.resolve(0)} canned={cannedList()} {...props} />;
}

describe('Composer', () => {
  it('sends on Enter and clears the box when the send was accepted', async () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<TestComposer onSend={onSend} error={null} />);
    const box = screen.getByRole('textbox', { name: 'Reply' });
    fireEvent.change(box, { target: { value: 'Hola' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('Hola', { replyTo: null, previewUrl: false });
    await vi.waitFor(() => expect((box as HTMLTextAreaElement).value).toBe(''));
  });

  it('draws its tools instead of typing emoji a machine may have no font for, and names them for screen readers', () => {
    render(<TestComposer onSend={() => Promise.resolve(true)} error={null} />);
    for (const [name, icon] of [
      ['Emoji', 'emoji'],
      ['Attach files', 'attach'],
    ]) {
      const button = screen.getByRole('button', { name });
      expect(button.textContent).toBe('');
      expect(button.querySelector(`svg[data-icon="${icon}"][aria-hidden="true"] path`)?.getAttribute('d')).toMatch(/^M/);
    }
  });

  it('keeps the text when the send was refused, and shows why', async () => {
    render(<TestComposer onSend={() => Promise.resolve(false)} error="conversation 3 does not exist" />);
    const box = screen.getByRole('textbox', { name: 'Reply' });
    fireEvent.change(box, { target: { value: 'Hola' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await vi.waitFor(() => expect(screen.getByRole('button', { name: 'Send' })).not.toHaveProperty('disabled', true));
    expect((box as HTMLTextAreaElement).value).toBe('Hola');
    expect(screen.getByRole('alert').textContent).toBe('Not sent: conversation 3 does not exist');
  });

  it('does not send empty text', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<TestComposer onSend={onSend} error={null} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: '   ' } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
  });

  it('refuses text over 4,096 characters visibly', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<TestComposer onSend={onSend} error={null} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'a'.repeat(4097) } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('4097 of 4096 characters');
  });

  it('adds a line on Shift+Enter instead of sending', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<TestComposer onSend={onSend} error={null} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'a' } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
  });

  it('quotes a message and asks for a link preview when chosen, and can drop the quote', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    const onCancelQuote = vi.fn();
    render(<TestComposer onSend={onSend} error={null} quote={{ wamid: 'wamid.Q', text: 'the question' }} onCancelQuote={onCancelQuote} />);
    expect(screen.getByText('the question')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Link preview'));
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'see https://example.com' } });
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('see https://example.com', { replyTo: 'wamid.Q', previewUrl: true });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel reply' }));
    expect(onCancelQuote).toHaveBeenCalled();
  });

  it('Esc cancels a quote', () => {
    const onCancelQuote = vi.fn();
    render(<TestComposer onSend={vi.fn(() => Promise.resolve(true))} error={null} quote={{ wamid: 'wamid.Q', text: 'the question' }} onCancelQuote={onCancelQuote} />);
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Escape' });
    expect(onCancelQuote).toHaveBeenCalled();
  });
});

describe('Composer: attachments', () => {
  const photo = () => new File([new Uint8Array([0xff, 0xd8, 0xff])], 'label.jpg', { type: 'image/jpeg' });
  const attach = (...files: File[]) => fireEvent.change(document.querySelector('input[type="file"]') as HTMLInputElement, { target: { files } });

  it('attaches what WhatsApp accepts, refuses the rest with the reason before any upload, and sends the text as the caption', async () => {
    const onAttach = vi.fn(() => Promise.resolve(1));
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<TestComposer onSend={onSend} onAttach={onAttach} error={null} />);
    attach(photo(), new File(['PK'], 'archive.zip', { type: 'application/zip' }), new File([new Uint8Array(5 * 1024 * 1024 + 1)], 'huge.png', { type: 'image/png' }));
    expect(screen.getByRole('list', { name: 'Attachments' }).textContent).toContain('label.jpg');
    const refused = screen.getByRole('alert').textContent ?? '';
    expect(refused).toContain('Not attached: archive.zip: WhatsApp does not accept application/zip');
    expect(refused).toContain("Not attached: huge.png: 5.0 MB is over WhatsApp's 5.0 MB limit for photos");
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'The label on the box' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await vi.waitFor(() => expect(onAttach).toHaveBeenCalled());
    expect(onAttach).toHaveBeenCalledWith([{ file: expect.any(File), mimeType: 'image/jpeg', caption: 'The label on the box' }], null);
    expect(onSend).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(screen.queryByRole('list', { name: 'Attachments' })).toBeNull());
  });

  it('takes files pasted into the box; a file can be removed before sending; a refused upload keeps the files not sent', async () => {
    const onAttach = vi.fn(() => Promise.resolve(0));
    render(<TestComposer onSend={vi.fn(() => Promise.resolve(true))} onAttach={onAttach} error="big.pdf: refused" />);
    fireEvent.paste(screen.getByRole('textbox'), { clipboardData: { files: [photo(), new File(['%PDF'], 'a.pdf', { type: 'application/pdf' })] } });
    expect(screen.getAllByRole('button', { name: /^Remove / })).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Remove label.jpg' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await vi.waitFor(() => expect(onAttach).toHaveBeenCalledWith([{ file: expect.any(File), mimeType: 'application/pdf' }], null));
    expect(screen.getByRole('list', { name: 'Attachments' }).textContent).toContain('a.pdf');
  });

  it('puts the caption on the first photo, video or document; text too long for a caption, or with only audio, goes on its own', () => {
    const pending = (name: string, kind: PendingFile['kind'], id: number): PendingFile => ({ id, file: new File(['x'], name), mimeType: 'x', kind });
    expect(planAttachmentSend([pending('a.ogg', 'audio', 1), pending('b.pdf', 'document', 2)], ' Invoice ').sends.map((send) => send.caption)).toEqual([undefined, 'Invoice']);
    expect(planAttachmentSend([pending('a.ogg', 'audio', 1)], 'Listen').textAlone).toBe(true);
    expect(planAttachmentSend([pending('b.jpg', 'image', 1)], 'x'.repeat(1025)).textAlone).toBe(true);
    expect(planAttachmentSend([pending('b.jpg', 'image', 1)], '')).toEqual({ sends: [{ file: expect.any(File), mimeType: 'x' }], textAlone: false });
  });
});

describe('Composer: emoji and canned replies', () => {
  it('inserts an emoji where the cursor is; Esc closes the picker', async () => {
    render(<TestComposer onSend={vi.fn(() => Promise.resolve(true))} error={null} />);
    const box = screen.getByRole('textbox') as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'Thanks ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Emoji' }));
    fireEvent.click(screen.getByRole('button', { name: '🙏' }));
    expect(box.value).toBe('Thanks 🙏');
    fireEvent.click(screen.getByRole('button', { name: 'Emoji' }));
    fireEvent.keyDown(screen.getByRole('dialog', { name: 'Emoji' }), { key: 'Escape' });
    expect(screen.queryByRole('dialog', { name: 'Emoji' })).toBeNull();
  });

  it('offers canned replies for /shortcut: arrows choose, Enter inserts instead of sending', () => {
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<TestComposer onSend={onSend} error={null} />);
    const box = screen.getByRole('textbox') as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: '/' } });
    expect(screen.getAllByRole('option')).toHaveLength(DEFAULT_CANNED_REPLIES.length);
    fireEvent.change(box, { target: { value: '/th' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('Thank you for your patience! Is there anything else I can help you with?');
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(box, { target: { value: '/nothing' } });
    expect(screen.getByText('No canned reply starts with “nothing”.')).toBeTruthy();
    expect(cannedMatches('not a shortcut', DEFAULT_CANNED_REPLIES)).toBeNull();
  });

  it('saves a new canned reply, refusing a bad shortcut visibly, and never sends the draft in the reply box', () => {
    const canned = cannedList();
    const onSend = vi.fn(() => Promise.resolve(true));
    render(<TestComposer onSend={onSend} error={null} canned={canned} />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Reply' }), { target: { value: 'A draft not ready to go' } });
    fireEvent.click(screen.getByRole('button', { name: 'Canned replies…' }));
    const panel = screen.getByRole('dialog', { name: 'Canned replies' });
    fireEvent.change(screen.getByLabelText('Shortcut'), { target: { value: 'bad shortcut!' } });
    fireEvent.change(screen.getByLabelText('Text it inserts'), { target: { value: 'We refund within 5 days.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(panel.textContent).toContain('A shortcut is 1 to 32 letters');
    fireEvent.change(screen.getByLabelText('Shortcut'), { target: { value: '/Refund' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(canned.save).toHaveBeenCalledWith({ shortcut: 'refund', text: 'We refund within 5 days.' });
    expect(onSend).not.toHaveBeenCalled();
    // Enter in the shortcut field saves too.
    fireEvent.change(screen.getByLabelText('Shortcut'), { target: { value: 'hours' } });
    fireEvent.change(screen.getByLabelText('Text it inserts'), { target: { value: 'We answer 9 to 18.' } });
    fireEvent.keyDown(screen.getByLabelText('Shortcut'), { key: 'Enter' });
    expect(canned.save).toHaveBeenCalledWith({ shortcut: 'hours', text: 'We answer 9 to 18.' });
    expect(onSend).not.toHaveBeenCalled();
    expect((screen.getByRole('textbox', { name: 'Reply' }) as HTMLTextAreaElement).value).toBe('A draft not ready to go');
    expect(panel.querySelector('form')).toBeNull();
  });
});
