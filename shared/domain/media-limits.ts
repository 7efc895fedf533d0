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

/** The kinds an agent can attach in the composer (stickers are the customer's). */
export type AttachmentKind = Exclude<MediaKind, 'sticker'>;

/**
 * What WhatsApp accepts as an upload, by content type (Meta's media reference): JPEG and PNG
 * photos; AAC, AMR, MP3, M4A and OGG (Opus) audio; MP4 and 3GPP video; and these documents.
 */
export const SENDABLE_MEDIA_TYPES: Readonly<Record<string, AttachmentKind>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'audio/aac': 'audio',
  'audio/amr': 'audio',
  'audio/mpeg': 'audio',
  'audio/mp4': 'audio',
  'audio/ogg': 'audio',
  'video/mp4': 'video',
  'video/3gpp': 'video',
  'text/plain': 'document',
  'application/pdf': 'document',
  'application/msword': 'document',
  'application/vnd.ms-excel': 'document',
  'application/vnd.ms-powerpoint': 'document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'document',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'document',
};

/** The content type without parameters, lower case: `audio/ogg; codecs=opus` is `audio/ogg`. */
export function baseMimeType(mimeType: string): string {
  return (mimeType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * How a file would be sent, or why it cannot be: a type WhatsApp does not take, an empty file, or
 * one over its kind's limit. The composer asks before uploading; the gateway asks again.
 */
export function attachmentCheck(
  file: { mimeType: string; size: number },
): { ok: true; kind: AttachmentKind } | { ok: false; problem: 'type' | 'empty' | 'size'; reason: string } {
  const kind = SENDABLE_MEDIA_TYPES[baseMimeType(file.mimeType)];
  if (!kind) return { ok: false, problem: 'type', reason: `WhatsApp does not accept ${file.mimeType || 'files of unknown type'}: send a JPEG or PNG photo, MP4 video, common audio, or a PDF, Office or text document` };
  if (file.size === 0) return { ok: false, problem: 'empty', reason: 'the file is empty' };
  const limit = MEDIA_SIZE_LIMITS[kind];
  if (file.size > limit) return { ok: false, problem: 'size', reason: `${formatFileSize(file.size)} is over WhatsApp's ${formatFileSize(limit)} limit for ${kind === 'image' ? 'photos' : `${kind} files`}` };
  return { ok: true, kind };
}

const TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  aac: 'audio/aac',
  amr: 'audio/amr',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  txt: 'text/plain',
  pdf: 'application/pdf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** A file's content type: the one the browser or OS gave, else from its extension (an `.ogg` often comes without one). */
export function mimeTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  return TYPE_BY_EXTENSION[extension] ?? '';
}
