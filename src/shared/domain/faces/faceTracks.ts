import { z } from 'zod';
import {
  boxAt as boxTrackBoxAt,
  isAbsentBox,
  withBoxKeyframe,
  type BoxKeyframe,
  type BoxTrack,
} from '../labels/boxTracks';
import type { Box } from '../labels/contact';

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

/** How a face track is drawn on the overlay: one hue no skeleton palette colour takes. */
export const FACE_COLOR = '#ff00c8';
export const FACE_LABEL = 'face';

/**
 * A face track as a box track of kind `face`, so the player edits and every reader interpolates
 * it with the one box-track code of the labels domain (`boxAt`, `withBoxKeyframe`): each stored
 * box is a keyframe, and the track leaves the picture the frame after its last box (a detector
 * track covers only the frames it spans).
 */
export function faceBoxTrack(track: FaceTrack): BoxTrack {
  const keyframes: BoxKeyframe[] = track.boxes.map((b) => ({
    frame: b.frame,
    // A box track's box has a positive size; a degenerate detection keeps a hair's width.
    box: { x: b.x, y: b.y, w: Math.max(b.width, 1e-6), h: Math.max(b.height, 1e-6) },
  }));
  const last = track.boxes[track.boxes.length - 1];
  if (last) keyframes.push({ frame: last.frame + 1, absent: true });
  return {
    id: track.id,
    kind: 'face',
    label: FACE_LABEL,
    color: FACE_COLOR,
    subjectId: null,
    keyframes,
  };
}

/**
 * Back from the box track: its box keyframes become the stored boxes. A box kept from `previous`
 * (the same frame, the same box) keeps its detector score; a box a person set scores 1.
 */
export function faceTrackFromBoxTrack(boxTrack: BoxTrack, previous?: FaceTrack): FaceTrack {
  const before = new Map((previous?.boxes ?? []).map((b) => [b.frame, b]));
  const boxes: FaceTrackBox[] = [];
  for (const keyframe of boxTrack.keyframes) {
    if (isAbsentBox(keyframe)) continue;
    const { box } = keyframe;
    const old = before.get(keyframe.frame);
    const same =
      old !== undefined &&
      old.x === box.x &&
      old.y === box.y &&
      Math.max(old.width, 1e-6) === box.w &&
      Math.max(old.height, 1e-6) === box.h;
    boxes.push(
      same
        ? old
        : { frame: keyframe.frame, x: box.x, y: box.y, width: box.w, height: box.h, score: 1 },
    );
  }
  return { id: boxTrack.id, boxes };
}

/**
 * A person's box on `frame`: a keyframe there (a new one interpolates towards its neighbours as
 * box tracks do; one past the track's end extends the track to it).
 */
export function withFaceBox(track: FaceTrack, frame: number, box: Box): FaceTrack {
  const edited = faceTrackFromBoxTrack(withBoxKeyframe(faceBoxTrack(track), { frame, box }), track);
  // A track whose last two boxes are equal holds its box to its end (a drawn face, `newFaceTrack`);
  // keying a frame inside that hold moves what is held, as a hand box holds its latest keyframe.
  const n = track.boxes.length;
  const last = track.boxes[n - 1];
  const held = track.boxes[n - 2];
  if (last && held && frame > held.frame && frame < last.frame && sameGeometry(held, last)) {
    return {
      ...edited,
      boxes: edited.boxes.map((b) =>
        b.frame === last.frame
          ? { ...b, x: box.x, y: box.y, width: box.w, height: box.h, score: 1 }
          : b,
      ),
    };
  }
  return edited;
}

function sameGeometry(a: FaceBox, b: FaceBox): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/**
 * A face a person drew on `frame` that the detector missed. It stays until the clip's last frame
 * (`lastFrame`), the box held, until someone ends it: a face left unblurred is the worse mistake.
 */
export function newFaceTrack(id: string, frame: number, box: Box, lastFrame: number): FaceTrack {
  const at = (f: number): FaceTrackBox => ({
    frame: f,
    x: box.x,
    y: box.y,
    width: box.w,
    height: box.h,
    score: 1,
  });
  return { id, boxes: frame < lastFrame ? [at(frame), at(lastFrame)] : [at(frame)] };
}

/** The track ends on `frame`: its box there is kept (as a keyframe) and later boxes dropped. */
export function endFaceTrack(track: FaceTrack, frame: number): FaceTrack {
  const shown = boxAt(track, frame);
  if (shown === null) return track;
  const kept = withFaceBox(track, frame, {
    x: shown.x,
    y: shown.y,
    w: Math.max(shown.width, 1e-6),
    h: Math.max(shown.height, 1e-6),
  });
  return { ...kept, boxes: kept.boxes.filter((b) => b.frame <= frame) };
}

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
  return blurRectsWithTracks(tracks, frame, size, padding).map((r) => r.rect);
}

/** `blurRectsAt` with the track each rectangle is of. */
export function blurRectsWithTracks(
  tracks: readonly FaceTrack[],
  frame: number,
  size: { width: number; height: number },
  padding: number,
): { trackId: string; rect: PixelRect }[] {
  const rects: { trackId: string; rect: PixelRect }[] = [];
  for (const track of tracks) {
    const box = boxAt(track, frame);
    if (box === null) continue;
    const rect = pixelRect(box, size, padding);
    if (rect) rects.push({ trackId: track.id, rect });
  }
  return rects;
}

function pixelRect(
  box: { x: number; y: number; width: number; height: number },
  size: { width: number; height: number },
  padding: number,
): PixelRect | null {
  const padX = box.width * padding;
  const padY = box.height * padding;
  const x0 = Math.max(0, Math.floor(box.x - padX));
  const y0 = Math.max(0, Math.floor(box.y - padY));
  const x1 = Math.min(size.width, Math.ceil(box.x + box.width + padX));
  const y1 = Math.min(size.height, Math.ceil(box.y + box.height + padY));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

// An export asks every frame of a track in turn: the box track is made once per track object.
const boxTracks = new WeakMap<FaceTrack, BoxTrack>();

/**
 * The track's box on `frame` (the box-track interpolation of `faceBoxTrack`), or null where the
 * track is not in the picture.
 */
export function boxAt(track: FaceTrack, frame: number): FaceBox | null {
  let boxTrack = boxTracks.get(track);
  if (!boxTrack) {
    boxTrack = faceBoxTrack(track);
    boxTracks.set(track, boxTrack);
  }
  const shown = boxTrackBoxAt(boxTrack, frame);
  if (!shown) return null;
  const stored = shown.isKeyframe ? track.boxes.find((b) => b.frame === frame) : undefined;
  if (stored) return stored;
  const { x, y, w, h } = shown.box;
  return { x, y, width: w, height: h, score: 1 };
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
