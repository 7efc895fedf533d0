/** What WhatsApp carries as a file, for limits and for how it is shown. */
export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

const MB = 1024 * 1024;

/**
 * The largest file of each kind WhatsApp accepts (Meta's media reference: images 5 MB, audio and
 * video 16 MB, documents 100 MB, stickers 500 KB animated / 100 KB static). The archive refuses a
 * download past them, and the composer checks them before an upload.
 */
export const MEDIA_SIZE_LIMITS: Record<MediaKind, number> = {
  image: 5 * MB,
  audio: 16 * MB,
  video: 16 * MB,
  document: 100 * MB,
  sticker: 500 * 1024,
};

/** The media kind of a message type, or null when the type carries no file. */
export function mediaKindOf(type: string): MediaKind | null {
  return type === 'image' || type === 'audio' || type === 'video' || type === 'document' || type === 'sticker' ? type : null;
}

/** "1.4 MB", "820 KB", "96 bytes": a file size as people read it. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < MB) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
}
