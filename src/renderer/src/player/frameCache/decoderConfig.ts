import type { SampleTable } from '../../../../shared/api/schemas';

/** The WebCodecs decoder configuration for a clip's video track. */
export function decoderConfig(table: SampleTable): VideoDecoderConfig {
  const config: VideoDecoderConfig = {
    codec: table.codec,
    codedWidth: table.codedWidth,
    codedHeight: table.codedHeight,
  };
  // With a decoder configuration record (avcC, hvcC) the chunks are length-prefixed samples as
  // stored in MP4; without one, H.264/HEVC would have to be Annex B, which MP4 never holds.
  if (table.description !== null) config.description = base64Bytes(table.description);
  return config;
}

/**
 * Whether this browser's WebCodecs can decode the clip. Only a promise of support: Chromium can
 * still fail on the first chunk, which the cache reports as an error.
 */
export async function frameCacheSupported(table: SampleTable): Promise<boolean> {
  if (typeof VideoDecoder === 'undefined') return false;
  try {
    const support = await VideoDecoder.isConfigSupported(decoderConfig(table));
    return support.supported === true;
  } catch (error) {
    // isConfigSupported throws a TypeError for a malformed codec string instead of answering no.
    if (error instanceof TypeError) return false;
    throw error;
  }
}

function base64Bytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
