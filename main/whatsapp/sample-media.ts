import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MediaDownload, MediaFetchFailure, MediaRequest, MediaSource } from './media-source';

/** The sample files the sandbox and the tests' fake Graph API serve (in `sample-media/`, beside the build). */
export const SAMPLE_MEDIA = {
  photo: { id: 'sample-photo', file: 'photo.jpg', type: 'image', mimeType: 'image/jpeg', size: 18_079, sha256: '3f5fdcbdb4bd110473925b1334700114e055f6c097f59f7c22a795af4f44286a' },
  voice: { id: 'sample-voice', file: 'voice.ogg', type: 'audio', mimeType: 'audio/ogg; codecs=opus', size: 7_130, sha256: '232707637ded340541d6af76476324ce0a6634c3dab68434308de10b2c6c5a01' },
  leaflet: { id: 'sample-leaflet', file: 'leaflet.pdf', type: 'document', mimeType: 'application/pdf', size: 1_062, sha256: '26e8f731f692eaa11b85f9da0e4f9eeb0b0972762d7380bb93ceb8befeddfc30' },
  clip: { id: 'sample-clip', file: 'clip.mp4', type: 'video', mimeType: 'video/mp4', size: 19_502, sha256: '171c880eddffe8b0ccb4a8a89ea02f2832e60d4632265bfb262414c373de3192' },
} as const;

/**
 * Where the sample files are: `sample-media/` beside this module in the source, and beside the
 * bundle in the build (the build copies the folder).
 */
export function sampleMediaFolder(): string {
  return path.join(__dirname, 'sample-media');
}

/** The name of a sample file. */
export type SampleName = keyof typeof SAMPLE_MEDIA;

/** A sample's sha256 as Meta's webhooks carry it: base64. */
export function sampleSha256Base64(name: SampleName): string {
  return Buffer.from(SAMPLE_MEDIA[name].sha256, 'hex').toString('base64');
}

/**
 * The sandbox's stand-in for Meta's media endpoints: hands over the sample file a simulated
 * message names, with its hex sha256 and size, so the archive runs its real path (stream, size
 * limit, hash check, store by hash) without a network. An id it does not know is answered the way
 * Meta answers an expired one.
 */
export class SampleMediaSource implements MediaSource {
  constructor(private readonly folder: string) {}

  fetchMedia(request: MediaRequest, signal: AbortSignal): Promise<MediaDownload | MediaFetchFailure> {
    const sample = Object.values(SAMPLE_MEDIA).find((candidate) => candidate.id === request.mediaId);
    const file = sample && path.join(this.folder, sample.file);
    if (!sample || !file || !existsSync(file)) {
      return Promise.resolve({ ok: false, permanent: true, reason: `WhatsApp no longer has this file (the media id is unknown or expired): the sandbox has no sample ${request.mediaId}` });
    }
    return Promise.resolve({
      ok: true,
      mimeType: sample.mimeType,
      sha256: sample.sha256,
      declaredSize: statSync(file).size,
      body: createReadStream(file, { signal }),
    });
  }
}
