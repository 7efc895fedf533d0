/** Which file to fetch: Meta's media id, the business number it came to, and the URL newer webhooks carry. */
export type MediaRequest = { mediaId: string; phoneNumberId: string };

/**
 * A file on its way: its content type, the sha256 Meta states for it (hex from the media endpoint,
 * when it gave one), its declared size, and the bytes as they arrive.
 */
export type MediaDownload = {
  ok: true;
  mimeType: string;
  sha256: string | null;
  declaredSize: number | null;
  body: AsyncIterable<Uint8Array>;
};

/**
 * Why a file could not be fetched, in a sentence; `permanent` when asking again cannot help (Meta
 * no longer has it, or refuses the id), otherwise it is tried again later.
 */
export type MediaFetchFailure = { ok: false; reason: string; permanent: boolean };

/** Something that hands over the files WhatsApp holds for inbound messages: Meta's Graph API, or the sandbox. */
export interface MediaSource {
  /** Starts a download; `signal` ends it (shutdown, or a file past its size limit). */
  fetchMedia(request: MediaRequest, signal: AbortSignal): Promise<MediaDownload | MediaFetchFailure>;
}
