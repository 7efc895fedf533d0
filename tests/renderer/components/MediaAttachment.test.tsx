import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MEDIA_METADATA_DWELL_MS } from '../../../renderer/components/MediaAttachment';
import { MessageBubble } from '../../../renderer/components/MessageBubble';
import { createInboxStores, InboxStoresContext } from '../../../renderer/stores/inbox-stores';
import type { Message } from '../../../shared/contract';
import { FakeBridge, message } from '../fake-bridge';

afterEach(cleanup);

function renderBubble(bridge: FakeBridge, shown: Message) {
  return render(
    <InboxStoresContext.Provider value={createInboxStores(bridge)}>
      <ul>
        <MessageBubble message={shown} />
      </ul>
    </InboxStoresContext.Provider>,
  );
}

const photo = (overrides: Partial<Message> = {}) =>
  message({ id: 5, type: 'image', text: '📷 Photo', content: { media: { id: 'm5', mime_type: 'image/jpeg', caption: 'the box' } }, ...overrides });

describe('MediaAttachment', () => {
  it('reuses a file’s link when its row mounts again (scrolled out and back), until it nears expiry or fails to load', async () => {
    const bridge = new FakeBridge();
    const stores = createInboxStores(bridge);
    const inFuture = new Date(Date.now() + 60 * 60_000).toISOString();
    bridge.mediaLinks[5] = { ok: true, value: { url: '/api/media/5?expires=1&signature=s', expires_at: inFuture, media_file: { state: 'stored', attempts: 1 } } };
    const stored = photo({ media_file: { state: 'stored', attempts: 1, size: 18_079, mime_type: 'image/jpeg', sha256: 'ab' } });
    const mount = () =>
      render(
        <InboxStoresContext.Provider value={stores}>
          <MessageBubble message={stored} />
        </InboxStoresContext.Provider>,
      );
    mount();
    await screen.findByRole('img', { name: 'the box' });
    cleanup();
    mount();
    // At once, with the same address: no second request, and the browser's cache has the bytes.
    expect(screen.getByRole('img', { name: 'the box' }).getAttribute('src')).toBe('http://127.0.0.1:8787/api/media/5?expires=1&signature=s');
    expect(bridge.calls.filter((call) => call.name === 'getMediaLink')).toHaveLength(1);
    fireEvent.error(screen.getByRole('img', { name: 'the box' }));
    await waitFor(() => expect(bridge.calls.filter((call) => call.name === 'getMediaLink')).toHaveLength(2));
  });

  it('holds the place of a file still downloading, and says why when a try failed', () => {
    const bridge = new FakeBridge();
    renderBubble(bridge, photo({ media_file: { state: 'pending', attempts: 2, error: 'WhatsApp answered HTTP 503', next_attempt_at: '2026-11-30T10:00:00.000Z' } }));
    expect(screen.getByRole('status').textContent).toBe('Downloading photo… (retrying: WhatsApp answered HTTP 503)');
    expect(screen.getByText('the box')).toBeTruthy();
    expect(bridge.calls.some((call) => call.name === 'getMediaLink')).toBe(false);
  });

  it('shows a stored photo from its media link, opening full size', async () => {
    const bridge = new FakeBridge();
    bridge.mediaLinks[5] = { ok: true, value: { url: '/api/media/5?expires=1&signature=s', expires_at: '2026-11-30T11:00:00.000Z', media_file: { state: 'stored', attempts: 1 } } };
    renderBubble(bridge, photo({ media_file: { state: 'stored', attempts: 1, size: 18_079, mime_type: 'image/jpeg', sha256: 'ab' } }));
    const image = await screen.findByRole('img', { name: 'the box' });
    expect(image.getAttribute('src')).toBe('http://127.0.0.1:8787/api/media/5?expires=1&signature=s');
    expect(screen.getByRole('link', { name: 'Open photo full size' }).getAttribute('target')).toBe('_blank');
    // The label the gateway stores for a captionless file is not shown as text under its card.
    expect(screen.queryByText('📷 Photo')).toBeNull();
  });

  it('asks for a new link once when the file fails to load, then shows the failure', async () => {
    const bridge = new FakeBridge();
    bridge.mediaLinks[5] = { ok: true, value: { url: '/api/media/5?expires=1&signature=s', expires_at: '2026-11-30T11:00:00.000Z', media_file: { state: 'stored', attempts: 1 } } };
    renderBubble(bridge, photo({ media_file: { state: 'stored', attempts: 1 } }));
    fireEvent.error(await screen.findByRole('img', { name: 'the box' }));
    await waitFor(() => expect(bridge.calls.filter((call) => call.name === 'getMediaLink')).toHaveLength(2));
    fireEvent.error(await screen.findByRole('img', { name: 'the box' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The photo could not be downloaded: the file could not be loaded');
  });

  it('shows a failed download with its reason, and Try again asks the gateway', async () => {
    const bridge = new FakeBridge();
    renderBubble(bridge, photo({ media_file: { state: 'failed', attempts: 1, error: 'WhatsApp no longer has this file' } }));
    expect(screen.getByRole('alert').textContent).toContain('The photo could not be downloaded: WhatsApp no longer has this file');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(bridge.calls.some((call) => call.name === 'retryMediaDownload')).toBe(true));
  });

  it('shows a document as a card with its name, type and size, saved under its name', async () => {
    const bridge = new FakeBridge();
    bridge.mediaLinks[6] = { ok: true, value: { url: '/api/media/6?expires=1&signature=s', expires_at: '2026-11-30T11:00:00.000Z', media_file: { state: 'stored', attempts: 1 } } };
    renderBubble(
      bridge,
      message({ id: 6, type: 'document', text: '📄 factura.pdf', content: { media: { id: 'm6', filename: 'factura.pdf', mime_type: 'application/pdf' } }, media_file: { state: 'stored', attempts: 1, size: 245_000, mime_type: 'application/pdf' } }),
    );
    const card = await screen.findByRole('link');
    expect(card.textContent).toBe('factura.pdfPDF · 239 KB');
    expect(card.querySelector('svg[data-icon="document"]')).not.toBeNull();
    expect(card.getAttribute('download')).toBe('factura.pdf');
  });

  it('names a voice note and plays it from its link', async () => {
    const bridge = new FakeBridge();
    bridge.mediaLinks[7] = { ok: true, value: { url: '/api/media/7?x', expires_at: '2026-11-30T11:00:00.000Z', media_file: { state: 'stored', attempts: 1 } } };
    const { container } = renderBubble(
      bridge,
      message({ id: 7, type: 'audio', text: '🎤 Voice message', content: { media: { id: 'm7', voice: true, mime_type: 'audio/ogg; codecs=opus' } }, media_file: { state: 'stored', attempts: 1 } }),
    );
    await waitFor(() => expect(container.querySelector('audio')?.getAttribute('src')).toBe('http://127.0.0.1:8787/api/media/7?x'));
    expect(container.querySelector('audio')?.getAttribute('aria-label')).toBe('voice message');
  });

  it('gives a voice note or video no player while its row passes by, and reads its length and first frame once it stays', async () => {
    const bridge = new FakeBridge();
    bridge.mediaLinks[7] = { ok: true, value: { url: '/api/media/7?x', expires_at: '2026-11-30T11:00:00.000Z', media_file: { state: 'stored', attempts: 1 } } };
    bridge.mediaLinks[8] = { ok: true, value: { url: '/api/media/8?x', expires_at: '2026-11-30T11:00:00.000Z', media_file: { state: 'stored', attempts: 1 } } };
    const mountedAt = performance.now();
    const { container } = render(
      <InboxStoresContext.Provider value={createInboxStores(bridge)}>
        <MessageBubble message={message({ id: 7, type: 'audio', text: '🎤 Voice message', content: { media: { id: 'm7', voice: true, mime_type: 'audio/ogg; codecs=opus' } }, media_file: { state: 'stored', attempts: 1 } })} />
        <MessageBubble message={message({ id: 8, type: 'video', text: '🎬 Video', content: { media: { id: 'm8', mime_type: 'video/mp4' } }, media_file: { state: 'stored', attempts: 1 } })} />
      </InboxStoresContext.Provider>,
    );
    await waitFor(() => expect(container.querySelectorAll('audio[src], video[src]')).toHaveLength(2));
    const preloads = () => [...container.querySelectorAll('audio, video')].map((element) => element.getAttribute('preload'));
    expect(preloads()).toEqual(['none', 'none']);
    await waitFor(() => expect(preloads()).toEqual(['metadata', 'metadata']), { timeout: 3 * MEDIA_METADATA_DWELL_MS });
    expect(performance.now() - mountedAt).toBeGreaterThanOrEqual(MEDIA_METADATA_DWELL_MS - 1);
  });
});
