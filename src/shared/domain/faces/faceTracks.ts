import { z } from 'zod';

/**
 * Face regions: what the detector found on each frame, linked into tracks, and the rectangles an
 * export blurs. Boxes are in the displayed (upright) frame's pixels, like every label. A track is
 * a list of per-frame boxes with an id, so it can later become a box track of kind `face` in the
 * keyframed box model without changing what is stored.
 */

export const FaceBox = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
  /** Detector confidence 0–1; 1 for a box a person drew. */
  score: z.number().min(0).max(1),
});
export type FaceBox = z.infer<typeof FaceBox>;

export const FaceTrackBox = FaceBox.extend({ frame: z.number().int().nonnegative() });
export type FaceTrackBox = z.infer<typeof FaceTrackBox>;

export const FaceTrack = z.object({
  id: z.string(),
  /** Per-frame boxes in frame order; a frame appears at most once. */
  boxes: z.array(FaceTrackBox),
});
export type FaceTrack = z.infer<typeof FaceTrack>;

/** Intersection over union of two boxes, 0 when either is empty. */
export function iou(a: FaceBox, b: FaceBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union <= 0 ? 0 : inter / union;
}

export type LinkOptions = {
  /** Least overlap for a box to continue a track (0.3: a face moving ~1/3 of its width a frame). */
  minIou?: number;
  /** Frames a track may go unseen (a missed detection, a blink) and still be continued. */
  maxGap?: number;
};

/**
 * Links per-frame detections into tracks, greedily by overlap: on each frame, the pairs
 * (open track, box) are taken from the highest IoU down, each track and box used once; a box left
 * over starts a new track; a track unseen for more than `maxGap` frames is closed. Deterministic:
 * track ids are `face-1`, `face-2`… in order of first appearance.
 */
export function linkFaceTracks(
  frames: ReadonlyMap<number, readonly FaceBox[]> | readonly (readonly FaceBox[])[],
  options: LinkOptions = {},
): FaceTrack[] {
  const minIou = options.minIou ?? 0.3;
  const maxGap = options.maxGap ?? 5;
  const entries: [number, readonly FaceBox[]][] = Array.isArray(frames)
    ? (frames as readonly (readonly FaceBox[])[]).map((boxes, frame) => [frame, boxes])
    : [...(frames as ReadonlyMap<number, readonly FaceBox[]>).entries()];
  entries.sort((a, b) => a[0] - b[0]);
  const tracks: FaceTrack[] = [];
  let open: FaceTrack[] = [];
  for (const [frame, boxes] of entries) {
    open = open.filter((track) => frame - lastOf(track).frame <= maxGap + 1);
    const pairs: { track: FaceTrack; box: number; overlap: number }[] = [];
    for (const track of open) {
      boxes.forEach((box, index) => {
        const overlap = iou(lastOf(track), box);
        if (overlap >= minIou) pairs.push({ track, box: index, overlap });
      });
    }
    pairs.sort((a, b) => b.overlap - a.overlap);
    const usedTracks = new Set<FaceTrack>();
    const usedBoxes = new Set<number>();
    for (const pair of pairs) {
      if (usedTracks.has(pair.track) || usedBoxes.has(pair.box)) continue;
      usedTracks.add(pair.track);
      usedBoxes.add(pair.box);
      pair.track.boxes.push({ ...(boxes[pair.box] as FaceBox), frame });
    }
    boxes.forEach((box, index) => {
      if (usedBoxes.has(index)) return;
      const track: FaceTrack = { id: `face-${tracks.length + 1}`, boxes: [{ ...box, frame }] };
      tracks.push(track);
      open.push(track);
    });
  }
  return tracks;
}

function lastOf(track: FaceTrack): FaceTrackBox {
  return track.boxes[track.boxes.length - 1] as FaceTrackBox;
}

/** A whole-pixel rectangle inside the frame. */
export type PixelRect = { x: number; y: number; width: number; height: number };

/**
 * The rectangles to blur on one frame: each track's box on that frame, grown by `padding` (a
 * fraction of the box's size on every side: detectors box the face from brows to chin, and hair,
 * ears and forehead identify too), rounded outward to whole pixels and clipped to the frame.
 * Frames inside a track's gap (a missed detection between two found ones) get the box
 * interpolated from both sides, so a face is not shown for a frame because the detector blinked.
 */
export function blurRectsAt(
  tracks: readonly FaceTrack[],
  frame: number,
  size: { width: number; height: number },
  padding: number,
): PixelRect[] {
  const rects: PixelRect[] = [];
  for (const track of tracks) {
    const box = boxAt(track, frame);
    if (box === null) continue;
    const padX = box.width * padding;
    const padY = box.height * padding;
    const x0 = Math.max(0, Math.floor(box.x - padX));
    const y0 = Math.max(0, Math.floor(box.y - padY));
    const x1 = Math.min(size.width, Math.ceil(box.x + box.width + padX));
    const y1 = Math.min(size.height, Math.ceil(box.y + box.height + padY));
    if (x1 > x0 && y1 > y0) rects.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }
  return rects;
}

/** The track's box on `frame`: its own, linearly interpolated inside a gap, or null outside it. */
export function boxAt(track: FaceTrack, frame: number): FaceBox | null {
  const { boxes } = track;
  const first = boxes[0];
  const last = boxes[boxes.length - 1];
  if (!first || !last || frame < first.frame || frame > last.frame) return null;
  let lo = 0;
  let hi = boxes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((boxes[mid] as FaceTrackBox).frame <= frame) lo = mid;
    else hi = mid - 1;
  }
  const before = boxes[lo] as FaceTrackBox;
  if (before.frame === frame) return before;
  const after = boxes[lo + 1];
  if (!after) return null;
  const t = (frame - before.frame) / (after.frame - before.frame);
  const mix = (a: number, b: number) => a + (b - a) * t;
  return {
    x: mix(before.x, after.x),
    y: mix(before.y, after.y),
    width: mix(before.width, after.width),
    height: mix(before.height, after.height),
    score: Math.min(before.score, after.score),
  };
}

/**
 * Recall of detections against boxes a person marked: the share of marked faces that some
 * detection overlaps by at least `minIou` (each detection matched once, best overlap first).
 */
export function faceRecall(
  marked: readonly FaceBox[],
  detected: readonly FaceBox[],
  minIou = 0.3,
): { found: number; marked: number } {
  const pairs: { m: number; d: number; overlap: number }[] = [];
  marked.forEach((m, mi) =>
    detected.forEach((d, di) => {
      const overlap = iou(m, d);
      if (overlap >= minIou) pairs.push({ m: mi, d: di, overlap });
    }),
  );
  pairs.sort((a, b) => b.overlap - a.overlap);
  const usedM = new Set<number>();
  const usedD = new Set<number>();
  for (const pair of pairs) {
    if (usedM.has(pair.m) || usedD.has(pair.d)) continue;
    usedM.add(pair.m);
    usedD.add(pair.d);
  }
  return { found: usedM.size, marked: marked.length };
}
