import type { Clip } from '../../../shared/api/schemas';

/**
 * MIME type for the element's source. Chromium plays QuickTime files as MP4 but answers "" to
 * `video/quicktime`, so MOV is announced as MP4; codecs are left for the browser to discover.
 */
export function clipMediaType(clip: Pick<Clip, 'container' | 'fileName'>): string {
  const hint = `${clip.container} ${clip.fileName}`.toLowerCase();
  return /webm|matroska|\.mkv\b/.test(hint) ? 'video/webm' : 'video/mp4';
}
