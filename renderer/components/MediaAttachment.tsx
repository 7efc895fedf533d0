import { useCallback, useEffect, useState } from 'react';
import { formatFileSize, mediaKindOf, type MediaKind, type Message } from '../../shared/contract';
import { Icon } from './Icon';
import { useBridge } from '../stores/inbox-stores';
import { cachedMediaSrc, forgetMediaSrc, rememberMediaSrc } from '../stores/media-link-cache';
import { afterNextPaint } from './after-paint';

const NOUNS: Record<MediaKind, string> = { image: 'photo', video: 'video', audio: 'audio', document: 'document', sticker: 'sticker' };

/** Meta's file types, as people name them. */
function typeName(mimeType: string | undefined): string {
  const base = (mimeType ?? '').split(';')[0]?.trim() ?? '';
  if (base === 'application/pdf') return 'PDF';
  return base.split('/')[1]?.toUpperCase() ?? 'File';
}

/**
 * The address of a message's archived file, once it is stored: a media link from the gateway,
 * loaded where the bridge says. `renew` asks for a new link (an element failed to load: the link
 * expired, or the gateway restarted); `failed` says why none could be had.
 */
function useMediaSrc(messageId: number, stored: boolean): { src: string | null; failed: string | null; renew: () => void } {
  const bridge = useBridge();
  // A row scrolled back into view shows its file at once, from the link it had.
  const [src, setSrc] = useState<string | null>(() => (stored ? cachedMediaSrc(bridge, messageId) : null));
  const [failed, setFailed] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!stored) return;
    if (round === 0 && cachedMediaSrc(bridge, messageId) !== null) return;
    let current = true;
    const ask = () =>
      bridge.getMediaLink({ message_id: messageId }).then(async (link) => {
        if (!current) return;
        if (!link.ok) {
          setFailed(link.error.message);
          return;
        }
        const resolved = await bridge.gatewayUrl(link.value.url).catch(() => null);
        if (!current) return;
        if (resolved) {
          rememberMediaSrc(bridge, messageId, resolved, link.value.expires_at);
          setSrc(resolved);
          setFailed(null);
        } else {
          setFailed('the gateway cannot be reached');
        }
      });
    // The row paints first (a placeholder of the file's size); its link is asked for after.
    const cancel = afterNextPaint(() => void ask());
    return () => {
      current = false;
      cancel();
    };
  }, [bridge, messageId, stored, round]);
  // One renewal per failed load: an element that fails again with a fresh link shows the failure.
  const [renewedFor, setRenewedFor] = useState<string | null>(null);
  const renew = useCallback(() => {
    if (renewedFor === src) {
      setFailed('the file could not be loaded');
      return;
    }
    setRenewedFor(src);
    forgetMediaSrc(bridge, messageId);
    setRound((n) => n + 1);
  }, [renewedFor, src, bridge, messageId]);
  return { src, failed, renew };
}

/**
 * How long a voice note, audio or video stays on screen before the browser reads its length and
 * first frame. With `preload="metadata"` Chromium makes a media player for every element, and the
 * players of rows scrolled past are torn down together inside a garbage collection's pause (about
 * 0.1–0.25 ms each, measured): scrolling past a few dozen made 50–70 ms long tasks. Until then the
 * element has no player (`preload="none"`); Play works at once either way.
 */
export const MEDIA_METADATA_DWELL_MS = 500;

/** `none` while the row is only passing by; `metadata` once a player has stayed mounted a while. */
function usePreloadOnceSettled(player: boolean): 'none' | 'metadata' {
  const [preload, setPreload] = useState<'none' | 'metadata'>('none');
  useEffect(() => {
    if (!player) return;
    const timer = setTimeout(() => setPreload('metadata'), MEDIA_METADATA_DWELL_MS);
    return () => clearTimeout(timer);
  }, [player]);
  return preload;
}

/**
 * A file a customer sent, as they see it: a photo or sticker (opens full size), a voice note or
 * audio with a player, a video with a player, a document as a card that opens or saves. While the
 * archive downloads it, a placeholder of the same size holds its place (nothing jumps); a failed
 * download says why and offers to try again.
 */
export function MediaAttachment({ message }: { message: Message }) {
  const bridge = useBridge();
  const media = message.content.media;
  const file = message.media_file;
  const kind = mediaKindOf(message.type) ?? 'document';
  const noun = media?.voice ? 'voice message' : NOUNS[kind];
  const { src, failed, renew } = useMediaSrc(message.id, file?.state === 'stored');
  const [retrying, setRetrying] = useState(false);
  const preload = usePreloadOnceSettled(kind === 'audio' || kind === 'video');
  if (!media) return null;
  const frame = `media media-${kind}${media.voice ? ' media-voice' : ''}`;
  if (!file) {
    // A file this gateway does not archive (one sent from here): named, not shown.
    return (
      <p className="content content-media" data-kind="media">
        {noun[0]?.toUpperCase()}
        {noun.slice(1)}
        {media.filename ? `: ${media.filename}` : ''}
      </p>
    );
  }
  if (file.state === 'failed' || failed) {
    const retry = async () => {
      setRetrying(true);
      await bridge.retryMediaDownload({ message_id: message.id });
      setRetrying(false);
    };
    return (
      <div className={`${frame} media-failed`} role="alert" data-kind="media" data-state="failed">
        <span>
          The {noun} could not be downloaded: {failed ?? file.error ?? 'unknown reason'}
        </span>
        {file.state === 'failed' && (
          <button tabIndex={-1} type="button" onClick={() => void retry()} disabled={retrying}>
            Try again
          </button>
        )}
      </div>
    );
  }
  if (file.state === 'pending' || !src) {
    const retryingNote = file.state === 'pending' && file.attempts > 0 && file.error ? ` (retrying: ${file.error})` : '';
    return (
      <div className={`${frame} media-pending`} role="status" data-kind="media" data-state="pending">
        Downloading {noun}…{retryingNote}
      </div>
    );
  }
  const alt = media.caption ?? `${noun[0]?.toUpperCase()}${noun.slice(1)}`;
  switch (kind) {
    case 'image':
    case 'sticker':
      return (
        <a tabIndex={-1} className={frame} href={src} target="_blank" rel="noreferrer" data-kind="media" data-state="stored" aria-label={`Open ${noun} full size`}>
          <img src={src} alt={alt} onError={renew} loading="lazy" decoding="async" />
        </a>
      );
    case 'audio':
      return (
        <div className={frame} data-kind="media" data-state="stored">
          <audio tabIndex={-1} controls preload={preload} src={src} onError={renew} aria-label={noun} />
        </div>
      );
    case 'video':
      return (
        <div className={frame} data-kind="media" data-state="stored">
          <video tabIndex={-1} controls preload={preload} src={src} onError={renew} aria-label={alt} />
        </div>
      );
    case 'document':
      return (
        <a tabIndex={-1} className={`${frame} file-card`} href={src} download={media.filename ?? true} data-kind="media" data-state="stored">
          <Icon name="document" className="file-icon" />
          <span className="file-name">{media.filename ?? 'Document'}</span>
          <span className="file-meta">
            {typeName(file.mime_type ?? media.mime_type)}
            {file.size !== undefined ? ` · ${formatFileSize(file.size)}` : ''}
          </span>
        </a>
      );
  }
}
