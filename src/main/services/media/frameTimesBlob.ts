/**
 * Frame presentation times as stored in `frame_tables.frame_times`: Float64 little-endian,
 * 8 bytes a frame, so values round-trip bit for bit and 100k frames decode without JSON parsing.
 */
export function encodeFrameTimes(frameTimes: readonly number[]): Buffer {
  const blob = Buffer.allocUnsafe(frameTimes.length * 8);
  frameTimes.forEach((seconds, index) => blob.writeDoubleLE(seconds, index * 8));
  return blob;
}

export function decodeFrameTimes(blob: Uint8Array): number[] {
  if (blob.byteLength % 8 !== 0) {
    throw new Error(`A frame table blob must be a multiple of 8 bytes, not ${blob.byteLength}`);
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  return Array.from({ length: blob.byteLength / 8 }, (_, index) =>
    view.getFloat64(index * 8, true),
  );
}
