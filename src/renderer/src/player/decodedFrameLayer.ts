import type { SampleTable } from '../../../shared/api/schemas';
import { createFrameCache, drawCachedFrame, frameCacheSupported } from './frameCache';
import type { DecodedFrameSource } from './playerEngine';
import type { Rotation } from '../../../shared/domain/rotation';

export type DecodedFrameLayerOptions = {
  table: SampleTable;
  /** The media the table describes (the clip or its proxy), fetched by byte range. */
  mediaUrl: string;
  rotation: Rotation;
};

/**
 * The decoded-frame cache as the player engine uses it: frames drawn upright onto the stage's
 * canvas, whose intrinsic size is the displayed frame so that `object-fit: contain` letterboxes
 * it exactly like the video element. Null where WebCodecs cannot decode the clip.
 */
export async function openDecodedFrameLayer(
  options: DecodedFrameLayerOptions,
): Promise<DecodedFrameSource | null> {
  const { table, mediaUrl, rotation } = options;
  if (!(await frameCacheSupported(table))) return null;
  const cache = createFrameCache({
    table,
    fetchBytes: (start, endInclusive) => fetchRange(mediaUrl, start, endInclusive),
  });
  const sideways = rotation === 90 || rotation === 270;
  return {
    draw: async (frame, canvas) => {
      const picture = await cache.get(frame);
      if (picture.frameIndex !== frame) {
        throw new Error(`The cache returned frame ${picture.frameIndex} for frame ${frame}.`);
      }
      const width = sideways ? picture.height : picture.width;
      const height = sideways ? picture.width : picture.height;
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      const context = canvas.getContext('2d');
      if (!context) throw new Error('The stage canvas has no 2D context.');
      drawCachedFrame(context, picture, rotation);
    },
    prefetch: (frame, direction) => cache.prefetch(frame, direction),
    dispose: () => cache.dispose(),
  };
}

async function fetchRange(url: string, start: number, endInclusive: number): Promise<Uint8Array> {
  const response = await fetch(url, {
    headers: { range: `bytes=${start}-${endInclusive}` },
    credentials: 'same-origin',
  });
  if (response.status !== 206 && response.status !== 200) {
    throw new Error(`Fetching bytes ${start}-${endInclusive} failed with HTTP ${response.status}.`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A server that ignores Range sends the whole file: take the slice asked for.
  return response.status === 200 ? bytes.subarray(start, endInclusive + 1) : bytes;
}
