/**
 * COCO image ids for video frames, the same for a frame on every machine and in every export.
 *
 * COCO wants an integer id per image; a counter over one export's images gives the same frame a
 * different id in every export that selects other clips, so two exports of one clip do not join.
 * Instead the id is built from the video and the frame: the top 32 bits name the video (the first
 * 8 hex digits of its sha256 `video_id`; FNV-1a of any other id), the low 21 bits are the frame
 * index. The largest id is 2^53 − 1, still an exact JavaScript and JSON integer.
 */

/** Frames 0 … 2^21 − 1 (over 9 hours at 60 fps; clips are at most 30 minutes). */
export const COCO_FRAMES_PER_VIDEO = 2 ** 21;

export function cocoVideoKey(videoId: string): number {
  if (/^[0-9a-f]{8}/i.test(videoId)) return Number.parseInt(videoId.slice(0, 8), 16);
  // FNV-1a, 32 bits, over UTF-16 code units: ids from readers or tests that are not checksums.
  let hash = 0x811c9dc5;
  for (let i = 0; i < videoId.length; i++) {
    hash ^= videoId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function cocoImageId(videoId: string, frame: number): number {
  if (!Number.isInteger(frame) || frame < 0 || frame >= COCO_FRAMES_PER_VIDEO) {
    throw new RangeError(
      `Video "${videoId}" has a label at frame ${frame}; COCO image ids cover frames 0 to ${COCO_FRAMES_PER_VIDEO - 1}.`,
    );
  }
  return cocoVideoKey(videoId) * COCO_FRAMES_PER_VIDEO + frame;
}
